"""``asgicheck merge-reports``: the JSON reports of a run split over machines (pytest-split
groups) merge into the report the whole run writes, valid against the schema, and render as
HTML; reports that are not one run's are refused, and disagreements are named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from _runs import QUIET

from asgicheck.cli import main
from asgicheck.config import JSON_OPTION, TARGET_OPTION
from asgicheck.plugin import APP_OPTION
from asgicheck.reports import SCHEMA_VERSION, MergeError, merge_reports
from asgicheck.reports.schema import SCHEMA

HERE = Path(__file__).parent
ARGS = (f"{APP_OPTION}=apps:bad", f"{TARGET_OPTION}=GET /", f"{TARGET_OPTION}=POST /echo")


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def essentials(document: Any) -> list[tuple[Any, ...]]:
    """What a merged report must hold like the whole run's (durations and timings vary)."""
    return [(r["scenario_id"], r["status"], [v["rule"] for v in r["violations"]])
            for r in document["results"]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the whole run's report (whole.json) and its two pytest-split shards'
    (shard-1.json, shard-2.json), each written by its own pytest process."""
    where = tmp_path_factory.mktemp("shards")
    (where / "apps.py").write_text((HERE / "sample_apps.py").read_text(encoding="utf-8"))
    (where / "asgi_blocks.py").write_text((HERE.parent / "asgi_blocks.py").read_text("utf-8"))
    for name, split in (("whole", ()), ("shard-1", ("--splits", "2", "--group", "1")),
                        ("shard-2", ("--splits", "2", "--group", "2"))):
        subprocess.run([sys.executable, "-m", "pytest", *QUIET, "-p", "no:cacheprovider", *ARGS,
                        *split, f"{JSON_OPTION}={name}.json"], cwd=where, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(where)}, timeout=120, check=False)
    return where


@pytest.fixture
def shards(runs: Path, pytester: pytest.Pytester) -> tuple[pytest.Pytester, list[Path]]:
    """pytester's directory (the current one), and the shards' reports."""
    return pytester, [runs / "shard-1.json", runs / "shard-2.json"]


def test_the_shards_merge_into_the_whole_runs_report(
        shards: tuple[pytest.Pytester, list[Path]], capsys: pytest.CaptureFixture[str]) -> None:
    project, paths = shards
    out, html = project.path / "all.json", project.path / "all.html"
    code = main(["merge-reports", *map(str, paths), "-o", str(out), "--html", str(html)])
    assert code == 0
    whole, merged = load(paths[0].parent / "whole.json"), load(out)
    parts = [load(path) for path in paths]
    assert all(part["results"] for part in parts)
    assert len(merged["results"]) == sum(len(part["results"]) for part in parts)
    assert essentials(merged) == essentials(whole)
    assert merged["summary"] == whole["summary"] and merged["summary"]["failed"]
    assert merged["targets"] == whole["targets"] and merged["options"] == whole["options"]
    jsonschema.Draft202012Validator(SCHEMA).validate(merged)
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "asgicheck FAILED: apps:bad" in page
    total = whole["summary"]["total"]
    assert capsys.readouterr().out == (
        f"merged 2 reports: {len(whole['results'])} results ({total['failed']} failed, "
        f"{total['passed']} passed" + (f", {total['warned']} warned" if total.get("warned")
                                       else "")
        + (f", {total['skipped']} skipped" if total.get("skipped") else "")
        + f") -> {out}, {html}\n")


def test_disagreements_are_named_and_the_last_report_wins(
        shards: tuple[pytest.Pytester, list[Path]]) -> None:
    project, paths = shards
    first, second = (load(path) for path in paths)
    rerun = json.loads(json.dumps(first))
    rerun["results"][0]["status"] = "passed"
    rerun["options"]["deadline"] = 9.0
    merged, notes = merge_reports([("a.json", first), ("b.json", second), ("rerun.json", rerun)])
    scenario = first["results"][0]["scenario_id"]
    assert [r["status"] for r in merged["results"] if r["scenario_id"] == scenario] == ["passed"]
    assert notes == ["rerun.json: options deadline differ from a.json's; the merged report "
                     "keeps a.json's"] + [
        f"{r['scenario_id']} is in a.json and rerun.json: kept rerun.json's"
        for r in first["results"]]
    assert merged["options"]["deadline"] == first["options"]["deadline"]


def test_reports_of_another_app_or_not_reports_are_refused(
        shards: tuple[pytest.Pytester, list[Path]], capsys: pytest.CaptureFixture[str]) -> None:
    project, paths = shards
    other = load(paths[1])
    other["app"]["spec"] = "apps:good"
    with pytest.raises(MergeError, match="b.json checks 'apps:good' and a.json checks "
                                         "'apps:bad': merge the reports of one app"):
        merge_reports([("a.json", load(paths[0])), ("b.json", other)])
    (project.path / "junk.json").write_text('{"hello": 1}')
    assert main(["merge-reports", str(paths[0]), "junk.json", "-o", "x.json"]) == 2
    assert capsys.readouterr().err == "asgicheck merge-reports: junk.json is not an asgicheck " \
        "JSON report (no schema_version)\n"
    old = load(paths[0]) | {"schema_version": 2}
    with pytest.raises(MergeError, match=f"old.json is a report of schema version 2; this "
                                         f"asgicheck merges version {SCHEMA_VERSION}"):
        merge_reports([("a.json", load(paths[0])), ("old.json", old)])
    broken = load(paths[0]) | {"results": {}}
    with pytest.raises(MergeError, match="'results' is missing or not a list"):
        merge_reports([("broken.json", broken)])
    assert main(["merge-reports", "missing.json", "-o", "x.json"]) == 2
    assert "cannot read missing.json" in capsys.readouterr().err
    assert main(["merge-reports", str(paths[0])]) == 2  # no -o: argparse's usage error
    assert "the following arguments are required: -o/--output" in capsys.readouterr().err
