"""The HTTP state machine, fed lists of message dicts (no event loop, no app)."""

from __future__ import annotations

import pytest
from bad_cases_http import CASES
from cases import BODY, DONE, REQUEST, START, http_scope

from asgicheck import Validator
from asgicheck.validator._http import TRANSITIONS, State
from asgicheck.violations import Party, Severity


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_case(case):  # type: ignore[no-untyped-def]
    assert {v.rule for v in case.run()} == case.expect


def test_index_points_at_the_offending_message():
    validator = Validator(http_scope())
    validator.app_received(REQUEST[1])
    validator.app_sent(START[1])
    found = validator.app_sent(START[1])
    assert [(v.rule, v.index) for v in found] == [("HTTP-SEND-002", 2)]


def test_message_shows_the_offending_value_and_cites_the_spec():
    validator = Validator(http_scope())
    validator.app_received(REQUEST[1])
    (found,) = validator.app_sent({"type": "http.response.start", "status": "200"})
    assert "'200'" in found.message
    assert found.spec == "www.rst § Response Start - send event"
    assert found.party is Party.APP and found.severity is Severity.ERROR
    assert "HTTP-SEND-006" in str(found) and "www.rst" in str(found)


def test_server_side_rules_blame_the_server():
    validator = Validator(http_scope())
    validator.app_received(REQUEST[1])
    (found,) = validator.app_received(REQUEST[1])
    assert found.rule == "HTTP-EVT-004" and found.party is Party.SERVER


def test_completion_is_not_required_after_a_disconnect():
    validator = Validator(http_scope())
    validator.app_received({"type": "http.disconnect"})
    assert validator.app_returned(None) == []


def test_every_state_is_in_the_table():
    assert set(TRANSITIONS) == set(State)


def test_clean_exchange_reports_nothing_and_mutates_nothing():
    scope = http_scope()
    messages = [REQUEST[1], START[1], BODY[1]]
    snapshot = repr((scope, messages))
    validator = Validator(scope)
    validator.app_received(messages[0])
    validator.app_sent(messages[1])
    validator.app_sent(messages[2])
    validator.app_returned(DONE[1])
    assert validator.violations == []
    assert repr((scope, messages)) == snapshot


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_fast_paths_find_what_the_full_path_finds(case, monkeypatch):  # type: ignore[no-untyped-def]
    import asgicheck.validator._http

    fast = [(v.rule, v.index, v.message) for v in case.run()]
    monkeypatch.setattr(asgicheck.validator._http, "FAST_PATHS", False)
    assert [(v.rule, v.index, v.message) for v in case.run()] == fast


def test_own_exception_after_disconnect_fails_as_in_middleware_mode():
    # matrix CB-2: app mode let any exception after http.disconnect pass, while middleware mode
    # reported the same behaviour as OPS-APP-001 (a warning that fails: the rule is fatal).
    from asgicheck.selection import DEFAULT

    validator = Validator(http_scope(method="POST"))
    validator.app_received({"type": "http.disconnect"})
    (found,) = validator.app_raised(RuntimeError("No response returned."))
    assert found.rule == "OPS-APP-001" and found.severity is Severity.WARNING
    assert "No response returned." in found.message and DEFAULT.fails(found)
    assert found.spec == "asgi.rst § Error Handling"


def send_failed_mid_stream() -> tuple[Validator, OSError]:
    """A validator that saw a response start streaming and the next send() raise."""
    validator = Validator(http_scope())
    validator.app_received(REQUEST[1])
    validator.app_sent(START[1])
    validator.app_sent({"type": "http.response.body", "body": b"a", "more_body": True})
    error = OSError("client disconnected")
    validator.send_failed(error)
    return validator, error


def test_reraising_the_send_error_after_a_disconnect_is_exempt():
    validator, error = send_failed_mid_stream()
    assert validator.app_raised(error) == []


def test_an_error_raised_from_a_task_group_holding_the_send_error_is_exempt():
    # Litestar streams in an anyio task group: send()'s OSError reaches it inside an
    # ExceptionGroup, and it raises LitestarException from that group.
    import builtins

    group_type = getattr(builtins, "ExceptionGroup", None)
    if group_type is None:
        pytest.skip("ExceptionGroup is Python 3.11+")
    validator, error = send_failed_mid_stream()
    raised = RuntimeError("Exception caught after response started")
    raised.__cause__ = group_type("unhandled errors in a TaskGroup", [error])
    assert validator.app_raised(raised) == []


@pytest.mark.parametrize(("headers", "announced"), [
    ([], False),
    ([[b"host", b"x"], [b"accept", b"*/*"]], False),
    ([[b"content-length", b"0"]], False),
    ([[b"content-length", b""]], False),
    ([[b"content-length", b"3"]], True),
    ([(b"Content-Length", b"3")], True),  # names "should be" lowercase, not must
    ([[b"transfer-encoding", b"chunked"]], True),
    ([[b"EXPECT", b"100-continue"]], True),
    ([[b"content-lengthx", b"3"], [b"xexpect", b"1"]], False),
    ([["content-length", b"3"]], False),  # not bytes: HTTP-SCOPE-010's business, not this
])
def test_answering_unread_is_noted_only_when_a_body_was_announced(headers, announced):  # type: ignore[no-untyped-def]
    validator = Validator(http_scope(method="POST", headers=headers))
    found = {v.rule for v in validator.app_sent(START[1])}
    assert ("HTTP-RECV-001" in found) is announced
