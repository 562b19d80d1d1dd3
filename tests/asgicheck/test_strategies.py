"""asgicheck.strategies: valid by construction, consistent, and strict about their arguments."""

from __future__ import annotations

import string
from urllib.parse import parse_qsl, unquote, unquote_to_bytes

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from asgicheck import Validator
from asgicheck import strategies as asgi
from asgicheck.violations import Party


@given(asgi.paths())
def test_path_and_raw_path_agree(pair: tuple[str, bytes]) -> None:
    path, raw_path = pair
    assert path.startswith("/") and raw_path.startswith(b"/")
    assert unquote(raw_path.decode("ascii")) == path
    assert b"?" not in raw_path


@given(asgi.query_strings())
def test_query_strings_are_raw_ascii_that_parse(query: bytes) -> None:
    query.decode("ascii")
    parse_qsl(query.decode("latin-1"), keep_blank_values=True)


@given(st.data(), asgi.bodies())
def test_chunkings_join_back_to_the_body(data: st.DataObject, body: bytes) -> None:
    chunks = data.draw(asgi.chunkings(body))
    assert b"".join(chunks) == body and chunks


@given(asgi.header_lists(mixed_case=True))
def test_header_values_never_split_a_message(headers: list[list[bytes]]) -> None:
    for name, value in headers:
        assert not any(c in value for c in b"\r\n\x00")
        assert name and name.strip() == name


@given(asgi.http_scopes())
def test_http_scopes_pass_asgicheck_own_server_checks(scope: dict) -> None:  # type: ignore[type-arg]
    found = [v for v in Validator(scope).violations if v.party is Party.SERVER]
    assert found == []


@given(asgi.websocket_scopes(), asgi.websocket_message_sequences())
def test_websocket_scopes_and_messages_are_valid(scope: dict, events: list) -> None:  # type: ignore[type-arg]
    validator = Validator(scope)
    validator.app_received({"type": "websocket.connect"})
    validator.app_sent({"type": "websocket.accept"})
    for event in events:
        validator.app_received(event)
    assert [v for v in validator.violations if v.party is Party.SERVER] == []
    assert events[-1]["type"] == "websocket.disconnect"


@pytest.mark.parametrize(
    "make",
    [
        lambda: asgi.paths(max_segments=-1),
        lambda: asgi.query_strings(max_pairs=1.5),  # type: ignore[arg-type]
        lambda: asgi.header_lists(max_headers=True),
        lambda: asgi.bodies(max_size=-3),
        lambda: asgi.chunkings(b"abc", max_chunks=0),
        lambda: asgi.chunkings("abc"),  # type: ignore[arg-type]
        lambda: asgi.http_scopes(spec_version="3"),
        lambda: asgi.websocket_scopes(spec_version="two"),
        lambda: asgi.disconnect_points(max_point=-1),
        lambda: asgi.websocket_message_sequences(max_messages=-1),
    ],
    ids=["paths", "query", "headers", "bodies", "chunks", "chunks-str", "http-version",
         "ws-version", "disconnect", "ws-messages"],
)
def test_invalid_arguments_are_rejected_up_front(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument):
        make()


def test_strategies_shrink_to_the_simplest_request() -> None:
    scope = find(asgi.http_scopes(), lambda s: True)
    assert scope["method"] == "GET" and scope["path"] == "/" and scope["query_string"] == b""
    assert find(asgi.chunkings(asgi.bodies()), lambda c: True) == [b""]


# -- what they generate: every class still comes up, and often ---------------------------------
# Each strategy is sampled 300 times with derandomized generation; a class must show in at least
# the given share of the examples (well under what it does: the point is "not lost").

def sample(strategy: st.SearchStrategy, count: int = 300) -> list:  # type: ignore[type-arg]
    found: list = []  # type: ignore[type-arg]

    @settings(max_examples=count, database=None, derandomize=True, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value: object) -> None:
        found.append(value)

    collect()
    return found


def share(values: list, test) -> float:  # type: ignore[no-untyped-def, type-arg]
    return sum(1 for v in values if test(v)) / len(values)


def keys(query: bytes) -> list[bytes]:
    return [pair.split(b"=")[0] for pair in query.split(b"&")] if query else []


