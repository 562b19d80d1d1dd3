"""The contract every part of asgicheck speaks: what to check, how, and what came of it.

- ``Target``: one thing to send, discovered from the app (``asgicheck.discovery``) or declared
  by the user (``asgicheck.config``).
- ``RunOptions``: how the simulated server behaves for a run.
- ``Scenario``: one named scripted exchange (or a few related ones) against one target;
  ``run(app, options)`` is synchronous, never hangs (the driver enforces a hard deadline),
  never raises for anything the app does, and returns an ``Outcome``. The fixed catalogue is
  ``asgicheck.scenarios``; the fuzzing properties, live mode and middleware mode add their own.
- ``Outcome``: a scenario's result, whose ``status`` follows from its findings (``status_of``);
  the plugin turns it into a pytest item's verdict and the reports into records.

The shapes change only with every side that uses them; optional fields (all with defaults) may be
added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from asgicheck.selection import DEFAULT, Selection
from asgicheck.transcript import ExchangeRecord
from asgicheck.violations import Severity, Violation

__all__ = ["BODY_METHODS", "Outcome", "Protocol", "RunOptions", "Scenario", "Status", "Target",
           "status_of"]

# The methods whose requests carry a body: targets of these get one when they declare none.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

Protocol = Literal["http", "websocket", "lifespan", "general"]
Status = Literal["passed", "failed", "warned", "skipped"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """A request (or websocket connection) the app is known to serve."""

    kind: Literal["http", "websocket"] = "http"
    method: str = "GET"
    path: str = "/"
    query_string: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    subprotocols: tuple[str, ...] = ()
    source: str = "default"  # where it came from: "reference_app", "starlette", "config", ...
    # The route template it was filled from ("/items/{item_id:int}"), when discovery knows it:
    # the fuzzing properties generate path parameters from it.
    template: str | None = None

    @property
    def label(self) -> str:
        query = f"?{self.query_string.decode('latin-1')}" if self.query_string else ""
        return f"{self.method} {self.path}{query}" if self.kind == "http" else f"WS {self.path}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    deadline: float = 5.0  # seconds one exchange may take, hard limit
    spec_version: str = "2.4"  # what the simulated server announces for http/websocket
    block_threshold: float = 0.1  # event-loop stall (s) reported as OPS-APP-003
    selection: Selection = DEFAULT
    # Added by the scenarios (all optional):
    lifespan: bool = True  # run HTTP/websocket exchanges inside a lifespan session if supported
    linger: float = 1.0  # "T": how long the app may run on after the client went away
    hold_back: float = 0.2  # S09/W06: how long the first event is held back
    spin_limit: int = 16  # receive() calls after a disconnect that count as spinning
    concurrency: int = 8  # connections at once in general/concurrent-connections


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    scenario_id: str
    status: Status
    violations: tuple[Violation, ...] = ()
    transcript: str = ""  # compact, human-readable rendering of the exchange(s)
    # The same exchanges as data, built from the Transcript objects (``Transcript.record``), for
    # the JSON and HTML reports; empty when the scenario recorded none.
    exchanges: tuple[ExchangeRecord, ...] = ()
    skip_reason: str | None = None
    duration: float = 0.0
    details: dict[str, object] = field(default_factory=dict)


class Scenario:
    """Base class; subclasses set the attributes and implement ``run``."""

    id: str
    protocol: Protocol
    title: str
    rules: tuple[str, ...]  # the rule IDs this scenario can report

    def run(self, app: object, options: RunOptions) -> Outcome:
        raise NotImplementedError


def status_of(violations: list[Violation] | tuple[Violation, ...], selection: Selection) -> Status:
    """failed if any finding fails the run; warned if only warnings; info never counts."""
    if any(selection.fails(v) for v in violations):
        return "failed"
    if any(v.severity is Severity.WARNING for v in violations):
        return "warned"
    return "passed"
