"""The fuzzing items in ``pytest --asgicheck=...``: collected by default, chosen with -k, run
under xdist, failing with a counterexample and a reproduction, configured by options."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from _runs import FUZZ, PLUGINS_OFF, run, run_inline

from asgicheck.config import JSON_OPTION, TARGET_OPTION
from asgicheck.plugin import APP_OPTION

PLANTED = Path(__file__).parents[1] / "fuzzing" / "planted.py"
ROOT = f"{TARGET_OPTION}=GET /"
ECHO = f"{TARGET_OPTION}=POST /echo"
FEW = "--asgicheck-examples=3"  # the items' budget in these tests: runs stay quick
GOOD_ITEMS = ["fuzz/P1-conformant[GET /]", "fuzz/P2-no-server-error[GET /]",
              "fuzz/P3-chunking-invariance[GET /]", "fuzz/P4-disconnect-anywhere[GET /]"]


@pytest.fixture
def planted(project: pytest.Pytester) -> pytest.Pytester:
    """``project`` plus ``planted.py``, the fuzzing tests' apps with one defect each."""
    project.makepyfile(planted=PLANTED.read_text(encoding="utf-8"))
    return project


def run_as_is(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """``run_inline`` without QUIET's ``--asgicheck-no-fuzz``: the defaults and config rule."""
    pytester.syspathinsert()
    return pytester.runpytest_inprocess(*PLUGINS_OFF, *args)


def collected(result: pytest.RunResult) -> list[str]:
    """The asgicheck item names a ``--co`` run listed (``-q`` leaves out the report header)."""
    found = (re.fullmatch(r"\s*<AsgiCheckItem (.*)>", line) for line in result.outlines)
    return [match[1] for match in found if match]


def test_fuzz_items_pass_on_a_good_app_under_xdist_with_junit_and_json(
        project: pytest.Pytester) -> None:
    result = run(project, f"{APP_OPTION}=apps:good", ROOT, ECHO, FUZZ, FEW, "-k", "fuzz or S01",
                 "--asgicheck-seed=7", "-v", "-n", "2", "--junitxml=junit.xml",
                 f"{JSON_OPTION}=r.json")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["asgicheck: fuzz: up to 3 examples/property/target*"])
    items = [*GOOD_ITEMS, *(name.replace("GET /", "POST /echo") for name in GOOD_ITEMS)]
    for name in items:
        result.stdout.fnmatch_lines([f"*PASSED asgicheck::{name.replace('[', '[[]')}*"])
    # Property items count under the protocol they exercise, as every scenario does.
    result.stdout.fnmatch_lines(["*= asgicheck summary =*", "protocol*", "http *10 *0 *0 *0",
                                 "total*"])
    cases = {case.get("name") for case in ET.parse(project.path / "junit.xml").iter("testcase")}
    assert set(items) <= cases
    report = json.loads((project.path / "r.json").read_text())
    assert sorted(r["scenario_id"] for r in report["results"] if r["scenario_id"] in items) \
        == sorted(items)
    assert report["options"]["fuzz"] == {
        "max_examples": 3, "max_total_examples": 500, "max_total_time": 60.0, "seed": 7,
        "derandomized": False, "profile": None, "allow_5xx": False,
        "properties": ["P1", "P2", "P3", "P4", "P5"]}


def test_no_fuzz_and_keyword_selection_choose_the_items(project: pytest.Pytester) -> None:
    app = f"{APP_OPTION}=apps:good"
    default = collected(run_as_is(project, app, ROOT, "--co"))  # Hypothesis is installed
    assert [n for n in default if n.startswith("fuzz/")] == GOOD_ITEMS
    assert default[0].startswith("lifespan/")  # the fixed scenarios come first
    # ... but for L01 and L02, which end the lifespan session the fuzzing items share too.
    assert default[-2:] == ["lifespan/L01-full", "lifespan/L02-no-state"]
    off = collected(run_inline(project, app, ROOT, FUZZ, "--asgicheck-no-fuzz", "--co"))
    assert off == [n for n in default if not n.startswith("fuzz/")]
    only = collected(run_inline(project, app, ROOT, FUZZ, "-k", "fuzz", "--co"))
    assert only == GOOD_ITEMS
    not_fuzz = collected(run_inline(project, app, ROOT, FUZZ, "-k", "not fuzz", "--co"))
    assert not_fuzz == off
    p3 = collected(run_inline(project, app, ROOT, FUZZ, "-k", "fuzz/P3", "--co"))
    assert p3 == ["fuzz/P3-chunking-invariance[GET /]"]
    by_rule = collected(run_inline(project, app, ROOT, FUZZ, "-k", "fuzz and HTTP-RECV-004",
                                   "--co"))
    assert by_rule == ["fuzz/P4-disconnect-anywhere[GET /]"]


