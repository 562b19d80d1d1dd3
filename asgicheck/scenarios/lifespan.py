"""Lifespan scenarios: L03 (does the app take part?), L01 (its whole cycle), L02 (no state).

A real server starts an app once and shuts it down once (lifespan.rst: "once per event loop"),
and apps may set themselves up once per process: so these judge the run's one lifespan session
(``Context.session``) rather than starting cycles of their own. L03 classifies the session's
answer to ``lifespan.startup``: *supports* (complete or failed), *declines* (raises before
taking part: the spec's way to say "no lifespan here", so L01 and L02 are skipped), *returns
silently* (LS-APP-001 warning) or *hangs* (LS-APP-001 error). L01 shuts the session down and
judges its whole cycle, so ``build_scenarios`` lists it after every exchange. L02 needs a server
without lifespan state, a second cycle nothing can spare: it runs after the session has ended,
on a fresh event loop, and its transcript says so.
"""

from __future__ import annotations

import re
from typing import Any

from asgicheck.contract import Target
from asgicheck.driver import Script, Server, Startup
from asgicheck.rules import RULES, violation
from asgicheck.scenarios._base import CRASHES, Base, Result, Skip, crashed, ended_as
from asgicheck.scenarios._context import Context, SessionCycle, confirmed
from asgicheck.scenarios.http import request_script
from asgicheck.scenarios.websocket import ws_script
from asgicheck.transcript import Transcript
from asgicheck.violations import Severity, Violation

__all__ = ["closing", "opening", "scenarios"]

_NAMESPACED = re.compile(r"[._:/-]")
_GENERIC = frozenset({"app", "cache", "client", "config", "conn", "connection", "database",
                      "db", "engine", "http", "logger", "pool", "redis", "session", "settings",
                      "state", "user"})
_SECOND_SERVER = ("L02 needs a server without lifespan state, so the app object is started a "
                  "second time in this run: after the run's lifespan session was shut down, "
                  "on a fresh event loop, as a second server would (lifespan.rst: once per "
                  "event loop). An app that can only be started once per process may fail "
                  "here for that reason alone.")
_LOST = ("an exchange wedged the event loop of the run's lifespan session, and the lifespan "
         "call was lost with it, so this cycle runs on a fresh event loop")


# How the circuit breaker names the app's lifespan call (a startup that hung: L03, L02).
LIFESPAN = "lifespan startup"

_REQUEST_RULES = frozenset(r for r in RULES if not r.startswith(("LS-", "OPS-", "GEN-")))


class LifespanScenario(Base):
    protocol = "lifespan"

    def __init__(self, request: Target | None = None) -> None:
        super().__init__(None)
        # The exchange that carries the state: the first HTTP target, or a websocket one for
        # an app that serves only websockets (it may reject http scopes by raising).
        self.request = request or Target()

    def request_script(self, ctx: Context, name: str) -> Script:
        if self.request.kind == "websocket":
            return ws_script(self.request, ctx.options, name=name)
        return request_script(self.request, ctx.options, name=name)

    def known_rules(self, ctx: Context) -> frozenset[str]:
        # The request inside the cycle is the target's plain exchange: what it breaks over HTTP
        # is S01's to report, whichever of the two happens to run first.
        return _REQUEST_RULES

    def taking_part(self, ctx: Context) -> None:
        startup = ctx.session().startup()
        if startup.outcome == "raised" and not startup.received:
            raise Skip(f"the app declines lifespan: it raised {startup.message} for a "
                       f"lifespan scope, as the spec allows (see lifespan/L03-probe)")
        if startup.outcome == "returned" and not startup.received:
            raise Skip("the app returns from a lifespan scope without taking part "
                       "(see lifespan/L03-probe)")

    def cycle_request(self, ctx: Context, name: str) -> Script | None:
        """The request a cycle sends between startup and shutdown; None when the circuit
        breaker knows its target hangs (the cycle then judges the lifespan call alone)."""
        if ctx.breaker.tripped(self.family, (self.request.label,)) is not None:
            return None
        return self.request_script(ctx, name)

    def request_left_out(self, ctx: Context, result: Result) -> None:
        """The note that says a cycle sent no request, and why."""
        hang = ctx.breaker.tripped(self.family, (self.request.label,))
        if hang is not None:
            result.notes.append(f"no request was sent inside this lifespan cycle: "
                                f"{hang.target} already hung in {hang.item}, so only the "
                                f"lifespan call is judged here")

    def session_cycle(self, ctx: Context) -> SessionCycle:
        """The run's session, shut down (once, by whichever of L01/L02 runs first)."""
        return ctx.end_session(lambda: self.cycle_request(ctx, "lifespan session: request"))

    def judge(self, result: Result, startup: Startup, lifespan: Transcript) -> None:
        """Findings on the lifespan's part of one cycle."""
        result.findings.extend(_startup_findings(startup, lifespan))
        if startup.outcome == "complete":
            result.findings.extend(_shutdown_findings(lifespan))
        if _explains_hang(result.findings):
            result.suppress.add("OPS-APP-002")
        result.details["startup"] = startup.outcome
        if startup.message:
            result.details["startup_message"] = startup.message

    def cycle(self, ctx: Context, result: Result, server: Server) -> Startup:
        """Startup, one request if it completed, shutdown, on a server of the scenario's own."""
        startup = server.startup()
        request = self.cycle_request(ctx, f"{self.name}: request")
        if startup.outcome == "complete":
            if request is not None:
                result.transcripts.append(server.run(request))
            else:
                self.request_left_out(ctx, result)
        lifespan = server.shutdown()
        result.transcripts.insert(0, lifespan)
        self.judge(result, startup, lifespan)
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

    def sends_to(self) -> tuple[str, ...]:
        return (LIFESPAN,)  # a startup that hangs trips the breaker for L02's

    def check(self, ctx: Context) -> Result:
        startup = ctx.session().startup()
        kind = {"complete": "supports", "failed": "supports", "raised": "declines",
                "returned": "returns silently", "hung": "hangs"}[startup.outcome]
        result = Result(details={"classification": kind, "startup": startup.outcome})
        ended = ctx.ended
        lifespan = ended.lifespan if ended is not None else startup.transcript
        if ended is not None:
            result.suppress.add("OPS-APP-003")  # see Full
        if lifespan is not None:
            result.transcripts.append(lifespan)
        else:  # the session is still up, serving the other scenarios
            answer = "lifespan.startup.complete" if startup.outcome == "complete" else \
                "lifespan.startup.failed"
            result.notes.append(f"the run's lifespan session: the app answered lifespan.startup "
                                f"with {answer}; the session serves the other scenarios, and "
                                f"lifespan/L01-full judges its shutdown")
        if kind == "returns silently":
            # Before it received lifespan.startup there is no startup code to skip, and uvicorn
            # and hypercorn serve the app as usual: a warning (after it, LS-SEND-001 is L01's).
            result.findings.append(violation(
                "LS-APP-001", "the app returned from the lifespan scope without answering "
                "lifespan.startup and without raising: decline lifespan by raising, or some "
                "servers wait for a startup answer that never comes",
                severity=None if startup.received else Severity.WARNING))
        elif kind == "hangs":
            result.blame(
                "LS-APP-001", f"the app neither answered lifespan.startup nor raised "
                f"({ended_as(lifespan) if lifespan else 'hung'}): a server waits for it "
                f"forever", severity=Severity.ERROR)
        return result


