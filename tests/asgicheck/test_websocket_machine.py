"""The websocket state machine, fed plain lists of events and messages (no I/O)."""

from __future__ import annotations

import copy

import pytest
from bad_cases_websocket import (
    ACCEPT,
    CASES,
    CLOSE,
    CONNECT,
    D_BODY,
    D_START,
    DISCONNECT,
    DONE,
    TEXT,
    close_with,
    ws,
)
from cases import Case, Step, bad

from asgicheck.rules import RULES
from asgicheck.validator import Validator
from asgicheck.validator import _websocket as machine
from asgicheck.violations import Detection, Party, Severity

SENT_KEYS = (machine.ACCEPT, machine.SEND, machine.CLOSE, machine.DENIAL_START,
             machine.DENIAL_BODY, machine.DENIAL_MORE)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case) -> None:
    assert {v.rule for v in case.run()} == case.expect


@pytest.mark.parametrize("state", list(machine.State))
def test_every_message_is_either_legal_or_refused_by_a_named_rule(
        state: machine.State) -> None:
    legal, refused = machine.TRANSITIONS[state], machine.REFUSALS[state]
    assert not set(legal) & set(refused)
    for key in SENT_KEYS:
        assert key in legal or key in refused, (state, key)
    # websocket.receive is judged in every state too; connect and disconnect are always legal
    # once connected (an app that replied early still receives its connect).
    assert machine.RECEIVE in legal or machine.RECEIVE in refused
    assert machine.DISCONNECT in legal


def test_tables_name_only_rules_the_validator_claims_to_check() -> None:
    named = {rule for table in (machine.REFUSALS, machine.CAUTIONS)
             for rules in table.values() for rule in rules.values()}
    for rule in named:
        assert RULES[rule].detection in (Detection.SEQUENCE, Detection.STATIC), rule


def _step_kinds(steps: list[Step]) -> dict[int, str]:
    """index -> "recv"/"send": only events and messages take an index."""
    kinds = [action for action, _ in steps if action in ("recv", "send")]
    return dict(enumerate(kinds))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_events_blame_the_server_and_messages_blame_the_app(case: Case) -> None:
    kinds = _step_kinds(case.steps)
    for found in case.run():
        if found.index is None:
            assert found.party is Party.APP  # end-of-call findings are the app's
        else:
            expected = Party.SERVER if kinds[found.index] == "recv" else Party.APP
            assert found.party is expected, found


def test_index_points_at_the_offending_message() -> None:
    case = bad("WS-SEND-003", ws(), CONNECT, ACCEPT, TEXT, ACCEPT, CLOSE, DONE)
    (found,) = case.run()
    assert found.index == 3


def test_end_of_call_findings_have_no_index() -> None:
    (found,) = bad("WS-SEND-001", ws(), CONNECT, TEXT, DONE).run()[1:]
    assert found.rule == "WS-SEND-001" and found.index is None


@pytest.mark.parametrize(("steps", "shown"), [
    ([CONNECT, ("send", {"type": "websocket.accept", "subprotocol": "graphql-ws"})],
     "'graphql-ws'"),
    ([CONNECT, ACCEPT, close_with(code=1006)], "1006"),
    ([CONNECT, ("send", {"type": "http.response.start", "status": 403})],
     "'http.response.start'"),
    ([CONNECT, ACCEPT, ("recv", {"type": "websocket.receive", "bytes": "oops"})], "'oops'"),
    ([CONNECT, ACCEPT, ("raise", RuntimeError("kaboom"))], "RuntimeError('kaboom')"),
])
def test_messages_show_the_offending_value(steps: list[Step], shown: str) -> None:
    (found,) = Case(id="x", scope=ws(subprotocols=["chat"]), steps=steps).run()
    assert shown in found.message


def test_invalid_close_code_is_info_before_accept_and_an_error_after() -> None:
    # After accept uvicorn's send() raises ProtocolError and the client gets no close frame.
    (before,) = bad("WS-SEND-014", ws(), CONNECT, close_with(code=1006)).run()
    (after,) = bad("WS-SEND-014", ws(), CONNECT, ACCEPT, close_with(code=1006)).run()
    assert before.severity is Severity.INFO
    assert after.severity is Severity.ERROR
    assert "HTTP 403" in before.message


def test_close_reason_on_old_spec_is_info() -> None:
    case = bad("WS-SEND-013", ws(asgi={"version": "3.0", "spec_version": "2.2"}), CONNECT,
               ACCEPT, close_with(reason="bye"))
    (found,) = case.run()
    assert found.severity is Severity.INFO and "2.2" in found.message


def test_sending_after_disconnect_is_reported_once_per_connection() -> None:
    case = Case(id="x", scope=ws(), steps=[CONNECT, ACCEPT, DISCONNECT, TEXT, TEXT, CLOSE])
    assert [v.rule for v in case.run()] == ["WS-RECV-005"]


def test_unadvertised_denial_is_reported_once() -> None:
    case = Case(id="x", scope=ws(), steps=[CONNECT, D_START, D_BODY, DONE])
    assert [v.rule for v in case.run()] == ["GEN-APP-015"]


def test_messages_and_scope_are_not_modified() -> None:
    scope = ws(subprotocols=["chat"], extensions={"websocket.http.response": {}})
    steps = [CONNECT, ("send", {"type": "websocket.accept", "subprotocol": "chat",
                                "headers": [[b"x-a", b"1"]]}),
             ("recv", {"type": "websocket.receive", "text": "hi"}), TEXT, CLOSE, DONE]
    before = copy.deepcopy((scope, steps))
    Case(id="x", scope=scope, steps=steps).run()
    assert (scope, steps) == before


def test_garbage_in_scope_does_not_break_the_machine() -> None:
    validator = Validator({"type": "websocket", "asgi": "3.0", "extensions": [1],
                           "subprotocols": iter(["chat"]), "path": "/", "headers": []})
    validator.app_received({"type": "websocket.connect"})
    found = validator.app_sent({"type": "websocket.accept", "subprotocol": "chat"})
    assert found == []  # a one-shot subprotocol iterable is left unread, so not judged


def test_states_print_in_plain_words() -> None:
    assert machine.State.REJECTED.value == "closed before accept (the server answers HTTP 403)"
