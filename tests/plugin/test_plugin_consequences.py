"""Below MUST, a rule whose breaking breaks something under real servers fails a run by default,
and the failure says what it breaks: ``[SHOULD, breaks under uvicorn 0.55: ...]``. The conforming
twin of each app passes. (tests/live/test_consequences.py shows the servers doing what is said.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from _runs import run

from asgicheck.config import APP_OPTION, TARGET_OPTION
from asgicheck.rules import RULES

HERE = Path(__file__).parent
WS = f"{TARGET_OPTION}=WS /ws"
ECHO = f"{TARGET_OPTION}=POST /echo body=abcdef"
ROOT = f"{TARGET_OPTION}=GET /"

# app, targets, the scenario that shows it, the rule
CASES = [
    ("body_after_complete", ROOT, "S01", "HTTP-SEND-013"),
    ("returns_a_value", ROOT, "S01", "OPS-APP-004"),
    ("skips_empty_chunks", ECHO, "S03", "HTTP-RECV-002"),
    ("late_early_hint", ROOT, "S16", "EH-APP-002"),
    ("send_after_close", WS, "W01", "WS-SEND-015"),
    ("reserved_close_code", WS, "W01", "WS-SEND-014"),
    ("long_close_reason", WS, "W01", "X-WS-002"),
    ("unoffered_subprotocol", WS, "W01", "X-WS-001"),
    ("startup_raises", ROOT, "L01", "LS-APP-002"),
    ("startup_hangs", ROOT, "L03", "LS-APP-001"),
]


@pytest.fixture
def apps(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(consequence_apps=(HERE.parent / "consequence_apps.py").read_text(),
                        asgi_blocks=(HERE.parent / "asgi_blocks.py").read_text())
    return pytester


def test_every_case_is_a_rule_below_must_that_breaks_something() -> None:
    for _, _, _, rule_id in CASES:
        rule = RULES[rule_id]
        assert rule.breaks and rule.level.value != "MUST", rule_id
    # Every rule below MUST whose verdict the consequence changed has its case here.
    changed = {r.id for r in RULES.values() if r.breaks and r.level.value != "MUST"
               and not r.fatal}
    assert changed == {rule for _, _, _, rule in CASES}


@pytest.mark.parametrize(("app", "target", "scenario", "rule"), CASES,
                         ids=[case[0] for case in CASES])
def test_the_run_fails_and_says_what_it_breaks(apps: pytest.Pytester, app: str, target: str,
                                                scenario: str, rule: str) -> None:
    result = run(apps, f"{APP_OPTION}=consequence_apps:{app}", target, "-k", scenario,
                 "--asgicheck-deadline=1")
    assert result.ret == 1, result.stdout.str()
    level = RULES[rule].level.value
    result.stdout.fnmatch_lines([f"{rule} [[]{level}, breaks {RULES[rule].observed[:40]}*"])


def test_the_conforming_twin_passes(apps: pytest.Pytester) -> None:
    result = run(apps, f"{APP_OPTION}=consequence_apps:good", ROOT, WS, ECHO)
    assert result.ret == 0, result.stdout.str()
