"""The JSON report against its documented schema (docs/json-report.md, asgicheck.reports.schema),
checked with the jsonschema package."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from _report_runs import Run

from asgicheck.reports import SCHEMA_VERSION
from asgicheck.reports.schema import SCHEMA
from asgicheck.rules import violation
from asgicheck.transcript import NOTE, RECEIVED, SENT, Transcript, text_exchange

DOCS = Path(__file__).parents[2] / "docs" / "json-report.md"
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def problems(document: Any) -> list[str]:
    """Where ``document`` breaks the schema, one line each: ``$.results[0].status: ...``."""
    return sorted(f"{e.json_path}: {e.message}" for e in VALIDATOR.iter_errors(document))


def test_the_schema_is_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("which", ["failing_run", "passing_run"])
def test_real_reports_match_the_documented_schema(which: str,
                                                  request: pytest.FixtureRequest) -> None:
    run: Run = request.getfixturevalue(which)
    assert problems(run.document) == []
    assert run.document["schema_version"] == SCHEMA_VERSION == SCHEMA["properties"][
        "schema_version"]["const"]


def test_a_failing_result_carries_its_exchanges_with_the_rules_marked(failing_run: Run) -> None:
    result = next(r for r in failing_run.document["results"]
                  if r["scenario_id"] == "http/S01-plain[GET /]")
    assert result["status"] == "failed" and "OPS-APP-002" in result["rules"]
    (exchange,) = result["exchanges"]
    assert exchange["title"] == "[plain] http GET / (spec 2.4)"
    assert exchange["end"].startswith("returned None in ") and exchange["ended"] == "returned"
    kinds = [(e["kind"], e["type"], e["rules"]) for e in exchange["entries"]]
    assert kinds[:3] == [("received", "http.request", []),
                         ("sent", "http.response.start", ["HTTP-SEND-008"]),
                         ("sent", "http.response.body", ["HTTP-SEND-011"])]
    by_rule = {v["rule"]: v["index"] for v in result["violations"]}
    assert by_rule == {"HTTP-SEND-008": 1, "HTTP-SEND-011": 2}  # the indices match the steps


Breakage = Callable[[dict[str, Any]], None]
BREAKAGES: dict[str, tuple[Breakage, str]] = {
    "missing key": (lambda d: d.pop("summary"), "$: 'summary' is a required property"),
    "unknown key": (lambda d: d.update(extra=1), "$: Additional properties are not allowed"),
    "wrong version": (lambda d: d.update(schema_version=1),
                      f"$.schema_version: {SCHEMA_VERSION} was expected"),
    "bad status": (lambda d: d["results"][0].update(status="broken"),
                   "$.results[0].status: 'broken' is not one of"),
    "bool for int": (lambda d: d["summary"]["total"].update(passed=True),
                     "$.summary.total.passed: True is not of type 'integer'"),
    "negative count": (lambda d: d["summary"]["total"].update(passed=-1),
                       "$.summary.total.passed: -1 is less than the minimum of 0"),
    "string index": (lambda d: d["results"][0]["exchanges"][0]["entries"][0].update(index="0"),
                     "$.results[0].exchanges[0].entries[0].index: '0' is not of type"),
    "unknown end": (lambda d: d["results"][0]["exchanges"][0].update(ended="exploded"),
                    "$.results[0].exchanges[0].ended: 'exploded' is not one of"),
}


@pytest.mark.parametrize("name", BREAKAGES)
def test_the_schema_rejects_each_breakage(name: str, failing_run: Run) -> None:
    document = copy.deepcopy(failing_run.document)
    # The first result shows a timeline with at least one step (the S01 result, say).
    document["results"].sort(key=lambda r: not (r["exchanges"] and r["exchanges"][0]["entries"]))
    breakage, expected = BREAKAGES[name]
    breakage(document)
    found = problems(document)
    assert len(found) == 1 and found[0].startswith(expected), found


def _keys(schema: Mapping[str, Any]) -> Iterator[str]:
    for key, sub in schema.get("properties", {}).items():
        yield key
        yield from _keys(sub)
        if isinstance(sub.get("items"), Mapping):
            yield from _keys(sub["items"])


def _doc_example() -> dict[str, Any]:
    (block,) = re.findall(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    document: dict[str, Any] = json.loads(block)
    return document


def test_the_docs_describe_every_field_and_their_example_is_valid() -> None:
    text = DOCS.read_text(encoding="utf-8")
    undocumented = sorted({k for k in _keys(SCHEMA) if f"| `{k}` |" not in text})
    assert undocumented == []
    assert f"current version is **{SCHEMA_VERSION}**" in text
    assert f"- **{SCHEMA_VERSION}** " in text  # a changelog entry for the current version
    assert problems(_doc_example()) == []


def _transcript(**fields: Any) -> Transcript:
    log = ((NOTE, 0.0, "client disconnected"),
           (RECEIVED, 0, 0.0, {"type": "http.disconnect"}),
           # Text that looks like a rendered mark must stay text: nothing is parsed back.
           (SENT, 1, 0.001, {"type": "http.response.start", "status": 200,
                             "headers": [(b"x", b"  !! HTTP-SEND-001")]}, "raised"),
           (SENT, 2, 0.002, "oops", "ignored"))
    return Transcript(**{"scope": {"type": "http", "method": "GET", "path": "/",
                                   "asgi": {"spec_version": "2.4"}},
                         "log": log, "ended": "raised", "exception": "ClientDisconnected('gone')",
                         "duration": 0.003, "name": "S06-disconnect-first",
                         "violations": (violation("HTTP-RECV-005", "sent after", index=1),
                                        violation("OPS-APP-002", "ran on")), **fields})


def test_a_transcript_records_every_kind_of_step_from_its_entries() -> None:
    record = _transcript().record()
    assert record["title"] == "[S06-disconnect-first] http GET / (spec 2.4)"
    assert record["end"] == "raised ClientDisconnected('gone') in 0.003 s (max loop stall " \
                            "0.000 s)"
    assert record["ended"] == "raised"
    rows = [(e["kind"], e["index"], e["type"], e["text"], e["send_result"], e["rules"])
            for e in record["entries"]]
    assert rows == [
        ("note", None, None, "client disconnected", None, []),
        ("received", 0, "http.disconnect", "", None, []),
        ("sent", 1, "http.response.start", "status=200 headers=[(b'x', b'  !! HTTP-SEND-001')]",
         "raised", ["HTTP-RECV-005"]),
        ("sent", 2, None, "<not a dict: str> 'oops'", "ignored", []),
        ("finding", None, None, "ran on", None, ["OPS-APP-002"]),
    ]
    assert record["entries"][2]["time"] == 0.001


def test_a_long_transcript_records_what_render_shows() -> None:
    log = tuple((RECEIVED, i, 0.0, {"type": "http.request", "more_body": True})
                for i in range(20))
    record = _transcript(log=log, violations=()).record(limit=10)
    kinds = [e["kind"] for e in record["entries"]]
    assert kinds == ["received"] * 5 + ["omitted"] + ["received"] * 4
    assert record["entries"][5]["text"] == "11 more steps not shown"  # 20 - 5 shown - 4 last
    assert [e["index"] for e in record["entries"] if e["index"] is not None] == \
        [0, 1, 2, 3, 4, 16, 17, 18, 19]


def test_live_text_lines_are_recorded_as_text() -> None:
    assert text_exchange("GET / through uvicorn", ["client: GET / -> 200"]) == {
        "title": "GET / through uvicorn", "end": None, "ended": None, "raised_at": [],
        "entries": [{"kind": "text", "index": None, "time": None, "type": None,
                     "text": "client: GET / -> 200", "send_result": None, "rules": []}]}
