"""validate(app): both directions checked under a real client, clean traffic untouched."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cases import http_scope
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from asgicheck import ViolationError, validate
from asgicheck.violations import Party


async def run(app: Any, scope: dict[str, Any], events: list[dict[str, Any]]) -> list[Any]:
    sent: list[Any] = []
    queue = list(events)

    async def receive() -> dict[str, Any]:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


REQUEST = {"type": "http.request", "body": b"", "more_body": False}


async def str_body_app(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": "not bytes"})


def test_raise_mode_raises_at_the_offending_send_before_the_server_sees_it() -> None:
    app = validate(str_body_app)
    with pytest.raises(ViolationError) as info:
        sent = []

        async def capture() -> None:
            async def send(message: Any) -> None:
                sent.append(message)

            async def receive() -> dict[str, Any]:
                return REQUEST

            await app(http_scope(), receive, send)

        asyncio.run(capture())
    assert [v.rule for v in info.value.violations] == ["HTTP-SEND-011"]
    assert "HTTP-SEND-011" in str(info.value) and "www.rst" in str(info.value)
    assert [m["type"] for m in sent] == ["http.response.start"]


def test_record_mode_keeps_going_and_records() -> None:
    app = validate(str_body_app, mode="record")
    sent = asyncio.run(run(app, http_scope(), [REQUEST]))
    assert len(sent) == 2
    assert [v.rule for v in app.violations] == ["HTTP-SEND-011"]


def test_clean_traffic_passes_through_unchanged() -> None:
    start = {"type": "http.response.start", "status": 200, "headers": [(b"a", b"b")]}
    body = {"type": "http.response.body", "body": b"ok"}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert await receive() is REQUEST
        await send(start)
        await send(body)

    wrapped = validate(app)
    sent = asyncio.run(run(wrapped, http_scope(), [REQUEST]))
    assert sent[0] is start and sent[1] is body
    assert list(wrapped.violations) == []


def test_end_of_call_rules_raise_after_the_app_returns() -> None:
    async def silent(scope: Any, receive: Any, send: Any) -> None:
        await receive()

    with pytest.raises(ViolationError, match="HTTP-SEND-005"):
        asyncio.run(run(validate(silent), http_scope(), [REQUEST]))


def test_asgi2_apps_are_accepted() -> None:
    class Legacy:
        def __init__(self, scope: Any) -> None:
            self.scope = scope

        async def __call__(self, receive: Any, send: Any) -> None:
            await receive()
            await send({"type": "http.response.start", "status": 204})
            await send({"type": "http.response.body"})

    wrapped = validate(Legacy)
    sent = asyncio.run(run(wrapped, http_scope(), [REQUEST]))
    assert sent[0]["status"] == 204 and list(wrapped.violations) == []


def test_bad_mode_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="'raise' or 'record'"):
        validate(str_body_app, mode="loud")  # type: ignore[arg-type]


# -- real frameworks: no false positives ---------------------------------------------------

state_seen: list[str] = []


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[dict[str, str]]:
    yield {"db": "connected"}


async def homepage(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(await request.body())


async def stream(request: Request) -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for n in range(5):
            yield f"chunk {n}\n".encode()

    return StreamingResponse(chunks(), media_type="text/plain")


async def data(request: Request) -> JSONResponse:
    state_seen.append(request.state.db)
    return JSONResponse({"items": [1, 2]})


async def ws_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    text = await websocket.receive_text()
    await websocket.send_text(text)
    await websocket.close()


starlette_app = Starlette(
    routes=[Route("/", homepage), Route("/echo", echo, methods=["POST"]),
            Route("/stream", stream), Route("/data", data), WebSocketRoute("/ws", ws_echo)],
    lifespan=lifespan,
)

fastapi_app = FastAPI()


@fastapi_app.get("/items/{item_id}")
async def read_item(item_id: int, q: str | None = None) -> dict[str, Any]:
    return {"item_id": item_id, "q": q}


@fastapi_app.post("/items")
async def create_item(item: dict[str, Any]) -> dict[str, Any]:
    return item


@fastapi_app.delete("/items/{item_id}", status_code=204)
async def delete_item(item_id: int) -> None:
    return None


@fastapi_app.websocket("/ws")
async def fastapi_ws(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json({"hello": await websocket.receive_text()})
    await websocket.close()


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
def test_real_apps_over_httpx_report_nothing(framework: str) -> None:
    wrapped = validate(starlette_app if framework == "starlette" else fastapi_app, mode="record")

    async def main() -> None:
        transport = httpx.ASGITransport(app=wrapped)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            if framework == "starlette":
                assert (await client.get("/")).text == "hello"
                assert (await client.post("/echo", content=b"x" * 70_000)).content == b"x" * 70_000
                assert (await client.get("/stream")).text.count("chunk") == 5
                assert (await client.head("/")).content == b""
                assert (await client.get("/missing")).status_code == 404
            else:
                assert (await client.get("/items/3?q=a")).json() == {"item_id": 3, "q": "a"}
                assert (await client.post("/items", json={"a": 1})).json() == {"a": 1}
                assert (await client.delete("/items/3")).status_code == 204
                assert (await client.get("/items/notanint")).status_code == 422

    asyncio.run(main())
    app_findings = [v.rule for v in wrapped.violations if v.party is Party.APP]
    # Starlette sends the GET body on HEAD and relies on the server to strip it, which the RFC
    # asks of the server: a note (X-HTTP-005, info), nothing more.
    assert app_findings == (["X-HTTP-005"] if framework == "starlette" else [])
    # httpx's ASGITransport is the server here, and it is not quite conformant: it announces
    # server=("test", None) (a unix-socket form that needs spec 2.2) while sending no
    # spec_version, which means 2.0.
    server_findings = {(v.rule, v.message) for v in wrapped.violations if v.party is Party.SERVER}
    assert {rule for rule, _ in server_findings} == {"HTTP-SCOPE-015"}
    assert all("('test', None)" in message for _, message in server_findings)


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
def test_real_apps_websocket_and_lifespan_report_nothing(framework: str) -> None:
    wrapped = validate(starlette_app if framework == "starlette" else fastapi_app, mode="record")
    with TestClient(wrapped) as client:  # runs lifespan startup and shutdown
        with client.websocket_connect("/ws") as websocket:
            websocket.send_text("hi")
            reply = websocket.receive_text()
        assert "hi" in reply
        if framework == "starlette":
            assert client.get("/data").json() == {"items": [1, 2]}
    assert [v for v in wrapped.violations if v.party is Party.APP] == []
    # Starlette's TestClient (the server here) builds its lifespan scope without the "asgi"
    # key that asgi.rst says "will also be present".
    assert {v.rule for v in wrapped.violations} == {"GEN-SCOPE-002"}


def test_real_apps_under_uvicorn_report_nothing_at_all() -> None:
    """Under a real server every scope and event is conformant, and so is the app."""
    import socket
    import threading

    import uvicorn

    wrapped = validate(starlette_app, mode="record")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(wrapped, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        ready = threading.Event()
        for _ in range(500):  # uvicorn flags startup on the server object; bounded wait
            if server.started or not thread.is_alive():
                break
            ready.wait(0.01)
        assert server.started, "uvicorn did not start"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            assert client.get("/").text == "hello"
            assert client.post("/echo", content=b"y" * 100_000).content == b"y" * 100_000
            assert client.get("/stream").text.count("chunk") == 5
            assert client.head("/").status_code == 200
            assert client.get("/data").json() == {"items": [1, 2]}
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert not thread.is_alive()
    assert [v for v in wrapped.violations if v.rule != "X-HTTP-005"] == []
