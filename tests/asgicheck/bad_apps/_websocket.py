"""Bad apps: websockets."""

from __future__ import annotations

import asyncio
from typing import Any

from bad_apps._support import WS, breaks, good, websocket_echo


@breaks("WS-RECV-001", "W06-delayed-connect", WS)
async def accepts_before_connect(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    await send({"type": "websocket.accept"})
    await receive()
    while (await receive())["type"] != "websocket.disconnect":
        pass


@breaks("WS-RECV-002", "W02-receive-shapes", WS)
async def picks_payload_by_key(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if "text" in message:  # wrong: text may be present and None
            await send({"type": "websocket.send", "text": str(message["text"])})
        else:
            await send({"type": "websocket.send", "bytes": message["bytes"]})


@breaks("WS-RECV-003", "W04-disconnect-before-accept", WS)
async def ignores_disconnect_type(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    await receive()
    try:
        await send({"type": "websocket.accept"})
    except OSError:
        pass
    while True:  # only ever looks for websocket.receive: waits on after the disconnect
        message = await receive()
        if message["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": message.get("text") or "?"})


@breaks("WS-RECV-004", "W03-disconnect-after-accept", WS)
async def needs_reason(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            _reasons.append(message["reason"].upper())  # KeyError; None has no upper()
            return
        await send({"type": "websocket.send", "text": message.get("text") or "?"})


_reasons: list[str] = []


@breaks("WS-RECV-005", "W07-send-after-client-close", WS)
async def retries_sends(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    await receive()
    await send({"type": "websocket.accept"})
    for _ in range(3):
        try:
            await send({"type": "websocket.send", "text": "welcome"})
        except OSError:
            continue


@breaks("WS-RECV-006", "W07-send-after-client-close", WS)
async def renames_ws_disconnect(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    await receive()
    await send({"type": "websocket.accept"})
    failed = False
    try:
        await send({"type": "websocket.send", "text": "welcome"})
    except OSError:
        failed = True
    if failed:
        raise ValueError("connection lost")


@breaks("WS-APP-001", "W01-echo", WS)
async def lingers_after_disconnect(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    await websocket_echo(receive, send)
    await asyncio.Event().wait()  # the socket is gone, the task is not


@breaks("WS-SEND-009", "W05-old-spec-versions", WS)
async def accept_headers_always(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    await websocket_echo(receive, send, accept={"type": "websocket.accept",
                                                "headers": [[b"x-server", b"bad"]]})


@breaks("WS-SEND-013", "W05-old-spec-versions", WS)
async def close_reason_always(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    await receive()
    await send({"type": "websocket.accept"})
    await receive()
    await send({"type": "websocket.close", "code": 1000, "reason": "bye"})




@breaks("X-WS-001", "W08-subprotocol-offer", WS)
async def picks_its_own_subprotocol(scope: Any, receive: Any, send: Any) -> None:
    # Answers any offer with the one protocol it speaks, offered or not.
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    chosen = "graphql-ws" if scope.get("subprotocols") else None
    await websocket_echo(receive, send, accept={"type": "websocket.accept", "subprotocol": chosen})


@breaks("WS-SEND-007", "W08-subprotocol-offer", WS)
async def chooses_by_raw_header(scope: Any, receive: Any, send: Any) -> None:
    # Sets the handshake header itself instead of the accept's subprotocol key.
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    offered = scope.get("subprotocols") or []
    headers = [[b"sec-websocket-protocol", offered[0].encode()]] if offered else []
    await websocket_echo(receive, send, accept={"type": "websocket.accept", "headers": headers})


@breaks("GEN-APP-014", "W09-minimal-scope", WS)
async def needs_query_string(scope: Any, receive: Any, send: Any) -> None:
    # Falcon 4.4 and FastAPI do this: query_string is "Optional; if missing defaults to b''".
    if scope["type"] == "websocket":
        scope["query_string"].decode()
    await good(scope, receive, send)


@breaks("GEN-APP-014", "W09-minimal-scope", WS)
async def decodes_raw_path(scope: Any, receive: Any, send: Any) -> None:
    # BlackSheep does this: raw_path is "Optional; if missing defaults to None".
    if scope["type"] == "websocket" and "raw_path" in scope:
        scope["raw_path"].decode()
    await good(scope, receive, send)
