"""A demo app using every feature; run it with ``uvicorn reference_app.demo:app``.

Try::

    curl -i localhost:8000/items/1
    curl -i -X POST localhost:8000/echo --data-binary @somefile
    curl -i -H 'If-None-Match: "v1"' localhost:8000/cached
    curl -N localhost:8000/stream?count=3

It is also the app asgicheck's conformance suite drives, so every route must answer any
well-formed request (HEAD, odd headers, non-ASCII paths, invalid UTF-8 in the query) with a
sensible status, never a 5xx.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference_app import (
    ApiRouter,
    App,
    BaseGlobalMiddleware,
    FileResponse,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    QueryParams,
    RedirectResponse,
    Request,
    Response,
    ResponseHeaderMiddleware,
    StreamingResponse,
    WebSocket,
)
from reference_app.middleware import RequestHandler

logger = logging.getLogger("reference_app.demo")
README = Path(__file__).with_name("demo_readme.txt")
ITEMS = {1: "apple", 2: "pear", 3: "plum"}
ETAG = '"v1"'


# -- lifespan: what the app sets up once, handed to every request as scope["state"] --------
@contextlib.asynccontextmanager
async def lifespan(app: App) -> AsyncIterator[dict[str, Any]]:
    logger.info("demo starting")
    yield {"started_at": time.time(), "task_log": []}
    logger.info("demo stopped")


# -- global middleware: sees Request and Response objects, HTTP only ----------------------
class TimingMiddleware(BaseGlobalMiddleware):
    """Adds a ``server-timing`` header saying how long the app took to build the response."""

    async def dispatch(self, request: Request[Any, Any], call_next: RequestHandler) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response.set_header("server-timing", f"app;dur={elapsed_ms:.3f}")
        return response


app = App(
    lifespan=lifespan,
    middlewares=[TimingMiddleware()],
    asgi_middleware=[
        (ResponseHeaderMiddleware, {"headers": {"x-content-type-options": "nosniff"}})
    ],
)


@app.get("/")
async def home(request: Request[Any, Any]) -> Response:
    return PlainTextResponse("Hello from reference_app\n")


# -- items: typed path parameters, 404/405/422, 204, a body extractor ---------------------
items = ApiRouter(prefix="/items")


@dataclass(frozen=True)
class NewItem:
    name: str


def parse_new_item(body: bytes) -> NewItem:
    """Body extractor: the handler gets a NewItem; a ValueError here becomes a 422."""
    name = body.decode("utf-8").strip()
    if not name or len(name) > 100:
        raise ValueError("the body must be an item name of 1 to 100 characters")
    return NewItem(name)


@items.get("/{item_id:int}")
async def read_item(request: Request[Any, Any], item_id: int) -> Response:
    if item_id not in ITEMS:
        raise HTTPException(404, f"no item {item_id}")
    return JSONResponse({"item_id": item_id, "name": ITEMS[item_id]})


@items.delete("/{item_id:int}")
async def delete_item(request: Request[Any, Any], item_id: int) -> Response:
    return Response(status_code=204)  # the demo keeps its items: nothing is really deleted


@items.post("", body_extractor=parse_new_item)
async def create_item(request: Request[Any, NewItem]) -> Response:
    new_item = await request.get_body()
    return JSONResponse({"name": new_item.name}, status_code=201)


app.include_routes([items])


# -- request bodies ----------------------------------------------------------------------
@app.post("/echo")
async def echo(request: Request[Any, Any]) -> Response:
    """Echo the body byte for byte, reading every chunk as the server delivers it."""
    chunks = [chunk async for chunk in request.stream()]
    return Response(b"".join(chunks), media_type="application/octet-stream")


@app.post("/json")
async def echo_json(request: Request[Any, Any]) -> Response:
    return JSONResponse({"received": await request.json()})  # invalid JSON -> 400


# -- query strings -----------------------------------------------------------------------
@app.get("/search")
async def search(request: Request[Any, Any]) -> Response:
    """``?tag=a&tag=b&q=x`` -> ``{"tag": ["a", "b"], "q": "x"}``."""
    return JSONResponse({"query": request.get_query_string_dict()})


@dataclass(frozen=True)
class Page:
    limit: int
    tags: list[str]


def parse_page(params: QueryParams) -> Page:
    """Query extractor: a ValueError (e.g. from int()) becomes a 422."""
    limit = int(params.get("limit", "10"))
    if not 1 <= limit <= 100:
        raise ValueError("limit must be between 1 and 100")
    return Page(limit, params.getlist("tag"))


@app.get("/page", query_extractor=parse_page)
async def page(request: Request[Page, Any]) -> Response:
    query = request.get_query()
    return JSONResponse({"limit": query.limit, "tags": query.tags})


# -- other kinds of responses ------------------------------------------------------------
@app.get("/stream")
async def stream(request: Request[Any, Any]) -> Response:
    """Several chunks; stops early if the client disconnects."""
    try:
        count = min(max(int(request.query_params.get("count", "5")), 1), 100)
    except ValueError:
        raise HTTPException(422, "count must be an integer") from None

    async def numbers() -> AsyncIterator[str]:
        for index in range(count):
            yield f"chunk {index}\n"
            await asyncio.sleep(0)  # a real producer would await something here

    return StreamingResponse(numbers(), media_type="text/plain")


@app.get("/files/readme")
async def readme(request: Request[Any, Any]) -> Response:
    return FileResponse(README, media_type="text/plain")


@app.get("/cached")
async def cached(request: Request[Any, Any]) -> Response:
    """304 Not Modified (no body, no content-length) when the client already has this; it
    repeats the validators and caching fields the 200 carries (RFC 9110 §15.4.5)."""
    headers = {"etag": ETAG, "cache-control": "max-age=60"}
    wanted = request.headers.get("if-none-match", "")
    tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
    if ETAG in tags or "*" in tags:
        return Response(status_code=304, headers=headers)
    return PlainTextResponse("cached content\n", headers=headers)


@app.get("/redirect")
async def redirect(request: Request[Any, Any]) -> Response:
    return RedirectResponse(request.url_for("home"), status_code=307)


# -- background tasks and lifespan state -------------------------------------------------
async def record(task_log: list[str] | None, entry: str) -> None:
    await asyncio.sleep(0)  # stands in for real work: an email, a cache refresh, ...
    if task_log is not None:
        task_log.append(entry)
    logger.info("background task done: %s", entry)


@app.post("/tasks")
async def schedule_task(request: Request[Any, Any]) -> Response:
    """202 at once; the task runs after the response, and shutdown waits for it.

    The body (optional) labels the task. Reading it also means the app has received the
    ``http.request`` event before answering, which is what the spec treats as the trigger to
    run request code (and what makes uvicorn answer ``Expect: 100-continue``).
    """
    label = (await request.body()).decode("utf-8", "replace")[:100] or "task"
    request.background.add(record, request.state.get("task_log"), label)
    return JSONResponse({"scheduled": label}, status_code=202)


@app.get("/state")
async def show_state(request: Request[Any, Any]) -> Response:
    task_log = request.state.get("task_log")
    return JSONResponse(
        {
            "state_keys": sorted(request.state),
            "tasks_done": len(task_log) if isinstance(task_log, list) else None,
        }
    )


# -- WebSocket ---------------------------------------------------------------------------
@app.websocket("/ws")
async def websocket_echo(websocket: WebSocket) -> None:
    """Echo text as text and bytes as bytes; with the "json" subprotocol, JSON in and out."""
    json_mode = "json" in websocket.subprotocols
    await websocket.accept(subprotocol="json" if json_mode else None)
    while True:
        if json_mode:
            try:
                value = await websocket.receive_json()
            except ValueError:
                await websocket.close(1007, "invalid JSON")  # 1007: inconsistent payload
                return
            await websocket.send_json({"echo": value})
            continue
        data = await websocket.receive_data()  # raises WebSocketDisconnect when the client goes
        if isinstance(data, str):
            await websocket.send_text(data)
        else:
            await websocket.send_bytes(data)
