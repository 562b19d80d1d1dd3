"""Server-side static checks: the scope and each event receive() returns."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import pytest
from bad_cases_scope import CASES, TLS_OK
from cases import Case, http_scope, lifespan_scope, websocket_scope
from hypothesis import given
from hypothesis import strategies as st

from asgicheck.validator import _scope
from asgicheck.validator._scope import check_event, check_scope
from asgicheck.violations import Party, Severity


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case) -> None:
    assert {v.rule for v in case.run()} == case.expect


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_scope_and_event_findings_blame_the_server(case: Case) -> None:
    for found in case.run():
        assert found.party is Party.SERVER, found


def test_a_scope_that_is_not_a_dict() -> None:
    (found,) = check_scope([("type", "http")])
    assert found.rule == "GEN-SCOPE-001" and found.party is Party.SERVER
    assert "a list" in found.message and "('type', 'http')" in found.message


@pytest.mark.parametrize(("scope", "shown"), [
    (http_scope(method="get"), "'get'"),
    (http_scope(path="/a", raw_path=b"/b"), "b'/b'"),
    (http_scope(client="127.0.0.1:1"), "'127.0.0.1:1'"),
    (websocket_scope(subprotocols="chat"), "'chat'"),
    (http_scope(scheme="https", extensions={"tls": {**TLS_OK, "cipher_suite": -1}}), "-1"),
])
def test_messages_show_the_offending_value(scope: dict[str, Any], shown: str) -> None:
    (found,) = check_scope(scope)
    assert shown in found.message and found.index is None


def test_event_findings_point_at_the_event() -> None:
    case = Case(id="x", scope=http_scope(), steps=[
        ("recv", {"type": "http.request", "body": b"a", "more_body": True}),
        ("recv", {"type": "http.request", "body": "b"}),
    ])
    (found,) = case.run()
    assert found.rule == "HTTP-EVT-001" and found.index == 1 and "'b'" in found.message


@pytest.mark.parametrize(("scope", "rule", "severity"), [
    (http_scope(headers=[[b"Host", b"x"]]), "HTTP-SCOPE-012", Severity.INFO),
    (websocket_scope(headers=[[b"Host", b"x"]]), "WS-SCOPE-009", Severity.INFO),
    (http_scope(extensions={"tls": TLS_OK}), "TLS-SRV-001", Severity.WARNING),
    (http_scope(asgi={"version": "3.0", "spec_version": "9.1"}), "HTTP-SCOPE-002",
     Severity.WARNING),
    (http_scope(asgi={"version": "3.0", "spec_version": 2.4}), "HTTP-SCOPE-002",
     Severity.ERROR),
])
def test_severities(scope: dict[str, Any], rule: str, severity: Severity) -> None:
    (found,) = check_scope(scope)
    assert (found.rule, found.severity) == (rule, severity)


def test_one_shot_header_iterables_are_left_for_the_app() -> None:
    headers = iter([[b"host", b"x"]])
    assert check_scope(http_scope(headers=headers)) == []
    assert list(headers) == [[b"host", b"x"]]


def test_a_header_iterable_that_fails_is_reported_not_raised() -> None:
    class Broken:
        def __iter__(self) -> Any:
            raise RuntimeError("socket closed")

    (found,) = check_scope(http_scope(headers=Broken()))
    assert found.rule == "HTTP-SCOPE-010" and "socket closed" in found.message


def test_a_value_whose_repr_raises_is_still_reported() -> None:
    class Odd:
        def __repr__(self) -> str:
            raise ValueError("no repr")

    (found,) = check_scope(http_scope(method=Odd()))
    assert found.rule == "HTTP-SCOPE-004" and "failing repr" in found.message


def test_a_valid_scope_is_cheap() -> None:
    # The validator runs on every request; this guards against an accidental regex or copy
    # on the common path (typically a few microseconds; the bound is loose for slow CI).
    for scope in (http_scope(), websocket_scope(), lifespan_scope()):
        began = time.perf_counter()
        for _ in range(2000):
            check_scope(scope)
        assert (time.perf_counter() - began) / 2000 < 100e-6


# -- properties ------------------------------------------------------------------------------
# (Values whose repr raises are covered above, not here: Hypothesis itself reprs its examples.)

GARBAGE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4)
    | st.binary(max_size=4) | st.builds(bytearray, st.binary(max_size=2)),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=3)
    | st.builds(iter, st.lists(inner, max_size=2)),
    max_leaves=8,
)
SCOPE_KEYS = ("type", "asgi", "http_version", "method", "scheme", "path", "raw_path",
              "query_string", "root_path", "headers", "client", "server", "state",
              "subprotocols", "extensions")
BASES = st.sampled_from([http_scope, websocket_scope, lifespan_scope])


@given(BASES, st.dictionaries(st.sampled_from(SCOPE_KEYS), GARBAGE, max_size=4))
def test_check_scope_never_raises(base: Any, overrides: dict[str, Any]) -> None:
    for found in check_scope({**base(), **overrides}):
        assert found.party is Party.SERVER


@given(GARBAGE)
def test_check_scope_never_raises_on_anything(scope: Any) -> None:
    check_scope(scope)


@given(st.dictionaries(st.sampled_from(["type", "body", "more_body", "text", "x"]),
                       GARBAGE, max_size=3) | GARBAGE)
def test_check_event_never_raises(event: Any) -> None:
    for found in check_event(event, 0):
        assert found.rule in ("GEN-EVT-001", "HTTP-EVT-001")


PLAUSIBLE: dict[str, list[Any]] = {
    "asgi": [{"version": "3.0"}, *({"version": "3.0", "spec_version": v}
                                   for v in ("2.0", "2.1", "2.3", "2.5", "2.9", "3.0", 2.4))],
    "http_version": ["1.0", "1.1", "2", "3", "1.2", 1.1],
    "method": ["GET", "get", "M-SEARCH", "", "123", b"GET"],
    "scheme": ["http", "https", "", None],
    "path": ["/", "/a b", "/caf\u00e9", "/mnt/x", "/x", b"/"],
    "raw_path": [None, b"/", b"/a%20b", b"/caf%C3%A9", b"/mnt/x", b"/x", b"/x?y", "/",
                 "/caf\u00e9".encode()],
    "root_path": ["", "/mnt", b""],
    "query_string": [b"", b"a=1", "", None],
    "headers": [[], [[b"host", b"x"]], [(b"Host", b"x")], [[b":authority", b"x"]],
                [[b"host", "x"]], ((b"a", b"b"),), [[b"a"]], {b"a": b"b"}],
    "client": [None, ["h", 1], ("h", 1), ["h", None], ["h", "1"], "h:1", ["h", True]],
    "server": [None, ["h", 1], ("h", 1), ["h", None], ["h", "1"], "h:1", ["h", True]],
    "state": [{}, {"a": 1}, [], None],
    "subprotocols": [[], ["chat"], ("a",), "chat", [b"x"], None],
    "extensions": [{}, {"tls": TLS_OK}, None, {"http.response.trailers": {}},
                   {"http.response.push": []}, {1: {}}, {"tls": {}}, []],
}


class _Str(str):
    pass


class _Bytes(bytes):
    pass


# Look-alikes: equal to (and hashing like) a valid value, but not of the exact type the rules
# ask for. A fast path that compared values only would wave them through.
PLAUSIBLE["type"] = ["http", _Str("http")]
PLAUSIBLE["method"] += [_Str("GET"), "HEAD"]
PLAUSIBLE["http_version"].append(_Str("1.1"))
PLAUSIBLE["raw_path"] += [_Bytes(b"/"), memoryview(b"/")]
PLAUSIBLE["query_string"].append(_Bytes(b""))
PLAUSIBLE["headers"] += [[(_Bytes(b"host"), b"x")], [(b"host", _Bytes(b"x"))],
                         [(memoryview(b"host"), b"x")], [(b"x-a", b"1"), (b"X-A", b"1")]]
PLAUSIBLE["client"].append(("h", _Bytes(b"1")))
PLAUSIBLE["asgi"] += [{"version": _Str("3.0"), "spec_version": "2.4"},
                      {"version": "3.0", "spec_version": _Str("2.4")}]


@given(st.sampled_from([http_scope, websocket_scope]),
       st.dictionaries(st.sampled_from(sorted(PLAUSIBLE)), st.integers(0, 15), max_size=4),
       st.sets(st.sampled_from(sorted(PLAUSIBLE)), max_size=2))
def test_the_fast_path_never_changes_a_result(base: Any, picks: dict[str, int],
                                              dropped: set[str]) -> None:
    scope = base()
    for key, pick in picks.items():
        scope[key] = PLAUSIBLE[key][pick % len(PLAUSIBLE[key])]
    for key in dropped:
        scope.pop(key, None)
    with mock.patch.object(_scope, "plain_www", return_value=False), \
            mock.patch.object(_scope, "plain_http", return_value=False):
        slow = [(v.rule, v.message) for v in check_scope(scope)]
    assert [(v.rule, v.message) for v in check_scope(scope)] == slow
