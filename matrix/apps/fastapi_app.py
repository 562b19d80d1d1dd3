"""FastAPI: the matrix's routes as the FastAPI tutorial writes them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel

from matrix.apps.raw_app import TARGETS

__all__ = ["TARGETS", "app"]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, bool]]:
    yield {"started": True}


app = FastAPI(lifespan=lifespan)


@app.get("/", response_class=PlainTextResponse)
async def index() -> str:
    return "hello"


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


@app.delete("/items/{item_id}", status_code=204)
async def delete_item(item_id: int) -> None:
    return None


@app.post("/echo")
async def echo(request: Request) -> Response:
    return Response(await request.body(), media_type="application/octet-stream")


class Item(BaseModel):
    name: str
    price: float = 0.0


@app.post("/items", status_code=201)
async def create_item(item: Item) -> Item:
    return item


@app.get("/stream")
async def stream() -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for index in range(3):
            yield f"chunk {index}\n".encode()

    return StreamingResponse(chunks(), media_type="text/plain")


@app.websocket("/ws")
async def ws_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                await websocket.send_text(message["text"])
            else:
                await websocket.send_bytes(message.get("bytes") or b"")
    except WebSocketDisconnect:
        return
