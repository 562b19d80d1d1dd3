"""The control row: the matrix's routes as a hand-written, spec-correct raw ASGI 3 app.

Every finding asgicheck reports here is either a checker bug or a bug in this file: the
framework rows are read against it. It is also the inner app the middleware rows wrap in live
mode.
"""

from __future__ import annotations

import json
from typing import Any

from asgicheck.contract import Target

Scope = dict[str, Any]
# What a correct app answers to each target's plain request (the matrix checks it per row).
EXPECTED = {"GET /": 200, "GET /items/1": 200, "DELETE /items/1": 204, "POST /echo": 200,
            "GET /stream": 200}
TARGETS = (
    Target(path="/"),
    Target(path="/items/1"),
    Target(method="DELETE", path="/items/1"),
    Target(method="POST", path="/echo", body=b"hello matrix"),
    Target(path="/stream"),
    Target(kind="websocket", path="/ws"),
)


async def _read_body(receive: Any) -> bytes | None:
    """The whole request body, or None when the client went away first."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _respond(send: Any, status: int, body: bytes, content_type: bytes | None,
                   head: bool) -> None:
    headers = [[b"content-length", str(len(body)).encode()]]
    if content_type:
        headers.append([b"content-type", content_type])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


def _route_path(scope: Scope) -> str:
    """The path to route on: ``path`` includes ``root_path`` (www.rst § WSGI Compatibility)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root):] or "/"
    return path


async def _http(scope: Scope, receive: Any, send: Any) -> None:
    method, path = scope["method"], _route_path(scope)
    head = method == "HEAD"
    reading = method in ("POST", "PUT", "PATCH")
    body = await _read_body(receive)
    if body is None:
        return  # the client left before the request was complete: nobody to answer
    if path == "/" and method in ("GET", "HEAD"):
        await _respond(send, 200, b"hello", b"text/plain; charset=utf-8", head)
    elif path.startswith("/items/") and path[7:].isdigit():
        if method == "DELETE":
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
        elif method in ("GET", "HEAD"):
            payload = json.dumps({"id": int(path[7:])}).encode()
            await _respond(send, 200, payload, b"application/json", head)
        else:
            await _respond(send, 405, b"method not allowed", b"text/plain", head)
    elif path == "/echo" and reading:
        await _respond(send, 200, body, b"application/octet-stream", head)
    elif path == "/stream" and method in ("GET", "HEAD"):
        await _stream(receive, send, head)
    else:
        await _respond(send, 404, b"not found", b"text/plain", head)


async def _stream(receive: Any, send: Any, head: bool) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [[b"content-type", b"text/plain; charset=utf-8"]]})
    if head:
        await send({"type": "http.response.body", "body": b""})
        return
    for index in range(3):
        try:
            await send({"type": "http.response.body", "body": f"chunk {index}\n".encode(),
                        "more_body": True})
        except OSError:
            return  # spec 2.4: send() raises once the client has gone
    await send({"type": "http.response.body", "body": b""})


async def _websocket(scope: Scope, receive: Any, send: Any) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if _route_path(scope) != "/ws":
        await send({"type": "websocket.close", "code": 1000})
        return
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        reply = {"text": text} if text is not None else {"bytes": message.get("bytes") or b""}
        try:
            await send({"type": "websocket.send", **reply})
        except OSError:
            return


async def _lifespan(scope: Scope, receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if "state" in scope:
                scope["state"]["started"] = True
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await _http(scope, receive, send)
    elif scope["type"] == "websocket":
        await _websocket(scope, receive, send)
    elif scope["type"] == "lifespan":
        await _lifespan(scope, receive, send)
    else:
        raise ValueError(f"unsupported scope type {scope['type']!r}")
