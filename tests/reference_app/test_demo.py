"""The demo app (reference_app/demo.py): every route, then any well-formed request.

The property test is the promise asgicheck's conformance suite relies on: for any well-formed
request (any method, odd paths, mixed-case and duplicate headers, latin-1 header values, invalid
UTF-8 in the query, a body in any number of chunks) the demo answers with a complete, valid
response and never a 5xx.
"""

from __future__ import annotations

import asyncio
from typing import Any

from helpers import (
    Conversation,
    check_http,
    exchange,
    exchange_async,
    get,
    http_scope,
    request_event,
    websocket_scope,
)
from hypothesis import given
from hypothesis import strategies as st

from reference_app.demo import README, app


def post(path: str, body: bytes, **scope: Any) -> Any:
    return check_http(exchange(app, http_scope(path, "POST", **scope), request_event(body)))


def test_home_items_and_delete() -> None:
    assert get(app, "/").body == b"Hello from reference_app\n"
    assert get(app, "/items/2").json() == {"item_id": 2, "name": "pear"}
    assert get(app, "/items/99").status == 404
    assert get(app, "/items/pear").status == 422
    deleted = get(app, "/items/1", method="DELETE")
    assert (deleted.status, deleted.body, deleted.header("content-length")) == (204, b"", None)
    assert get(app, "/items/1", method="PUT").header("allow") == "DELETE, GET, HEAD"


def test_create_item_uses_the_body_extractor() -> None:
    assert post("/items", b"fig").json() == {"name": "fig"}
    assert post("/items", b"   ").status == 422


def test_echo_returns_every_chunk_exactly() -> None:
    chunks = [request_event(b"\x00\xff", True), request_event(b"", True), request_event(b"end")]
    result = check_http(exchange(app, http_scope("/echo", "POST"), *chunks))
    assert result.body == b"\x00\xffend"
    big = bytes(range(256)) * 400  # ~100 KiB in one message
    assert post("/echo", big).body == big


def test_json_route() -> None:
    assert post("/json", b'{"a": 1}').json() == {"received": {"a": 1}}
    assert post("/json", b"{oops").status == 400


def test_query_routes() -> None:
    result = get(app, "/search", query_string=b"tag=a&tag=b&q=%E2%82%AC&bad=%ff")
    assert result.json() == {"query": {"tag": ["a", "b"], "q": "€", "bad": "\ufffd"}}
    assert get(app, "/page", query_string=b"limit=5&tag=x").json() == {"limit": 5, "tags": ["x"]}
    assert get(app, "/page", query_string=b"limit=0").status == 422


def test_stream_file_cached_redirect() -> None:
    stream = get(app, "/stream", query_string=b"count=3")
    assert stream.body == b"chunk 0\nchunk 1\nchunk 2\n"
    assert len(stream.messages) == 5  # start, three chunks, the final empty message
    assert get(app, "/stream", query_string=b"count=x").status == 422
    assert get(app, "/files/readme").body == README.read_bytes()
    fresh = get(app, "/cached")
    assert (fresh.status, fresh.header("etag")) == (200, '"v1"')
    for value in (b'"v1"', b'W/"v1"', b'"other", "v1"', b"*"):
        not_modified = get(app, "/cached", headers=[(b"If-None-Match", value)])
        assert (not_modified.status, not_modified.body) == (304, b"")
    assert get(app, "/redirect").header("location") == "/"
    assert get(app, "/mnt/redirect", root_path="/mnt").header("location") == "/mnt/"


def test_middlewares_added_their_headers() -> None:
    result = get(app, "/")
    assert result.header("x-content-type-options") == "nosniff"
    assert (result.header("server-timing") or "").startswith("app;dur=")


