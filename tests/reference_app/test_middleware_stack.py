"""Global and ASGI middleware (reference_app/middleware.py).

(Named test_middleware_stack.py so it cannot clash with tests/asgicheck/test_middleware.py.)

asgicheck rules these keep honest: GEN-MW-* (pass unknown scope types through, copy the scope
before changing it), LS-* through middleware (bug class K), and L1/WSD-APP-* (refuse a websocket
with a close or a denial response, never with http.response.*).
"""

from __future__ import annotations

import asyncio
from typing import Any

from helpers import check_http, exchange, get, http_scope, request_event, websocket_scope
from hypothesis import given
from hypothesis import strategies as st

from reference_app import (
    App,
    BaseGlobalMiddleware,
    HTTPException,
    PlainTextResponse,
    Request,
    Response,
    ResponseHeaderMiddleware,
    TrustedHostMiddleware,
    WebSocket,
)
from reference_app.middleware import RequestHandler
from reference_app.types import Receive, Scope, Send


class Recorder(BaseGlobalMiddleware):
    def __init__(self, name: int, log: list[str]) -> None:
        self.name = name
        self.log = log

    async def dispatch(self, request: Request[Any, Any], call_next: RequestHandler) -> Response:
        self.log.append(f"in {self.name}")
        response = await call_next(request)
        self.log.append(f"out {self.name}")
        response.append_header("x-order", str(self.name))
        return response


@given(st.integers(min_value=0, max_value=12))
def test_global_middleware_runs_in_insertion_order_around_the_handler(count: int) -> None:
    log: list[str] = []
    app = App(middlewares=[Recorder(i, log) for i in range(count)])

    @app.get("/")
    async def handler(request: Request[Any, Any]) -> Response:
        log.append("handler")
        return PlainTextResponse("ok")

    result = get(app)
    inward = [f"in {i}" for i in range(count)]
    outward = [f"out {i}" for i in reversed(range(count))]
    assert log == [*inward, "handler", *outward]
    # The innermost middleware saw the response first, so it added its header first.
    assert result.header_list("x-order") == [str(i) for i in reversed(range(count))]


def test_global_middleware_sees_404s_and_error_responses_and_can_short_circuit() -> None:
    seen: list[int] = []

    class Watch(BaseGlobalMiddleware):
        async def dispatch(self, request: Request[Any, Any], call_next: RequestHandler) -> Response:
            if request.headers.get("x-block"):
                raise HTTPException(401)
            response = await call_next(request)
            seen.append(response.status_code)
            return response

    app = App(middlewares=[Watch()])
    assert get(app, "/missing").status == 404
    assert get(app, "/", headers=[(b"X-Block", b"1")]).status == 401
    assert seen == [404]


def test_global_middleware_can_be_a_plain_callable_class() -> None:
    class Tutorial(BaseGlobalMiddleware):  # the tutorial's style: override __call__ directly
        def __call__(self, call_next: RequestHandler) -> RequestHandler:
            async def wrapper(request: Request[Any, Any]) -> Response:
                response = await call_next(request)
                response.set_header("x-tutorial", "yes")
                return response

            return wrapper

    app = App()
    app.add_middleware(Tutorial())

    @app.get("/")
    async def handler(request: Request[Any, Any]) -> Response:
        return PlainTextResponse("ok")

    assert get(app).header("x-tutorial") == "yes"


class ScopeCopying:
    """A well-behaved ASGI middleware: copies the scope, passes unknown types through."""

    def __init__(self, app: Any, *, tag: str) -> None:
        self.app = app
        self.tag = tag

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = {**scope, "state": {**(scope.get("state") or {}), "tag": self.tag}}
        await self.app(scope, receive, send)


def test_asgi_middleware_order_and_scope_copy() -> None:
    app = App(asgi_middleware=[(ScopeCopying, {"tag": "outer"})])
    app.add_asgi_middleware(ScopeCopying, tag="inner")
    app.add_asgi_middleware(ResponseHeaderMiddleware, headers={"X-Frame-Options": "DENY"})

    @app.get("/")
    async def handler(request: Request[Any, Any]) -> Response:
        return PlainTextResponse(request.state["tag"], headers={"x-frame-options": "SAMEORIGIN"})

    scope = http_scope("/")
    result = check_http(exchange(app, scope, request_event()))
    assert result.body == b"inner"  # the first in the list is the outermost
    assert result.header_list("x-frame-options") == ["DENY"]  # replaced, not duplicated
    assert "state" not in scope  # the server's scope was never modified


def test_middleware_cannot_be_added_after_the_app_started() -> None:
    app = App()
    get(app, "/")
    try:
        app.add_asgi_middleware(ScopeCopying, tag="late")
    except RuntimeError:
        pass
    else:
        raise AssertionError("expected RuntimeError")


def lifespan_events() -> list[dict[str, Any]]:
    return [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]


def test_lifespan_and_websocket_pass_through_asgi_middleware() -> None:
    started: list[str] = []
    app = App(
        on_startup=[lambda: started.append("up")],
        asgi_middleware=[
            (ScopeCopying, {"tag": "t"}),
            (ResponseHeaderMiddleware, {"headers": {"x-a": "1"}}),
            (TrustedHostMiddleware, {"allowed_hosts": ["testserver"]}),
        ],
    )

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(await websocket.receive_text())

    sent = exchange(app, {"type": "lifespan", "asgi": {"version": "3.0"}}, *lifespan_events())
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert started == ["up"]
    events = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": "hi"},
        {"type": "websocket.disconnect", "code": 1000},
    ]
    sent = exchange(app, websocket_scope("/ws"), *events)
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send", "websocket.close"]


def test_trusted_host_refuses_http_with_400_and_websocket_without_http_messages() -> None:
    app = App(asgi_middleware=[(TrustedHostMiddleware, {"allowed_hosts": ["good.example"]})])
    assert get(app, headers=[(b"Host", b"evil.example")]).status == 400
    assert get(app, headers=[(b"host", b"GOOD.example:8000")]).status == 404  # passed through
    assert get(app, headers=[]).status == 400
    connect = {"type": "websocket.connect"}
    sent = exchange(app, websocket_scope("/ws"), connect)
    assert [m["type"] for m in sent] == ["websocket.close"]
    denial = websocket_scope("/ws", extensions={"websocket.http.response": {}})
    sent = exchange(app, denial, connect)
    assert [m["type"] for m in sent] == [
        "websocket.http.response.start",
        "websocket.http.response.body",
    ]
    assert sent[0]["status"] == 400


def test_trusted_host_wildcard_and_ipv6() -> None:
    inner = App()
    wildcard = TrustedHostMiddleware(inner, allowed_hosts=["*"])
    assert wildcard._host_ok(http_scope(headers=[(b"host", b"anything")]))
    ipv6 = TrustedHostMiddleware(inner, allowed_hosts=["[::1]"])
    assert ipv6._host_ok(http_scope(headers=[(b"host", b"[::1]:8000")]))


def test_response_header_middleware_leaves_other_messages_alone() -> None:
    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200})  # minimal: no headers key
        await send({"type": "http.response.body"})

    wrapped = ResponseHeaderMiddleware(inner, headers={"x-a": "1"})
    sent = asyncio.run(_collect(wrapped))
    assert sent[0]["headers"] == [(b"x-a", b"1")]
    assert sent[1] == {"type": "http.response.body"}


async def _collect(app: Any) -> list[dict[str, Any]]:
    from helpers import exchange_async

    return await exchange_async(app, http_scope(), request_event())
