"""The conformance catalogue: scripted exchanges that exercise what single messages cannot show.

``build_scenarios(targets, options)`` lists every scenario for the given targets, with stable,
readable IDs such as ``http/S02-chunked-body[POST /echo]`` or ``lifespan/L01-full``; each is an
``asgicheck.contract.Scenario``. Scenario classes live in ``http``, ``http_scopes``,
``variants`` (request variants that wake middleware branches), ``connections`` (state across
connections), ``websocket``, ``websocket_scopes``, ``lifespan`` and ``general``, on the shared
base in ``_base``.

Scenarios of one ``(app, options)`` share a simulated server (``_context``: lifespan startup
once, then every exchange with a copy of its state) and cached baselines, so they may run in
any order, in any process. ``close_sessions()`` shuts down the lifespan sessions they started
(call it when the run is over; it also runs at interpreter exit). L01 and L02 shut that session
down, so ``build_scenarios`` lists them last (``closing_last()`` keeps them last when a suite
adds scenarios); an exchange run after them starts the app again, on a fresh event loop, and
says so in its transcript.

The face also hands the other suites (fuzzing, live mode) the judgements they share with the
catalogue: ``context_for``, ``Baseline``, ``crashed``, ``difference``, ``with_body``,
``crashed_on_disconnect`` and ``spin_finding``; and the run's circuit breaker (``_breaker``:
``Context.breaker``, ``hung``, ``not_run``, ``tripped_note``), which stops a family's items
for a target once one of them failed with a hang of it.
"""

from __future__ import annotations

from asgicheck.contract import RunOptions, Scenario, Target
from asgicheck.scenarios import (
    connections,
    general,
    http,
    http_scopes,
    lifespan,
    variants,
    websocket,
    websocket_scopes,
)
from asgicheck.scenarios._base import crashed, difference, not_run, tripped_note
from asgicheck.scenarios._breaker import Hang, hung
from asgicheck.scenarios._context import Baseline, Context, close_sessions, context_for
from asgicheck.scenarios.http import crashed_on_disconnect, spin_finding, with_body

__all__ = ["Baseline", "Context", "Hang", "build_scenarios", "close_sessions", "closing_last",
           "context_for", "crashed", "crashed_on_disconnect", "difference", "hung", "not_run",
           "spin_finding", "tripped_note", "with_body"]


def build_scenarios(targets: list[Target], options: RunOptions) -> list[Scenario]:
    """Every scenario for these targets, in a stable order with unique IDs.

    HTTP targets get S01-S17 (S02/S03/S05 need a body: methods POST/PUT/PATCH get a JSON probe
    body when they declare none; S04 empties a declared body), HEAD for GET targets, the
    TLS check, the variants V01-V04 (V05 and V06 with a body) and C01. Websocket targets get
    W01-W09 and C02; with none, ``websocket/W00-probe[WS /]`` asks how the app answers a
    websocket at "/", and W02-W09 and C02 run there only if it accepts. Lifespan
    (L01-L03) and the general scenarios (S15, concurrent connections) run once per app: L03
    first, L01 and L02 last, as they end the lifespan session every exchange shares (a suite
    adding scenarios of its own, such as the fuzzing properties, reorders with ``closing_last``).
    With no targets at all, ``GET /`` is used.
    """
    unique: dict[tuple[str, str], Target] = {}
    for target in targets:
        unique.setdefault((target.kind, target.label), target)
    chosen = list(unique.values()) or [Target()]
    http_targets = [t for t in chosen if t.kind == "http"]
    ws_targets = [t for t in chosen if t.kind == "websocket"]
    found: list[Scenario] = []
    # The lifespan cycle's request: an HTTP one, or a websocket session for an app that serves
    # only websockets (asgi.rst lets it reject http scopes with an exception).
    first = (http_targets or ws_targets)[0]
    found += lifespan.opening(first)
    for target in http_targets:
        found += http.for_target(target)
        found += http_scopes.for_target(target)
        found += variants.for_target(target)
        found += connections.for_http(target)
    found += general.scenarios(http_targets)
    if ws_targets:
        for target in ws_targets:
            found += websocket.for_target(target)
            found += websocket_scopes.for_target(target)
            found += connections.for_websocket(target)
    else:
        found += websocket.probe_scenarios()
        found += websocket_scopes.for_target(websocket.PROBE_TARGET)
        found += connections.for_websocket(websocket.PROBE_TARGET)  # skips unless W00 accepted
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


