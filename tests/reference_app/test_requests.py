"""Request data (reference_app/requests.py and channel.py), driven with raw ``http.request`` events.

asgicheck rules these keep honest: HTTP-RECV-002 (read until more_body is False, empty chunks
included), HTTP-RECV-003 (missing body/more_body), HTTP-RECV-004 (http.disconnect at any time),
HTTP-RECV-008 (mixed-case and duplicate request headers), HTTP-RECV-011 (path is decoded once,
the query string is not), GEN-APP-014 (minimal scope).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from helpers import check_http, exchange, get, http_scope, request_event

from reference_app import App, ClientDisconnect, JSONResponse, QueryParams, Request, Response

DISCONNECT = {"type": "http.disconnect"}


def echo_app(**options: Any) -> App:
    app = App(**options)
    seen: list[Any] = []
    app.seen = seen  # type: ignore[attr-defined]

    @app.post("/echo")
    async def echo(request: Request[Any, Any]) -> Response:
        chunks = []
        try:
            async for chunk in request.stream():
                chunks.append(chunk)
        except ClientDisconnect:
            seen.append("disconnect")
            raise
        seen.append(chunks)
        return Response(b"".join(chunks))

    @app.post("/json")
    async def json_body(request: Request[Any, Any]) -> Response:
        return JSONResponse({"got": await request.json()})

    return app


def post(app: App, path: str, *events: dict[str, Any], **scope: Any) -> Any:
    return exchange(app, http_scope(path, "POST", **scope), *events)


@pytest.mark.parametrize(
    "events",
    [
        [request_event(b"abc", True), request_event(b"", True), request_event(b"def")],  # S02
        [request_event(b"abc", True), request_event(b"def", True), request_event(b"")],  # S03
        [{"type": "http.request", "body": b"abcdef"}],  # no more_body key
        [{"type": "http.request", "body": b"abc", "more_body": True}, request_event(b"def")],
    ],
)
def test_stream_reads_every_chunk_until_more_body_is_false(events: list[dict[str, Any]]) -> None:
    app = echo_app()
    result = check_http(post(app, "/echo", *events))
    assert result.body == b"abcdef"
    (chunks,) = app.seen  # type: ignore[attr-defined]
    assert b"".join(chunks) == b"abcdef" and b"" not in chunks  # empty chunks are skipped


def test_bare_request_event_is_an_empty_complete_body() -> None:  # S04
    result = check_http(post(echo_app(), "/echo", {"type": "http.request"}))
    assert (result.status, result.body) == (200, b"")


def test_unknown_events_and_extra_keys_are_ignored() -> None:  # S11
    events = [{"type": "custom.thing"}, {**request_event(b"x"), "extra": 1}]
    assert check_http(post(echo_app(), "/echo", *events)).body == b"x"


@pytest.mark.parametrize(
    "events",
    [[DISCONNECT], [request_event(b"abc", True), DISCONNECT]],  # S06, S05
)
def test_disconnect_while_reading_raises_and_nothing_is_sent(events: list[Any]) -> None:
    app = echo_app()
    assert post(app, "/echo", *events) == []
    assert app.seen == ["disconnect"]  # type: ignore[attr-defined]


def test_body_limit_checked_against_content_length_before_reading() -> None:
    app = echo_app(max_body_size=4)
    headers = [(b"content-length", b"10")]
    result = check_http(post(app, "/echo", request_event(b"0123456789"), headers=headers))
    assert result.status == 413
    assert app.seen == []  # type: ignore[attr-defined]


def test_body_limit_checked_while_streaming() -> None:
    app = echo_app(max_body_size=4)
    events = [request_event(b"abc", True), request_event(b"def", True), request_event(b"g")]
    assert check_http(post(app, "/echo", *events)).status == 413


def test_per_route_limit_overrides_the_app_limit() -> None:
    app = App(max_body_size=2)

    @app.post("/big", max_body_size=100)
    async def big(request: Request[Any, Any]) -> Response:
        return Response(await request.body())

    assert check_http(post(app, "/big", request_event(b"0123456789"))).body == b"0123456789"


def test_json_body_and_invalid_json_is_400() -> None:
    app = echo_app()
    ok = check_http(post(app, "/json", request_event(b'{"a": [1, "\xc3\xa9"]}')))
    assert ok.json() == {"got": {"a": [1, "é"]}}
    for bad in (b"{nope", b"\xff\xfe", b""):
        result = check_http(post(app, "/json", request_event(bad)))
        assert result.status == 400
        assert "invalid JSON" in result.json()["detail"]


def test_json_null_is_parsed_once_and_kept() -> None:
    app = App()

    @app.post("/")
    async def twice(request: Request[Any, Any]) -> Response:
        first, second = await request.json(), await request.json()
        return JSONResponse([first, second, (await request.body()).decode()])

    assert check_http(post(app, "/", request_event(b"null"))).json() == [None, None, "null"]


def test_headers_query_and_scope_views() -> None:
    app = App()
    captured: dict[str, Any] = {}

    @app.get("/caf\u00e9/{name}")
    async def view(request: Request[Any, Any], name: str) -> Response:
        captured.update(
            host=request.headers["HOST"],
            tags=request.headers.getlist("x-tag"),
            tutorial=request.get_header_value("x-tag"),
            query=request.get_query_string_dict(),
            raw_query=request.query_string,
            name=name,
            path=request.path,
            client=request.client,
            server=request.server,
            scheme=request.scheme,
            cookies=request.cookies,
            spec=request.spec_version,
        )
        return Response(b"")

    headers = [(b"Host", b"example.com"), (b"X-Tag", b"1"), (b"x-tag", b"2"), (b"cookie", b"a=1")]
    result = get(app, "/caf\u00e9/a%2Fb", headers=headers, query_string=b"q=a+b&q=%26")
    assert result.status == 200
    assert captured == {
        "host": "example.com",
        "tags": ["1", "2"],
        "tutorial": "1",
        "query": {"q": ["a b", "&"]},
        "raw_query": b"q=a+b&q=%26",
        "name": "a%2Fb",  # path is already decoded by the server: never decode it twice
        "path": "/caf\u00e9/a%2Fb",
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "scheme": "http",
        "cookies": {"a": "1"},
        "spec": (2, 3),
    }


def test_minimal_scope_works() -> None:  # S10
    app = App()

    @app.get("/")
    async def view(request: Request[Any, Any]) -> Response:
        assert request.client is None and request.server is None
        assert request.scheme == "http" and request.root_path == ""
        assert request.spec_version == (2, 0) and request.state == {}
        return JSONResponse(request.get_query_string_dict())

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "headers": [],
    }
    assert check_http(exchange(app, scope, request_event())).status == 200


@dataclass(frozen=True)
class Search:
    limit: int


def test_query_and_body_extractors_give_typed_values() -> None:
    app = App()

    def parse_search(params: QueryParams) -> Search:
        return Search(int(params.get("limit", "10")))

    def parse_words(body: bytes) -> list[str]:
        return body.decode("utf-8").split()

    @app.post("/s", query_extractor=parse_search, body_extractor=parse_words)
    async def search(request: Request[Search, list[str]]) -> Response:
        query = request.get_query()
        words = await request.get_body()
        return JSONResponse({"limit": query.limit, "words": words})

    ok = check_http(post(app, "/s", request_event(b"a b"), query_string=b"limit=3"))
    assert ok.json() == {"limit": 3, "words": ["a", "b"]}
    bad_query = check_http(post(app, "/s", request_event(b""), query_string=b"limit=x"))
    assert bad_query.status == 422
    bad_body = check_http(post(app, "/s", request_event(b"\xff")))
    assert bad_body.status == 422


def test_without_extractors_get_query_and_get_body_return_raw_views() -> None:
    app = App()

    @app.post("/")
    async def raw(request: Request[Any, Any]) -> Response:
        params = request.get_query()
        return JSONResponse([params.getlist("a"), (await request.get_body()).decode()])

    result = check_http(post(app, "/", request_event(b"hi"), query_string=b"a=1&a=2"))
    assert result.json() == [["1", "2"], "hi"]


def test_body_can_be_streamed_only_once_but_body_is_cached() -> None:
    app = App()

    @app.post("/")
    async def twice(request: Request[Any, Any]) -> Response:
        first = await request.body()
        again = b"".join([c async for c in request.stream()])
        return Response(first + again)

    assert check_http(post(app, "/", request_event(b"ab"))).body == b"abab"

    stream_twice = App()

    @stream_twice.post("/")
    async def bad(request: Request[Any, Any]) -> Response:
        _ = [c async for c in request.stream()]
        _ = [c async for c in request.stream()]
        return Response(b"")

    assert check_http(post(stream_twice, "/", request_event(b"ab"))).status == 500


def test_is_disconnected_sees_a_disconnect_without_blocking() -> None:
    app = App()
    answers: list[bool] = []

    @app.get("/poll")
    async def poll(request: Request[Any, Any]) -> Response:
        answers.append(await request.is_disconnected())  # body event pending: not gone
        await request.body()
        while not await request.is_disconnected():
            await asyncio.sleep(0)
        answers.append(True)
        return Response(b"unseen")

    sent = exchange(app, http_scope("/poll"), request_event(), DISCONNECT)
    assert answers == [False, True]
    assert sent == []  # the client left: nothing is sent to it


def test_request_repr_and_url_for() -> None:
    app = App()

    @app.get("/items/{item_id:int}", name="item")
    async def item(request: Request[Any, Any], item_id: int) -> Response:
        return Response(request.url_for("item", item_id=item_id + 1) + " " + repr(request))

    result = get(app, "/mnt/items/1", root_path="/mnt")
    assert result.body == b"/mnt/items/2 <Request GET '/mnt/items/1'>"


def test_a_request_can_be_built_from_a_plain_receive_callable() -> None:
    async def scenario() -> bytes:
        events = [request_event(b"a", True), request_event(b"b")]

        async def receive() -> dict[str, Any]:
            return events.pop(0)

        request: Request[Any, Any] = Request(http_scope("/", "POST"), receive)
        return await request.body()

    assert asyncio.run(scenario()) == b"ab"
