"""The JSON reports of the shards of one run (one per CI machine, pytest-split's groups) merged
into one document of the same shape, from which the summary is counted again and the HTML page
can be rendered.

Reports of different apps are refused: they are not one run. Where the shards disagree the
merge keeps going and says so: options that differ (a shard seeded differently, say) keep the
first report's; a scenario that more than one report holds (a shard run twice) keeps the last
one given, as a re-run supersedes the run before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from asgicheck.reports._report import SCHEMA_VERSION, json_report

__all__ = ["MergeError", "merge_reports"]


class MergeError(ValueError):
    """The reports cannot be merged; the message names the file and why."""


def merge_reports(reports: Sequence[tuple[str, Mapping[str, Any]]]
                  ) -> tuple[dict[str, Any], list[str]]:
    """``(name, document)`` pairs (in the order given) as one document, and notes on where
    they disagreed."""
    if not reports:
        raise MergeError("no reports to merge")
    for name, document in reports:
        _check(name, document)
    (first_name, first), notes = reports[0], []
    results: dict[str, Mapping[str, Any]] = {}
    where: dict[str, str] = {}
    targets: dict[str, Mapping[str, Any]] = {}
    for name, document in reports:
        if document["app"]["spec"] != first["app"]["spec"]:
            raise MergeError(f"{name} checks {document['app']['spec']!r} and {first_name} checks "
                             f"{first['app']['spec']!r}: merge the reports of one app")
        differ = sorted(key for key in set(document["options"]) | set(first["options"])
                        if document["options"].get(key) != first["options"].get(key))
        if differ:
            notes.append(f"{name}: options {', '.join(differ)} differ from {first_name}'s; "
                         f"the merged report keeps {first_name}'s")
        if document["tool"]["version"] != first["tool"]["version"]:
            notes.append(f"{name} was written by asgicheck {document['tool']['version']}, "
                         f"{first_name} by {first['tool']['version']}")
        for target in document["targets"]:
            targets.setdefault(target["label"], target)
        for result in document["results"]:
            scenario = result["scenario_id"]
            if scenario in results:
                notes.append(f"{scenario} is in {where[scenario]} and {name}: kept {name}'s")
            results[scenario], where[scenario] = result, name
    merged = json_report(results.values(), app=first["app"], options=first["options"],
                         targets=list(targets.values()), version=first["tool"]["version"])
    return merged, notes


def _check(name: str, document: Any) -> None:
    """What the merge reads is there (asgicheck needs no JSON Schema validator at run time;
    ``asgicheck.reports.schema.SCHEMA`` is there for a full check)."""
    if not isinstance(document, Mapping) or "schema_version" not in document:
        raise MergeError(f"{name} is not an asgicheck JSON report (no schema_version)")
    if document["schema_version"] != SCHEMA_VERSION:
        raise MergeError(f"{name} is a report of schema version {document['schema_version']!r}; "
                         f"this asgicheck merges version {SCHEMA_VERSION} (merge reports "
                         f"written by one asgicheck)")
    shape = {"tool": Mapping, "app": Mapping, "options": Mapping, "targets": list,
             "results": list}
    for key, kind in shape.items():
        if not isinstance(document.get(key), kind):
            raise MergeError(f"{name} is not an asgicheck JSON report ({key!r} is missing or "
                             f"not a{'n object' if kind is Mapping else ' list'})")
    if not all(isinstance(r, Mapping) and isinstance(r.get("scenario_id"), str)
               for r in document["results"]):
        raise MergeError(f"{name} is not an asgicheck JSON report (a result without a "
                         f"scenario_id)")
