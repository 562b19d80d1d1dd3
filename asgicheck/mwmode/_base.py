"""The shape every middleware scenario shares: a fresh stack, one or more exchanges, judgement.

``MiddlewareScenario.run(app, options)`` follows the scenario contract
(``asgicheck.scenarios``): synchronous, never hangs (the driver's deadlines), never raises for
anything the middleware does, returns an ``Outcome``. ``app`` is ignored: a middleware scenario
builds its own app, ``factory(inner, **kwargs)``, around a known-good inner app, fresh for every
exchange.

A bug that every exchange shows (a header the middleware always sends wrong, a scope it always
mutates) is reported once, by ``middleware/plain``; the other HTTP scenarios report only what
the plain exchange did not show and list the rest under ``details["also_in_baseline"]``, so one
bug fails one item.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asgicheck.contract import Outcome, Protocol, RunOptions, Scenario, status_of
from asgicheck.mwmode._blame import (
    inner_findings,
    outer_findings,
    scope_findings,
    transcripts,
)
from asgicheck.mwmode._exchange import Exchange, Stack
from asgicheck.mwmode._factory import Factory, MiddlewareConfigError
from asgicheck.mwmode._judge import (
    false_disconnect,
    header_findings,
    lost_bytes,
    request_findings,
    uppercase_passed_through,
)
from asgicheck.mwmode._probe import Behaviour
from asgicheck.transcript import Transcript
from asgicheck.violations import Violation

__all__ = ["MiddlewareScenario", "Result", "Shared", "Skip", "judge_http"]


class Skip(Exception):
    """The scenario does not apply to this middleware; the message says why."""


@dataclass
class Result:
    findings: list[Violation] = field(default_factory=list)
    transcripts: list[Transcript] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)

    def add(self, ex: Exchange, findings: Iterable[Violation]) -> None:
        """Findings of one exchange, and both sides of it for the rendering (marked only with
        the rules reported, not with those the scenario explains away)."""
        found = list(findings)
        self.findings.extend(found)
        self.transcripts.extend(transcripts(ex, inner_findings(ex.call),
                                            frozenset(v.rule for v in found)))


class Shared:
    """What the scenarios of one ``build_middleware_scenarios`` call share: the factory, its
    keyword arguments, and the rules the plain exchange reports (per run options)."""

    def __init__(self, factory: Factory, kwargs: Mapping[str, Any]) -> None:
        self.factory = factory
        self.kwargs = dict(kwargs)
        self.plain: Callable[[RunOptions], Result] | None = None  # set by the builder
        self._baselines: dict[RunOptions, frozenset[str]] = {}
        self._lock = threading.RLock()

    def baseline(self, options: RunOptions) -> frozenset[str]:
        with self._lock:
            found = self._baselines.get(options)
            if found is None:
                if self.plain is None:
                    return frozenset()
                try:
                    result = self.plain(options)
                except (Skip, MiddlewareConfigError):
                    result = Result()
                found = frozenset(v.rule for v in options.selection.keep(result.findings))
                self._baselines[options] = found
            return found


class MiddlewareScenario(Scenario):
    protocol: Protocol
    name: str
    title: str
    rules: tuple[str, ...] = ()
    deduplicated = False  # report only what middleware/plain does not

    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        self.id = f"middleware/{self.name}"

    def __repr__(self) -> str:
        return f"<scenario {self.id}>"

    def stack(self, behaviour: Behaviour, options: RunOptions) -> Stack:
        return Stack.build(self.shared.factory, self.shared.kwargs, behaviour, options)

    def check(self, options: RunOptions) -> Result:
        raise NotImplementedError

    def run(self, app: object, options: RunOptions) -> Outcome:
        """Run the scenario; ``app`` is not used (see the module docstring)."""
        started = time.perf_counter()
        try:
            result = self.check(options)
        except Skip as skip:
            return Outcome(scenario_id=self.id, status="skipped", skip_reason=str(skip),
                           duration=time.perf_counter() - started)
        except MiddlewareConfigError as exc:  # the factory refused this inner app
            return Outcome(scenario_id=self.id, status="skipped", skip_reason=str(exc),
                           duration=time.perf_counter() - started)
        known = self.shared.baseline(options) if self.deduplicated else frozenset()
        found: list[Violation] = []
        seen: set[tuple[str, str]] = set()
        repeated: set[str] = set()
        for v in options.selection.keep(result.findings):
            if v.rule in known:
                repeated.add(v.rule)
            elif (v.rule, v.message) not in seen:
                seen.add((v.rule, v.message))
                found.append(v)
        details = dict(result.details)
        if repeated:
            details["also_in_baseline"] = sorted(repeated)
        return Outcome(
            scenario_id=self.id, status=status_of(found, options.selection),
            violations=tuple(found),
            transcript="\n\n".join(t.render(limit=40, counted={v.rule for v in found})
                                   for t in result.transcripts),
            exchanges=tuple(t.record(limit=40) for t in result.transcripts),
            duration=time.perf_counter() - started, details=details)


def judge_http(ex: Exchange, *, body: bytes = b"", drop: Iterable[str] = (),
               client_stays: bool = True) -> list[Violation]:
    """Everything an ordinary HTTP exchange through the middleware can show.

    ``body`` is the request body the client sent; ``drop`` lists outer findings the scenario
    explains itself; ``client_stays`` says the client waits for the whole response (so an
    ``http.disconnect`` reaching the inner app early was made up by the middleware).
    """
    found = request_findings(ex, body) + header_findings(ex)
    for check in (lost_bytes, false_disconnect) if client_stays else (lost_bytes,):
        finding = check(ex)
        if finding is not None:
            found.append(finding)
    dropped = set(drop)
    if uppercase_passed_through(ex):
        dropped.add("HTTP-SEND-008")  # the inner app's own header names, passed on as sent
    if any(v.rule == "HTTP-EVT-001" for v in found):
        dropped.add("OPS-APP-002")  # the hang is explained: the body never reached the app
    return outer_findings(ex, drop=dropped) + inner_findings(ex.call) + found + \
        scope_findings(ex.stack, "http")
