"""The fuzzing strategies are valid by construction, and examples round-trip through JSON."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest
from body_checks import is_json, not_utf8
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument

from asgicheck import Validator
from asgicheck.contract import RunOptions, Target
from asgicheck.discovery import DEFAULT_TARGETS
from asgicheck.fuzzing import (
    HTTPExample,
    WebSocketExample,
    example_from_json,
    http_examples,
    websocket_examples,
)
from asgicheck.fuzzing._strategies import template_parts
from asgicheck.violations import Party

OPTIONS = RunOptions()
POST = Target(method="POST", path="/items/1", headers=((b"x-api-key", b"k"),))


def server_findings(scope: dict) -> list:  # type: ignore[type-arg]
    return [v for v in Validator(scope).violations if v.party is Party.SERVER]


@settings(max_examples=40)
@given(http_examples(POST, disconnect=True))
def test_http_examples_are_well_formed_requests(example: HTTPExample) -> None:
    assert example.method == "POST"
    assert example.headers[:1] == ((b"x-api-key", b"k"),)
    assert b"".join(example.chunks) == example.body and example.chunks
    scope = example.scope(OPTIONS)
    assert server_findings(scope) == []
    assert unquote(scope["raw_path"].decode("ascii")) == example.path
    example.query_string.decode("ascii")
    assert example.disconnect is not None
    kind, _, count = example.disconnect.partition(":")
    assert kind in ("first", "body", "started", "streaming")
    assert kind != "body" or 1 <= int(count) <= len(example.chunks)
    steps = example.script(OPTIONS).steps
    assert steps[-1].event == {"type": "http.disconnect"}


@settings(max_examples=40)
@given(http_examples(Target(path="/a/b")))
def test_get_examples_stay_near_the_target_without_a_body(example: HTTPExample) -> None:
    assert example.body == b"" and example.disconnect is None
    assert example.path == "/a/b" or example.path.startswith(("/a/", "/a/b/"))


@settings(max_examples=40)
@given(http_examples(Target(path="/items/1/x", template="/items/{id:int}/{name}")))
def test_templates_get_values_of_their_kind(example: HTTPExample) -> None:
    segments = example.path.split("/")
    if len(segments) >= 3 and segments[1] == "items":  # the route, or a sibling under it
        int(segments[2])


@settings(max_examples=40)
@given(websocket_examples(Target(kind="websocket", path="/ws", subprotocols=("chat",))))
def test_websocket_examples_are_valid_sessions(example: WebSocketExample) -> None:
    validator = Validator(example.scope(OPTIONS))
    validator.app_received({"type": "websocket.connect"})
    validator.app_sent({"type": "websocket.accept"})
    for event in example.events():
        validator.app_received({"type": "websocket.receive", **event})
    assert [v for v in validator.violations if v.party is Party.SERVER] == []


@settings(max_examples=60)
@given(http_examples(POST, disconnect=True) | websocket_examples(Target(kind="websocket")))
def test_examples_round_trip_through_json(example: HTTPExample | WebSocketExample) -> None:
    assert example_from_json(example.to_json()) == example


@pytest.mark.parametrize(
    ("template", "path", "parts"),
    [
        ("/items/{item_id:int}", "/items/1", ["/items/", ("item_id", "int")]),
        ("/items/{item_id}", "/items/1", ["/items/", ("item_id", "int")]),
        ("/u/{name}/files/{rest:path}", "/u/x/files/a/b",
         ["/u/", ("name", "str"), "/files/", ("rest", "path")]),
        ("/d/<int:day>", "/d/1", ["/d/", ("day", "int")]),
        ("/x/{id}", "/x/3fa85f64-5717-4562-b3fc-2c963f66afa6", ["/x/", ("id", "uuid")]),
        ("/static", "/static", ["/static"]),
    ],
    ids=["typed", "read-back", "path", "werkzeug", "uuid", "no-params"],
)
def test_template_parts(template: str, path: str, parts: list[object]) -> None:
    assert template_parts(template, path) == parts


def test_strategies_refuse_the_wrong_kind_of_target() -> None:
    with pytest.raises(InvalidArgument):
        http_examples(Target(kind="websocket"))
    with pytest.raises(InvalidArgument):
        websocket_examples(Target())


def test_raw_paths_are_what_a_server_would_send() -> None:
    example = HTTPExample(method="GET", path="/é/a b/%")
    assert example.scope(OPTIONS)["raw_path"] == quote("/é/a b/%").encode()


def test_an_encoded_slash_keeps_its_raw_path_through_json_and_reproduction() -> None:
    from asgicheck.driver import http_scope
    from asgicheck.fuzzing._reproduce import _scope_code

    example = HTTPExample(method="GET", path="/a/b", raw_path=b"/a%2Fb")
    assert example.scope(OPTIONS)["raw_path"] == b"/a%2Fb"
    assert example.scope(OPTIONS)["path"] == "/a/b"
    assert example_from_json(example.to_json()) == example
    assert "raw_path /a%2Fb" in example.describe()
    code = _scope_code(example, OPTIONS)
    assert eval(code, {"http_scope": http_scope})["raw_path"] == b"/a%2Fb"  # noqa: S307
    plain = HTTPExample(method="GET", path="/a/b")
    assert "raw_path" not in plain.to_json() and "raw_path" not in _scope_code(plain, OPTIONS)


def test_the_examples_keep_every_class_the_public_strategies_generate() -> None:
    found: list[HTTPExample] = []

    @settings(max_examples=300, database=None, derandomize=True, deadline=None)
    @given(http_examples(POST, disconnect=True))
    def collect(example: HTTPExample) -> None:
        found.append(example)

    collect()

    def share(test) -> float:  # type: ignore[no-untyped-def]
        return sum(1 for e in found if test(e)) / len(found)

    assert share(lambda e: not e.path.isascii()) > 0.2  # unicode segments
    assert share(lambda e: e.raw_path is not None and b"%2F" in e.raw_path) > 0.1
    assert share(lambda e: e.path == "/items/1") > 0.1  # the target itself
    named = [[p.split(b"=")[0] for p in e.query_string.split(b"&") if p] for e in found]
    assert sum(1 for k in named if len(k) > len(set(k))) / len(found) > 0.1  # repeated keys
    assert share(lambda e: any(b >= 0x80 for _, v in e.headers[1:] for b in v)) > 0.2
    assert share(lambda e: len(e.chunks) >= 2 and any(e.chunks)) > 0.3  # chunkings
    assert share(lambda e: bool(e.body)) > 0.3
    assert {e.disconnect.split(":")[0] for e in found if e.disconnect} == {
        "first", "started", "streaming", "body"}
    assert not any(n in (b"host", b"content-length", b"transfer-encoding")
                   for e in found for n, _ in e.headers)


def collect_examples(target: Target, count: int = 300) -> list[HTTPExample]:
    found: list[HTTPExample] = []

    @settings(max_examples=count, database=None, derandomize=True, deadline=None)
    @given(http_examples(target))
    def collect(example: HTTPExample) -> None:
        found.append(example)

    collect()
    return found


def content_type(example: HTTPExample) -> bytes | None:
    return dict(example.headers).get(b"content-type")


@pytest.mark.parametrize("target", DEFAULT_TARGETS, ids=[t.label for t in DEFAULT_TARGETS])
def test_fallback_targets_vary_the_method_and_the_body(target: Target) -> None:
    found = collect_examples(target)
    assert {e.method for e in found} == {"GET", "POST", "PUT"}
    assert share(found, lambda e: e.method == target.method) > 0.2
    sent = [e for e in found if e.method != "GET"]
    assert share(sent, lambda e: e.body == b"") > 0.1
    json_ = [e for e in sent if e.body[:1] in (b"{", b"[") and is_json(e.body)]
    forms = [e for e in sent if b"=" in e.body and not is_json(e.body)]
    assert len(json_) > 0.1 * len(sent) and len(forms) > 0.05 * len(sent)
    assert share(sent, lambda e: not_utf8(e.body)) > 0.03  # arbitrary bytes
    for shaped, own in ((json_, b"application/json"),
                        (forms, b"application/x-www-form-urlencoded")):
        assert share(shaped, lambda e, own=own: content_type(e) == own) > 0.2  # matching
        assert share(shaped, lambda e: content_type(e) is None) > 0.2  # missing


def test_a_known_target_keeps_its_method_and_sometimes_leaves_its_content_type_out() -> None:
    target = Target(method="POST", path="/items", headers=((b"content-type", b"application/json"),),
                    body=b'{"name": "x"}', source="fastapi")
    found = collect_examples(target)
    assert {e.method for e in found} == {"POST"}
    assert share(found, lambda e: content_type(e) == b"application/json") > 0.3
    assert share(found, lambda e: content_type(e) is None) > 0.2
    assert share(found, lambda e: content_type(e) is None and not_utf8(e.body)) > 0.05


def share(found: list[HTTPExample], test) -> float:  # type: ignore[no-untyped-def]
    return sum(1 for e in found if test(e)) / max(len(found), 1)