def not_utf8(query: bytes) -> bool:
    try:
        unquote_to_bytes(query).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_paths_keep_every_kind_of_segment() -> None:
    pairs = sample(asgi.paths())
    segments = [raw.split(b"/")[1:] for _, raw in pairs]
    assert share(pairs, lambda p: not p[0].isascii()) > 0.3  # unicode segments
    assert share(pairs, lambda p: any(ord(c) > 0xFFFF for c in p[0])) > 0.1  # astral ones
    assert share(pairs, lambda p: p[0].isascii()) > 0.1  # and plain ASCII paths
    assert share(pairs, lambda p: b"%2F" in p[1]) > 0.2  # encoded slashes
    assert share(segments, lambda s: b"" in s and len(s) > 1) > 0.2  # empty segments
    assert share(segments, lambda s: len(s) >= 3) > 0.3
    assert not any(s in ([b"."], [b".."]) or b"." in s or b".." in s for s in segments)
    dotted = sample(asgi.paths(allow_dot_segments=True))
    assert share(dotted, lambda p: {".", ".."} & set(p[0].split("/"))) > 0.05


def test_paths_options_switch_kinds_off() -> None:
    for path, raw in sample(asgi.paths(unicode=False, encoded_slashes=False,
                                       allow_empty_segments=False, max_segments=3), 150):
        assert path.isascii() and b"%2F" not in raw
        assert path == "/" or "" not in path[1:].split("/")
        assert len(raw.split(b"/")) <= 4
    assert sample(asgi.paths(max_segments=0), 5) == [("/", b"/")]


def test_query_strings_keep_every_kind_of_pair() -> None:
    queries = sample(asgi.query_strings())
    assert share(queries, lambda q: len([k for k in keys(q) if k])
                 > len({k for k in keys(q) if k})) > 0.15  # repeated keys
    assert share(queries, not_utf8) > 0.2  # %FF and friends
    assert share(queries, lambda q: any(b >= 0x80 for b in unquote_to_bytes(q))
                 and not not_utf8(q)) > 0.2  # non-ASCII escapes that decode
    assert share(queries, lambda q: any(p and b"=" not in p for p in q.split(b"&"))) > 0.3
    assert share(queries, lambda q: b"+" in q) > 0.05 and share(queries, lambda q: b";" in q) > 0.05
    assert share(queries, lambda q: len(keys(q)) >= 3) > 0.3
    for query in sample(asgi.query_strings(allow_invalid_utf8=False, allow_blank=False,
                                           max_pairs=2), 150):
        assert not not_utf8(query) and len(keys(query)) <= 2
        assert all(b"=" in pair for pair in query.split(b"&") if query)


def test_header_lists_keep_latin1_values_and_repeated_names() -> None:
    lists = sample(asgi.header_lists())
    assert all(h[0] == [b"host", b"testserver"] for h in lists)
    assert share(lists, lambda h: any(any(b >= 0x80 for b in v) for _, v in h[1:])) > 0.3
    assert share(lists, lambda h: len({n for n, _ in h}) < len(h)) > 0.3  # repeated names
    assert share(lists, lambda h: len(h) >= 4) > 0.3
    assert share(lists, lambda h: any(v == b"" for _, v in h[1:])) > 0.1
    for headers in lists:
        assert len(headers) <= 7
        assert not any(n in (b"content-length", b"transfer-encoding") for n, _ in headers[1:])
        assert all(n == n.lower() for n, _ in headers)
        assert all(v == v.strip(b" \t") for _, v in headers)
    mixed = sample(asgi.header_lists(mixed_case=True, duplicates=False, latin1_values=False,
                                     host=None), 150)
    assert share(mixed, lambda h: any(n != n.lower() for n, _ in h)) > 0.2
    for headers in mixed:
        assert len({n.lower() for n, _ in headers}) == len(headers)
        assert all(v.isascii() for _, v in headers)


def test_chunkings_keep_every_split() -> None:
    splits = sample(asgi.chunkings(asgi.bodies()))
    assert share(splits, lambda c: len(c) >= 3 and any(c)) > 0.3  # multi-chunk
    assert share(splits, lambda c: len(c) > 1 and c[-1] == b"" and any(c)) > 0.2  # final empty
    assert share(splits, lambda c: len(c) > 2 and b"" in c[1:-1]) > 0.05  # empty in the middle
    assert share(splits, lambda c: len(c) == 1) > 0.05
    assert all(1 <= len(c) <= 5 for c in splits)
    for chunks in sample(asgi.chunkings(b"abcdef", max_chunks=3, allow_empty_chunks=False), 100):
        assert b"".join(chunks) == b"abcdef" and all(chunks) and len(chunks) <= 3
    assert sample(asgi.chunkings(b"ab", max_chunks=1), 5) == [[b"ab"]]


