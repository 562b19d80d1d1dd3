"""Lifespan scenarios: L03 (does the app take part?), L01 (a full cycle), L02 (no state).

Each runs its own simulated server, apart from the session the other scenarios share, so its
outcome depends on nothing else. L03 classifies the answer to ``lifespan.startup``:
*supports* (complete or failed), *declines* (raises before taking part: the spec's way to say
"no lifespan here", so L01 and L02 are skipped), *returns silently* (LS-APP-001 warning) or
*hangs* (LS-APP-001 error).
"""

from __future__ import annotations

import re
from typing import Any

from asgicheck.driver import Server, Startup
from asgicheck.rules import RULES, violation
from asgicheck.scenarios import Target
from asgicheck.scenarios._base import CRASHES, Base, Result, Skip, crashed, ended_as
from asgicheck.scenarios._context import Context
from asgicheck.scenarios.http import request_script
from asgicheck.transcript import Transcript
from asgicheck.violations import Severity, Violation

__all__ = ["scenarios"]

_NAMESPACED = re.compile(r"[._:/-]")
_GENERIC = frozenset({"app", "cache", "client", "config", "conn", "connection", "database",
                      "db", "engine", "http", "logger", "pool", "redis", "session", "settings",
                      "state", "user"})


def _server(ctx: Context, *, state: bool = True) -> Server:
    opts = ctx.options
    return Server(ctx.app, selection=opts.selection, deadline=opts.deadline,
                  linger=min(getattr(opts, "linger", 1.0), opts.deadline),
                  block_threshold=opts.block_threshold, state=state)


_REQUEST_RULES = frozenset(r for r in RULES if not r.startswith(("LS-", "OPS-", "GEN-")))


class LifespanScenario(Base):
    protocol = "lifespan"

    def __init__(self, request: Target | None = None) -> None:
        super().__init__(None)
        self.request = request or Target()

    def known_rules(self, ctx: Context) -> frozenset[str]:
        # The request inside the cycle is the target's plain exchange: what it breaks over HTTP
        # is S01's to report, whichever of the two happens to run first.
        return _REQUEST_RULES

    def probe(self, ctx: Context) -> tuple[Startup, Transcript]:
        def compute() -> tuple[Startup, Transcript]:
            server = _server(ctx)
            startup = server.startup()
            return startup, server.shutdown()
        found: tuple[Startup, Transcript] = ctx.probe("lifespan-probe", compute)
        return found

    def taking_part(self, ctx: Context) -> None:
        startup, _ = self.probe(ctx)
        if startup.outcome == "raised" and not startup.received:
            raise Skip(f"the app declines lifespan: it raised {startup.message} for a "
                       f"lifespan scope, as the spec allows (see lifespan/L03-probe)")
        if startup.outcome == "returned" and not startup.received:
            raise Skip("the app returns from a lifespan scope without taking part "
                       "(see lifespan/L03-probe)")

    def cycle(self, ctx: Context, result: Result, server: Server) -> Startup:
        """Startup, one request if it completed, shutdown; findings on the lifespan's part."""
        startup = server.startup()
        if startup.outcome == "complete":
            result.transcripts.append(server.run(request_script(
                self.request, ctx.options, name=f"{self.name}: request")))
        lifespan = server.shutdown()
        result.transcripts.insert(0, lifespan)
        result.findings.extend(_startup_findings(startup, lifespan))
        if startup.outcome == "complete":
            result.findings.extend(_shutdown_findings(lifespan))
        if _explains_hang(result.findings):
            result.suppress.add("OPS-APP-002")
        result.details["startup"] = startup.outcome
        if startup.message:
            result.details["startup_message"] = startup.message
        return startup


def _explains_hang(found: list[Violation]) -> bool:
    return any(v.rule in ("LS-SEND-001", "LS-SEND-004", "LS-APP-003", "LS-APP-001")
               for v in found)


def _startup_findings(startup: Startup, lifespan: Transcript) -> list[Violation]:
    if startup.outcome == "raised" and startup.received:
        return [violation(
            "LS-APP-002", f"the app received lifespan.startup and then raised "
            f"{startup.message} instead of sending lifespan.startup.failed: a server takes the "
            f"raise as 'no lifespan support' and starts serving a half-started app")]
    if startup.outcome == "returned" and startup.received:
        return [violation("LS-SEND-001", "the app returned after receiving lifespan.startup "
                          "without answering lifespan.startup.complete or .failed")]
    if startup.outcome == "hung":
        return [violation("LS-SEND-001", f"the app did not answer lifespan.startup "
                          f"({ended_as(lifespan)}); the server waits for the answer before "
                          f"serving anything")]
    return []


