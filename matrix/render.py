"""The matrix as a markdown page (docs/conformance-matrix.md) and as JSON."""

from __future__ import annotations

import json
import platform
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matrix.apps.raw_app import EXPECTED
from matrix.engine import FUZZ_EXAMPLES, FUZZ_SEED, MAX_TARGETS, OPTIONS, Cell
from matrix.subjects import MODES, SUBJECTS, Subject
from matrix.triage import (
    FIXED,
    VERDICTS,
    WARNING_NOTES,
    Failure,
    Verdict,
    failures,
    verdict_for,
)

__all__ = ["COLUMNS", "render_page", "render_table", "write_json"]

COLUMNS = ("subject", "mode", "passed", "failed", "warned", "skipped", "routes", "failing rules",
           "warning rules")
COMMAND = "python matrix/run.py"
SHOWN = 4  # scenario IDs listed per cell under a verdict
_LABELS = {s.name: s for s in SUBJECTS}


def _rules(counts: Counter[str]) -> str:
    return ", ".join(f"{rule}" + (f" ×{n}" if n > 1 else "")
                     for rule, n in sorted(counts.items())) or "–"


def _mode_text(subject_name: str, mode: str) -> str:
    if mode == "probe":
        return "server probes"
    subject = _LABELS.get(subject_name)
    labels = MODES[mode]
    return labels[1] if subject is not None and subject.kind == "middleware" else labels[0]


def _mode_label(cell: Cell) -> str:
    return _mode_text(cell.subject, cell.mode)


def _subject_label(name: str) -> str:
    subject = _LABELS.get(name)
    return subject.label if subject else name


def routes(cell: Cell) -> str:
    """How many of the matrix routes answered as a correct app does ("5/5"), and which not.

    Scenarios judge messages, not application logic: a route that answers 500 passes them.
    This column says whether the row's results are about the routes the app was written with.
    """
    got = cell.statuses()
    checked = [label for label in EXPECTED if label in got]
    if not checked:
        return "–"
    wrong = cell.unexpected(EXPECTED)
    text = f"{len(checked) - len(wrong)}/{len(checked)}"
    if wrong:
        text += " (" + ", ".join(f"{label} → {status}" for label, status in wrong.items()) + ")"
    return text


def render_table(cells: Sequence[Cell]) -> list[str]:
    """One row per cell: the counts by status and the rules behind failures and warnings."""
    lines = ["| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join(["---", "---", "--:", "--:", "--:", "--:", "---", "---", "---"])
             + "|"]
    for cell in cells:
        counts = cell.counts()
        if not cell.ran:
            numbers = ["–"] * 5
            failing, warning = f"not run: {cell.note}", "–"
        else:
            numbers = [str(counts[s]) for s in ("passed", "failed", "warned", "skipped")]
            numbers.append(routes(cell))
            failing, warning = _rules(cell.rules(True)), _rules(cell.rules(False))
        lines.append("| " + " | ".join([_subject_label(cell.subject), _mode_label(cell),
                                         *numbers, failing, warning]) + " |")
    return lines


def _repro(failure: Failure) -> str:
    if failure.rule == "route-status":
        scenario = "/S01-plain" if failure.mode == "driver" else "/http-"
        return (f"`{COMMAND} --frameworks {failure.subject} --modes {failure.mode} "
                f"--show '{scenario}*[{failure.scenario}]'`")
    if failure.mode == "probe":
        return f"`{COMMAND} --frameworks raw --modes {failure.subject} --show '{failure.scenario}'`"
    return (f"`{COMMAND} --frameworks {failure.subject} --modes {failure.mode} "
            f"--show '{failure.scenario}'`")


def _verdict_section(verdict: Verdict, found: list[Failure]) -> list[str]:
    label = ("real violation" if verdict.kind == "violation"
             else "checker bug, reported to asgicheck")
    rules = ", ".join(f"`{r}`" for r in verdict.rules)
    bug = f" — matrix/checker-bugs.md, “{verdict.bug}”" if verdict.bug else ""
    lines = [f"### {verdict.title}", "", f"<a id=\"{verdict.key}\"></a>",
             f"**{label}** — {rules}{bug}", ""]
    if verdict.spec:
        lines += [f"> {verdict.spec}", ""]
    if verdict.explanation:
        lines += [verdict.explanation.strip(), ""]
    if verdict.repro:
        lines += ["```python", verdict.repro.strip(), "```", ""]
    lines += ["Where, and how to reproduce:", ""]
    by_cell: dict[tuple[str, str], list[Failure]] = {}
    for failure in found:
        by_cell.setdefault((failure.subject, failure.mode), []).append(failure)
    for (subject, mode), cell_failures in by_cell.items():
        scenarios = list(dict.fromkeys(f.scenario for f in cell_failures))
        shown = ", ".join(f"`{s}`" for s in scenarios[:SHOWN])
        more = f" and {len(scenarios) - SHOWN} more" if len(scenarios) > SHOWN else ""
        lines.append(f"- {_subject_label(subject)}, {_mode_text(subject, mode)} "
                     f"({len(scenarios)}): {shown}{more}; {_repro(cell_failures[0])}")
    lines.append("")
    return lines