def test_disconnect_points_reach_every_point() -> None:
    assert set(sample(asgi.disconnect_points(max_point=3), 50)) == {None, 0, 1, 2, 3}


def test_websocket_message_sequences_keep_every_shape() -> None:
    sessions = sample(asgi.websocket_message_sequences())
    messages = [m[:-1] for m in sessions]
    assert share(messages, lambda m: any(e.get("text") == "" or e.get("bytes") == b""
                                         for e in m)) > 0.3  # empty frames
    assert share(messages, lambda m: any(e.get("bytes") is not None for e in m)) > 0.3
    assert share(messages, lambda m: any(e.get("text") is not None for e in m)) > 0.3
    assert share(messages, lambda m: any(None in (e.get("text", 0), e.get("bytes", 0))
                                         for e in m)) > 0.3  # the other key None
    assert share(sessions, lambda m: m[-1]["code"] != 1000) > 0.2
    assert all(len(m) <= 5 for m in messages)
    for session in sample(asgi.websocket_message_sequences(max_messages=1, close_code=False)):
        assert len(session) <= 2 and session[-1] == {"type": "websocket.disconnect",
                                                     "code": 1000}


def test_websocket_scopes_have_token_subprotocols() -> None:
    scopes = sample(asgi.websocket_scopes())
    assert share(scopes, lambda s: len(s["subprotocols"]) == 2) > 0.2
    for scope in scopes:
        protocols = scope["subprotocols"]
        assert len(set(protocols)) == len(protocols) <= 2
        assert all(p and set(p) <= set(string.ascii_lowercase + string.digits + "-.")
                   for p in protocols)


# -- how they shrink: a planted failure comes back as the smallest example that shows it --------

def smallest(strategy: st.SearchStrategy, condition) -> object:  # type: ignore[no-untyped-def, type-arg]
    return find(strategy, condition, settings=settings(database=None, max_examples=2000))


def test_each_kind_shrinks_to_its_simplest_example() -> None:
    assert smallest(asgi.paths(), lambda p: not p[0].isascii()) == ("/é", b"/%C3%A9")
    assert smallest(asgi.paths(), lambda p: b"%2F" in p[1]) == ("//", b"/%2F")
    assert smallest(asgi.query_strings(), not_utf8) == b"%FF"
    assert smallest(asgi.query_strings(), lambda q: len([k for k in keys(q) if k])
                    > len({k for k in keys(q) if k})) == b"a&a"
    assert smallest(asgi.header_lists(), lambda h: any(b >= 0x80 for _, v in h for b in v)) \
        == [[b"host", b"testserver"], [b"accept", b"\xe9"]]
    assert smallest(asgi.header_lists(), lambda h: len({n for n, _ in h}) < len(h)) \
        == [[b"host", b"testserver"], [b"accept", b""], [b"accept", b""]]
    assert smallest(asgi.chunkings(asgi.bodies()), lambda c: len(c) >= 2 and all(c)) \
        == [b"\x00", b"\x00"]
    assert smallest(asgi.chunkings(asgi.bodies()), lambda c: any(c) and c[-1] == b"") \
        == [b"\x00", b""]
    assert smallest(asgi.disconnect_points(), lambda d: d is not None) == 0
    assert smallest(asgi.websocket_message_sequences(),
                    lambda m: any(e.get("bytes") is not None for e in m[:-1])) \
        == [{"type": "websocket.receive", "bytes": b""},
            {"type": "websocket.disconnect", "code": 1000}]
    assert smallest(asgi.websocket_message_sequences(), lambda m: m[-1]["code"] != 1000) \
        == [{"type": "websocket.disconnect", "code": 1001}]


