"""asgicheck's own probe app: a well-behaved raw ASGI app that each server-behaviour check
drives, so that what a check reports is the server's doing and never the user's app's.

Each route does one thing and writes what it observed into the current ``Call``'s ``data``
(the tracker records the events and send results anyway). The probes wait for what the server
owes them for at most ``WAIT`` seconds and never raise except to re-raise the ``OSError`` a
server's ``send()`` raised after the client went away (which servers must then catch,
HTTP-SRV-007 / WS-SRV-007).

HTTP: ``/plain`` (read, answer, then receive twice), ``/body`` (read everything, answer its
length; notes the lifespan state), ``/stream`` (first chunk, wait for the disconnect, send
again). WebSocket: ``/ws/echo`` (accept after a pause, echo, then send after the close),
``/ws/close`` (accept, close with ``?code=&reason=``), ``/ws/deny`` (close before accept).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from asgicheck.live._tracker import Call, current_call
from asgicheck.types import Message, Receive, Scope, Send

__all__ = ["ACCEPT_DELAY", "WAIT", "probe_app"]

WAIT = 1.0  # seconds a probe waits for an event the server owes it
ACCEPT_DELAY = 0.05  # /ws/echo holds its accept back this long (the handshake must wait)
TIMEOUT = "timeout"  # recorded instead of an event type when none came in time

Handler = Callable[[Scope, Receive, Send, Call], Awaitable[None]]


async def _next(receive: Receive, wait: float = WAIT) -> dict[str, Any]:
    try:
        return dict(await asyncio.wait_for(receive(), wait))
    except asyncio.TimeoutError:
        return {"type": TIMEOUT}


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    for _ in range(10_000):
        event = await _next(receive)
        if event["type"] != "http.request":
            break
        parts.append(event.get("body", b""))
        if not event.get("more_body", False):
            break
    return b"".join(parts)


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [[b"content-type", b"text/plain"],
                            [b"content-length", str(len(body)).encode()]]})
    await send({"type": "http.response.body", "body": body})


async def _send_after_close(send: Send, message: Message, call: Call) -> None:
    """Send once more after the client left; re-raise only the OSError a server may raise."""
    try:
        await asyncio.wait_for(send(message), WAIT)
    except asyncio.TimeoutError:
        call.data["send_after_close"] = "blocked"
    except OSError as exc:
        call.data["send_after_close"] = exc
        raise  # HTTP-SRV-007 / WS-SRV-007: the server must catch what it raised
    except Exception as exc:  # not the OSError subclass the spec asks for
        call.data["send_after_close"] = exc
    else:
        call.data["send_after_close"] = None


async def plain(scope: Scope, receive: Receive, send: Send, call: Call) -> None:
    await _read_body(receive)
    await _answer(send, 200, b"ok")
    call.data["after_response"] = [(await _next(receive))["type"] for _ in range(2)]


async def body(scope: Scope, receive: Receive, send: Send, call: Call) -> None:
    call.data["scope"] = scope
    state = scope.get("state")
    if isinstance(state, dict):
        call.data["state_keys"] = sorted(state)
        state["asgicheck_leak"] = True  # must not reach the next request's copy (LS-SRV-007)
    received = await _read_body(receive)
    await _answer(send, 200, str(len(received)).encode())


async def stream(scope: Scope, receive: Receive, send: Send, call: Call) -> None:
    await _read_body(receive)
    await send({"type": "http.response.start", "status": 200,
                "headers": [[b"content-type", b"text/plain"]]})
    await send({"type": "http.response.body", "body": b"first\n", "more_body": True})
    call.data["event"] = (await _next(receive, 2 * WAIT))["type"]  # the client goes away
    await _send_after_close(send, {"type": "http.response.body", "body": b"second\n",
                                   "more_body": True}, call)


async def ws_echo(scope: Scope, receive: Receive, send: Send, call: Call) -> None:
    await receive()  # websocket.connect
    await asyncio.sleep(ACCEPT_DELAY)  # not synchronisation: the pause the client must sit out
    call.data["accepted_at"] = time.monotonic()
    await send({"type": "websocket.accept"})
    event: dict[str, Any] = {"type": TIMEOUT}
    for _ in range(100):
        event = await _next(receive, 2 * WAIT)
        if event["type"] != "websocket.receive":
            break
        if event.get("bytes") is not None:
            await send({"type": "websocket.send", "bytes": event["bytes"]})
        else:
            await send({"type": "websocket.send", "text": event.get("text")})
    call.data["disconnect"] = event
    if event["type"] == "websocket.disconnect":
        await _send_after_close(send, {"type": "websocket.send", "text": "after close"}, call)


async def ws_close(scope: Scope, receive: Receive, send: Send, call: Call) -> None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    message: dict[str, Any] = {"type": "websocket.close"}
    if "code" in query:
        message["code"] = int(query["code"][0])
    if "reason" in query:
        message["reason"] = query["reason"][0]
    await send(message)
    call.data["after_close"] = await _next(receive)


async def ws_deny(scope: Scope, receive: Receive, send: Send, call: Call) -> None:
    await receive()  # websocket.connect
    await send({"type": "websocket.close"})
    call.data["after_close"] = await _next(receive)


HTTP_ROUTES: dict[str, Handler] = {"/plain": plain, "/body": body, "/stream": stream}
WS_ROUTES: dict[str, Handler] = {"/ws/echo": ws_echo, "/ws/close": ws_close,
                                 "/ws/deny": ws_deny}


async def _lifespan(scope: Scope, receive: Receive, send: Send) -> None:
    while True:
        event = await receive()
        if event["type"] == "lifespan.startup":
            state = scope.get("state")
            if isinstance(state, dict):
                state["asgicheck_probe"] = "started"
            await send({"type": "lifespan.startup.complete"})
        elif event["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def probe_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The probe app (run it inside ``Tracker(validate(probe_app))``)."""
    kind = scope["type"]
    if kind == "lifespan":
        await _lifespan(scope, receive, send)
        return
    routes = HTTP_ROUTES if kind == "http" else WS_ROUTES if kind == "websocket" else {}
    handler = routes.get(scope.get("path", ""))
    if handler is not None:
        await handler(scope, receive, send, current_call())
    elif kind == "http":
        await _read_body(receive)
        await _answer(send, 404, b"no such probe")
    elif kind == "websocket":
        await receive()
        await send({"type": "websocket.close"})
    else:
        raise ValueError(f"the asgicheck probe app does not speak {kind!r}")