class Full(LifespanScenario):
    name = "L01-full"
    title = "startup, a request carrying the state, shutdown, and the call returns"
    rules = ("LS-SEND-001", "LS-SEND-004", "LS-APP-002", "LS-APP-003", "LS-APP-004")

    def check(self, ctx: Context) -> Result:
        self.taking_part(ctx)
        result = Result()
        cycle = self.session_cycle(ctx)
        if cycle.lost:
            result.notes.append(_LOST)
            server = ctx.new_server(fresh=True)
            self.cycle(ctx, result, server)
        else:
            server = cycle.server
            result.transcripts = [cycle.lifespan, *cycle.requests]
            if cycle.startup.outcome == "complete" and not cycle.requests:
                self.request_left_out(ctx, result)
            self.judge(result, cycle.startup, cycle.lifespan)
            # The session's lifespan call spans every exchange of the run, so the loop stalls
            # it records are theirs (each reports its own); L02's cycle, alone on its loop,
            # shows a startup that blocks.
            result.suppress.add("OPS-APP-003")
        if server.started and server.lifespan_state:
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

    def sends_to(self) -> tuple[str, ...]:
        return (LIFESPAN,)  # a startup of its own: not run when L03's startup hung

    def check(self, ctx: Context) -> Result:
        self.taking_part(ctx)
        self.session_cycle(ctx)  # the app is never started twice at once
        # A fresh loop's cycle, alone: its stalls are this app's, once seen twice (confirmed).
        return confirmed(lambda: self.second_server(ctx), lambda result: result.transcripts)

    def second_server(self, ctx: Context) -> Result:
        result = Result(notes=[_SECOND_SERVER], details={"second_server": True})
        startup = self.cycle(ctx, result, ctx.new_server(state=False, fresh=True))
        lifespan = result.transcripts[0]
        if startup.outcome in ("raised", "hung") and startup.received and (
                lifespan.exception_type in CRASHES or startup.outcome == "hung"):
            result.findings.append(_no_state("the lifespan call", lifespan))
        for t in result.transcripts[1:]:
            if crashed(t):
                what = "the request" if t.scope.get("type") == "http" else "the websocket session"
                result.findings.append(_no_state(what, t))
        return result


def _no_state(what: str, t: Transcript) -> Violation:
    return violation("LS-APP-005", f"without scope['state'] (optional: the server does not "
                     f"support lifespan state) {what} {ended_as(t)}; work without it, or "
                     f"send lifespan.startup.failed with a message")


def opening(request: Target | None = None) -> list[Any]:
    """L03: the classification, from the session's startup (listed first)."""
    return [Probe(request)]


def closing(request: Target | None = None) -> list[Any]:
    """L01 and L02: they end the session, so they are listed after every exchange."""
    return [Full(request), NoState(request)]


def scenarios(request: Target | None = None) -> list[Any]:
    return [*opening(request), *closing(request)]
