"""End-to-end runs of ``pytest --asgicheck=...``: outcomes, failure text, summary, features."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from _runs import run

from asgicheck.config import (
    IGNORE_OPTION,
    JSON_OPTION,
    ONLY_OPTION,
    SELECT_OPTION,
    STRICT_OPTION,
    TARGET_OPTION,
)
from asgicheck.plugin import APP_OPTION
from asgicheck.reports import SCHEMA_VERSION
from asgicheck.rules import RULES

ROOT = f"{TARGET_OPTION}=GET /"
S01 = "-kS01"  # only the plain exchanges, where a test is about something else


def test_a_good_app_passes_and_the_header_says_where_the_app_came_from(
        project: pytest.Pytester) -> None:
    result = run(project, f"{APP_OPTION}=apps:good")
    outcomes = result.parseoutcomes()
    assert result.ret == 0
    assert outcomes["passed"] >= 3 and "failed" not in outcomes
    result.stdout.fnmatch_lines([
        "asgicheck: app=apps:good (from option)",
        "asgicheck: ASGI 3 (async function); spec_version 2.4, deadline 5s",
        "asgicheck: 4 target(s) from defaults (no routes found)",
        "*= asgicheck summary =*",
        "protocol*passed*failed*warned*skipped",
        "total*",
    ])


def test_a_broken_app_fails_with_rule_level_spec_explanation_and_transcript(
        project: pytest.Pytester) -> None:
    result = run(project, f"{APP_OPTION}=apps:bad", ROOT)
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "*_ asgicheck: http/*GET /* _*",
        "*HTTP-SEND-002 [[]MUST] app at fault, message #* -- www.rst § Response Start - send event",
        "  found: a second http.response.start*",
        "  rule:  Only one http.response.start per scope*",
        "transcript:",
        "more: asgicheck explain HTTP-SEND-008",
    ])
    result.stdout.fnmatch_lines(["HTTP-SEND-011*MUST*www.rst § Response Body - send event"])
    result.stdout.fnmatch_lines(["FAILED asgicheck::http/*GET /* - broke HTTP-SEND-*"])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*def runtest*")


def test_warnings_pass_but_are_listed_and_strict_mode_fails_them(
        project: pytest.Pytester) -> None:
    relaxed = run(project, f"{APP_OPTION}=apps:warn", ROOT, "-v", "-k", "S13")
    assert relaxed.ret == 0
    relaxed.stdout.fnmatch_lines([
        "asgicheck::http/S13*GET /* WARNED*",
        "HTTP-RECV-010*SHOULD*-*[1-9]*",
        "warnings (these pass; --asgicheck-strict makes them fail):",
        "  http/*: HTTP-RECV-010 *",
    ])
    strict = run(project, f"{APP_OPTION}=apps:warn", ROOT, STRICT_OPTION, "-k", "S13")
    assert strict.ret == 1
    strict.stdout.fnmatch_lines(["HTTP-RECV-010 [[]SHOULD] app at fault*"])


def test_select_and_ignore_choose_the_rules_that_count(project: pytest.Pytester) -> None:
    ignored = run(project, f"{APP_OPTION}=apps:bad", ROOT, f"{IGNORE_OPTION}=HTTP-SEND", S01)
    assert ignored.ret == 0
    selected = run(project, f"{APP_OPTION}=apps:bad", ROOT, f"{SELECT_OPTION}=http-send-011",
                   S01)
    assert selected.ret == 1
    selected.stdout.fnmatch_lines(["HTTP-SEND-011 [[]MUST]*"])
    selected.stdout.no_fnmatch_line("HTTP-SEND-002 [[]MUST]*")


def test_k_selects_items_by_scenario_id_and_by_rule(project: pytest.Pytester) -> None:
    result = run(project, f"{APP_OPTION}=apps:bad", ROOT, "-k", "S01")
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1 and outcomes["deselected"] > 10 and "passed" not in outcomes
    by_rule = run(project, f"{APP_OPTION}=apps:bad", ROOT, "-k", "HTTP-RECV-003", "--co", "-q")
    by_rule.stdout.fnmatch_lines(["asgicheck::http/S04-*[[]GET /]", "1/* tests collected *"])


def test_junitxml_records_every_item_with_its_failure(project: pytest.Pytester) -> None:
    result = run(project, f"{APP_OPTION}=apps:bad", ROOT, "--junitxml=out.xml", "-k", "S01 or S04")
    cases = list(ET.parse(project.path / "out.xml").getroot().iter("testcase"))
    outcomes = result.parseoutcomes()
    assert len(cases) == outcomes["passed"] + outcomes["failed"] == 2
    assert {case.get("classname") for case in cases} == {"asgicheck"}
    failure = next(c for c in cases if c.get("name") == "http/S01-plain[GET /]").find("failure")
    assert failure is not None and failure.get("message", "").startswith("broke HTTP-SEND-")
    assert "HTTP-SEND-002 [MUST] app at fault" in (failure.text or "")


def test_last_failed_reruns_only_the_failed_items(project: pytest.Pytester) -> None:
    first = run(project, f"{APP_OPTION}=apps:bad", ROOT).parseoutcomes()
    again = run(project, f"{APP_OPTION}=apps:bad", ROOT, "--lf").parseoutcomes()
    assert again["failed"] == first["failed"]
    assert again.get("passed", 0) == 0 and again["deselected"] == first["passed"]


def test_xdist_collects_the_same_items_on_every_worker(project: pytest.Pytester) -> None:
    serial = run(project, f"{APP_OPTION}=apps:bad", ROOT).parseoutcomes()
    result = run(project, f"{APP_OPTION}=apps:bad", ROOT, "-n", "2", f"{JSON_OPTION}=r.json")
    assert result.parseoutcomes() == serial
    result.stdout.fnmatch_lines(["*= asgicheck summary =*", "1 target(s) from declared targets"])
    report = json.loads((project.path / "r.json").read_text())
    assert len(report["results"]) == serial["passed"] + serial["failed"]
    assert [t["label"] for t in report["targets"]] == ["GET /"]


def test_ini_xfail_marks_known_failures(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nxfail_strict = true\nasgicheck_xfail =\n"
                    "    http/S01-*: known bug #12\n")
    result = run(project, f"{APP_OPTION}=apps:bad", ROOT, "-rx", "-k", "S01 or lifespan")
    # The lifespan cycle's request breaks the same HTTP rules, but those are S01's to report.
    result.assert_outcomes(xfailed=1, passed=3, deselected=result.parseoutcomes()["deselected"])
    result.stdout.fnmatch_lines(["XFAIL asgicheck::http/S01-plain[[]GET /] - known bug #12"])
    result.stdout.fnmatch_lines(["protocol  passed  failed  warned  skipped  xfailed",
                                 "http           0       0       0        0        1"])


def test_json_report_schema(project: pytest.Pytester) -> None:
    run(project, f"{APP_OPTION}=apps:bad", ROOT, f"{JSON_OPTION}=reports/asgicheck.json", S01)
    report = json.loads((project.path / "reports" / "asgicheck.json").read_text())
    assert report["schema_version"] == SCHEMA_VERSION
    assert set(report) == {"schema_version", "tool", "app", "options", "targets", "summary",
                           "results"}
    assert report["app"] == {"spec": "apps:bad", "source": "option", "style": "asgi3",
                             "description": "ASGI 3 (async function)"}
    assert report["options"]["spec_version"] == "2.4" and report["options"]["strict"] is False
    assert report["options"]["fuzz"] is None  # these runs pass --asgicheck-no-fuzz
    assert report["summary"]["failed"] is True
    assert report["summary"]["by_rule"]["HTTP-SEND-002"] == {"failed": 1}  # outcomes, per rule
    assert report["summary"]["by_protocol"] == {"http": {"failed": 1}}
    failed = next(r for r in report["results"] if r["status"] == "failed")
    assert set(failed) >= {"scenario_id", "protocol", "status", "violations", "transcript"}
    violation = next(v for v in failed["violations"] if v["rule"] == "HTTP-SEND-002")
    assert violation == {"rule": "HTTP-SEND-002", "severity": "error", "level": "MUST",
                         "party": "app", "spec": "www.rst § Response Start - send event",
                         "message": violation["message"], "index": violation["index"],
                         "fails": True, "breaks": RULES["HTTP-SEND-002"].observed}
    assert isinstance(violation["index"], int)


def test_asgi2_apps_are_accepted_and_the_header_says_so(project: pytest.Pytester) -> None:
    result = run(project, f"{APP_OPTION}=apps:Legacy", ROOT, "-k", "S01 or lifespan")
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "asgicheck: ASGI 2 (class instantiated with the scope), run through "
        "asgiref.compatibility.guarantee_single_callable; *"])


@pytest.mark.parametrize("form", ["env", "ini", "pyproject"])
def test_the_app_can_come_from_env_ini_or_pyproject(project: pytest.Pytester, form: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    source = {"env": "env ASGICHECK_APP", "ini": "ini asgicheck_app",
              "pyproject": "pyproject.toml [tool.asgicheck]"}[form]
    if form == "env":
        monkeypatch.setenv("ASGICHECK_APP", "apps:good")
    elif form == "ini":
        project.makeini("[pytest]\nasgicheck_app = apps:good\nasgicheck_deadline = 2\n")
    else:
        project.makepyprojecttoml('[tool.asgicheck]\napp = "apps:good"\ndeadline = 2\n'
                                  'targets = [{method = "POST", path = "/echo", body = "hi"}]\n')
    result = run(project, ONLY_OPTION, "--co")
    assert result.ret == 0
    result.stdout.fnmatch_lines([f"asgicheck: app=apps:good (from {source})"])
    if form != "env":
        result.stdout.fnmatch_lines(["*deadline 2s*"])
    if form == "pyproject":
        result.stdout.fnmatch_lines(["asgicheck: 1 target(s) from declared targets"])


def test_the_option_wins_over_env_and_ini(project: pytest.Pytester,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASGICHECK_APP", "apps:bad")
    project.makeini("[pytest]\nasgicheck_app = apps:bad\n")
    result = run(project, f"{APP_OPTION}=apps:good", ROOT, "--co")
    result.stdout.fnmatch_lines(["asgicheck: app=apps:good (from option)"])
    assert result.ret == 0


def test_runs_without_test_files_and_without_the_cache_plugin_from_elsewhere(
        project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = project.mkdir("elsewhere")
    monkeypatch.setenv("PYTHONPATH", str(project.path))
    monkeypatch.chdir(elsewhere)
    result = run(project, f"{APP_OPTION}=apps:good", "-p", "no:cacheprovider", S01)
    assert result.ret == 0 and result.parseoutcomes()["passed"] == 4  # S01 on each default


def test_named_paths_run_beside_the_checks_and_otherwise_only_the_checks_run(
        project: pytest.Pytester) -> None:
    project.makepyfile(test_mine="def test_mine():\n    pass\n")
    both = run(project, f"{APP_OPTION}=apps:good", ROOT, "--co", "-q", "test_mine.py")
    both.stdout.fnmatch_lines(["test_mine.py::test_mine", "asgicheck::*"])
    alone = run(project, f"{APP_OPTION}=apps:good", ROOT, "--co", "-q")
    alone.stdout.fnmatch_lines(["asgicheck::*"])
    alone.stdout.no_fnmatch_line("test_mine.py::test_mine")
    only = run(project, f"{APP_OPTION}=apps:good", ROOT, ONLY_OPTION, "--co", "-q",
               "test_mine.py")
    only.stdout.no_fnmatch_line("test_mine.py::test_mine")


def test_without_an_app_the_plugin_collects_nothing_and_imports_nothing(
        project: pytest.Pytester) -> None:
    project.makepyfile(test_modules="""
        import sys

        def test_nothing_heavy_was_imported():
            assert "apps" not in sys.modules
            assert "hypothesis" not in sys.modules
            assert "reference_app" not in sys.modules
            assert "asgicheck.plugin" in sys.modules
    """)
    result = run(project)
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("asgicheck*")
    result.stdout.no_fnmatch_line("*asgicheck summary*")


def test_checking_an_app_imports_neither_hypothesis_nor_reference_app(
        project: pytest.Pytester) -> None:
    # With fuzzing off, that is (QUIET has --asgicheck-no-fuzz): the fuzzing items need it.
    project.makeconftest("""
        import sys

        def pytest_sessionfinish(session):
            heavy = sorted({"hypothesis", "reference_app"} & set(sys.modules))
            print("heavy modules:", heavy or "none")
    """)
    result = run(project, f"{APP_OPTION}=apps:good", ROOT, "-s", S01)
    result.stdout.fnmatch_lines(["*heavy modules: none*"])


def test_explicit_test_paths_leave_out_an_app_configured_in_ini(
        project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nasgicheck_app = apps:good\n")
    project.makepyfile(test_mine="def test_mine():\n    pass\n")
    result = run(project, "test_mine.py", "--co", "-q")
    result.stdout.fnmatch_lines(["test_mine.py::test_mine", "1 test collected*"])
    everything = run(project, "--co", "-q")
    everything.stdout.fnmatch_lines(["test_mine.py::test_mine", "asgicheck::*"])


def test_node_ids_pasted_from_a_failed_line_select_those_items(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nasgicheck_app = apps:bad\n")
    project.makepyfile(test_mine="def test_mine():\n    pass\n")
    result = run(project, "asgicheck::http/S01-plain[GET /]", "asgicheck::http/S04-bare-request")
    outcomes = result.parseoutcomes()
    # S04 on each of the four fallback targets (GET /, POST /, PUT /, the missing path)
    assert (outcomes["failed"], outcomes["passed"]) == (1, 4)
    result.stdout.fnmatch_lines(["FAILED asgicheck::http/S01-plain[[]GET /] - *"])


def test_a_plain_sync_function_is_a_failed_conformance_item(project: pytest.Pytester) -> None:
    # A module that does not import stays a usage error; an object that imports but is a plain
    # `def app(scope, receive, send)` is the most basic conformance failure, reported as such.
    result = run(project, f"{APP_OPTION}=apps:sync_app", f"{JSON_OPTION}=report.json")
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "asgicheck: not an ASGI app (a sync callable taking (scope, receive, send))*",
        "*_ asgicheck: general/G00-asgi-callable _*",
        "broke GEN-APP-001",
        "*'apps:sync_app' is a sync callable taking (scope, receive, send), which is not an "
        "ASGI app: make it `async def`*",
        "FAILED asgicheck::general/G00-asgi-callable - broke GEN-APP-001",
        "*= 1 failed in *",
    ])
    report = json.loads((project.path / "report.json").read_text())
    assert report["app"]["style"] == "not-asgi"
    assert [r["scenario_id"] for r in report["results"]] == ["general/G00-asgi-callable"]


def test_a_skipped_item_is_named_in_the_skip_summary(project: pytest.Pytester) -> None:
    project.makepyfile(http_only=(
        "from apps import good\n\n"
        "async def app(scope, receive, send):\n"
        "    if scope['type'] == 'websocket':\n"
        "        raise ValueError('no websockets here')  # asgi.rst: reject it\n"
        "    await good(scope, receive, send)\n"))
    result = run(project, f"{APP_OPTION}=http_only:app", ROOT, "-rs", "-k", "websocket")
    # The item, not the line of the plugin that skipped it.
    result.stdout.fnmatch_lines(["SKIPPED [[]1[]] asgicheck::websocket/W00-probe[[]WS /[]]: "
                                 "the app does not support websockets*"])
    assert "plugin.py" not in result.stdout.str()
