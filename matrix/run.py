"""The conformance matrix: ``python matrix/run.py [--frameworks ...] [--modes ...]
[--out docs/conformance-matrix.md] [--json matrix/results.json] [--show SCENARIO]``.

Runs asgicheck against the matrix apps and middlewares (``matrix.subjects``) under the chosen
modes and writes the table, with every failure triaged (``matrix.triage``), as a markdown page.
``--show`` prints the findings and transcripts of the scenarios whose ID matches (a glob or a
substring) instead of writing anything: the reproduction command the page gives for each
failure. The exit status is 1 when a cell could not run (a worker or a scenario raised), and
with ``--check`` also when a failure has no triage entry.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matrix.engine import (  # noqa: E402
    Cell,
    cell_from_json,
    error_record,
    run_cell,
    run_server_probes,
)
from matrix.render import render_page, write_json  # noqa: E402
from matrix.subjects import GROUPS, MODES, SUBJECTS, Subject, select, versions  # noqa: E402
from matrix.triage import matches, untriaged  # noqa: E402

__all__ = ["main", "run_matrix"]

ROOT = Path(__file__).resolve().parent.parent
CELL_TIMEOUT = 180.0  # s: a backstop only; every exchange inside has asgicheck's deadlines
Say = Callable[[str], None]


@contextlib.contextmanager
def quiet_logging() -> Iterator[None]:
    """Keep the frameworks' and asgicheck's log output off the terminal while the matrix runs,
    and put the root logger back as it was (Litestar configures it when an app is built)."""
    root, ours = logging.getLogger(), logging.getLogger("asgicheck")
    saved = (root.level, list(root.handlers), ours.propagate, list(ours.handlers))
    ours.propagate, ours.handlers = False, [logging.NullHandler()]
    try:
        yield
    finally:
        root.setLevel(saved[0])
        root.handlers = saved[1]
        ours.propagate, ours.handlers = saved[2], saved[3]


def _in_process(subject: str, mode: str, say: Say) -> Cell:
    """One cell in this process (the worker's job, or the whole run with --no-isolate)."""
    with quiet_logging():
        if mode == "probe":
            return run_server_probes(subject, say)
        return run_cell(next(s for s in SUBJECTS if s.name == subject), mode, say)


def _isolated(subject: str, mode: str) -> Cell:
    """One cell in a fresh interpreter, as a server runs one app per process: what one cell
    does to an app object (a lifespan startup, a server) cannot leak into the next."""
    with tempfile.TemporaryDirectory(prefix="asgicheck-matrix-") as folder:
        out = Path(folder) / "cell.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--cell",
                   f"{subject}:{mode}", "--cell-out", str(out)]
        try:
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                                  timeout=CELL_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:  # subprocess.run kills the worker it started
            return _broken(subject, mode, f"the cell's worker ran past {CELL_TIMEOUT:g} s")
        if done.returncode != 0 or not out.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            return _broken(subject, mode, f"the cell's worker exited {done.returncode}: "
                                          + " | ".join(tail))
        return cell_from_json(json.loads(out.read_text(encoding="utf-8")))


def _broken(subject: str, mode: str, why: str) -> Cell:
    return Cell(subject=subject, mode=mode, records=[error_record(f"{mode}/worker",
                                                                  RuntimeError(why))])


def run_matrix(subjects: Sequence[Subject], modes: Sequence[str], *, probes: bool = True,
               isolate: bool = True, say: Say = print) -> list[Cell]:
    """Every cell, subject by subject, then (with live modes) the servers' own probes."""
    jobs = [(s.name, m) for s in subjects for m in modes]
    if probes:
        jobs += [(m, "probe") for m in modes if m != "driver"]
    cells = []
    for subject, mode in jobs:
        started = time.perf_counter()
        cell = _isolated(subject, mode) if isolate else _in_process(subject, mode, _silent)
        cells.append(cell)
        status = dict(cell.counts()) if cell.ran else cell.note
        say(f"  {subject:<15} {mode:<10} {len(cell.records):4} scenarios "
            f"{time.perf_counter() - started:5.1f} s  {status}")
    return cells


def _silent(_: str) -> None:
    pass


def show(cells: list[Cell], pattern: str) -> int:
    """Print what matched ``pattern``; 1 when nothing did."""
    shown = 0
    for cell in cells:
        for record in cell.records:
            scenario = record["scenario_id"]
            if not matches(scenario, f"*{pattern}*"):
                continue
            shown += 1
            print(f"=== {cell.subject} / {cell.mode}: {scenario} -> {record['status']}")
            if record.get("error"):
                print(f"runner error: {record['error']}")
            if record.get("skip_reason"):
                print(f"skipped: {record['skip_reason']}")
            for v in record["violations"]:
                print(f"{v['rule']} [{v['severity']}{', fails' if v['fails'] else ''}] "
                      f"{v['party']}: {v['message']} -- {v['spec']}")
            print(record.get("transcript") or "(no transcript)")
            print()
    if not shown:
        print(f"no scenario matches {pattern!r}", file=sys.stderr)
    return 0 if shown else 1


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python matrix/run.py", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frameworks", nargs="+", metavar="NAME",
                        help=f"subjects or groups to run (default all): "
                             f"{', '.join(GROUPS)} or a name from matrix/subjects.py")
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES),
                        help="driver (in-process; middleware mode for middlewares), uvicorn, "
                             "hypercorn (live mode); default all three")
    parser.add_argument("--out", type=Path, help="the markdown page to write "
                        "(default docs/conformance-matrix.md unless --show)")
    parser.add_argument("--json", type=Path, help="also write the records as JSON")
    parser.add_argument("--show", metavar="SCENARIO",
                        help="print the scenarios whose ID contains this (* and ? are "
                             "wildcards; brackets are literal)")
    parser.add_argument("--no-server-probes", action="store_true",
                        help="skip asgicheck's server scenarios in live modes")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if a failure has no triage entry")
    parser.add_argument("--no-isolate", action="store_true",
                        help="run every cell in this process (faster to start, but cells share "
                             "app objects: see --cell)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--cell", help=argparse.SUPPRESS)  # SUBJECT:MODE, the worker's job
    parser.add_argument("--cell-out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.cell:
        subject, _, mode = args.cell.partition(":")
        cell = _in_process(subject, mode, _silent)
        args.cell_out.write_text(json.dumps(cell.to_json()), encoding="utf-8")
        return 0
    try:
        subjects = select(args.frameworks)
    except ValueError as exc:
        print(f"matrix: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    quiet = args.quiet or bool(args.show)
    cells = run_matrix(subjects, args.modes, probes=not args.no_server_probes
                       and (not args.show or "server-" in args.show),
                       isolate=not args.no_isolate, say=_silent if quiet else print)
    runtime = time.perf_counter() - started
    if args.show:
        return show(cells, args.show)
    found = versions(subjects)
    out = args.out or ROOT / "docs" / "conformance-matrix.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_page(cells, subjects, args.modes, found, runtime), encoding="utf-8")
    if args.json:
        write_json(args.json, cells, found, runtime)
    missing = untriaged(cells)
    broken = [f for f in missing if f.rule == "runner-error"]
    if not args.quiet:
        print(f"matrix: {len(cells)} cells in {runtime:.1f} s; wrote {out}"
              + (f" and {args.json}" if args.json else ""))
    for item in broken if args.quiet else missing:
        print(f"matrix: {'ERROR' if item.rule == 'runner-error' else 'UNTRIAGED'} {item}",
              file=sys.stderr)
    return 1 if broken or (args.check and missing) else 0


if __name__ == "__main__":
    sys.exit(main())
