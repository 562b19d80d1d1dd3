"""Campaign mode (``--asgicheck-fuzz-budget``) and splitting a run over machines: the budget
is spread over the items this machine runs, under xdist too; progress is printed; the end says
what was found and where it is kept; pytest-split's groups are disjoint and cover every item."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from _runs import FUZZ, run, run_inline

from asgicheck.config import JSON_OPTION, TARGET_OPTION
from asgicheck.plugin import APP_OPTION

PLANTED = Path(__file__).parents[1] / "fuzzing" / "planted.py"
ROOT = f"{TARGET_OPTION}=GET /"
ECHO = f"{TARGET_OPTION}=POST /echo"


def test_a_campaign_reports_what_it_found_and_where_it_is_kept(
        project: pytest.Pytester) -> None:
    project.makepyfile(planted=PLANTED.read_text(encoding="utf-8"))
    result = run(project, f"{APP_OPTION}=planted:non_ascii_path", ROOT, FUZZ, "-k", "fuzz",
                 "--asgicheck-fuzz-budget=200", "--asgicheck-seed=1",
                 "--asgicheck-fuzz-database=db", "--asgicheck-replay-dir=replays",
                 f"{JSON_OPTION}=r.json")
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "asgicheck: fuzz: campaign of 200 examples over the property items, seed 1, database db",
        "*asgicheck campaign: found fuzz/P2-no-server-error[[]GET /]: OPS-APP-001; shrunk "
        "counterexample: GET /é",
        "*asgicheck campaign: 4/4 property items, * examples (*/s), 1 failing, *s",
        "*= asgicheck campaign =*",
        "budget 200 examples on 1 worker(s): 4 property items",
        "ran * examples in *s: * examples/s",
        "found 1 failing property item(s):",
        "  fuzz/P2-no-server-error[[]GET /]: OPS-APP-001; shrunk counterexample: GET /é",
        "saved in the example database db: every run that uses it replays these first",
        "replay files: replays*.json",
        "report: r.json",
    ])
    report = json.loads((project.path / "r.json").read_text())
    examples = {r["scenario_id"]: r["details"]["examples"] for r in report["results"]}
    # 200 examples over 4 items: 50 each at most (fewer where Hypothesis ran out of inputs,
    # or stopped at the failure).
    assert all(1 <= count <= 50 for count in examples.values()), examples
    assert sum(examples.values()) > 50  # past the default per-item budget of 25 somewhere
    assert any((project.path / "db").rglob("*"))


def test_a_time_campaign_under_xdist_shares_the_time_among_the_workers(
        project: pytest.Pytester) -> None:
    result = run(project, f"{APP_OPTION}=apps:good", ROOT, FUZZ, "-k", "fuzz", "-n", "2",
                 "--asgicheck-fuzz-budget=2s", "--asgicheck-seed=3")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines([
        "*asgicheck campaign: 4/4 property items, * examples (*/s), 0 failing, * of 2s",
        "*= asgicheck campaign =*",
        "budget 2s on 2 worker(s): 4 property items, 1.0 s each",
        "ran * examples in *s: * examples/s",
        "found no failing property",
    ])


def test_the_budget_comes_from_ini_or_pyproject_and_bad_ones_are_refused(
        project: pytest.Pytester) -> None:
    app = f"{APP_OPTION}=apps:good"
    project.makepyprojecttoml("[tool.asgicheck]\nfuzz_budget = 20000\n")
    result = run_inline(project, app, ROOT, FUZZ, "--co")
    result.stdout.fnmatch_lines(["asgicheck: fuzz: campaign of 20000 examples over the "
                                 "property items, *"])
    project.makeini("[pytest]\nasgicheck_fuzz_budget = 1h30m\n")
    result = run_inline(project, app, ROOT, FUZZ, "--co")
    result.stdout.fnmatch_lines(["asgicheck: fuzz: campaign of 1h30m over the property items*"])
    bad = run_inline(project, app, ROOT, FUZZ, "--co", "--asgicheck-fuzz-budget=soon")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["ERROR: asgicheck: --asgicheck-fuzz-budget='soon' is neither a "
                              "time nor a number of examples; write e.g. "
                              "--asgicheck-fuzz-budget=10m*"])


SLOW_APP = """
import asyncio

from asgi_blocks import read_body, respond

async def app(scope, receive, send):
    if scope["type"] != "http":
        raise ValueError("only HTTP is served here")
    if await read_body(receive) is None:
        return
    await asyncio.sleep(0.3)  # a slow database: every answer takes 0.3 s
    await respond(send, method=scope["method"])
