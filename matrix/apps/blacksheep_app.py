"""BlackSheep: the matrix's routes as the BlackSheep documentation writes them."""

from __future__ import annotations

from collections.abc import AsyncIterator

from blacksheep import (
    Application,
    Content,
    Request,
    Response,
    StreamedContent,
    WebSocket,
    WebSocketDisconnectError,
    delete,
    get,
    json,
    no_content,
    post,
    text,
    ws,
)

from matrix.apps.raw_app import TARGETS

__all__ = ["TARGETS", "app"]

app = Application()


@get("/")
async def index() -> Response:
    return text("hello")


@get("/items/{int:item_id}")
async def read_item(item_id: int) -> Response:
    return json({"id": item_id})


@delete("/items/{int:item_id}")
async def delete_item(item_id: int) -> Response:
    return no_content()


@post("/echo")
async def echo(request: Request) -> Response:
    body = await request.read() or b""
    return Response(200, content=Content(b"application/octet-stream", body))


@get("/stream")
async def stream() -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        for index in range(3):
            yield f"chunk {index}\n".encode()

    return Response(200, content=StreamedContent(b"text/plain", chunks))


@ws("/ws")
async def ws_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message.get("text") is not None:
                await websocket.send_text(message["text"])
            else:
                await websocket.send_bytes(message.get("bytes") or b"")
    except WebSocketDisconnectError:
        return


STATE: dict[str, bool] = {}


async def on_start(application: Application) -> None:
    STATE["started"] = True


app.on_start += on_start
