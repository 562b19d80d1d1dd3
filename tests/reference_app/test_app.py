"""The App (reference_app/app.py and errors.py): dispatch, scope handling, errors.

asgicheck rules these keep honest: GEN-APP-010 (reject unknown scope types), GEN-APP-012/014
(extra keys, minimal scopes), GEN-APP-013 (missing spec_version), HTTP-RECV-010 (root_path),
HTTP-SEND-002/004/005 (one start, complete, never a second response after an error), bug
classes B (exception after start), C (handler returning nothing) and O (per-connection state).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from helpers import check_http, exchange, exchange_async, get, http_scope, request_event

from reference_app import (
    App,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    Request,
    Response,
    StreamingResponse,
)


def simple_app(**options: Any) -> App:
    app = App(**options)

    @app.get("/items/{item_id}")
    async def item(request: Request[Any, Any], item_id: int) -> Response:
        return JSONResponse({"item_id": item_id})

    @app.multi_methods("/multi", ["GET", "POST"])
    async def multi(request: Request[Any, Any]) -> Response:
        return PlainTextResponse(request.method)

    return app


def test_annotation_converts_path_parameter_and_bad_value_is_422_json() -> None:
    app = simple_app()
    assert get(app, "/items/5").json() == {"item_id": 5}
    bad = get(app, "/items/five")
    assert bad.status == 422
    assert bad.json() == {"detail": "path parameter 'item_id' must be an integer, got 'five'"}


def test_404_405_with_allow_and_head_on_get_routes() -> None:
    app = simple_app()
    assert get(app, "/nowhere").status == 404
    not_allowed = get(app, "/multi", method="DELETE")
    assert not_allowed.status == 405
    assert not_allowed.header("allow") == "GET, HEAD, POST"
    head = get(app, "/multi", method="HEAD")
    assert (head.status, head.body, head.header("content-length")) == (200, b"", "4")
    assert get(app, "/multi", method="POST").body == b"POST"


def test_root_path_is_stripped_from_path_before_routing() -> None:  # S13
    app = simple_app()
    mounted = get(app, "/mnt/items/1", root_path="/mnt", raw_path=b"/mnt/items/1")
    plain = get(app, "/items/1")
    assert mounted.body == plain.body == b'{"item_id":1}'
    assert get(app, "/items/1", root_path="/mnt").status == 200  # older servers: no prefix
    assert get(app, "/mntx/items/1", root_path="/mnt").status == 404  # not a path boundary


@pytest.mark.parametrize("spec_version", [None, "2.0", "2.3", "2.5", "garbage"])
def test_any_spec_version_works(spec_version: str | None) -> None:  # S17
    assert get(simple_app(), "/items/1", spec_version=spec_version).status == 200


def test_extra_keys_in_scope_and_asgi_dict_change_nothing() -> None:  # S11
    scope = http_scope("/items/1", unknown_key=object())
    scope["asgi"]["unknown"] = True
    events = [{**request_event(), "extra": "ignored"}]
    assert check_http(exchange(simple_app(), scope, *events)).status == 200


def test_handler_returning_none_is_a_500_without_traceback() -> None:
    app = App()

    @app.get("/")
    async def forgot(request: Request[Any, Any]) -> Response:
        return None  # type: ignore[return-value]

    result = get(app)
    assert (result.status, result.body) == (500, b"Internal Server Error")


def test_debug_shows_the_traceback_and_production_does_not() -> None:
    for debug in (False, True):
        app = App(debug=debug)

        @app.get("/")
        async def broken(request: Request[Any, Any]) -> Response:
            raise KeyError("secret-internal-detail")

        result = get(app)
        assert result.status == 500
        assert (b"secret-internal-detail" in result.body) is debug
        assert (b"Traceback" in result.body) is debug


def test_error_handlers_by_exception_type_most_specific_first() -> None:
    app = App()

    async def lookup_handler(request: Any, exc: Exception) -> Response:
        return PlainTextResponse(f"lookup {type(exc).__name__}", status_code=404)

    async def key_handler(request: Any, exc: Exception) -> Response:
        return PlainTextResponse("key", status_code=410)

    async def broken_handler(request: Any, exc: Exception) -> Response:
        raise RuntimeError("the error handler itself failed")

    app.add_error_handler(LookupError, lookup_handler)
    app.add_error_handler(KeyError, key_handler)
    app.add_error_handler(ZeroDivisionError, broken_handler)

    @app.get("/{kind}")
    async def fail(request: Request[Any, Any], kind: str) -> Response:
        raise {"key": KeyError(), "index": IndexError(), "zero": ZeroDivisionError()}[kind]

    assert (get(app, "/key").status, get(app, "/key").body) == (410, b"key")
    assert get(app, "/index").body == b"lookup IndexError"
    assert get(app, "/zero").status == 500


@pytest.mark.parametrize("status", [204, 304])
def test_http_exception_with_a_bodiless_status_sends_no_body(status: int) -> None:
    app = App()

    @app.get("/")
    async def view(request: Request[Any, Any]) -> Response:
        raise HTTPException(status, headers={"etag": '"x"'})

    result = get(app)
    assert (result.status, result.body, result.header("etag")) == (status, b"", '"x"')


def test_exception_after_the_response_started_is_reraised_not_answered_twice() -> None:
    app = App()

    @app.get("/")
    async def view(request: Request[Any, Any]) -> Response:
        async def parts() -> AsyncIterator[bytes]:
            yield b"partial"
            raise RuntimeError("mid-stream failure")

        return StreamingResponse(parts())

    sent: list[dict[str, Any]] = []

    async def scenario() -> None:
        from helpers import FakeServer

        server = FakeServer(http_scope("/"), [request_event()])
        try:
            await app(http_scope("/"), server.receive, server.send)
        finally:
            sent.extend(server.sent)

    with pytest.raises(RuntimeError, match="mid-stream failure"):
        asyncio.run(scenario())
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[1]["more_body"] is True


def test_concurrent_requests_keep_their_own_data() -> None:  # class O
    app = App()
    gate: dict[str, asyncio.Event] = {}

    @app.post("/echo/{tag}")
    async def echo(request: Request[Any, Any], tag: str) -> Response:
        body = await request.body()
        await gate["all_arrived"].wait()  # every request is in flight at once
        return PlainTextResponse(f"{tag}:{body.decode()}")

    async def scenario() -> list[bytes]:
        gate["all_arrived"] = asyncio.Event()
        runs = [
            asyncio.ensure_future(
                exchange_async(app, http_scope(f"/echo/{i}", "POST"), request_event(b"b%d" % i))
            )
            for i in range(20)
        ]
        for _ in range(20):
            await asyncio.sleep(0)
        gate["all_arrived"].set()
        return [check_http(sent).body for sent in await asyncio.gather(*runs)]

    assert asyncio.run(scenario()) == [b"%d:b%d" % (i, i) for i in range(20)]


def test_url_for_on_the_app_and_the_websocket_router() -> None:
    app = simple_app()

    @app.websocket("/ws/{room}", name="room")
    async def room(websocket: Any, room: str) -> None:
        await websocket.close()

    assert app.url_for("item", item_id=3) == "/items/3"
    assert app.url_for("room", room="lobby") == "/ws/lobby"
    with pytest.raises(KeyError):
        app.url_for("missing")


def test_sync_handlers_are_refused_at_registration() -> None:
    app = App()
    with pytest.raises(TypeError, match="async"):

        @app.get("/")
        def sync_view(request: Any) -> Response:  # would block the event loop
            return PlainTextResponse("")
