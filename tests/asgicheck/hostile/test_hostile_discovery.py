"""Discovery's calls into the app (the route tables, ``GET /openapi.json``) run under the
driver's watchdog: an app that spins, sleeps or raises SystemExit/KeyboardInterrupt there gives
a failed ``general/discovery[...]`` item within the deadline, and the run goes on with the
default targets (issue 20)."""

from __future__ import annotations

import pytest
from raise_runs import no_crash, run

PROBE = "FAILED asgicheck::general/discovery[GET /openapi.json]"


def _failed(result: pytest.RunResult) -> list[str]:
    """The FAILED lines, without what follows the item (pytest cuts it to the width)."""
    return [line.partition(" - ")[0] for line in result.stdout.lines
            if line.startswith("FAILED ")]


@pytest.mark.parametrize("app, what", [
    ("openapi_spins", "it spun at apps_raise.py:* in spin (called from apps_raise.py:* in "
                      "openapi_spins), never awaiting; asgicheck stopped its thread*"),
    ("openapi_sleeps", "it was blocked at apps_raise.py:* in openapi_sleeps in a call no "
                       "exception can interrupt (time.sleep*its thread was abandoned*"),
])
def test_an_openapi_path_that_hangs_is_a_failed_item_within_the_deadline(
        pytester: pytest.Pytester, app: str, what: str) -> None:
    result, seconds = run(pytester, app, "--asgicheck-no-fuzz")
    no_crash(result)
    result.stdout.fnmatch_lines([
        "*OPS-APP-002*",
        f"*found: the app kept the event loop blocked for * s, past the 0.5 s deadline, so it "
        f"could not even be cancelled: {what}",
        "*note: GET /openapi.json, which asgicheck sends to find the app's routes, did not end "
        "within the deadline; no routes from it; the run goes on without them*",
        "*[[]discovery[]] http GET /openapi.json*",
        "*4 target(s) from defaults (no routes found)*",
    ])
    assert _failed(result) == [PROBE]
    result.stdout.fnmatch_lines(["broke OPS-APP-002, OPS-APP-003"])
    assert seconds < 20  # openapi_sleeps' sleep is 30 s: nothing waits for it


def test_an_openapi_path_that_raises_system_exit_is_a_failed_item(
        pytester: pytest.Pytester) -> None:
    result, _ = run(pytester, "openapi_exits", "--asgicheck-no-fuzz")
    no_crash(result)
    result.stdout.fnmatch_lines([
        "*note: GET /openapi.json, which asgicheck sends to find the app's routes, made the "
        "app raise SystemExit(3); no routes from it*",
        "*the app raised SystemExit at apps_raise.py:* in openapi_exits*",
    ])
    assert _failed(result) == [PROBE]
    result.stdout.fnmatch_lines(["broke OPS-APP-001"])


def test_route_table_code_that_raises_keyboard_interrupt_is_a_failed_item(
        pytester: pytest.Pytester) -> None:
    result, _ = run(pytester, "openapi_interrupts", "--asgicheck-no-fuzz")
    no_crash(result)
    result.stdout.fnmatch_lines([
        "*note: reading the app's route tables raised KeyboardInterrupt() at apps_raise.py:* "
        "in openapi; asgicheck carried on as if the app had none*"])
    assert _failed(result) == ["FAILED asgicheck::general/discovery[route tables]"]


def test_route_table_code_that_spins_is_stopped_at_its_limit(pytester: pytest.Pytester
                                                             ) -> None:
    # The tables' limit is at least TABLES_AT_LEAST (5 s); shorter here, for the suite's sake.
    pytester.makeconftest("import asgicheck.discovery\n"
                          "asgicheck.discovery.TABLES_AT_LEAST = 0.5\n")
    result, seconds = run(pytester, "openapi_method_spins", "--asgicheck-no-fuzz")
    no_crash(result)
    result.stdout.fnmatch_lines([
        "*found: reading the app's route tables did not return within 0.5 s: it spun at "
        "apps_raise.py:* in spin (called from apps_raise.py:* in openapi), never awaiting; "
        "asgicheck stopped its thread*"])
    assert _failed(result) == ["FAILED asgicheck::general/discovery[route tables]"]
    result.stdout.fnmatch_lines(["broke OPS-APP-002"])
    assert seconds < 20


def test_a_conforming_app_serving_no_openapi_path_gets_no_discovery_item(
        pytester: pytest.Pytester) -> None:
    result, _ = run(pytester, "good", "--asgicheck-no-fuzz")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert "general/discovery" not in result.stdout.str()