def test_lifespan_state_and_background_task() -> None:
    async def scenario() -> tuple[Any, Any]:
        state: dict[str, Any] = {}
        lifespan = Conversation(
            app, {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}
        )
        lifespan.start()
        await lifespan.send_event({"type": "lifespan.startup"})
        assert (await lifespan.next_message())["type"] == "lifespan.startup.complete"
        scheduled = await exchange_async(
            app, http_scope("/tasks", "POST", state=dict(state)), request_event()
        )
        await lifespan.send_event({"type": "lifespan.shutdown"})
        assert (await lifespan.next_message())["type"] == "lifespan.shutdown.complete"
        await lifespan.finished()
        shown = await exchange_async(app, http_scope("/state", state=dict(state)), request_event())
        return check_http(scheduled), check_http(shown).json()

    scheduled, shown = asyncio.run(scenario())
    assert scheduled.status == 202
    assert shown == {"state_keys": ["started_at", "task_log"], "tasks_done": 1}


def test_state_route_without_server_state() -> None:
    assert get(app, "/state").json() == {"state_keys": [], "tasks_done": None}


def test_websocket_echo_text_bytes_and_json() -> None:
    events = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": "hi"},
        {"type": "websocket.receive", "bytes": b"\x01"},
        {"type": "websocket.disconnect", "code": 1000},
    ]
    sent = exchange(app, websocket_scope("/ws"), *events)
    assert sent[1:] == [
        {"type": "websocket.send", "text": "hi"},
        {"type": "websocket.send", "bytes": b"\x01"},
    ]
    events = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": '{"x": [1, 2]}'},
        {"type": "websocket.receive", "text": "not json"},
    ]
    sent = exchange(app, websocket_scope("/ws", subprotocols=["json"]), *events)
    assert sent[0] == {"type": "websocket.accept", "subprotocol": "json"}
    assert sent[1] == {"type": "websocket.send", "text": '{"echo":{"x":[1,2]}}'}
    assert sent[2] == {"type": "websocket.close", "code": 1007, "reason": "invalid JSON"}


# -- any well-formed request ---------------------------------------------------------------
KNOWN_PATHS = [
    "/", "/items", "/items/1", "/items/999", "/items/-1", "/items/x", "/items/1/", "/echo",
    "/json", "/search", "/page", "/stream", "/files/readme", "/cached", "/redirect", "/tasks",
    "/state", "/ws", "/nope", "//", "/items/é", "/é/ü", "/%2F", "/files/readme/..",
]  # fmt: skip
PATHS = st.one_of(
    st.sampled_from(KNOWN_PATHS),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=15).map(lambda t: "/" + t),
)
HEADER_NAMES = st.sampled_from(
    [b"Content-Type", b"content-type", b"If-None-Match", b"Cookie", b"Host", b"X-Custom", b"ACCEPT"]
)
HEADER_VALUES = st.binary(max_size=20).map(
    lambda b: bytes(c for c in b if c not in b"\r\n\x00").strip()
)


@given(
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
    path=PATHS,
    query=st.binary(max_size=30),
    headers=st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=5),
    chunks=st.lists(st.binary(max_size=20), max_size=4),
    spec_version=st.sampled_from([None, "2.0", "2.3", "2.4"]),
    pathsend=st.booleans(),
)
def test_any_well_formed_request_gets_a_valid_non_5xx_response(
    method: str,
    path: str,
    query: bytes,
    headers: list[tuple[bytes, bytes]],
    chunks: list[bytes],
    spec_version: str | None,
    pathsend: bool,
) -> None:
    body = b"".join(chunks)
    if body:
        headers = [*headers, (b"Content-Length", str(len(body)).encode())]
    events = [request_event(chunk, True) for chunk in chunks] + [request_event()]
    scope = http_scope(
        path,
        method,
        query_string=query,
        headers=headers,
        spec_version=spec_version,
        extensions={"http.response.pathsend": {}} if pathsend else {},
    )
    result = check_http(exchange(app, scope, *events), method)
    assert result.status < 500, (result.status, result.body)
