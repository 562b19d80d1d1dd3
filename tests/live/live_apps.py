"""Apps for the live-mode tests: well-behaved ones (raw ASGI, Starlette) and broken ones, each
breaking one rule."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from asgicheck.contract import Target
from asgicheck.live import SERVERS
from asgicheck.types import Receive, Scope, Send

LIVE_SERVERS = [name for name in ("uvicorn", "hypercorn") if name in SERVERS]
TARGETS = [Target(path="/"), Target(method="POST", path="/echo", body=b"hello live"),
           Target(kind="websocket", path="/ws")]


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        event = await receive()
        if event["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif event["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read(receive: Receive) -> bytes:
    body = b""
    while True:
        event = await receive()
        if event["type"] != "http.request":
            return body
        body += event.get("body", b"")
        if not event.get("more_body", False):
            return body


async def raw_app(scope: Scope, receive: Receive, send: Send) -> None:
    """GET / says hello, POST /echo echoes, /ws echoes until the client leaves."""
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "http":
        body = await _read(receive)
        payload = body if scope["path"] == "/echo" else b"hello"
        if scope["method"] == "HEAD":
            payload = b""
        await send({"type": "http.response.start", "status": 200,
                    "headers": [[b"content-type", b"text/plain"]]})
        await send({"type": "http.response.body", "body": payload})
    elif scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        while True:
            event = await receive()
            if event["type"] == "websocket.disconnect":
                return
            await send({"type": "websocket.send", "text": event.get("text"),
                        "bytes": event.get("bytes")})
    else:
        raise ValueError(f"unsupported scope type {scope['type']!r}")


async def _home(request: Request) -> Response:
    return PlainTextResponse("hello")


async def _echo(request: Request) -> Response:
    return Response(await request.body(), media_type="application/octet-stream")


async def _ws(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


async def _ticks() -> AsyncIterator[bytes]:
    for _ in range(500):  # 5 s at most: bounded even if nobody stops it
        yield b"tick\n"
        await asyncio.sleep(0.01)  # the stream's pace, not synchronisation


async def _stream(request: Request) -> Response:
    return StreamingResponse(_ticks(), media_type="text/plain")


starlette_app = Starlette(routes=[Route("/", _home), Route("/echo", _echo, methods=["POST"]),
                                  Route("/stream", _stream), WebSocketRoute("/ws", _ws)])


async def endless_stream_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Breaks HTTP-RECV-007: streams on after the client left, never looking at receive()."""
    if scope["type"] != "http":
        raise ValueError("http only")
    await send({"type": "http.response.start", "status": 200,
                "headers": [[b"content-type", b"text/plain"]]})
    async for tick in _ticks():
        await send({"type": "http.response.body", "body": tick, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def str_body_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Breaks HTTP-SEND-011: a str body."""
    if scope["type"] != "http":
        raise ValueError("http only")
    await _read(receive)
    await send({"type": "http.response.start", "status": 200,
                "headers": [[b"content-type", b"text/plain"]]})
    await send({"type": "http.response.body", "body": "not bytes"})


async def incomplete_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Breaks HTTP-SEND-004: returns with the response unfinished."""
    if scope["type"] != "http":
        raise ValueError("http only")
    await _read(receive)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"part", "more_body": True})


async def head_body_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Sends the GET body for HEAD too (X-HTTP-005; servers drop it before the wire)."""
    if scope["type"] != "http":
        raise ValueError("http only")
    await _read(receive)
    await send({"type": "http.response.start", "status": 200,
                "headers": [[b"content-type", b"text/plain"], [b"content-length", b"5"]]})
    await send({"type": "http.response.body", "body": b"hello"})


async def failing_startup_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Refuses to start: lifespan.startup.failed."""
    if scope["type"] == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "database unreachable"})
        return
    raise RuntimeError("never served")


async def hanging_startup_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Never answers lifespan.startup."""
    if scope["type"] == "lifespan":
        await receive()
        await receive()  # nothing more comes until the server gives up on it
    raise RuntimeError("never served")


def rules_of(violations: Any, party: str | None = None) -> set[str]:
    return {v.rule for v in violations if party is None or v.party.value == party}
