"""A small, well-behaved raw ASGI app: the control group for the scenario and driver tests.

Routes: ``GET /`` (plain text), ``POST /echo`` (echoes the body), ``GET /stream`` (streams
chunks until the client goes away, watching receive() as pre-2.4 servers require), ``WS /ws``
(echo). Lifespan is supported, with a namespaced state key.
"""

from __future__ import annotations

import asyncio
from typing import Any

Scope = dict[str, Any]


async def app(scope: Scope, receive: Any, send: Any) -> None:
    kind = scope["type"]
    if kind == "lifespan":
        await lifespan(scope, receive, send)
    elif kind == "http":
        await http(scope, receive, send)
    elif kind == "websocket":
        await websocket(scope, receive, send)
    else:
        raise ValueError(f"unsupported scope type {kind!r}")


async def lifespan(scope: Scope, receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if "state" in scope:
                scope["state"]["good_app.started"] = True
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def read_body(receive: Any) -> bytes | None:
    """The whole request body, or None when the client went away."""
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return body


async def respond(send: Any, status: int, body: bytes, method: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [[b"content-type", b"text/plain"],
                            [b"content-length", str(len(body)).encode()]]})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


async def http(scope: Scope, receive: Any, send: Any) -> None:
    path = scope["path"][len(scope.get("root_path", "")):] or "/"
    method = scope["method"]
    body = await read_body(receive)
    if body is None:
        return
    if path == "/" and method in ("GET", "HEAD"):
        await respond(send, 200, b"hello", method)
    elif path == "/echo" and method == "POST":
        await respond(send, 200, body, method)
    elif path == "/stream" and method in ("GET", "HEAD"):
        await stream(send, receive, method)
    else:
        await respond(send, 404, b"not found", method)


async def stream(send: Any, receive: Any, method: str) -> None:
    gone = asyncio.Event()

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.ensure_future(watch())
    try:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [[b"content-type", b"text/plain"]]})
        for number in range(3):
            if gone.is_set():
                return
            chunk = b"" if method == "HEAD" else f"chunk {number}\n".encode()
            try:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except OSError:
                return
            await asyncio.sleep(0)
        if not gone.is_set():
            await send({"type": "http.response.body", "body": b""})
    finally:
        watcher.cancel()


async def websocket(scope: Scope, receive: Any, send: Any) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if scope["path"] != "/ws":
        await send({"type": "websocket.close", "code": 1000})
        return
    try:
        await send({"type": "websocket.accept"})
    except OSError:  # the client left before the handshake completed
        return
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        try:
            if message.get("text") is not None:
                await send({"type": "websocket.send", "text": message["text"]})
            else:
                await send({"type": "websocket.send", "bytes": message.get("bytes")})
        except OSError:
            return
