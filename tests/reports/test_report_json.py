"""The JSON report against its documented schema (docs/json-report.md, asgicheck.reports.schema)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from _report_runs import Run

from asgicheck.reports import SCHEMA_VERSION, exchange_records
from asgicheck.reports.schema import SCHEMA, problems

DOCS = Path(__file__).parents[2] / "docs" / "json-report.md"


@pytest.mark.parametrize("which", ["failing_run", "passing_run"])
def test_real_reports_match_the_documented_schema(which: str,
                                                  request: pytest.FixtureRequest) -> None:
    run: Run = request.getfixturevalue(which)
    assert problems(run.document) == []
    assert run.document["schema_version"] == SCHEMA_VERSION == SCHEMA["properties"][
        "schema_version"]["const"]


def test_the_schema_is_json_schema_that_real_reports_satisfy(failing_run: Run,
                                                             passing_run: Run) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for document in (failing_run.document, passing_run.document, _doc_example()):
        assert [e.message for e in validator.iter_errors(document)] == []


def test_a_failing_result_carries_its_exchanges_with_the_rules_marked(failing_run: Run) -> None:
    result = next(r for r in failing_run.document["results"]
                  if r["scenario_id"] == "http/S01-plain[GET /]")
    assert result["status"] == "failed" and "OPS-APP-002" in result["rules"]
    (exchange,) = result["exchanges"]
    assert exchange["title"] == "[plain] http GET / (spec 2.4)"
    assert exchange["end"].startswith("returned None in ")
    kinds = [(e["kind"], e["type"], e["rules"]) for e in exchange["entries"]]
    assert kinds[:3] == [("received", "http.request", []),
                         ("sent", "http.response.start", ["HTTP-SEND-008"]),
                         ("sent", "http.response.body", ["HTTP-SEND-011"])]
    by_rule = {v["rule"]: v["index"] for v in result["violations"]}
    assert by_rule == {"HTTP-SEND-008": 1, "HTTP-SEND-011": 2}  # the indices match the steps


Breakage = Callable[[dict[str, Any]], None]
BREAKAGES: dict[str, tuple[Breakage, str]] = {
    "missing key": (lambda d: d.pop("summary"), "$: no 'summary'"),
    "unknown key": (lambda d: d.update(extra=1), "$: unexpected key 'extra'"),
    "wrong version": (lambda d: d.update(schema_version=1),
                      f"$.schema_version: 1 is not {SCHEMA_VERSION}"),
    "bad status": (lambda d: d["results"][0].update(status="broken"),
                   "$.results[0].status: 'broken' is not one of"),
    "bool for int": (lambda d: d["summary"]["total"].update(passed=True),
                     "$.summary.total['passed']: bool True is not integer"),
    "negative count": (lambda d: d["summary"]["total"].update(passed=-1),
                       "$.summary.total['passed']: -1 is below 0"),
    "string index": (lambda d: d["results"][0]["exchanges"][0]["entries"][0].update(index="0"),
                     "$.results[0].exchanges[0].entries[0].index: str '0' is not integer or null"),
}


@pytest.mark.parametrize("name", BREAKAGES)
def test_the_checker_names_what_breaks_the_schema(name: str, failing_run: Run) -> None:
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


TRANSCRIPT = """\
[S06-disconnect-first] http GET / (spec 2.4)
          +0.000 ·· client disconnected
      #0  +0.000 → http.disconnect
      #1  +0.001 ← http.response.start status=200 headers=[]  (send raised ClientDisconnected)\
  !! HTTP-RECV-005 HTTP-SEND-008
      #2  +0.002 ← <not a dict: str> 'oops'  (ignored: connection over)
      ... 7 more steps not shown
      = raised ClientDisconnected('gone') in 0.003 s (max loop stall 0.000 s)
      !! OPS-APP-002: the app ran on after the deadline

lifespan (spec 2.0)
      #0  +0.000 → lifespan.startup
      = returned None in 0.001 s (max loop stall 0.000 s)"""


def test_exchange_records_reads_every_kind_of_transcript_line() -> None:
    first, second = exchange_records(TRANSCRIPT)
    assert first["title"] == "[S06-disconnect-first] http GET / (spec 2.4)"
    assert first["end"] == "raised ClientDisconnected('gone') in 0.003 s (max loop stall 0.000 s)"
    rows = [(e["kind"], e["index"], e["type"], e["text"], e["send_result"], e["rules"])
            for e in first["entries"]]
    assert rows == [
        ("note", None, None, "client disconnected", None, []),
        ("received", 0, "http.disconnect", "", None, []),
        ("sent", 1, "http.response.start", "status=200 headers=[]", "raised",
         ["HTTP-RECV-005", "HTTP-SEND-008"]),
        ("sent", 2, None, "<not a dict: str> 'oops'", "ignored", []),
        ("omitted", None, None, "7 more steps not shown", None, []),
        ("finding", None, None, "the app ran on after the deadline", None, ["OPS-APP-002"]),
    ]
    assert first["entries"][2]["time"] == 0.001
    assert second["title"] == "lifespan (spec 2.0)" and len(second["entries"]) == 1


def test_exchange_records_keeps_lines_it_does_not_know_as_text() -> None:
    live = ("--- GET / through uvicorn ---\nclient: GET / -> 200\n"
            "[call 1] http GET / (spec 2.3)\n      #0  +0.000 → http.request body=b''\n"
            "      = returned None in 0.001 s (max loop stall 0.000 s)\nuvicorn log: INFO ok")
    step, call = exchange_records(live)
    assert step["title"] == "--- GET / through uvicorn ---" and step["end"] is None
    assert [(e["kind"], e["text"]) for e in step["entries"]] == [("text", "client: GET / -> 200")]
    assert call["title"] == "[call 1] http GET / (spec 2.3)"
    assert [e["kind"] for e in call["entries"]] == ["received", "text"]
    assert exchange_records("") == []