"""


def test_a_slow_apps_fuzzing_shares_the_runs_time_and_says_what_it_cut(
        project: pytest.Pytester) -> None:
    project.makepyfile(slow=SLOW_APP)
    result = run(project, f"{APP_OPTION}=slow:app", ROOT, FUZZ, "-k", "P1 or P2",
                 "--asgicheck-fuzz-time=2s", "--asgicheck-seed=1", "--durations=0",
                 "-vv", "--asgicheck-json=r.json")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines([
        "asgicheck: fuzz: up to 25 examples/property/target (at most 500 in all, 2s of the "
        "run's time), seed 1, *",
        "fuzzing cut short by time (1.0 s each; --asgicheck-fuzz-time gives the items more): "
        "these items ran fewer examples than planned",
        "  fuzz/P1-conformant?GET /?: * of 25 examples",  # ? for [ and ]: fnmatch's classes
        "  fuzz/P2-no-server-error?GET /?: * of 25 examples",
    ])
    report = json.loads((project.path / "r.json").read_text())
    details = {r["scenario_id"]: r["details"] for r in report["results"]}
    assert report["options"]["fuzz"]["max_total_time"] == 2.0
    for item in ("fuzz/P1-conformant[GET /]", "fuzz/P2-no-server-error[GET /]"):
        # 2 s over two items: 1 s each, room for a few 0.3 s exchanges, not 25.
        assert details[item]["over_budget"] is True, details[item]
        assert details[item]["time_budget"] == 1.0
        assert 1 <= details[item]["examples"] <= 5, details[item]
    durations = [float(m) for m in re.findall(r"^([\d.]+)s call .*fuzz/", result.stdout.str(),
                                                re.MULTILINE)]
    assert len(durations) == 2 and all(d < 3 for d in durations), durations


def test_the_runs_fuzzing_time_comes_from_the_option_and_bad_ones_are_refused(
        project: pytest.Pytester) -> None:
    app = f"{APP_OPTION}=apps:good"
    for given, shown in (("90", "1m30s"), ("2m", "2m"), ("7.5s", "7.5s")):
        result = run_inline(project, app, ROOT, FUZZ, "--co", f"--asgicheck-fuzz-time={given}")
        result.stdout.fnmatch_lines([f"asgicheck: fuzz: up to 25 examples/property/target "
                                     f"(at most 500 in all, {shown} of the run's time), *"])
    project.makepyprojecttoml('[tool.asgicheck]\nfuzz_time = "none"\n')
    result = run_inline(project, app, ROOT, FUZZ, "--co")
    result.stdout.fnmatch_lines(["asgicheck: fuzz: up to 25 examples/property/target "
                                 "(at most 500 in all), *"])
    bad = run_inline(project, app, ROOT, FUZZ, "--co", "--asgicheck-fuzz-time=soon")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["ERROR: asgicheck: --asgicheck-fuzz-time='soon' is not a time; "
                              "write e.g. --asgicheck-fuzz-time=60s*"])


def collected_ids(result: pytest.RunResult) -> list[str]:
    """The node IDs a ``--co -q`` run listed."""
    return [line for line in result.outlines if line.startswith("asgicheck::")]


def test_pytest_split_groups_cover_every_item_once_with_stable_ids(
        project: pytest.Pytester) -> None:
    args = (f"{APP_OPTION}=apps:good", ROOT, ECHO, FUZZ)
    everything = collected_ids(run_inline(project, *args, "--co", "-q"))
    assert len(everything) > 40 and everything == \
        collected_ids(run_inline(project, *args, "--co", "-q"))  # the same IDs every time
    groups = [collected_ids(run_inline(project, *args, "--co", "-q", "--splits", "3",
                                       "--group", str(k))) for k in (1, 2, 3)]
    assert sorted(sum(groups, [])) == sorted(everything)
    assert all(groups) and sum(len(g) for g in groups) == len(everything)
    # Durations stored by one run split the next by time; the IDs are the keys.
    stored = run_inline(project, *args, "-k", "S0", "--store-durations",
                        "--durations-path=durations.json", "-q")
    assert stored.ret == 0
    durations = json.loads((project.path / "durations.json").read_text())
    assert durations and set(durations) <= set(everything)
    timed = [collected_ids(run_inline(project, *args, "--co", "-q", "--splits", "2", "--group",
                                      str(k), "--durations-path=durations.json"))
             for k in (1, 2)]
    assert sorted(timed[0] + timed[1]) == sorted(everything)


def test_a_campaign_in_a_split_group_spreads_over_that_groups_items(
        project: pytest.Pytester) -> None:
    args = (f"{APP_OPTION}=apps:good", ROOT, ECHO, FUZZ, "-k", "fuzz", "--asgicheck-seed=1",
            "--asgicheck-fuzz-budget=80", "--splits", "2")
    counts = []
    for group in ("1", "2"):
        result = run(project, *args, "--group", group)
        assert result.ret == 0, result.stdout.str()
        line = next(line for line in result.outlines if line.startswith("budget 80 examples"))
        found = re.fullmatch(r"budget 80 examples on 1 worker\(s\): (\d+) property items", line)
        assert found is not None, line
        counts.append(int(found[1]))
    assert sum(counts) == 8 and all(counts)
