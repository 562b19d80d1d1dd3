"""The correct building blocks the tests' raw ASGI apps are made of.

The bad apps (tests/asgicheck/bad_apps), the planted fuzzing apps (tests/fuzzing/planted.py) and
the sample apps the plugin and report tests copy into their run directories each break one rule
on purpose; everything else they do is these blocks, so a finding can only come from the defect.
The copies made for subprocess runs take this file along (tests/plugin/conftest.py,
tests/reports/_report_runs.py).
"""

from __future__ import annotations

from typing import Any


async def lifespan(scope: Any, receive: Any, send: Any) -> None:
    """Answer startup and shutdown, then return."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def read_body(receive: Any) -> bytes | None:
    """The whole request body, or None when the client went away first."""
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return body


async def respond(send: Any, body: bytes = b"ok", status: int = 200, *,
                  length: bool = True, method: str = "GET") -> None:
    """A text/plain response in one body message (with its content-length unless told not);
    for HEAD, the same headers and no body (RFC 9110 §9.3.2)."""
    headers = [[b"content-type", b"text/plain"]]
    if length:
        headers.append([b"content-length", str(len(body)).encode()])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


async def websocket_echo(receive: Any, send: Any, *,
                         accept: dict[str, Any] | None = None) -> None:
    """Accept (with ``accept`` as the message, if given) and echo every frame until the client
    leaves."""
    if (await receive())["type"] != "websocket.connect":
        return
    await send(accept or {"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await send({"type": "websocket.send", "text": message["text"]})
        else:
            await send({"type": "websocket.send", "bytes": message.get("bytes")})
