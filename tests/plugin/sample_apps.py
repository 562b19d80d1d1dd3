"""Small raw ASGI apps for the plugin tests, copied into each pytester directory as ``apps.py``
(with ``asgi_blocks.py``, the correct blocks they are built of).

``good`` follows the spec; each other app breaks it in one known way. ``NOT_CALLABLE`` and
``sync_app`` exist to be refused by the loader.
"""

from __future__ import annotations

from typing import Any

from asgi_blocks import lifespan, read_body, respond, websocket_echo

NOT_CALLABLE = 42


async def good(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
    elif scope["type"] == "http":
        body = await read_body(receive)
        path = scope["path"][len(scope.get("root_path", "")):]  # www.rst: path has root_path
        if body is not None:
            await respond(send, b"ok" if scope["method"] != "HEAD" else b"",
                           200 if path != "/asgicheck-no-such-path" else 404)
    elif scope["type"] == "websocket":
        await websocket_echo(receive, send)
    else:
        raise NotImplementedError(scope["type"])


async def bad(scope: Any, receive: Any, send: Any) -> None:
    """Breaks HTTP-SEND-008 (upper-case header), HTTP-SEND-002 (two starts), HTTP-SEND-011."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"Content-Type", b"text/plain")]})
    await send({"type": "http.response.start", "status": 200})
    await send({"type": "http.response.body", "body": "text"})


async def warn(scope: Any, receive: Any, send: Any) -> None:
    """Only a SHOULD-level finding that servers tolerate: it routes on the whole path, ignoring
    root_path (HTTP-RECV-010: mounted under /mnt, every request is a 404)."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    if await read_body(receive) is not None:
        known = scope["path"] in ("/", "/echo")
        await respond(send, b"ok" if known else b"not found", 200 if known else 404)


class Legacy:
    """An ASGI 2 (double-callable) app: constructed with the scope, then awaited."""

    def __init__(self, scope: Any) -> None:
        self.scope = scope

    async def __call__(self, receive: Any, send: Any) -> None:
        await good(self.scope, receive, send)


def sync_app(scope: Any, receive: Any, send: Any) -> None:
    """Not an ASGI app: sync, and takes all three arguments."""