def test_a_planted_failure_shrinks_to_a_minimal_request() -> None:
    # The app under test "breaks" on a POST whose path has a non-ASCII character, with a
    # repeated query key and a latin-1 header value, and a body in two chunks or more.
    seen: list[tuple[dict, list[bytes]]] = []  # type: ignore[type-arg]

    @settings(database=None, derandomize=True, max_examples=3000, deadline=None)
    @given(asgi.http_scopes(), asgi.chunkings(asgi.bodies()))
    def test_app(scope: dict, chunks: list[bytes]) -> None:  # type: ignore[type-arg]
        named = [k for k in keys(scope["query_string"]) if k]
        if (scope["method"] == "POST" and not scope["path"].isascii()
                and len(named) > len(set(named))
                and any(b >= 0x80 for _, v in scope["headers"] for b in v)
                and len(chunks) >= 2):
            seen.append((scope, chunks))
            raise AssertionError("planted")

    with pytest.raises(AssertionError, match="planted"):
        test_app()
    scope, chunks = seen[-1]  # the last failing call is the shrunk example, replayed
    assert (scope["method"], scope["path"], scope["raw_path"], scope["query_string"]) == (
        "POST", "/é", b"/%C3%A9", b"a&a")
    assert scope["headers"] == [[b"host", b"testserver"], [b"accept", b"\xe9"]]
    assert chunks == [b"", b""]


# -- whole requests and sessions: one program each, the same classes and the same shrinking ------

def test_http_requests_are_valid_and_keep_every_class() -> None:
    requests = sample(asgi.http_requests(methods=("POST",)))
    for scope, chunks in requests:
        assert [v for v in Validator(scope).violations if v.party is Party.SERVER] == []
        assert unquote(scope["raw_path"].decode("ascii")) == scope["path"]
        assert scope["method"] == "POST" and 1 <= len(chunks) <= 5
    paths = [(s["path"], s["raw_path"]) for s, _ in requests]
    assert share(paths, lambda p: not p[0].isascii()) > 0.3  # unicode segments
    assert share(paths, lambda p: b"%2F" in p[1]) > 0.15  # encoded slashes
    queries = [s["query_string"] for s, _ in requests]
    assert share(queries, lambda q: len([k for k in keys(q) if k])
                 > len({k for k in keys(q) if k})) > 0.1  # repeated keys
    assert share(queries, not_utf8) > 0.1
    headers = [s["headers"] for s, _ in requests]
    assert share(headers, lambda h: any(any(b >= 0x80 for b in v) for _, v in h[1:])) > 0.2
    assert share(headers, lambda h: len({n for n, _ in h}) < len(h)) > 0.15
    bodies = [b"".join(c) for _, c in requests]
    assert share(bodies, bool) > 0.3 and share(bodies, lambda b: any(x >= 0xF0 for x in b)) > 0.02
    chunkings = [c for _, c in requests]
    assert share(chunkings, lambda c: len(c) >= 3 and any(c)) > 0.3  # multi-chunk
    assert share(chunkings, lambda c: len(c) > 1 and c[-1] == b"" and any(c)) > 0.1
    assert share(chunkings, lambda c: len(c) == 1) > 0.02
    gets = sample(asgi.http_requests(), 200)
    assert {s["method"] for s, _ in gets} == set(asgi.METHODS)
    assert all(c == [b""] * len(c) for s, c in gets if s["method"] not in ("POST", "PUT", "PATCH"))


def test_http_requests_start_from_your_request() -> None:
    requests = sample(asgi.http_requests(
        "/items/{item_id:int}", methods=("PUT", "GET"), query_string=b"q=1",
        headers=[[b"x-api-key", b"k"]], body=b'{"a": 1}', exclude_headers=[b"accept"],
        host=None), 200)
    for scope, _chunks in requests:
        assert scope["headers"][:1] == [[b"x-api-key", b"k"]]
        assert all(n != b"accept" for n, _ in scope["headers"])
        assert scope["query_string"].startswith(b"q=1")
    assert share(requests, lambda r: r[0]["query_string"] == b"q=1") > 0.3
    assert share(requests, lambda r: b"".join(r[1]) == b'{"a": 1}') > 0.3
    assert share(requests, lambda r: b"".join(r[1]) not in (b'{"a": 1}', b"")) > 0.2
    assert share(requests, lambda r: r[0]["method"] == "GET") > 0.3
    items = [s["path"].split("/") for s, _ in requests]
    # the route itself, its parameter an integer (the typical one, or at the edges) ...
    assert share(items, lambda p: len(p) == 3 and p[1] == "items"
                 and p[2].lstrip("-+").isdigit()) > 0.3
    assert share(items, lambda p: len(p) == 3 and p[2] == "1") > 0.03
    assert share(items, lambda p: len(p) == 3 and p[2] not in ("1", "0", "-1")) > 0.1
    assert share(items, lambda p: len(p) > 3) > 0.2  # ... and its children
    first = find(asgi.http_requests("/items/{item_id:int}", methods=("PUT", "GET"),
                                    query_string=b"q=1", body=b"{}"), lambda r: True)
    assert (first[0]["method"], first[0]["path"], first[0]["query_string"], first[1]) == (
        "PUT", "/items/1", b"q=1", [b"{}"])