def _triage(cells: Sequence[Cell]) -> list[str]:
    by_verdict: dict[str, list[Failure]] = {}
    missing: list[Failure] = []
    for failure in failures(cells):
        verdict = verdict_for(failure)
        if verdict is None:
            missing.append(failure)
        else:
            by_verdict.setdefault(verdict.key, []).append(failure)
    lines = ["## Triage summary", "",
             "| subject | real violations | checker bugs |", "|---|---|---|"]
    for subject in dict.fromkeys(f.subject for group in by_verdict.values() for f in group):
        cells_of = {kind: [f"[{v.title}](#{v.key})" for v in VERDICTS if v.kind == kind
                           and any(f.subject == subject for f in by_verdict.get(v.key, []))]
                    for kind in ("violation", "checker-bug")}
        lines.append(f"| {_subject_label(subject)} | {'; '.join(cells_of['violation']) or '–'}"
                     f" | {'; '.join(cells_of['checker-bug']) or '–'} |")
    if missing:
        lines.append(f"| (untriaged) | {len(missing)} failing findings, see below | |")
    lines.append("")
    for kind, heading in (("violation", "Real violations"), ("checker-bug", "Checker bugs")):
        chosen = [v for v in VERDICTS if v.kind == kind and v.key in by_verdict]
        lines += [f"## {heading}", ""]
        if not chosen:
            lines += ["None in this run.", ""]
        for verdict in chosen:
            lines += _verdict_section(verdict, by_verdict[verdict.key])
        if kind == "checker-bug" and FIXED:
            lines += ["Found by earlier runs of this matrix and fixed in asgicheck "
                      "(matrix/checker-bugs.md has each reproduction and fix):", ""]
            lines += [f"- **{title}** (fixed): {text}" for title, text in FIXED]
            lines.append("")
    if missing:
        lines += ["## UNTRIAGED failures", "",
                  "These failures have no verdict in matrix/triage.py yet:", ""]
        lines += [f"- {_subject_label(f.subject)}, {f.mode}: `{f.scenario}` {f.rule}: "
                  f"{f.message} — {_repro(f)}" for f in missing]
        lines.append("")
    return lines


