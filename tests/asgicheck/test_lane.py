"""validate()'s fast lane (asgicheck.validator.wrapper.HttpLane) never changes a finding.

Every known case, good and bad, is played as a real app under validate(), with the lane and
without it, on a fresh wrapper and on one whose caches many good exchanges have filled first;
the findings (rule, index, message), what the server received, and where raise mode raised
must be identical.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import bad_cases_http
import bad_cases_lifespan
import bad_cases_scope
import bad_cases_websocket
import pytest
from cases import Case, http_scope
from hypothesis import given, settings
from hypothesis import strategies as st

import asgicheck.validator.wrapper
from asgicheck import ViolationError, validate
from asgicheck.selection import Selection
from asgicheck.validator import ValidatedApp, Validator
from asgicheck.violations import Party

ALL_CASES = [*bad_cases_http.CASES, *bad_cases_scope.CASES, *bad_cases_websocket.CASES,
             *bad_cases_lifespan.CASES]
ALL = ("GEN", "HTTP", "WS", "LS", "TRL", "PUSH", "ZC", "PS", "EH", "DBG", "WSD", "TLS", "X",
       "OPS")


@pytest.fixture(autouse=True)
def quiet() -> Iterator[None]:
    # validate() logs every finding; some cases carry surrogates that xdist cannot ship back.
    logger = logging.getLogger("asgicheck")
    logger.disabled = True
    yield
    logger.disabled = False


def selection_for(case: Case) -> Selection:
    return Selection(select=(*ALL, *case.select))  # as Case.run selects


async def play(app: Any, scope: Any, steps: list[tuple[str, Any]]) -> tuple[list[Any], str]:
    """Run ``steps`` as an app under ``app`` (a ValidatedApp); what the server got, and how
    the call ended."""
    events = [value for action, value in steps if action == "recv"]
    failing = {n for n, (action, _) in enumerate(steps)
               if action == "send" and n + 1 < len(steps) and steps[n + 1][0] == "send_failed"}
    received: list[Any] = []
    current = 0

    async def receive() -> Any:
        return events.pop(0) if events else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        if current in failing:
            raise OSError("client disconnected")
        received.append(message)

    async def replay(scope: Any, receive: Any, send: Any) -> Any:
        nonlocal current
        for position, (action, value) in enumerate(steps):
            current = position
            if action == "recv":
                await receive()
            elif action == "send":
                try:
                    await send(value)
                except OSError:
                    pass  # the case goes on to say what the app did about it
            elif action == "call":
                value()
            elif action == "raise":
                raise value
            elif action == "return":
                return value
        return None

    app.app = replay  # one wrapper, its caches kept, plays every exchange
    try:
        await app(scope, receive, send)
    except ViolationError as error:
        return received, f"ViolationError {[v.rule for v in error.violations]}"
    except BaseException as error:  # the app's own exception, re-raised by validate()
        return received, f"raised {error!r}"
    return received, "returned"


async def placeholder(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("play() puts the replaying app in its place")


def wrapper(mode: str = "record", selection: Selection | None = None) -> ValidatedApp:
    return validate(placeholder, mode=mode,  # type: ignore[arg-type]
                    selection=selection or Selection())


def findings(app: ValidatedApp) -> list[tuple[str, int | None, str]]:
    return [(v.rule, v.index, v.message) for v in app.violations]


def outcome(app: ValidatedApp, case: Case) -> tuple[Any, ...]:
    app.clear()
    received, ended = asyncio.run(play(app, case.scope, case.steps))
    return findings(app), [m.get("type") if isinstance(m, dict) else m for m in received], ended


# Good traffic in many shapes, to fill every cache the lane and the checks keep.
WARM_SCOPES = [
    http_scope(),
    http_scope(method="POST", path="/items", raw_path=b"/items", query_string=b"a=1",
               headers=[(b"host", b"x"), (b"content-length", b"3"), (b"user-agent", b"t")]),
    http_scope(method="HEAD", client=("10.0.0.1", 1234), server=("h", 8000)),
    http_scope(headers=[[b"accept", b"*/*"], [b"x-forwarded-for", b"1.2.3.4"]]),
]
WARM_STEPS: list[list[tuple[str, Any]]] = [
    [("recv", {"type": "http.request", "body": b"", "more_body": False}),
     ("send", {"type": "http.response.start", "status": 200,
               "headers": [(b"content-type", b"text/plain"), (b"content-length", b"2")]}),
     ("send", {"type": "http.response.body", "body": b"ok"})],
    [("recv", {"type": "http.request", "body": b"a", "more_body": True}),
     ("recv", {"type": "http.request", "body": b"bc", "more_body": False}),
     ("send", {"type": "http.response.start", "status": 201, "headers": [[b"x-a", b"1"]]}),
     ("send", {"type": "http.response.body", "body": b"one", "more_body": True}),
     ("send", {"type": "http.response.body", "body": b"", "more_body": False})],
    [("recv", {"type": "http.request", "body": b"", "more_body": False}),
     ("send", {"type": "http.response.start", "status": 404}),
     ("send", {"type": "http.response.body"})],
]


HEAD_STEPS: list[tuple[str, Any]] = [
    ("recv", {"type": "http.request", "body": b"", "more_body": False}),
    ("send", {"type": "http.response.start", "status": 200,
              "headers": [(b"content-length", b"120")]}),
    ("send", {"type": "http.response.body", "body": b""})]


# A GET handler that answers without reading the request, as most do: plain, since nothing
# announced a body (HTTP-RECV-001).
UNREAD_STEPS: list[tuple[str, Any]] = [
    ("send", {"type": "http.response.start", "status": 200,
              "headers": [(b"content-length", b"2")]}),
    ("send", {"type": "http.response.body", "body": b"ok"})]


def warmed(app: ValidatedApp) -> ValidatedApp:
    def steps_for(scope: dict[str, Any]) -> list[list[tuple[str, Any]]]:
        if scope["method"] == "HEAD":
            return [HEAD_STEPS]
        return [*WARM_STEPS, UNREAD_STEPS] if scope["method"] == "GET" else WARM_STEPS

    async def traffic() -> None:
        for _ in range(25):
            for scope in WARM_SCOPES:
                for steps in steps_for(scope):
                    await play(app, dict(scope), steps)

    asyncio.run(traffic())
    # Tuples are fine unless a case opted in to GEN-APP-007 (and then the lane is off).
    assert not [v for v in app.violations if v.rule != "GEN-APP-007"], app.violations
    app.clear()
    return app


def without_lane(monkeypatch: pytest.MonkeyPatch, case: Case, mode: str) -> tuple[Any, ...]:
    with monkeypatch.context() as patch:
        patch.setattr(asgicheck.validator.wrapper, "FAST_LANE", False)
        return outcome(wrapper(mode, selection_for(case)), case)


@pytest.mark.parametrize("mode", ["record", "raise"])
@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.id)
def test_the_lane_never_changes_a_finding(case: Case, mode: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    full = without_lane(monkeypatch, case, mode)
    assert outcome(wrapper(mode, selection_for(case)), case) == full
    warm = warmed(wrapper(mode, selection_for(case)))
    assert outcome(warm, case) == full


def test_bad_cases_are_caught_after_good_traffic_filled_the_caches() -> None:
    # The same wrapper, warmed once, then every bad case in turn: each still names its rule.
    app = warmed(wrapper())
    for case in ALL_CASES:
        if not case.expect or case.select or any(a == "send_failed" for a, _ in case.steps):
            # A send() that raised and was caught is invisible to a middleware (see
            # wrapper._checked); the comparisons above cover those cases.
            continue
        app.selection = selection_for(case)
        app.clear()
        asyncio.run(play(app, case.scope, case.steps))
        # A case without a return step never ends; under validate() the call does.
        ends = any(action in ("return", "raise") for action, _ in case.steps)
        found = {v.rule for v in app.violations
                 if ends or v.index is not None or v.party is Party.SERVER}
        assert found == case.expect, case.id


def test_plain_traffic_stays_in_the_lane(monkeypatch: pytest.MonkeyPatch) -> None:
    # Otherwise the comparisons above would compare the full path with itself. The lane hands
    # over only through Validator.resumed (HttpLane.take_over), so that is where it is watched:
    # the lane may be compiled (setup.py), and a compiled class calls its own methods directly,
    # past any patch of them; Validator is always Python.
    taken: list[int] = []
    original = Validator.resumed

    def counting(scope: Any, machine: Any, index: int, **options: Any) -> Validator:
        taken.append(index)
        return original(scope, machine, index, **options)

    monkeypatch.setattr(Validator, "resumed", staticmethod(counting))
    warmed(wrapper())
    assert taken == []
    app = wrapper()
    asyncio.run(play(app, http_scope(), [
        ("recv", {"type": "http.request", "body": b"", "more_body": False}),
        ("send", {"type": "http.response.start", "status": 200}),
        ("send", {"type": "http.response.body", "body": "not bytes"})]))
    assert taken == [2] and [v.rule for v in app.violations] == ["HTTP-SEND-011"]


# -- perturbed plain exchanges ----------------------------------------------------------------

class Str(str):
    pass


class Bytes(bytes):
    pass


ODD: list[Any] = [None, True, 1, 1.0, "", Str("http"), Str("GET"), Bytes(b"x"), b"x",
                  bytearray(b"x"), memoryview(b"x"), (), [], {}, "x", -1, 10**20]
SCOPE_KEYS = ["type", "asgi", "http_version", "method", "scheme", "path", "raw_path",
              "query_string", "root_path", "headers", "client", "server", "state"]
MESSAGE_FIELDS = {0: ["type", "body", "more_body", "extra"],
                  1: ["type", "status", "headers", "trailers", "extra"],
                  2: ["type", "body", "more_body", "extra"]}
HEADER_ODDITIES: list[Any] = [(Bytes(b"host"), b"x"), (b"host", Bytes(b"x")), [b"Host", b"x"],
                              (b":authority", b"x"), (b"a", b"b", b"c"), (b"a",), b"ab",
                              (memoryview(b"a"), b"b"), (b"a", b"b\r\n"), (b"", b"")]


# Odd response headers: what start_length must not wave through (or must not refuse).
RESPONSE_HEADER_ODDITIES: list[Any] = [
    *HEADER_ODDITIES, (b"content-length", b"2"), (b"content-length", b" 2"),
    (b"content-length", b"x"), (b"transfer-encoding", b"chunked"), (b"trailer", b"x"),
    (b"x-a", b"1\x00"), (b"x-a", b"1\r"), (b"x a", b"1"), (b"x-\xff", b"1"), [b"x-a", b"1"],
    (b"content-type", b"text/plain; charset=utf-8"), (b"x-a", b"\xe9")]


@settings(max_examples=300, deadline=None)
@given(scope_changes=st.dictionaries(st.sampled_from(SCOPE_KEYS), st.sampled_from(ODD),
                                     max_size=2),
       header=st.none() | st.sampled_from(HEADER_ODDITIES),
       response_header=st.none() | st.sampled_from(RESPONSE_HEADER_ODDITIES),
       step=st.integers(0, 2), field=st.integers(0, 4), value=st.sampled_from(ODD),
       warm=st.booleans())
def test_a_perturbed_exchange_is_judged_the_same_with_and_without_the_lane(
        scope_changes: dict[str, Any], header: Any, response_header: Any, step: int,
        field: int, value: Any, warm: bool) -> None:
    def exchange() -> tuple[dict[str, Any], list[tuple[str, Any]]]:
        scope = http_scope(**scope_changes)
        if header is not None:
            scope["headers"] = [(b"host", b"x"), header]
        messages: list[dict[str, Any]] = [
            {"type": "http.request", "body": b"", "more_body": False},
            {"type": "http.response.start", "status": 200,
             "headers": [(b"content-length", b"2")]},
            {"type": "http.response.body", "body": b"ok", "more_body": False}]
        if response_header is not None:
            messages[1]["headers"].append(response_header)
        keys = MESSAGE_FIELDS[step]
        messages[step][keys[field % len(keys)]] = value
        actions = ["recv", "send", "send"]
        return scope, [*zip(actions, messages, strict=True), ("return", None)]

    case = Case(id="perturbed", scope=exchange()[0], steps=exchange()[1])
    previous = asgicheck.validator.wrapper.FAST_LANE
    try:
        asgicheck.validator.wrapper.FAST_LANE = False
        full = outcome(wrapper(), case)
    finally:
        asgicheck.validator.wrapper.FAST_LANE = previous
    app = wrapper()
    if warm:
        warmed(app)
    assert outcome(app, Case(id="perturbed", scope=exchange()[0], steps=exchange()[1])) == full


# -- the values plain_http recognises by identity (_scope_fields.SEEN) -------------------------

def test_a_value_seen_before_is_trusted_only_while_it_cannot_change() -> None:
    # A server hands the same client, server, scheme, ... objects to every request; once one
    # is proven it is recognised by identity. A list address can change in place after it was
    # proven, so it is never trusted that way: the same list, now broken, is reported.
    app = wrapper()
    address = ["10.0.0.1", 1234]
    good = http_scope(client=address)
    asyncio.run(play(app, good, WARM_STEPS[0]))
    asyncio.run(play(app, http_scope(client=address), WARM_STEPS[0]))
    assert findings(app) == []
    address[1] = "1234"
    case = Case(id="mutated", scope=http_scope(client=address), steps=WARM_STEPS[0])
    assert {rule for rule, _, _ in outcome(app, case)[0]} == {"HTTP-SCOPE-014"}


@pytest.mark.parametrize("key, bad", [
    ("scheme", ""), ("root_path", b""), ("client", ("h", True)), ("server", ("h", "80")),
    ("asgi", {"version": 3, "spec_version": "2.4"}),
    ("asgi", {"version": "3.0", "spec_version": "9.9"})])
def test_a_value_not_seen_before_is_proven_afresh(key: str, bad: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Good traffic fills SEEN; a bad value (a new object) in any of its fields is still
    # judged, with the full path's findings.
    app = warmed(wrapper())
    case = Case(id=key, scope=http_scope(**{key: bad}), steps=WARM_STEPS[0])
    found = outcome(app, case)
    assert found[0] and found == without_lane(monkeypatch, case, "record")