def _shutdown_findings(lifespan: Transcript) -> list[Violation]:
    answered = [m for m in lifespan.sent if isinstance(m, dict) and
                str(m.get("type")).startswith("lifespan.shutdown.")]
    if not answered:
        return [violation("LS-SEND-004", f"the app did not answer lifespan.shutdown with "
                          f"lifespan.shutdown.complete or .failed ({ended_as(lifespan)}); "
                          f"the server waits for it before terminating")]
    if lifespan.ended == "timeout":
        return [violation("LS-APP-003", f"the app answered {answered[0].get('type')} but the "
                          f"lifespan call did not return afterwards (still running after "
                          f"{lifespan.duration:.1f} s)")]
    return []


class Probe(LifespanScenario):
    name = "L03-probe"
    title = "does the app support lifespan, decline it by raising, return silently, or hang?"
    rules = ("LS-APP-001",)

    def check(self, ctx: Context) -> Result:
        startup, lifespan = self.probe(ctx)
        kind = {"complete": "supports", "failed": "supports", "raised": "declines",
                "returned": "returns silently", "hung": "hangs"}[startup.outcome]
        result = Result(transcripts=[lifespan], details={"classification": kind,
                                                         "startup": startup.outcome})
        if kind == "returns silently":
            result.findings.append(violation(
                "LS-APP-001", "the app returned from the lifespan scope without answering "
                "lifespan.startup and without raising: decline lifespan by raising, or some "
                "servers wait for a startup answer that never comes"))
        elif kind == "hangs":
            result.findings.append(violation(
                "LS-APP-001", f"the app neither answered lifespan.startup nor raised "
                f"({ended_as(lifespan)}): a server waits for it forever",
                severity=Severity.ERROR))
            result.suppress.add("OPS-APP-002")
        return result


class Full(LifespanScenario):
    name = "L01-full"
    title = "startup, a request carrying the state, shutdown, and the call returns"
    rules = ("LS-SEND-001", "LS-SEND-004", "LS-APP-002", "LS-APP-003", "LS-APP-004")

    def check(self, ctx: Context) -> Result:
        self.taking_part(ctx)
        result = Result()
        server = _server(ctx)
        startup = self.cycle(ctx, result, server)
        if startup.outcome == "complete" and server.lifespan_state:
            loose = sorted(k for k in server.lifespan_state if isinstance(k, str) and
                           (k.lower() in _GENERIC or not _NAMESPACED.search(k)))
            result.details["state_keys"] = sorted(map(str, server.lifespan_state))
            if loose:
                result.findings.append(violation(
                    "LS-APP-004", f"the app stored {loose} in the lifespan state: generic "
                    f"names collide with other frameworks and middleware sharing the "
                    f"namespace; prefix them (e.g. 'myapp.db')"))
        return result


class NoState(LifespanScenario):
    name = "L02-no-state"
    title = "a server without lifespan state: no 'state' in the lifespan or request scopes"
    rules = ("LS-APP-005",)

    def check(self, ctx: Context) -> Result:
        self.taking_part(ctx)
        result = Result()
        startup = self.cycle(ctx, result, _server(ctx, state=False))
        lifespan = result.transcripts[0]
        if startup.outcome in ("raised", "hung") and startup.received and (
                lifespan.exception_type in CRASHES or startup.outcome == "hung"):
            result.findings.append(_no_state("the lifespan call", lifespan))
        for t in result.transcripts[1:]:
            if crashed(t):
                result.findings.append(_no_state("the request", t))
        return result


def _no_state(what: str, t: Transcript) -> Violation:
    return violation("LS-APP-005", f"without scope['state'] (optional: the server does not "
                     f"support lifespan state) {what} {ended_as(t)}; work without it, or "
                     f"send lifespan.startup.failed with a message")


def scenarios(request: Target | None = None) -> list[Any]:
    return [Probe(request), Full(request), NoState(request)]
