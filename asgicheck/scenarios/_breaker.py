"""The run's circuit breaker: once a target hangs, its other items are not run.

An exchange that hangs costs the whole deadline (5 s by default), and a target that hangs on
one request almost always hangs on the next: an app that awaits forever in every handler made
a run of 121 items take 350 s, most of it later scenarios and fuzzing examples waiting out the
deadline again. So the first item of a *family* (the fixed catalogue, or the fuzzing
properties) whose exchange with a target ran into the deadline, or wedged the loop, trips the
breaker for that target; the family's later items for it are reported as skipped, "not run",
with a reason that names the item that saw the hang, whose failure carries the transcript.

Three rules keep this honest:

* only a hang that *failed* its item trips the breaker: a skip must point at a failure of the
  same run (a hang the selection ignores, or one a scenario reports as a warning, trips
  nothing, and the later items run and wait as before);
* only the deadline and a wedged loop count. An app that runs past the linger time after the
  client left (HTTP-RECV-007, WS-APP-001) is a finding of that scenario, not a hung target;
* the breaker is keyed by target, so a route that hangs stops only that route's items.

A target whose *plain* exchange (S01, W01, W00) hung is hung for the fuzzing properties too:
their examples are variations of that request, and each would cost a deadline to show the same
hang. A hang only one scenario or property provokes stops only its own family.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from asgicheck.transcript import Transcript

__all__ = ["Breaker", "Family", "Hang", "hung"]

Family = Literal["scenarios", "fuzz"]


def hung(t: Transcript) -> bool:
    """Whether the exchange ran into its deadline or wedged the event loop (not a linger)."""
    return t.ended == "timeout" and t.timed_out == "deadline"


@dataclass(frozen=True, slots=True)
class Hang:
    """The first hang of a target in a family: the item that saw it, and how long it waited."""

    target: str  # the target's label ("GET /", "WS /", "lifespan")
    item: str  # the scenario ID of the item that failed with it
    waited: float  # seconds the exchange ran before it was given up
    plain: bool  # it was the target's plain exchange

    def reason(self) -> str:
        """The skip reason of an item the breaker stops."""
        return (f"not run: {self.target} already hung in {self.item} (given up after "
                f"{self.waited:.1f} s, see that failure's transcript); asgicheck sends it "
                f"nothing more in this family of items, as every exchange would wait out the "
                f"deadline again")


class Breaker:
    """Which targets have hung, per family (see the module)."""

    def __init__(self) -> None:
        self._hangs: dict[tuple[Family, str], Hang] = {}
        self._lock = threading.Lock()

    def tripped(self, family: Family, targets: Iterable[str]) -> Hang | None:
        """The hang that stops an item of ``family`` sending to ``targets``, if any."""
        with self._lock:
            for target in targets:
                found = self._hangs.get((family, target))
                if found is None and family == "fuzz":
                    found = self._hangs.get(("scenarios", target))
                    found = found if found is not None and found.plain else None
                if found is not None:
                    return found
        return None

    def trip(self, family: Family, target: str, item: str, transcript: Transcript, *,
             plain: bool) -> Hang:
        """Record that ``item`` failed with ``transcript``, a hang of ``target`` (the first
        one stays: later calls return it)."""
        with self._lock:
            return self._hangs.setdefault((family, target), Hang(
                target=target, item=item, waited=transcript.duration, plain=plain))
