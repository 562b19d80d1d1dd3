"""A fuzzing campaign as it runs and when it ends: a progress line as the property items finish,
and a closing summary of what it found and where that was kept.

It reads the result records (the dicts of the JSON report), so it says the same under
pytest-xdist, where the records reach the controller from the workers. The clock starts when
the items are known (the end of collection), and the rate is examples over the time from then
to the last property item's end.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PROGRESS_EVERY", "Campaign"]

PROGRESS_EVERY = 5.0  # seconds between two progress lines; a failure is shown at once
Record = Mapping[str, Any]


@dataclass(eq=False, kw_only=True)
class Campaign:
    """One run's campaign. ``budget`` is its label (``10m``, ``20000 examples``), ``seconds``
    the time budget (None for an examples budget), ``database`` where failing examples are kept
    (None: no database in use)."""

    budget: str
    seconds: float | None = None
    database: str | None = None
    clock: Callable[[], float] = time.monotonic
    items: int | None = None  # property items this run runs, once known
    workers: int = 1
    started: float | None = None
    ended: float | None = None
    done: int = 0
    examples: int = 0
    failures: list[Record] = field(default_factory=list)
    _shown: float = -math.inf

    def expect(self, items: int, workers: int) -> None:
        """The items are known: start the clock."""
        self.items, self.workers = items, max(workers, 1)
        if self.started is None:
            self.started = self.clock()

    def add(self, record: Record) -> list[str]:
        """Take one item's result; the lines to print now (a found failure, then progress every
        ``PROGRESS_EVERY`` seconds and after the last item)."""
        if not str(record["scenario_id"]).startswith("fuzz/"):
            return []
        now = self.clock()
        if self.started is None:
            self.started = now
        self.ended = now
        self.done += 1
        self.examples += int(record["details"].get("examples") or 0)
        lines = []
        if record["status"] == "failed" and not record.get("xfailed"):
            self.failures.append(record)
            lines.append(f"asgicheck campaign: found {_found(record)}")
        last = self.items is not None and self.done >= self.items
        if lines or last or now - self._shown >= PROGRESS_EVERY:
            self._shown = now
            lines.append(self.progress())
        return lines

    def progress(self) -> str:
        """``asgicheck campaign: 12/57 property items, 5,210 examples (389/s), 1 failing, 1m02s
        of 10m``."""
        of = f"/{self.items}" if self.items else ""
        spent = _clock(self.elapsed()) + (f" of {self.budget}" if self.seconds else "")
        return (f"asgicheck campaign: {self.done}{of} property items, {self.examples:,} examples "
                f"({self.rate():.0f}/s), {len(self.failures)} failing, {spent}")

    def elapsed(self) -> float:
        if self.started is None or self.ended is None:
            return 0.0
        return max(self.ended - self.started, 0.0)

    def rate(self) -> float:
        """Examples per second of wall-clock time, over all workers."""
        elapsed = self.elapsed()
        return self.examples / elapsed if elapsed > 0 else 0.0

    def summary(self, reports: Sequence[str] = ()) -> list[str]:
        """The closing lines: the budget and its spread, what ran, what was found, and where
        it is kept (``reports``: the JSON and HTML report paths of the run, if any)."""
        items = self.items if self.items is not None else self.done
        share = ""
        if self.seconds and items:
            share = f", {self.seconds * self.workers / items:.1f} s each"
        lines = [f"budget {self.budget} on {self.workers} worker(s): {items} property items"
                 f"{share}"]
        if not self.done:  # --co, or everything deselected: the plan alone
            return lines
        lines.append(f"ran {self.examples:,} examples in {_clock(self.elapsed())}: "
                     f"{self.rate():.1f} examples/s")
        if not self.failures:
            lines.append("found no failing property")
        else:
            lines.append(f"found {len(self.failures)} failing property item(s):")
            lines += [f"  {_found(record)}" for record in self.failures]
            if self.database is not None:
                lines.append(f"saved in the example database {self.database}: every run that "
                             f"uses it replays these first")
            else:
                lines.append("saved in no example database (none in use: name one with "
                             "--asgicheck-fuzz-database)")
            files = [str(r["details"]["replay_file"]) for r in self.failures
                     if r["details"].get("replay_file")]
            if files:
                lines.append(f"replay files: {', '.join(files)}")
        lines += [f"report: {path}" for path in reports]
        return lines


def _found(record: Record) -> str:
    """``fuzz/P2-no-server-error[GET /]: OPS-APP-001; shrunk counterexample: GET /é``."""
    rules = ", ".join(dict.fromkeys(v["rule"] for v in record["violations"] if v["fails"]))
    lines = str(record.get("transcript") or "").splitlines()
    example = next((line.strip() for line in lines if line.startswith("shrunk counterexample")),
                   "")
    return f"{record['scenario_id']}: {rules or 'failed'}" + (f"; {example}" if example else "")


def _clock(seconds: float) -> str:
    """``62.4`` as ``1m02s``, ``3725`` as ``1h02m05s``, ``4.2`` as ``4.2s``."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
