"""How the hostile-app tests run pytest: in a subprocess, with a hard timeout.

A thread a hostile app wedges must never live in the process running the suite, and a run that
hangs must fail its test rather than the suite: ``run`` copies ``apps_raise.py`` (with the
``asgi_blocks`` it is built of) into the pytester directory and runs ``pytest --asgicheck=
apps_raise:APP`` there with a short deadline and few examples.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PLUGINS_OFF = ("-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:anyio",
               "-p", "no:cacheprovider")
QUICK = ("--asgicheck-deadline=0.5", "--asgicheck-examples=5")


def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(
        apps_raise=(HERE / "apps_raise.py").read_text(encoding="utf-8"),
        asgi_blocks=(HERE.parents[1] / "asgi_blocks.py").read_text(encoding="utf-8"))
    return pytester


def run(pytester: pytest.Pytester, app: str, *args: str, timeout: float = 30.0
        ) -> tuple[pytest.RunResult, float]:
    """``pytest --asgicheck=apps_raise:APP ARGS`` and how long it took (seconds)."""
    started = time.perf_counter()
    result = project(pytester).runpytest_subprocess(
        *PLUGINS_OFF, f"--asgicheck=apps_raise:{app}", *QUICK, *args, timeout=timeout)
    return result, time.perf_counter() - started


def no_crash(result: pytest.RunResult) -> None:
    """The run ended as a run: failed items, no INTERNALERROR, not interrupted."""
    text = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in text, text
    assert "!!! KeyboardInterrupt !!!" not in text and "(interrupted)" not in text, text
    assert result.ret == pytest.ExitCode.TESTS_FAILED, text
