"""Starlette: the matrix's routes as the Starlette documentation writes them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from matrix.apps.raw_app import TARGETS

__all__ = ["TARGETS", "app"]


async def index(request: Request) -> Response:
    return PlainTextResponse("hello")


async def item(request: Request) -> Response:
    if request.method == "DELETE":
        return Response(status_code=204)
    return JSONResponse({"id": request.path_params["item_id"]})


async def echo(request: Request) -> Response:
    return Response(await request.body(), media_type="application/octet-stream")


async def create_item(request: Request) -> Response:
    """A JSON body route, written as a careful app writes it: a body that is not JSON (or not
    UTF-8: both are ValueErrors) is the client's mistake, a 400, never a 500."""
    try:
        data = await request.json()
    except ValueError:
        return JSONResponse({"detail": "the body is not JSON"}, status_code=400)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return JSONResponse({"detail": "expected {\"name\": str}"}, status_code=422)
    return JSONResponse({"name": data["name"]}, status_code=201)


async def stream(request: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        for index in range(3):
            yield f"chunk {index}\n".encode()

    return StreamingResponse(chunks(), media_type="text/plain")


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


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[dict[str, bool]]:
    yield {"started": True}


app = Starlette(
    routes=[
        Route("/", index),
        Route("/items/{item_id:int}", item, methods=["GET", "DELETE"]),
        Route("/echo", echo, methods=["POST"]),
        Route("/items", create_item, methods=["POST"]),
        Route("/stream", stream),
        WebSocketRoute("/ws", ws_echo),
    ],
    lifespan=lifespan,
)
