"""What a run found, for people and for programs: failure text, the end-of-run summary by
protocol and rule (in the spirit of h2spec and the Autobahn testsuite), and the JSON report.

Results travel as plain JSON-able dicts (``result_record``) so that pytest-xdist can carry them
from the workers to the controller on the test reports; everything here reads those dicts. The
JSON schema is documented in docs/json-report.md and written out in ``asgicheck.reports.schema``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from asgicheck.contract import Outcome, Scenario
from asgicheck.rules import RULES
from asgicheck.selection import Selection
from asgicheck.violations import Severity, Violation

__all__ = ["SCHEMA_VERSION", "format_failure", "json_report", "result_record", "summary_lines",
           "write_json"]

SCHEMA_VERSION = 7  # docs/json-report.md has the changelog
STATUSES = ("passed", "failed", "warned", "skipped")
Record = Mapping[str, Any]


def violation_record(violation: Violation, selection: Selection) -> dict[str, Any]:
    rule = RULES.get(violation.rule)
    return {
        "rule": violation.rule, "severity": violation.severity.value,
        "level": rule.level.value if rule else None, "party": violation.party.value,
        "spec": violation.spec, "message": violation.message, "index": violation.index,
        "fails": selection.fails(violation),
        # What it breaks under real servers, when that is why it is an error (rules.breaks).
        "breaks": rule.observed if rule and rule.breaks and violation.severity is Severity.ERROR
        else None,
    }


def result_record(scenario: Scenario, outcome: Outcome, selection: Selection) -> dict[str, Any]:
    """One outcome as JSON-able data (the JSON report's ``results`` entries)."""
    return {
        "scenario_id": outcome.scenario_id, "protocol": scenario.protocol,
        "title": getattr(scenario, "title", ""), "status": outcome.status,
        "violations": [violation_record(v, selection) for v in outcome.violations],
        "transcript": outcome.transcript, "skip_reason": outcome.skip_reason,
        "duration": round(outcome.duration, 6), "details": _jsonable(outcome.details),
        "rules": list(getattr(scenario, "rules", ())),
        # Built by the scenario from its Transcript objects (``Transcript.record``), never read
        # back from the rendered text, which may hold anything (a reproduction's code, say).
        "exchanges": [_jsonable(exchange) for exchange in outcome.exchanges],
    }


def format_failure(record: Record) -> str:
    """The failure text: each finding with its rule, level, spec section and plain explanation,
    then the compact transcript. No traceback: the app's exceptions are in the transcript."""
    failing = [v for v in record["violations"] if v["fails"]]
    others = [v for v in record["violations"] if not v["fails"]]
    broken = ", ".join(dict.fromkeys(v["rule"] for v in failing)) or "no rule (see transcript)"
    lines = [f"broke {broken}"]
    lines += [f"scenario: {record['title']}", ""] if record.get("title") else [""]
    for v in failing:
        lines.extend(_finding(v))
    if others:
        lines.append("also noted (not failing this run):")
        lines.extend(f"  {v['rule']} [{v['level']}, {v['severity']}] {v['message']}"
                     for v in others)
        lines.append("")
    if record.get("transcript"):
        lines.append("transcript:")
        lines.extend("  " + line for line in str(record["transcript"]).splitlines())
        lines.append("")
    if failing:
        lines.append(f"more: asgicheck explain {failing[0]['rule']}")
    return "\n".join(lines)


def _finding(v: Record) -> list[str]:
    rule = RULES.get(v["rule"])
    where = f", message #{v['index']}" if v["index"] is not None else ""
    # Below MUST, what it breaks is why it fails: it goes beside the level; a MUST fails on the
    # spec's word alone, and what it breaks is one more line.
    beside = v.get("breaks") and v["level"] != "MUST"
    label = f"{v['level']}, breaks {v['breaks']}" if beside else v["level"]
    fatal = ", fatal" if rule and rule.fatal and not beside else ""
    lines = [f"{v['rule']} [{label}{fatal}] "
             f"{v['party']} at fault{where} -- {v['spec']}",
             f"  found: {v['message']}"]
    if rule is not None:
        lines.append(f"  rule:  {rule.summary}")
    if v.get("breaks") and not beside:
        lines.append(f"  breaks {v['breaks']}")
    lines.append("")
    return lines


def summary_lines(records: Iterable[Record]) -> list[str]:
    """The end-of-run tables: outcomes by protocol, then findings by rule, then the warnings."""
    records = sorted(records, key=lambda r: str(r["scenario_id"]))
    if not records:
        return ["no asgicheck results (all deselected?)"]
    by_protocol: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        by_protocol[record["protocol"]][record["status"]] += 1
    columns = [*STATUSES, *(["xfailed"] if any(r.get("xfailed") for r in records) else [])]
    for record in records:
        if record.get("xfailed"):
            by_protocol[record["protocol"]]["xfailed"] += 1
            by_protocol[record["protocol"]][record["status"]] -= 1
    total: Counter[str] = sum(by_protocol.values(), Counter())
    rows = [["protocol", *columns]]
    # By name, not by first appearance: fuzz/ items (protocol http) sort before general/.
    rows += [[name, *(str(counts[c]) for c in columns)]
             for name, counts in sorted(by_protocol.items())]
    rows.append(["total", *(str(total[c]) for c in columns)])
    lines = _table(rows)
    rule_rows = _rule_rows(records)
    if rule_rows:
        lines += ["", *_table([["rule", "level", "failed", "warned", "info", "spec"],
                               *rule_rows])]
    lines += _hung_lines(records)
    lines += _out_of_time_lines(records)
    warned = [r for r in records if r["status"] == "warned"]
    if warned:
        lines += ["", "warnings (these pass; --asgicheck-strict makes them fail):"]
        for record in warned:
            for v in record["violations"]:
                if not v["fails"] and v["severity"] == "warning":
                    lines.append(f"  {record['scenario_id']}: {v['rule']} {v['message']}")
    return lines


def _hung_lines(records: list[Record]) -> list[str]:
    """The targets that hung, each with the item that failed with the hang and how many items
    the circuit breaker then did not run (scenarios._breaker)."""
    stopped: Counter[tuple[str, str]] = Counter()
    for record in records:
        details = record.get("details") or {}
        not_run = details.get("not_run") if isinstance(details, dict) else None
        if isinstance(not_run, dict):
            stopped[(str(not_run.get("target")), str(not_run.get("hung_in")))] += 1
    if not stopped:
        return []
    lines = ["", "hung targets (the later items that send to one are not run; counted as "
                 "skipped):"]
    for (target, item), count in sorted(stopped.items()):
        lines.append(f"  {target}: hung in {item}; {count} item{'s' * (count != 1)} not run")
    return lines


def _out_of_time_lines(records: list[Record], shown: int = 5) -> list[str]:
    """The fuzzing items that ran out of their time before their examples: they passed on
    fewer examples than planned, which a user should know (a slow app, or a loaded machine)."""
    short = []
    for record in records:
        details = record.get("details") or {}
        if isinstance(details, dict) and details.get("over_budget"):
            short.append((str(record["scenario_id"]), details))
    if not short:
        return []
    budget = short[0][1].get("time_budget")
    alike = isinstance(budget, (int, float)) and all(d.get("time_budget") == budget
                                                     for _, d in short)
    share = f"{budget:.1f} s each" if alike else "their shares"
    lines = ["", f"fuzzing cut short by time ({share}; --asgicheck-fuzz-time gives the items "
                 f"more): these items ran fewer examples than planned"]
    for item, details in short[:shown]:
        lines.append(f"  {item}: {details.get('examples')} of {details.get('max_examples')} "
                     f"examples")
    if len(short) > shown:
        lines.append(f"  ... and {len(short) - shown} more")
    return lines


def _rule_counts(records: Iterable[Record]) -> dict[str, Counter[str]]:
    """Per rule, how many outcomes it failed, warned or noted (info) in."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        for rule_id, kind in {(v["rule"], "failed" if v["fails"] else
                               "warned" if v["severity"] == "warning" else "info")
                              for v in record["violations"]}:
            counts[rule_id][kind] += 1
    return counts


def _rule_rows(records: list[Record]) -> list[list[str]]:
    counts = _rule_counts(records)
    rows = []
    for rule_id in sorted(counts):
        rule = RULES.get(rule_id)
        level = (rule.level.value + (",fatal" if rule.fatal else "")) if rule else "?"
        rows.append([rule_id, level,
                     *(str(counts[rule_id][k] or "-") for k in ("failed", "warned", "info")),
                     rule.spec if rule else ""])
    return rows


def _table(rows: list[list[str]]) -> list[str]:
    """Rows as aligned text: number columns to the right, text columns to the left."""
    numeric = [all(row[i].isdigit() or row[i] == "-" for row in rows[1:])
               for i in range(len(rows[0]))]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(w) if num else cell.ljust(w)
                      for cell, w, num in zip(row, widths, numeric, strict=True)).rstrip()
            for row in rows]


def json_report(records: Iterable[Record], *, app: Mapping[str, Any],
                options: Mapping[str, Any], targets: Sequence[Mapping[str, Any]],
                version: str) -> dict[str, Any]:
    """The whole run as one JSON document (``SCHEMA_VERSION``, docs/json-report.md)."""
    results = sorted(records, key=lambda r: str(r["scenario_id"]))
    by_protocol: dict[str, Counter[str]] = defaultdict(Counter)
    for record in results:
        by_protocol[record["protocol"]][record["status"]] += 1
    by_rule = _rule_counts(results)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "asgicheck", "version": version},
        "app": dict(app),
        "options": dict(options),
        "targets": [dict(t) for t in targets],
        "summary": {
            "total": dict(sum(by_protocol.values(), Counter())),
            "by_protocol": {k: dict(v) for k, v in sorted(by_protocol.items())},
            "by_rule": {k: dict(v) for k, v in sorted(by_rule.items())},
            "failed": any(r["status"] == "failed" and not r.get("xfailed") for r in results),
        },
        "results": results,
    }


def write_json(path: str | Path, document: Mapping[str, Any]) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return target


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)
