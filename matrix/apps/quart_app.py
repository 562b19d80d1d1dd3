"""Quart: the matrix's routes as the Quart documentation writes them (Flask's API, async)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from quart import Quart, Response, request, websocket

from matrix.apps.raw_app import TARGETS

__all__ = ["TARGETS", "app"]

app = Quart(__name__)


@app.before_serving
async def startup() -> None:
    app.config["STARTED"] = True


@app.get("/")
async def index() -> Response:
    return Response("hello", content_type="text/plain; charset=utf-8")


@app.get("/items/<int:item_id>")
async def read_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


@app.delete("/items/<int:item_id>")
async def delete_item(item_id: int) -> tuple[str, int]:
    return "", 204


@app.post("/echo")
async def echo() -> Response:
    return Response(await request.get_data(), content_type="application/octet-stream")


@app.get("/stream")
async def stream() -> tuple[AsyncIterator[bytes], int, dict[str, str]]:
    async def chunks() -> AsyncIterator[bytes]:
        for index in range(3):
            yield f"chunk {index}\n".encode()

    return chunks(), 200, {"Content-Type": "text/plain"}


@app.websocket("/ws")
async def ws_echo() -> None:
    while True:
        data = await websocket.receive()
        await websocket.send(data)
