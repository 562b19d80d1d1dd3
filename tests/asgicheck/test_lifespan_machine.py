"""The lifespan state machine, fed plain lists of events and messages (no I/O)."""

from __future__ import annotations

import pytest
from bad_cases_lifespan import (
    CASES,
    DONE,
    SHUTDOWN,
    START_FAILED,
    STARTED,
    STARTUP,
    STOPPED,
    raises,
)
from cases import Case, Step, bad, lifespan_scope

from asgicheck.rules import RULES
from asgicheck.validator import _lifespan as machine
from asgicheck.violations import Detection, Party, Severity

APP_TYPES = (machine.STARTUP_COMPLETE, machine.STARTUP_FAILED, machine.SHUTDOWN_COMPLETE,
             machine.SHUTDOWN_FAILED)
EVENT_TYPES = (machine.STARTUP, machine.SHUTDOWN)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case) -> None:
    assert {v.rule for v in case.run()} == case.expect


@pytest.mark.parametrize("state", list(machine.State))
def test_every_type_is_either_legal_or_refused_by_a_named_rule(state: machine.State) -> None:
    legal, refused = machine.TRANSITIONS[state], machine.REFUSALS[state]
    assert not set(legal) & set(refused)
    for key in APP_TYPES + EVENT_TYPES:
        assert key in legal or key in refused, (state, key)
    assert state in machine.ENDINGS


def test_tables_name_only_rules_the_validator_claims_to_check() -> None:
    named = {rule for rules in machine.REFUSALS.values() for rule in rules.values()}
    named |= {rule for pair in machine.ENDINGS.values() for rule in pair if rule}
    for rule in named:
        assert RULES[rule].detection in (Detection.SEQUENCE, Detection.STATIC), rule


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_events_blame_the_server_and_messages_blame_the_app(case: Case) -> None:
    kinds = dict(enumerate(a for a, _ in case.steps if a in ("recv", "send")))
    for found in case.run():
        if found.index is None:
            assert found.party is Party.APP
        else:
            expected = Party.SERVER if kinds[found.index] == "recv" else Party.APP
            assert found.party is expected, found


def test_second_answer_names_the_first_and_points_at_itself() -> None:
    case = bad("LS-SEND-002", lifespan_scope(), STARTUP, STARTED, START_FAILED)
    (found,) = case.run()
    assert found.index == 2
    assert "'lifespan.startup.complete'" in found.message
    assert "'lifespan.startup.failed'" in found.message


@pytest.mark.parametrize(("steps", "rule", "severity"), [
    # During startup a raise stops uvicorn --lifespan on, and by default the app is served
    # without its startup: an error, whatever the SHOULD. Later raises are only logged.
    ([STARTUP, raises(RuntimeError("db"))], "LS-APP-002", Severity.ERROR),
    ([STARTUP, STARTED, raises(RuntimeError("db"))], "LS-APP-002", Severity.WARNING),
    ([STARTUP, STARTED, SHUTDOWN, raises(RuntimeError("db"))], "LS-APP-002", Severity.WARNING),
    ([STARTUP, STARTED, SHUTDOWN, STOPPED, raises(RuntimeError("db"))], "LS-APP-003",
     Severity.WARNING),
], ids=["during-startup", "after-startup", "during-shutdown", "after-shutdown"])
def test_raising_shows_the_exception_and_fails_only_during_startup(
        steps: list[Step], rule: str, severity: Severity) -> None:
    (found,) = Case(id="x", scope=lifespan_scope(), steps=steps).run()
    assert found.rule == rule
    assert found.severity is severity
    assert "RuntimeError('db')" in found.message
    assert found.index is None


def test_raising_before_startup_declines_lifespan() -> None:
    case = Case(id="x", scope=lifespan_scope(), steps=[raises(ValueError("no lifespan"))])
    assert case.run() == []


def test_server_ordering_errors_are_the_servers() -> None:
    (found,) = bad("LS-SRV-004", lifespan_scope(), SHUTDOWN, DONE).run()
    assert found.party is Party.SERVER and found.index == 0
    assert "'lifespan.shutdown'" in found.message