def test_config_turns_fuzzing_off_and_the_command_line_back_on(
        project: pytest.Pytester) -> None:
    project.makepyprojecttoml('[tool.asgicheck]\nfuzz = false\nexamples = 4\n')
    app = f"{APP_OPTION}=apps:good"
    off = collected(run_as_is(project, app, ROOT, "--co"))
    assert off and not [n for n in off if n.startswith("fuzz/")]
    again = run_as_is(project, app, ROOT, FUZZ, "--co")
    again.stdout.fnmatch_lines(["asgicheck: fuzz: up to 4 examples/property/target*"])
    assert [n for n in collected(again) if n.startswith("fuzz/")] == GOOD_ITEMS


def test_items_name_the_route_template_and_ci_derandomizes(
        project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    project.makepyfile(web="""
        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse
        from starlette.routing import Mount, Route, Router

        async def endpoint(request):
            return PlainTextResponse("ok")

        app = Starlette(routes=[Mount("/api", app=Router([
            Route("/items/{item_id:int}", endpoint)]))])
    """)
    monkeypatch.setenv("CI", "true")
    result = run_inline(project, f"{APP_OPTION}=web:app", FUZZ, "--co")
    result.stdout.fnmatch_lines(["asgicheck: fuzz: *, derandomized (CI is set), no database "
                                 "(none named)"])
    assert "fuzz/P1-conformant[GET /api/items/{item_id}]" in collected(result)
    monkeypatch.delenv("CI")
    random = run_inline(project, f"{APP_OPTION}=web:app", FUZZ, "--co")
    database = project.path / ".hypothesis" / "asgicheck"
    random.stdout.fnmatch_lines([f"asgicheck: fuzz: *, random, database {database}"])
    none = run_inline(project, f"{APP_OPTION}=web:app", FUZZ, "--asgicheck-fuzz-database=none",
                      "--co")
    none.stdout.fnmatch_lines(["asgicheck: fuzz: *, random, no database"])


def essentials(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What a seeded run must repeat exactly (durations and timings in transcripts vary)."""
    return [(r["scenario_id"], r["status"], r["details"].get("examples"),
             r["details"].get("example"), r["details"].get("reproduction"))
            for r in report["results"]]


def test_a_planted_defect_fails_with_the_counterexample_and_a_reproduction(
        planted: pytest.Pytester) -> None:
    args = (f"{APP_OPTION}=planted:non_ascii_path", ROOT, FUZZ, "-k", "fuzz/P2",
            "--asgicheck-examples=40", "--asgicheck-seed=1")
    first = run(planted, *args, f"{JSON_OPTION}=first.json", "--asgicheck-replay-dir=replays")
    assert first.ret == 1
    first.stdout.fnmatch_lines([
        "*_ asgicheck: fuzz/P2-no-server-error[[]GET /] _*",
        "broke OPS-APP-001",
        "scenario: *",
        "OPS-APP-001 [[]SHOULD, breaks under uvicorn 0.55 and hypercorn 0.18: a 500 before*] "
        "app at fault*",
        "transcript:",
        "  shrunk counterexample: GET /é*",
        "  reproduce without Hypothesis (paste into a test file):",
        "*app = load_app('planted:non_ascii_path').app",
        "*def test_fuzz_p2_no_server_error_get*",
        "more: asgicheck explain OPS-APP-001",
    ])
    first.stdout.fnmatch_lines(["FAILED asgicheck::fuzz/P2-no-server-error[[]GET /] - broke "
                                "OPS-APP-001*"])
    assert list((planted.path / "replays").glob("*.json"))
    # The same seed: the same items, the same examples, the same report (without the replay
    # directory, whose stored example the next run would try first).
    again = run(planted, *args, f"{JSON_OPTION}=again.json")
    assert again.parseoutcomes() == first.parseoutcomes()
    reports = [json.loads((planted.path / name).read_text()) for name in ("first.json",
                                                                           "again.json")]
    assert essentials(reports[0]) == essentials(reports[1])
    # The reproduction is a test of its own: pasted into a file, it fails without Hypothesis.
    (failed,) = [r for r in reports[0]["results"] if r["status"] == "failed"]
    planted.makepyfile(test_repro=failed["details"]["reproduction"])
    pasted = run_inline(planted, "test_repro.py", "-q")
    pasted.assert_outcomes(failed=1)


@pytest.mark.parametrize("args, message", [
    (["--asgicheck-examples=-1"], "--asgicheck-examples='-1' is not a positive whole number; "
                                  "write e.g. --asgicheck-examples=25"),
    (["--asgicheck-examples=many"], "--asgicheck-examples='many' is not a positive whole"),
    (["--asgicheck-max-examples-total=0"], "--asgicheck-max-examples-total='0' is not a "
                                           "positive whole number"),
    (["--asgicheck-seed=x"], "--asgicheck-seed='x' is not a whole number >= 0; write e.g. "
                             "--asgicheck-seed=1234"),
    (["--asgicheck-hypothesis-profile=nope"], "--asgicheck-hypothesis-profile='nope': *; "
                                              "register it in a conftest.py with*"),
], ids=["negative", "not-a-number", "zero-total", "bad-seed", "unknown-profile"])
def test_malformed_fuzz_options_are_usage_errors(project: pytest.Pytester, args: list[str],
                                                 message: str) -> None:
    result = run_inline(project, f"{APP_OPTION}=apps:good", ROOT, FUZZ, *args, "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: asgicheck: {message}*"])


def test_a_profile_a_conftest_registers_can_be_named(project: pytest.Pytester) -> None:
    project.makeconftest("""
        from hypothesis import settings

        settings.register_profile("asgicheck-test-quick", max_examples=2)
    """)
    result = run_inline(project, f"{APP_OPTION}=apps:good", ROOT, FUZZ, "--co",
                        "--asgicheck-hypothesis-profile=asgicheck-test-quick")
    assert result.ret == 0
    assert "fuzz/P1-conformant[GET /]" in collected(result)


def test_malformed_fuzz_config_keys_are_usage_errors(project: pytest.Pytester) -> None:
    project.makepyprojecttoml('[tool.asgicheck]\nfuzz = "sometimes"\n')
    result = run_as_is(project, f"{APP_OPTION}=apps:good", ROOT, "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: asgicheck: --asgicheck-fuzz='sometimes' is not a "
                                 "boolean; write true or false"])


def test_every_option_reaches_fuzz_settings(tmp_path: Path) -> None:
    from asgicheck.config import fuzz_settings, resolve

    options = {APP_OPTION: "apps:good", "--asgicheck-examples": "3", "--asgicheck-seed": "0",
               "--asgicheck-allow-5xx": True, "--asgicheck-replay-dir": "replays",
               "--asgicheck-hypothesis-profile": "ci"}
    ini = {"asgicheck_max_examples_total": "40", "asgicheck_examples": "9"}
    tool = {"fuzz_database": "none", "fuzz": True}
    settings = resolve(options, ini, {}, tool, rootdir=tmp_path)
    assert settings is not None
    fuzz = fuzz_settings(settings.fuzz, "apps:good")
    assert (fuzz.max_examples, fuzz.min_examples, fuzz.max_total_examples) == (3, 3, 40)
    assert (fuzz.seed, fuzz.allow_5xx, fuzz.replay_dir, fuzz.profile) == (0, True, "replays",
                                                                          "ci")
    assert (fuzz.database, fuzz.app_spec) == (None, "apps:good")
    defaults = resolve({APP_OPTION: "apps:good"}, {}, {}, {}, rootdir=tmp_path)
    assert defaults is not None and defaults.fuzz.enabled  # Hypothesis is installed here
    plain = fuzz_settings(defaults.fuzz, "apps:good")
    assert (plain.max_examples, plain.max_total_examples, plain.min_examples) == (25, 500, 5)
    assert plain.database == str(tmp_path / ".hypothesis" / "asgicheck")
    assert not plain.allow_5xx and plain.seed is None and plain.replay_dir is None
