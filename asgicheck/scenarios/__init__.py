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

Added by the scenarios (nothing above changed): optional ``RunOptions`` fields (``lifespan``,
``linger``, ``hold_back``, ``spin_limit``, ``concurrency``, all with defaults), and
``close_sessions()``, which shuts down the lifespan sessions the scenarios share (call it when
the run is over; it also runs at interpreter exit). Scenarios of one ``(app, options)`` share a
simulated server (lifespan startup once, then every exchange with a copy of its state) and
cached baselines, so they may run in any order, in any process. L01 and L02 shut that session
down, so ``build_scenarios`` lists them last (``closing_last()`` keeps them last when a suite
adds scenarios); an exchange run after them starts the app again, on a fresh event loop, and
says so in its transcript. Scenario classes live in ``http``, ``http_scopes``, ``websocket``,
``lifespan`` and ``general``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from asgicheck.selection import DEFAULT, Selection
from asgicheck.violations import Violation

__all__ = ["Outcome", "RunOptions", "Scenario", "Target", "build_scenarios", "close_sessions",
           "closing_last"]

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
    """Every scenario for these targets, in a stable order with unique IDs.

    HTTP targets get S01-S17 (S02/S03/S05 need a body: methods POST/PUT/PATCH get a JSON probe
    body when they declare none; S04 is for body-less requests), HEAD for GET targets, and the
    TLS check. Websocket targets get W01-W07; with none, ``websocket/W00-probe[WS /]`` asks how
    the app answers a websocket at "/", and W02-W07 run there only if it accepts. Lifespan
    (L01-L03) and the general scenarios (S15, concurrent connections) run once per app: L03
    first, L01 and L02 last, as they end the lifespan session every exchange shares (a suite
    adding scenarios of its own, such as the fuzzing properties, reorders with ``closing_last``).
    With no targets at all, ``GET /`` is used.
    """
    from asgicheck.scenarios import general, http, http_scopes, lifespan, websocket

    unique: dict[tuple[str, str], Target] = {}
    for target in targets:
        unique.setdefault((target.kind, target.label), target)
    chosen = list(unique.values()) or [Target()]
    http_targets = [t for t in chosen if t.kind == "http"]
    ws_targets = [t for t in chosen if t.kind == "websocket"]
    found: list[Scenario] = []
    first = http_targets[0] if http_targets else None
    found += lifespan.opening(first)
    for target in http_targets:
        found += http.for_target(target)
        found += http_scopes.for_target(target)
    found += general.scenarios(http_targets)
    if ws_targets:
        for target in ws_targets:
            found += websocket.for_target(target)
    else:
        found += websocket.probe_scenarios()
    # L01 and L02 shut the shared lifespan session down: after them, an exchange would need
    # the app started a second time (see scenarios._context).
    found += lifespan.closing(first)
    return found


def closing_last(scenarios: list[Scenario]) -> list[Scenario]:
    """``scenarios`` with L01 and L02 moved to the end, for a suite that adds scenarios of its
    own after ``build_scenarios`` (the fuzzing properties): those then share the lifespan
    session too, instead of starting the app a second time."""
    closing = [s for s in scenarios if s.id in _CLOSING]
    return [s for s in scenarios if s.id not in _CLOSING] + closing


_CLOSING = frozenset({"lifespan/L01-full", "lifespan/L02-no-state"})


def close_sessions() -> None:
    """Shut down the lifespan sessions scenarios started (the plugin calls this at the end)."""
    from asgicheck.scenarios._context import close_sessions as close

    close()
