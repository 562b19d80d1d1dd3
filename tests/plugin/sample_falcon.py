"""A Falcon ASGI app for the discovery tests, copied into pytester directories as it is.

One resource per kind of route discovery must read: typed fields (int with and without
arguments, uuid, float, dt with and without a format, path), a suffixed responder, a POST-only
resource, a resource with both GET and a WebSocket responder, a WebSocket-only one, and a static
route and a sink that discovery leaves out. Every responder answers as the spec wants.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import falcon
import falcon.asgi


class Index:
    async def on_get(self, req: Any, resp: Any) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "hello"


class Items:
    async def on_get(self, req: Any, resp: Any) -> None:
        resp.media = []

    async def on_post(self, req: Any, resp: Any) -> None:
        await req.stream.read()
        resp.status = falcon.HTTP_201
        resp.media = {"id": 1}

    async def on_get_item(self, req: Any, resp: Any, item_id: int) -> None:
        resp.media = {"id": item_id}

    async def on_delete_item(self, req: Any, resp: Any, item_id: int) -> None:
        resp.status = falcon.HTTP_204


class Field:
    """Echoes its one field back: GET for every typed route."""

    async def on_get(self, req: Any, resp: Any, **fields: Any) -> None:
        resp.media = {name: str(value) for name, value in fields.items()}


class User(Field):
    async def on_put(self, req: Any, resp: Any, user_id: Any) -> None:
        await req.stream.read()
        resp.status = falcon.HTTP_204


class Upload:
    async def on_post(self, req: Any, resp: Any) -> None:
        resp.content_type = "application/octet-stream"
        resp.data = await req.stream.read()


class Live:
    async def on_get(self, req: Any, resp: Any) -> None:
        resp.media = {"live": True}

    async def on_websocket(self, req: Any, ws: Any) -> None:
        await ws.accept()
        try:
            while True:
                await ws.send_text(await ws.receive_text())
        except falcon.WebSocketDisconnected:
            return


class Echo:
    async def on_websocket(self, req: Any, ws: Any) -> None:
        await ws.accept()
        try:
            while True:
                await ws.send_text(await ws.receive_text())
        except falcon.WebSocketDisconnected:
            return


async def sink(req: Any, resp: Any, **kwargs: Any) -> None:
    resp.media = {"sink": req.path}


app = falcon.asgi.App()
app.add_route("/", Index())
app.add_route("/items", Items())
app.add_route("/items/{item_id:int}", Items(), suffix="item")
app.add_route("/users/{user_id:uuid}", User())
app.add_route("/codes/{code:int(3, min=5)}", Field())
app.add_route("/prices/{price:float}", Field())
app.add_route("/log/{at:dt}", Field())
app.add_route('/days/{day:dt("%Y-%m-%d")}', Field())
app.add_route("/files/{rest:path}", Field())
app.add_route("/upload", Upload())
app.add_route("/live", Live())
app.add_route("/ws", Echo())
app.add_static_route("/static", str(Path(__file__).resolve().parent))
app.add_sink(sink, "/proxy")
