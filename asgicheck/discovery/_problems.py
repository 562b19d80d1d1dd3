"""What went wrong when discovery called into the app, as an item of the run.

Discovery calls the app before any scenario: it reads the app's route tables (code of the
framework's, and often of the app's: an ``openapi()`` it overrides, a property) and may send
``GET /openapi.json``. Both run under the driver's watchdog (``driver.call_app_code``,
``driver.run``), so an app that spins, blocks or raises ``SystemExit`` there cannot hang or end
the run; but a user must still hear of it. A ``Problem`` is one such call that hung, or raised a
``BaseException`` that no Exception handler would catch; ``DiscoveryCall`` is the scenario that
reports it (``general/discovery[...]``), failed, with what discovery did next. A call that
merely raised an Exception, or answered 404, is no problem: the app just has no such routes.
"""

from __future__ import annotations

import builtins
import time
from dataclasses import dataclass

from asgicheck.contract import Outcome, RunOptions, Scenario, status_of
from asgicheck.transcript import Transcript
from asgicheck.violations import Violation

__all__ = ["DiscoveryCall", "Problem", "probe_problem"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One call discovery made into the app that hung or raised what no app should."""

    call: str  # "GET /openapi.json", "route tables"
    text: str  # what happened, and what discovery did next
    transcript: Transcript | None = None  # the exchange, when the call was one
    violations: tuple[Violation, ...] = ()


def probe_problem(transcript: Transcript, call: str, then: str) -> Problem | None:
    """The problem with discovery's request ``transcript``, if it hung or raised a
    BaseException that is no Exception; ``then`` says what discovery did instead."""
    if transcript.ended == "timeout":
        what = "did not end within the deadline"
    elif transcript.ended == "raised" and _base_exception(transcript.exception_type):
        what = f"made the app raise {transcript.exception}"
    else:
        return None
    return Problem(call=call, text=f"{call}, which asgicheck sends to find the app's routes, "
                                   f"{what}; {then}",
                   transcript=transcript, violations=transcript.violations)


def _base_exception(name: str | None) -> bool:
    found = getattr(builtins, name, None) if name else None
    return isinstance(found, type) and issubclass(found, BaseException) and \
        not issubclass(found, Exception)


class DiscoveryCall(Scenario):
    """Reports one ``Problem``: a failed item whatever else the run finds."""

    protocol = "general"
    title = ("discovery: the calls asgicheck makes into the app to find its routes end in time "
             "and raise nothing but Exceptions")
    rules = ("OPS-APP-001", "OPS-APP-002", "OPS-APP-003")

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.id = f"general/discovery[{problem.call}]"

    def __repr__(self) -> str:
        return f"<scenario {self.id}>"

    def run(self, app: object, options: RunOptions) -> Outcome:
        started = time.perf_counter()
        problem = self.problem
        found = options.selection.keep(list(problem.violations))
        transcript = problem.transcript
        text = [f"note: {problem.text}"]
        if transcript is not None:
            text.append(transcript.render(limit=40))
        # No rule covers code that is no exchange raising; the item fails on the note alone.
        status = status_of(found, options.selection) if found or transcript else "failed"
        return Outcome(scenario_id=self.id, status=status, violations=tuple(found),
                       transcript="\n\n".join(text),
                       exchanges=(transcript.record(limit=40),) if transcript else (),
                       duration=time.perf_counter() - started,
                       details={"notes": [problem.text], "call": problem.call})
