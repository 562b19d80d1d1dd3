"""An app that raises SystemExit or KeyboardInterrupt (in a handler, in lifespan startup, while
being imported) gets failed items naming what it raised and where; the run goes on and ends
with exit code 1. Only a real Ctrl-C (SIGINT to the process) stops a run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from raise_runs import PLUGINS_OFF, no_crash, project, run


@pytest.mark.parametrize("app, raised", [("exits", "SystemExit"),
                                         ("interrupts", "KeyboardInterrupt")])
def test_a_handler_that_raises_a_base_exception_fails_its_items(pytester: pytest.Pytester,
                                                                 app: str, raised: str) -> None:
    result, _ = run(pytester, app, "--asgicheck-target=GET /")
    no_crash(result)
    result.stdout.fnmatch_lines([
        f"*the app raised {raised}* before http.response.start: the client gets a 500*",
        f"*the app raised {raised} at apps_raise.py:* in {app}: no Exception, so a server "
        f"that catches Exception around the app lets it through*",
    ])
    failed = {line.split(" - ")[0] for line in result.stdout.lines
              if line.startswith("FAILED ")}
    # Every item whose exchanges reach the handler, the fuzzing one (run in the app's thread
    # with Hypothesis) included; the websocket items, which it serves, pass.
    assert {"FAILED asgicheck::http/S01-plain[GET /]",
            "FAILED asgicheck::fuzz/P2-no-server-error[GET /]"} <= failed, failed
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] > 5 and outcomes["failed"] == len(failed)


@pytest.mark.parametrize("app, raised", [("exits_in_startup", "SystemExit"),
                                         ("interrupts_in_startup", "KeyboardInterrupt")])
def test_lifespan_startup_that_raises_a_base_exception_fails_the_lifespan_items(
        pytester: pytest.Pytester, app: str, raised: str) -> None:
    result, _ = run(pytester, app, "--asgicheck-target=GET /", "--asgicheck-no-fuzz")
    no_crash(result)
    result.stdout.fnmatch_lines([f"*LS-APP-002*the app raised {raised}*during startup*",
                                 f"*the app raised {raised} at apps_raise.py:* in {app}*"])
    assert "FAILED asgicheck::lifespan/L03-probe - broke LS-APP-002" in result.stdout.lines
    assert not [line for line in result.stdout.lines
                if line.startswith("FAILED asgicheck::http/")]  # requests are served


@pytest.mark.parametrize("raised", ["SystemExit('bye')", "KeyboardInterrupt"])
def test_a_module_that_raises_a_base_exception_on_import_is_a_usage_error(
        pytester: pytest.Pytester, raised: str) -> None:
    pytester.makepyfile(leaves=f"raise {raised}\n")
    result = pytester.runpytest_subprocess(*PLUGINS_OFF, "--asgicheck=leaves:app", timeout=30)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    name = raised.partition("(")[0]
    result.stderr.fnmatch_lines([f"ERROR: asgicheck: importing 'leaves' (from app "
                                 f"'leaves:app') raised {name}:* at *leaves.py:1; fix the "
                                 f"module*"])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def _sigint_as_at_a_terminal() -> None:
    """In the child, before it starts Python: SIGINT's default action, as a terminal's shell
    gives it. A shell runs a background job (CI's, say) with SIGINT ignored, which its children
    inherit, and Python then installs no KeyboardInterrupt handler at all."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_a_real_ctrl_c_stops_the_run(pytester: pytest.Pytester) -> None:
    project(pytester)
    waiting = pytester.path / "waiting"
    with subprocess.Popen(
            [sys.executable, "-m", "pytest", *PLUGINS_OFF, "--asgicheck=apps_raise:waits",
             "--asgicheck-target=GET /", "--asgicheck-no-fuzz", "--asgicheck-deadline=30"],
            cwd=pytester.path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, preexec_fn=_sigint_as_at_a_terminal) as child:
        try:
            give_up = time.monotonic() + 30
            while not waiting.exists():  # the app is in its handler, waiting forever
                assert child.poll() is None and time.monotonic() < give_up, \
                    child.stdout.read() if child.stdout else ""
                time.sleep(0.02)
            child.send_signal(signal.SIGINT)
            out, _ = child.communicate(timeout=20)
        finally:
            child.kill()
    assert child.returncode == pytest.ExitCode.INTERRUPTED, out
    assert "KeyboardInterrupt" in out, out