def test_http_requests_shrink_to_a_minimal_request() -> None:
    def needs_all(request: tuple[dict, list[bytes]]) -> bool:  # type: ignore[type-arg]
        scope, chunks = request
        named = [k for k in keys(scope["query_string"]) if k]
        return (not scope["path"].isascii() and len(named) > len(set(named))
                and any(b >= 0x80 for _, v in scope["headers"] for b in v)
                and len(chunks) >= 2 and all(chunks))

    scope, chunks = find(asgi.http_requests(methods=("POST",)), needs_all, settings=settings(
        database=None, max_examples=3000, derandomize=True))
    assert (scope["path"], scope["query_string"]) == ("/é", b"a&a")
    # Two chunks of zero bytes; a cut and the body's length shrink together, and the shrinker
    # can stop one byte short of [b"\x00", b"\x00"] (it does with this seed).
    assert len(chunks) == 2 and set(b"".join(chunks)) == {0} and len(b"".join(chunks)) <= 3
    assert scope["headers"] == [[b"host", b"testserver"], [b"accept", b"\xe9"]]
    assert smallest(asgi.http_requests(), lambda r: b"%2F" in r[0]["raw_path"])[0]["path"] \
        == "//"
    assert smallest(asgi.http_requests(), lambda r: r[1][-1:] == [b""] and len(r[1]) > 1)[1] \
        == [b"", b""]


def test_websocket_sessions_keep_every_shape_and_start_from_your_subprotocols() -> None:
    sessions = sample(asgi.websocket_sessions("/ws", subprotocols=["chat"]))
    for scope, events in sessions:
        assert scope["path"] == "/ws" and events[-1]["type"] == "websocket.disconnect"
    protocols = [s["subprotocols"] for s, _ in sessions]
    assert share(protocols, lambda p: p == ["chat"]) > 0.2
    assert share(protocols, lambda p: p == []) > 0.02
    assert share(protocols, lambda p: len(p) == 2) > 0.1
    messages = [e[:-1] for _, e in sessions]
    assert share(messages, lambda m: any(e.get("text") == "" or e.get("bytes") == b""
                                         for e in m)) > 0.3
    assert share(messages, lambda m: any(e.get("bytes") is not None for e in m)) > 0.3
    assert share(sessions, lambda s: s[1][-1]["code"] != 1000) > 0.2
    assert find(asgi.websocket_sessions(subprotocols=["chat"]), lambda s: True) == (
        find(asgi.websocket_scopes(), lambda s: True) | {"subprotocols": ["chat"]},
        [{"type": "websocket.disconnect", "code": 1000}])


@pytest.mark.parametrize(
    "make",
    [
        lambda: asgi.http_requests(max_chunks=0),
        lambda: asgi.http_requests(methods="GET"),
        lambda: asgi.http_requests(body="x"),  # type: ignore[arg-type]
        lambda: asgi.http_requests("items"),
        lambda: asgi.http_requests(headers=[["a", "b"]]),  # type: ignore[list-item]
        lambda: asgi.websocket_sessions("ws"),
        lambda: asgi.query_strings(start="a=1"),  # type: ignore[arg-type]
        lambda: asgi.bodies(start="x"),  # type: ignore[arg-type]
    ],
    ids=["chunks", "methods", "body", "route", "headers", "ws-path", "query-start", "body-start"],
)
def test_request_arguments_are_rejected_up_front(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument):
        make()


def test_the_start_of_a_query_headers_and_body_comes_first() -> None:
    assert all(q.startswith(b"a=1") for q in sample(asgi.query_strings(start=b"a=1"), 100))
    assert find(asgi.query_strings(start=b"a=1"), lambda q: True) == b"a=1"
    assert all(h[1] == [b"x", b"1"] for h in sample(asgi.header_lists(start=[[b"x", b"1"]]), 100))
    found = sample(asgi.bodies(start=b"{}"), 100)
    assert b"{}" in found and any(b.startswith(b"{}") and b != b"{}" for b in found)
    assert any(not b.startswith(b"{}") for b in found)