def render_page(cells: Sequence[Cell], subjects: Sequence[Subject], modes: Sequence[str],
                found_versions: dict[str, str], runtime: float) -> str:
    matrix = [c for c in cells if c.mode != "probe"]
    probes = [c for c in cells if c.mode == "probe"]
    frameworks = ", ".join(s.name for s in subjects)
    lines = [
        "# Conformance matrix",
        "",
        "<!-- generated by `python matrix/run.py`; edit matrix/triage.py, not this page -->",
        "",
        "asgicheck run against small, idiomatic apps of the popular ASGI frameworks and "
        "against common middleware, under the in-process driver (middleware mode for the "
        "middlewares) and inside real servers (live mode). Each app serves the same routes "
        "(matrix/apps/__init__.py): text, JSON with a path parameter, a 204, a POST echo, a "
        "streamed response, HEAD through GET, a websocket echo and lifespan where the "
        "framework has them. The raw ASGI app is the control: it is written to the letter "
        "of the spec, so anything it fails is a checker bug.",
        "",
        f"Regenerate: `{COMMAND} --out docs/conformance-matrix.md --json matrix/results.json`"
        f" (this run: {frameworks}; modes {', '.join(modes)}; {runtime:.0f} s on "
        f"{platform.machine()}, Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%d')}).",
        "",
        f"Options: deadline {OPTIONS.deadline:g} s, linger {OPTIONS.linger:g} s, hold-back "
        f"{OPTIONS.hold_back:g} s, spec_version {OPTIONS.spec_version}, default rule "
        f"selection (warnings do not fail), at most {MAX_TARGETS} targets per app. In-process "
        f"rows include the fuzzing properties (`fuzz/P1`-`P5`, up to {FUZZ_EXAMPLES} examples "
        f"each, seed {FUZZ_SEED}: reproduce with `--asgicheck-seed={FUZZ_SEED}`). Each cell "
        "runs in a fresh interpreter, as a server runs one app per process.",
        "",
        "How to read a row: *passed/failed/warned/skipped* count scenarios; *routes* says how "
        "many of the app's routes answered as a correct app does in the row's plain requests "
        "(scenarios judge ASGI messages, not application logic, so a route that answers 500 "
        "passes them: a row whose routes are not all right says little); *failing rules* count "
        "the scenarios each rule failed in, *warning rules* the scenarios that only warned. "
        "Every failure is triaged below, as a real violation or as a checker bug.",
        "",
        "Reproduce any scenario with the command the triage gives (it prints the findings and "
        "the transcript). In-process findings of the framework apps also reproduce with the "
        "plugin, e.g. `pytest --asgicheck=matrix.apps.quart_app:app "
        "'asgicheck::http/S10-minimal-scope[GET /]'` (routes discovery does not find need "
        "`--asgicheck-target`).",
        "",
        "## Matrix",
        "",
        *render_table(matrix),
        "",
    ]
    if probes:
        lines += ["## The servers themselves", "",
                  "asgicheck's server scenarios (its probe app, judged on the server's side). "
                  "They do not depend on the app; they show what the live rows run on.", "",
                  *render_table(probes), ""]
    lines += _triage(cells)
    lines += ["## What the warnings say", "",
              "Warnings (SHOULD-level findings) do not fail a row; these are the ones in the "
              "table above, read against the spec.", ""]
    warned = {rule for cell in cells for rule in cell.rules(False)}
    lines += [f"- {' '.join(f'`{r}`' for r in rules.split())}: {text}"
              for rules, text in WARNING_NOTES if warned & set(rules.split())]
    lines.append("")
    lines += ["## Versions", "", "| package | version |", "|---|---|"]
    lines += [f"| {name} | {version} |" for name, version in found_versions.items()]
    lines += ["", "## Targets", "",
              "Each app declares its routes (`TARGETS` in its module); asgicheck's route "
              "discovery runs too, and what it finds besides is added, up to the cap. Where "
              "discovery misses routes, `pytest --asgicheck=APP` alone checks less than this "
              "page does.", ""]
    for cell in matrix:
        if cell.ran and cell.mode == modes[0] and cell.targets:
            lines.append(f"- {_subject_label(cell.subject)}: {cell.note}; ran "
                         f"{', '.join(f'`{t}`' for t in cell.targets)}")
    lines.append("")
    return "\n".join(lines)


_KEPT = ("scenario_id", "protocol", "status", "skip_reason", "duration", "error")
_VIOLATION_KEPT = ("rule", "severity", "party", "fails", "message")


def _slim(record: dict[str, Any]) -> dict[str, Any]:
    """The outcome, its findings, and the transcript only where something failed: the JSON
    stays small (``--show`` prints any transcript)."""
    slim = {k: record[k] for k in _KEPT if record.get(k) is not None}
    slim["violations"] = [{k: v[k] for k in _VIOLATION_KEPT} for v in record["violations"]]
    if record["status"] == "failed":
        slim["transcript"] = record.get("transcript", "")
    return slim


def write_json(path: Path, cells: Sequence[Cell], found_versions: dict[str, str],
               runtime: float) -> None:
    document = {
        "versions": found_versions, "runtime_seconds": round(runtime, 1),
        "options": {"deadline": OPTIONS.deadline, "linger": OPTIONS.linger,
                    "hold_back": OPTIONS.hold_back, "spec_version": OPTIONS.spec_version,
                    "max_targets": MAX_TARGETS},
        "cells": [{"subject": c.subject, "mode": c.mode, "ran": c.ran, "note": c.note,
                   "duration": round(c.duration, 2), "targets": c.targets,
                   "counts": dict(c.counts()), "statuses": c.statuses(),
                   "failing_rules": dict(c.rules(True)),
                   "warning_rules": dict(c.rules(False)),
                   "untriaged": [str(f) for f in failures([c]) if verdict_for(f) is None],
                   "records": [_slim(r) for r in c.records]} for c in cells],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
