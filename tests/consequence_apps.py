"""One raw ASGI app per rule whose default verdict follows its consequence (below MUST, the
rule fails a run because uvicorn, hypercorn or a real client break on it), each correct but for
that one defect, and ``good``, their conforming twin. tests/plugin/test_plugin_consequences.py
checks them in-process (copied, with ``asgi_blocks.py``, into its run directory);
tests/live/test_consequences.py serves them under the real servers."""

from __future__ import annotations

import asyncio
from typing import Any

from asgi_blocks import lifespan, read_body, respond, websocket_echo


async def good(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
    elif scope["type"] == "http":
        body = await read_body(receive)
        if body is not None:
            await respond(send, body if scope["method"] == "POST" else b"ok",
                          method=scope["method"])
    elif scope["type"] == "websocket":
        await websocket_echo(receive, send)
    else:
        raise NotImplementedError(scope["type"])


async def body_after_complete(scope: Any, receive: Any, send: Any) -> None:
    """HTTP-SEND-013: a second, empty body after the response is complete."""
    await good(scope, receive, send)
    if scope["type"] == "http":
        await send({"type": "http.response.body", "body": b""})


async def returns_a_value(scope: Any, receive: Any, send: Any) -> object:
    """OPS-APP-004: the call returns 42 instead of None."""
    await good(scope, receive, send)
    return 42 if scope["type"] == "http" else None


async def skips_empty_chunks(scope: Any, receive: Any, send: Any) -> None:
    """HTTP-RECV-002: empty chunks are skipped as if they said nothing, more_body=False
    included, so a body whose last chunk is empty (what servers send after a chunked upload)
    is waited for forever."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunk = message.get("body", b"")
        if not chunk:
            continue
        body += chunk
        if not message.get("more_body", False):
            break
    await respond(send, body)


async def late_early_hint(scope: Any, receive: Any, send: Any) -> None:
    """EH-APP-002: an early hint after http.response.start, where the server offers them."""
    if scope["type"] != "http" or "http.response.early_hint" not in scope.get("extensions", {}):
        return await good(scope, receive, send)
    await read_body(receive)
    await send({"type": "http.response.start", "status": 200,
                "headers": [[b"content-length", b"2"]]})
    await send({"type": "http.response.early_hint", "links": [b"</style.css>; rel=preload"]})
    await send({"type": "http.response.body", "body": b"ok"})


async def _accept_and_close(receive: Any, send: Any, accept: dict[str, Any],
                            close: dict[str, Any], after: dict[str, Any] | None = None) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    await send(accept)
    await send(close)
    if after is not None:
        await send(after)
    while (await receive())["type"] != "websocket.disconnect":
        pass


def _websocket(accept: dict[str, Any], close: dict[str, Any],
               after: dict[str, Any] | None = None) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return await good(scope, receive, send)
        await _accept_and_close(receive, send, accept, close, after)
    return app


ACCEPT = {"type": "websocket.accept"}
CLOSE = {"type": "websocket.close", "code": 1000}
# WS-SEND-015: a message after the app's own close.
send_after_close = _websocket(ACCEPT, CLOSE, {"type": "websocket.send", "text": "late"})
# WS-SEND-014: 1006 is for a connection lost without a close frame, never sent by an endpoint.
reserved_close_code = _websocket(ACCEPT, {"type": "websocket.close", "code": 1006})
# X-WS-002: a close reason past 123 bytes does not fit a control frame.
long_close_reason = _websocket(ACCEPT, {"type": "websocket.close", "code": 1000,
                                        "reason": "x" * 124})
# X-WS-001: a subprotocol the client never offered.
unoffered_subprotocol = _websocket({"type": "websocket.accept", "subprotocol": "graphql-ws"},
                                   CLOSE)


async def startup_raises(scope: Any, receive: Any, send: Any) -> None:
    """LS-APP-002: the startup code raises after receiving lifespan.startup."""
    if scope["type"] != "lifespan":
        return await good(scope, receive, send)
    await receive()
    raise RuntimeError("database unreachable")


async def startup_hangs(scope: Any, receive: Any, send: Any) -> None:
    """LS-APP-001: lifespan.startup is never answered, nor does the call end."""
    if scope["type"] != "lifespan":
        return await good(scope, receive, send)
    await receive()
    await asyncio.Event().wait()
