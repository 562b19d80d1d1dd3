"""A handler that spins on the CPU forever (``while True: pass``) is stopped where it spins: its
items fail with OPS-APP-002 naming the app's stack, and the items after them run at full speed
(issue 19). One that swallows the exception it is stopped with is abandoned, and says so."""

from __future__ import annotations

import pytest
from raise_runs import no_crash, run

ITEMS = ("-k", "S01-plain or P1-conformant or websocket", "--asgicheck-target=GET /",
         "--asgicheck-target=WS /ws")


def test_a_spinning_handler_is_stopped_and_the_run_goes_on(pytester: pytest.Pytester) -> None:
    result, seconds = run(pytester, "spins_on_slash", *ITEMS, "-rfEs")
    no_crash(result)
    result.stdout.fnmatch_lines([
        "*found: the app kept the event loop blocked for * s, past the 0.5 s deadline, so it "
        "could not even be cancelled: it spun at apps_raise.py:* in spin (called from "
        "apps_raise.py:* in spins_on_slash), never awaiting; asgicheck stopped its thread*",
        "*the app's stack when the watchdog looked (outermost first):*",
        "*apps_raise.py:* in spins_on_slash*",
    ])
    failed = sorted(line.partition(" - ")[0] for line in result.stdout.lines
                    if line.startswith("FAILED "))
    # The plain request's hang trips the breaker: the target is not fuzzed, and says why.
    assert failed == ["FAILED asgicheck::http/S01-plain[GET /]"], failed
    result.stdout.fnmatch_lines(["SKIPPED *fuzz/P1-conformant[[]GET /[]]: not run: GET / already "
                                 "hung in http/S01-plain[[]GET /[]]*"])
    assert result.parseoutcomes()["passed"] >= 5  # the websocket items, after the spins
    assert seconds < 20


def test_a_spinning_handler_that_swallows_the_interrupt_is_abandoned(
        pytester: pytest.Pytester) -> None:
    result, _ = run(pytester, "spins_swallowing", "-k", "S01-plain",
                    "--asgicheck-target=GET /")
    no_crash(result)
    result.stdout.fnmatch_lines([
        "*it spun at apps_raise.py:* in spin_swallowing (called from apps_raise.py:* in "
        "spins_swallowing) and swallowed the exception asgicheck raised there 5 times (a "
        "bare except, or except BaseException, in the loop); its thread was abandoned, still "
        "spinning*"])
