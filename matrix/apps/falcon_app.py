"""Falcon: the matrix's routes as resources of ``falcon.asgi.App``.

Falcon answers HEAD through ``on_get`` when a resource has no ``on_head``, and handles lifespan
through middleware with ``process_startup``/``process_shutdown``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import falcon
import falcon.asgi

from matrix.apps.raw_app import TARGETS

__all__ = ["TARGETS", "app"]


class Index:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "hello"


class Item:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response,
                     item_id: int) -> None:
        resp.media = {"id": item_id}

    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response,
                        item_id: int) -> None:
        resp.status = falcon.HTTP_204


class Echo:
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = "application/octet-stream"
        resp.data = await req.stream.read()


class Stream:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for index in range(3):
                yield f"chunk {index}\n".encode()

        resp.content_type = falcon.MEDIA_TEXT
        resp.stream = chunks()


class WebSocketEcho:
    """Falcon's documented echo: text in, text out (a binary message ends the session with
    Falcon's PayloadTypeError close, which is Falcon's choice, not a protocol error)."""

    async def on_websocket(self, req: falcon.asgi.Request, ws: falcon.asgi.WebSocket) -> None:
        await ws.accept()
        try:
            while True:
                await ws.send_text(await ws.receive_text())
        except falcon.WebSocketDisconnected:
            return


class Lifespan:
    async def process_startup(self, scope: dict[str, Any], event: dict[str, Any]) -> None:
        scope.setdefault("state", {})

    async def process_shutdown(self, scope: dict[str, Any], event: dict[str, Any]) -> None:
        pass


app = falcon.asgi.App(middleware=[Lifespan()])
app.add_route("/", Index())
app.add_route("/items/{item_id:int}", Item())
app.add_route("/echo", Echo())
app.add_route("/stream", Stream())
app.add_route("/ws", WebSocketEcho())
