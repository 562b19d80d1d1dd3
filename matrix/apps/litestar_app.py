"""Litestar: the matrix's routes as the Litestar documentation writes them."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar import Litestar, Request, delete, get, post
from litestar.datastructures import State
from litestar.handlers import websocket_listener
from litestar.response import Stream

from matrix.apps.raw_app import TARGETS

__all__ = ["TARGETS", "app"]


@get("/", media_type="text/plain")
async def index() -> str:
    return "hello"


@get("/items/{item_id:int}")
async def read_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


@delete("/items/{item_id:int}")
async def delete_item(item_id: int) -> None:
    return None


@post("/echo", media_type="application/octet-stream", status_code=200)
async def echo(request: Request) -> bytes:
    return await request.body()


@get("/stream")
async def stream() -> Stream:
    async def chunks() -> AsyncIterator[bytes]:
        for index in range(3):
            yield f"chunk {index}\n".encode()

    return Stream(chunks(), media_type="text/plain")


@websocket_listener("/ws")
async def ws_echo(data: str | bytes) -> str | bytes:
    return data


def startup(app: Litestar) -> None:
    app.state.started = True


app = Litestar(route_handlers=[index, read_item, delete_item, echo, stream, ws_echo],
               on_startup=[startup], state=State())
