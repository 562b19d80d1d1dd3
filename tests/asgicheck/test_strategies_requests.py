"""``http_requests(content_types=True)`` and ``http_requests(disconnects=True)``: what the body
says it is, and where the client leaves, as bytes of the one request program."""

from __future__ import annotations

from typing import Any

from body_checks import is_json, not_utf8
from hypothesis import find, settings
from hypothesis import strategies as st
from test_strategies import sample, share

from asgicheck import strategies as asgi

CT = b"content-type"
JSON = b"application/json"
FORM = b"application/x-www-form-urlencoded"


def content_type(scope: dict[str, Any]) -> bytes | None:
    found = [v for n, v in scope["headers"] if n.lower() == CT]
    return found[0] if found else None


def smallest(strategy: st.SearchStrategy[Any], condition: Any) -> Any:
    return find(strategy, condition, settings=settings(database=None, max_examples=2000))


def test_without_a_body_of_yours_the_body_comes_in_every_shape_and_says_so_or_not() -> None:
    requests = [(s, b"".join(c)) for s, c in sample(
        asgi.http_requests(methods=("POST",), content_types=True))]
    bodies = [b for _, b in requests]
    assert share(bodies, lambda b: b == b"") > 0.1
    assert share(bodies, lambda b: b[:1] in (b"{", b"[", b'"') and is_json(b)) > 0.1
    assert share(bodies, lambda b: b"=" in b and b.isascii() and not is_json(b)) > 0.04
    assert share(bodies, not_utf8) > 0.05  # bytes as generated
    for body_test, own in ((is_json, JSON), (lambda b: b"=" in b and not is_json(b), FORM)):
        shaped = [content_type(s) for s, b in requests if b and body_test(b)]
        assert share(shaped, lambda t, own=own: t == own) > 0.2  # its own
        assert share(shaped, lambda t: t is None) > 0.2  # none at all
        assert share(shaped, lambda t, own=own: t not in (None, own)) > 0.03  # another's


def test_your_content_type_is_kept_or_left_out_and_your_body_kept_or_replaced() -> None:
    requests = [(s, b"".join(c)) for s, c in sample(asgi.http_requests(
        methods=("POST",), headers=[[CT, JSON]], body=b'{"name": "x"}', content_types=True))]
    types = [content_type(s) for s, _ in requests]
    assert share(types, lambda t: t == JSON) > 0.3
    assert share(types, lambda t: t is None) > 0.2  # a client that sends none
    assert share(requests, lambda r: content_type(r[0]) is None and not_utf8(r[1])) > 0.05
    assert share(requests, lambda r: r[1] == b'{"name": "x"}') > 0.3
    # The smallest request without a content-type is yours without it; the smallest with a
    # JSON document of its own making is "{}", labelled as JSON; the smallest with a body is
    # a byte, labelled as nothing.
    scope, chunks = smallest(asgi.http_requests(
        methods=("POST",), headers=[[CT, JSON]], body=b'{"name": "x"}', content_types=True),
        lambda r: content_type(r[0]) is None)
    assert scope["headers"] == [[b"host", b"testserver"]] and chunks == [b'{"name": "x"}']
    scope, chunks = smallest(asgi.http_requests(methods=("POST",), content_types=True),
                             lambda r: b"".join(r[1]).startswith(b"{"))
    assert chunks == [b"{}"] and content_type(scope) == JSON
    scope, chunks = smallest(asgi.http_requests(methods=("POST",), content_types=True),
                             lambda r: any(r[1]))
    assert chunks == [b"\x00"] and content_type(scope) is None
    # A request without a body gets no content-type of the strategy's making (a generated
    # header may still be one, with a generated value).
    gets = sample(asgi.http_requests(methods=("GET",), content_types=True), 200)
    made = {JSON, FORM, b"application/octet-stream", b"text/plain"}
    assert not [s for s, _ in gets if content_type(s) in made]


def test_disconnects_reach_every_point_and_shrink_to_first() -> None:
    requests = sample(asgi.http_requests(methods=("POST",), disconnects=True))
    assert all(len(r) == 3 for r in requests)
    points = {where.split(":")[0] for _, _, where in requests}
    assert points == {"first", "started", "streaming", "body"}
    assert all(1 <= int(where[5:]) <= len(chunks) for _, chunks, where in requests
               if where.startswith("body:"))
    assert smallest(asgi.http_requests(disconnects=True), lambda r: True)[2] == "first"
    scope, chunks, where = smallest(asgi.http_requests(methods=("POST",), disconnects=True),
                                    lambda r: r[2] == "streaming")
    assert (scope["path"], chunks, where) == ("/", [b""], "streaming")
    # The same strategy with disconnects=False still gives (scope, chunks).
    assert len(smallest(asgi.http_requests(), lambda r: True)) == 2


def test_http_scopes_draw_every_method_from_the_program_and_shrink_to_get() -> None:
    scopes = sample(asgi.http_scopes(), 200)
    assert {s["method"] for s in scopes} == set(asgi.METHODS)
    assert smallest(asgi.http_scopes(), lambda s: True)["method"] == "GET"
    assert smallest(asgi.http_scopes(), lambda s: s["method"] != "GET")["method"] == "HEAD"
    # A strategy of your own for the method is drawn as it is.
    assert {s["method"] for s in sample(asgi.http_scopes(methods=st.just("PATCH")), 50)} == {
        "PATCH"}
