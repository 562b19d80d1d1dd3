"""Running the matrix: one *cell* per subject and mode, every scenario through asgicheck.

Everything goes through asgicheck's own builders and their deadlines: ``build_scenarios`` (the
in-process driver), ``build_middleware_scenarios`` (middleware mode) and
``build_live_scenarios`` (uvicorn and hypercorn). Nothing here waits on an app by itself, so a
cell cannot hang; a scenario that raises (it should not) is recorded as a runner error, and
every lifespan session and live server a cell started is stopped when the cell ends.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from asgicheck.contract import RunOptions, Scenario, Target
from asgicheck.discovery import discover
from asgicheck.fuzzing import FuzzSettings, build_property_scenarios
from asgicheck.live import build_live_scenarios, close_live_servers
from asgicheck.loading import load_app
from asgicheck.mwmode import build_middleware_scenarios, load_factory
from asgicheck.reports import result_record
from asgicheck.scenarios import build_scenarios, close_sessions, closing_last
from matrix.apps import raw_app
from matrix.subjects import Subject, installed

__all__ = ["Cell", "FUZZ_EXAMPLES", "FUZZ_SEED", "MAX_TARGETS", "OPTIONS", "cell_from_json",
           "error_record", "run_cell", "run_server_probes", "targets_for"]

MAX_TARGETS = 8  # per app: the declared routes first, then what discovery adds
OPTIONS = RunOptions(deadline=2.0, linger=0.5, hold_back=0.1)
# The in-process rows run the fuzzing properties too, as `pytest --asgicheck` does by default,
# with a fixed seed: the page comes out the same each time, and `--asgicheck-seed` replays it.
FUZZ_SEED = 2026
FUZZ_EXAMPLES = 25
Progress = Callable[[str], None]
_START = re.compile(r"← http\.response\.start status=(\d+)")
_PLAIN = re.compile(r"(?:http/S01-plain|live-\w+/http-(?:get|post|delete))\[(.*)\]")


@dataclass(kw_only=True)
class Cell:
    """One subject under one mode: its scenario records (``asgicheck.reports`` format)."""

    subject: str
    mode: str
    records: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""  # where the targets came from, or why the cell did not run
    ran: bool = True
    duration: float = 0.0
    targets: list[str] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(r["status"] for r in self.records)

    def rules(self, failing: bool) -> Counter[str]:
        """How many scenarios each rule failed (or only warned, with ``failing=False``) in."""
        found: Counter[str] = Counter()
        for record in self.records:
            if record["status"] != ("failed" if failing else "warned"):
                continue
            rules = {v["rule"] for v in record["violations"]
                     if v["fails"] == failing and (failing or v["severity"] == "warning")}
            found.update(rules or ({"runner-error"} if record.get("error") else set()))
        return found

    def statuses(self) -> dict[str, int | None]:
        """The status each target's plain request got (S01, or live mode's http-<method>)."""
        found: dict[str, int | None] = {}
        for record in self.records:
            match = _PLAIN.fullmatch(record["scenario_id"])
            if match is None:
                continue
            status = record["details"].get("status")
            if status is None:
                start = _START.search(record.get("transcript") or "")
                status = int(start[1]) if start else None
            found[match[1]] = status
        return found

    def unexpected(self, expected: dict[str, int]) -> dict[str, int | None]:
        """The declared routes that got a status other than the one a correct app answers
        (a route that got none has failing findings of its own)."""
        got = self.statuses()
        return {label: got[label] for label, status in expected.items()
                if got.get(label) is not None and got[label] != status}

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def cell_from_json(data: dict[str, Any]) -> Cell:
    return Cell(**{f.name: data[f.name] for f in dataclasses.fields(Cell) if f.name in data})


def targets_for(app: object, served: Callable[..., Any], module: Any
                ) -> tuple[list[Target], str]:
    """The module's declared routes, then what discovery finds besides, capped. ``app`` is
    the object the module names, ``served`` its ASGI 3 form (for an OpenAPI document)."""
    declared = list(getattr(module, "TARGETS", ()))
    discovery = discover(app, served, max_targets=20, timeout=OPTIONS.deadline)

    def key(target: Target) -> tuple[str, str, str]:
        return target.kind, target.method, target.path

    known = {key(t) for t in declared}
    found = {key(t) for t in discovery.targets}
    extra = [t for t in discovery.targets if key(t) not in known]
    if discovery.source.startswith("defaults"):
        note = "discovery found no routes (asgicheck has no route reader for this framework)"
    else:
        note = (f"discovery ({discovery.source}) found {len(known & found)} of the "
                f"{len(known)} declared routes" + (f" and {len(extra)} more" if extra else ""))
    return (declared + extra)[:MAX_TARGETS], note


def error_record(scenario_id: str, exc: BaseException) -> dict[str, Any]:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return {"scenario_id": scenario_id, "protocol": "general", "title": "", "status": "failed",
            "violations": [], "transcript": "", "skip_reason": None, "duration": 0.0,
            "details": {}, "rules": [], "exchanges": [], "error": text}


def run_scenarios(scenarios: Iterable[Scenario], app: object, cell: Cell,
                  progress: Progress) -> None:
    for scenario in scenarios:
        try:
            outcome = scenario.run(app, OPTIONS)
        except Exception as exc:  # a scenario must not raise; if it does, it is evidence
            cell.records.append(error_record(scenario.id, exc))
            continue
        cell.records.append(result_record(scenario, outcome, OPTIONS.selection))
    progress(f"  {cell.subject:<15} {cell.mode:<10} {len(cell.records):4} scenarios "
             f"{dict(cell.counts())}")


def _live(scenarios: list[Scenario]) -> list[Scenario]:
    return [s for s in scenarios if "/server-" not in s.id]


def run_cell(subject: Subject, mode: str, progress: Progress = print) -> Cell:
    """Run every scenario of ``subject`` under ``mode`` ("driver", "uvicorn", "hypercorn")."""
    cell = Cell(subject=subject.name, mode=mode)
    missing = installed(subject)
    if missing:
        cell.ran, cell.note = False, missing
        return cell
    started = time.perf_counter()
    try:
        if subject.kind == "middleware":
            _middleware_cell(subject, mode, cell, progress)
        else:
            _app_cell(subject, mode, cell, progress)
    except Exception as exc:  # an app that cannot be loaded or a server that will not start
        cell.records.append(error_record(f"{mode}/setup", exc))
    finally:
        _close(cell)
        cell.duration = time.perf_counter() - started
    return cell


def _close(cell: Cell) -> None:
    """Stop every lifespan session and live server the cell started; one that will not stop
    is a runner error of the cell, not a crash of the run."""
    for close in (close_sessions, close_live_servers):
        try:
            close()
        except Exception as exc:
            cell.records.append(error_record(f"{cell.mode}/teardown", exc))


def _app_cell(subject: Subject, mode: str, cell: Cell, progress: Progress) -> None:
    loaded = load_app(subject.target)
    module = importlib.import_module(subject.module)
    targets, cell.note = targets_for(loaded.original, loaded.app, module)
    if subject.kind == "control":
        cell.note = "a raw ASGI app has no route table: the declared routes"
    cell.targets = [t.label for t in targets]
    if mode == "driver":
        fuzz = FuzzSettings(seed=FUZZ_SEED, max_examples=FUZZ_EXAMPLES, database=None,
                            app_spec=subject.target)
        scenarios = closing_last([*build_scenarios(targets, OPTIONS),
                                  *build_property_scenarios(targets, OPTIONS, settings=fuzz)])
    else:
        scenarios = _live(build_live_scenarios(loaded.app, mode, targets, OPTIONS))
    run_scenarios(scenarios, loaded.app, cell, progress)


def _middleware_cell(subject: Subject, mode: str, cell: Cell, progress: Progress) -> None:
    factory = load_factory(subject.target)
    if mode == "driver":
        cell.note = "asgicheck's known-good inner apps"
        scenarios = build_middleware_scenarios(factory, kwargs=subject.kwargs, options=OPTIONS)
        run_scenarios(scenarios, None, cell, progress)
        return
    app = factory(raw_app.app, **subject.kwargs)
    targets = list(raw_app.TARGETS)
    cell.note, cell.targets = "around the raw control app", [t.label for t in targets]
    run_scenarios(_live(build_live_scenarios(app, mode, targets, OPTIONS)), app, cell, progress)


def run_server_probes(server: str, progress: Progress = print) -> Cell:
    """asgicheck's server scenarios (its probe app, judged on the server's side)."""
    cell = Cell(subject=server, mode="probe", note="asgicheck's probe app")
    started = time.perf_counter()
    try:
        found = build_live_scenarios(raw_app.app, server, [], OPTIONS)
        run_scenarios([s for s in found if "/server-" in s.id], raw_app.app, cell, progress)
    except Exception as exc:
        cell.records.append(error_record(f"{server}/setup", exc))
    finally:
        _close(cell)
        cell.duration = time.perf_counter() - started
    return cell
