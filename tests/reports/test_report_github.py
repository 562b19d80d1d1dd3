"""GitHub Actions annotations: the workflow commands, where they point, and a real run."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

import pytest
from _report_runs import HERE, QUIET, Run
from report_apps import broken

from asgicheck.config import APP_OPTION, TARGET_OPTION
from asgicheck.reports.github import app_location, commands, enabled, for_run

ROOT = HERE.parents[1]


def _record(scenario_id: str, *violations: dict[str, Any], xfailed: bool = False
            ) -> dict[str, Any]:
    return {"scenario_id": scenario_id, "violations": list(violations), "xfailed": xfailed}


def _finding(rule: str, message: str, *, fails: bool = True, severity: str = "error"
             ) -> dict[str, Any]:
    return {"rule": rule, "message": message, "fails": fails, "severity": severity}


def test_one_command_per_rule_and_message_errors_first() -> None:
    same = _finding("HTTP-SEND-002", "a second http.response.start")
    records = [
        _record(f"http/S0{n}-x[GET /]", same) for n in range(1, 6)
    ] + [
        _record("http/S06-y[GET /]", _finding("HTTP-RECV-005", "send() after disconnect",
                                              fails=False, severity="warning"),
                _finding("GEN-APP-013", "noted", fails=False, severity="info")),
        _record("http/S09-z[GET /]", _finding("HTTP-SEND-008", "upper case"), xfailed=True),
    ]
    assert commands(records, location=("app/main.py", 12)) == [
        "::error file=app/main.py,line=12,title=HTTP-SEND-002::a second http.response.start "
        "(in http/S01-x[GET /], http/S02-x[GET /], http/S03-x[GET /] and 2 more; "
        "see `asgicheck explain HTTP-SEND-002`)",
        "::warning file=app/main.py,line=12,title=HTTP-RECV-005::send() after disconnect "
        "(in http/S06-y[GET /]; see `asgicheck explain HTTP-RECV-005`)",
    ]


def test_messages_and_properties_are_escaped_as_the_actions_toolkit_does() -> None:
    records = [_record("s", _finding("HTTP-SEND-011", "100% wrong\r\nbody"))]
    (line,) = commands(records, location=("dir,x/a:b.py", None))
    assert line.startswith("::error file=dir%2Cx/a%3Ab.py,title=HTTP-SEND-011::100%25 wrong"
                           "%0D%0Abody (in s;")
    assert "\n" not in line and "line=" not in line


def test_only_on_github_actions(tmp_path: Path) -> None:
    assert enabled({"GITHUB_ACTIONS": "true"}) and not enabled({}) \
        and not enabled({"GITHUB_ACTIONS": "false"})
    records = [_record("s", _finding("HTTP-SEND-011", "str body"))]
    assert for_run(records, spec="m:app", app=object(), env={}, rootpath=tmp_path) == []
    assert for_run(records, spec="m:app", app=object(), env={"GITHUB_ACTIONS": "true"},
                   rootpath=tmp_path) == [
        "::error title=HTTP-SEND-011::str body (in s; see `asgicheck explain HTTP-SEND-011`)"]


async def an_app(scope: Any, receive: Any, send: Any) -> None:
    """A function defined in this file: its location is known to Python."""


def test_the_location_of_a_function_app_is_its_def_line() -> None:
    line = inspect.getsourcelines(an_app)[1]
    assert app_location(f"{__name__}:an_app", an_app, ROOT) == (
        "tests/reports/test_report_github.py", line)
    assert app_location(f"{__name__}:an_app", an_app, ROOT / "asgicheck") is None  # outside


def test_the_location_of_an_instance_is_the_line_that_names_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "made.py").write_text("class App:\n    async def __call__(self, s, r, w): ...\n"
                                      "\n\napplication: App = App()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import made  # type: ignore[import-not-found]

    # The instance's class is in the file too, but the name is what the user wrote.
    assert app_location("made:application", made.application, tmp_path) == ("made.py", 5)
    assert app_location("made:application", made.application, tmp_path / "elsewhere") is None
    monkeypatch.delitem(sys.modules, "made")


def test_a_run_on_github_actions_prints_annotations(pytester: pytest.Pytester,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(report_apps=(HERE / "report_apps.py").read_text(),
                        asgi_blocks=(HERE.parent / "asgi_blocks.py").read_text())
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(pytester.path))
    result = pytester.runpytest_subprocess(*QUIET, f"{APP_OPTION}=report_apps:broken",
                                           f"{TARGET_OPTION}=GET /", "-k", "S01 or S06")
    assert result.ret == 1
    line = inspect.getsourcelines(broken)[1]
    result.stdout.fnmatch_lines([
        f"::error file=report_apps.py,line={line},title=HTTP-SEND-008::http.response.start "
        f"header name b'X-Script' is not lowercase * (in http/S01-plain[[]GET /]; *",
        f"::error file=report_apps.py,line={line},title=HTTP-SEND-011::*",
        f"::warning file=report_apps.py,line={line},title=HTTP-RECV-005::*"
        f"(in http/S06-disconnect-first[[]GET /]; see `asgicheck explain HTTP-RECV-005`)",
    ])


def test_no_annotations_off_github_actions(failing_run: Run) -> None:
    assert "::error" not in failing_run.stdout and "::warning" not in failing_run.stdout
