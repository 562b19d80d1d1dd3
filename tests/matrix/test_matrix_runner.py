"""The conformance-matrix runner (matrix/run.py): one always-installed framework, in-process
only, end to end through the real command; and the pieces that do not need a framework."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from matrix.engine import Cell, run_cell
from matrix.render import COLUMNS, render_table
from matrix.run import main
from matrix.subjects import Subject, select
from matrix.triage import VERDICTS, failures, matches, untriaged


def _table(markdown: str, heading: str) -> list[list[str]]:
    """The cells of the first table after ``heading``, header row included."""
    lines = markdown.splitlines()
    start = lines.index(heading)
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows


def test_starlette_in_process_gives_one_well_formed_row(tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    page, data = tmp_path / "matrix.md", tmp_path / "results.json"
    code = main(["--frameworks", "starlette", "--modes", "driver", "--out", str(page),
                 "--json", str(data), "--quiet"])
    assert code == 0
    markdown = page.read_text(encoding="utf-8")
    header, separator, *rows = _table(markdown, "## Matrix")
    assert tuple(header) == COLUMNS
    assert len(separator) == len(COLUMNS) and all(set(c) <= set("-:") for c in separator)
    assert len(rows) == 1
    row = rows[0]
    assert len(row) == len(COLUMNS)
    assert (row[0], row[1]) == ("Starlette", "in-process driver")
    passed, failed, warned, skipped = (int(n) for n in row[2:6])
    assert passed > 50  # every S/W/L scenario of six targets ran
    assert row[6] == "5/5"  # the app's routes answered as written: the row is meaningful
    document = json.loads(data.read_text(encoding="utf-8"))
    [cell] = document["cells"]
    assert (cell["subject"], cell["mode"], cell["ran"]) == ("starlette", "driver", True)
    assert len(cell["records"]) == passed + failed + warned + skipped
    assert cell["untriaged"] == []
    assert "## The servers themselves" not in markdown  # no live mode, no server probes
    assert re.search(r"^\| starlette \| \d+\.", markdown, re.MULTILINE)  # version recorded


def test_a_subject_whose_framework_is_missing_is_reported_not_imported() -> None:
    ghost = Subject(name="ghost", kind="framework", label="Ghost",
                    target="matrix.apps.ghost_app:app", packages=("asgicheck-no-such-dist",))
    cell = run_cell(ghost, "driver")
    assert (cell.ran, cell.records) == (False, [])
    assert cell.note == "not installed: asgicheck-no-such-dist"
    [row] = render_table([cell])[2:]
    assert row.count("|") == len(COLUMNS) + 1
    assert "not run: not installed" in row


def test_subjects_are_chosen_by_name_or_group() -> None:
    assert [s.name for s in select(["starlette", "gzip"])] == ["starlette", "gzip"]
    assert {s.kind for s in select(["middleware"])} == {"middleware"}
    with pytest.raises(ValueError, match="unknown subject 'nope'"):
        select(["nope"])


def test_a_failure_without_a_verdict_is_untriaged() -> None:
    record = {"scenario_id": "http/S01-plain[GET /]", "status": "failed", "details": {},
              "transcript": "", "violations": [{"rule": "HTTP-SEND-011", "fails": True,
                                                "severity": "error", "message": "str body"}]}
    cell = Cell(subject="starlette", mode="driver", records=[record])
    assert [f.rule for f in failures([cell])] == ["HTTP-SEND-011"]
    assert [str(f) for f in untriaged([cell])] == [
        "starlette/driver http/S01-plain[GET /]: HTTP-SEND-011 str body"]


def test_verdicts_are_well_formed() -> None:
    keys = [v.key for v in VERDICTS]
    assert len(keys) == len(set(keys))
    for verdict in VERDICTS:
        assert verdict.rules and verdict.where and verdict.explanation
        assert (verdict.kind == "checker-bug") == bool(verdict.bug)
        assert verdict.kind == "checker-bug" or verdict.spec
    bugs = Path(__file__).resolve().parents[2] / "matrix" / "checker-bugs.md"
    text = bugs.read_text(encoding="utf-8")
    assert all(f"## {v.bug}" in text for v in VERDICTS if v.bug)


def test_scenario_patterns_treat_brackets_literally() -> None:
    assert matches("http/S10-minimal-scope[POST /echo]", "http/S10-minimal-scope[*]")
    assert matches("live-uvicorn/http-get[GET /]", "*/http-*[GET /]")
    assert not matches("http/S01-plain[GET /]", "http/S01-plain[G]")
