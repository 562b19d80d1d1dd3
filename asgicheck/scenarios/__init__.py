"""The conformance scenarios: scripted exchanges that exercise what single messages cannot show.

CONTRACT between the driver/scenarios and the pytest plugin (do not change the shapes without
updating both sides):

- ``Target``: one thing to send, discovered from the app or declared by the user.
- ``RunOptions``: how the simulated server behaves for a run.
- ``Scenario``: one named scripted exchange (or a few related ones) against one target;
  ``run(app, options)`` is synchronous, never hangs (hard deadline enforced by the driver),
  never raises for anything the app does, and returns an ``Outcome``.
- ``build_scenarios(targets, options)`` lists every scenario for the given targets, with stable,
  readable IDs such as ``http/S02-chunked-body[POST /echo]`` or ``lifespan/L01-full``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from asgicheck.selection import DEFAULT, Selection
from asgicheck.violations import Violation

__all__ = ["Outcome", "RunOptions", "Scenario", "Target", "build_scenarios"]

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    scenario_id: str
    status: Status
    violations: tuple[Violation, ...] = ()
    transcript: str = ""  # compact, human-readable rendering of the exchange(s)
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


def build_scenarios(targets: list[Target], options: RunOptions) -> list[Scenario]:
    """Every scenario for these targets (being written)."""
    raise NotImplementedError
