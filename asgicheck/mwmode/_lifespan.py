"""Lifespan scenarios: the lifespan scope must pass through the middleware (bug class K).

A middleware sits between the server and an app that supports lifespan, so the pair supports
it: the server's ``lifespan.startup`` must reach the inner app, its answer must reach the server,
and so must ``lifespan.shutdown`` and its answer. Middleware that assumes every scope is HTTP
raises on lifespan (K5, K8, K13) or returns from it (K7): the server then runs without lifespan
(uvicorn's default says only "ASGI 'lifespan' protocol appears unsupported") and the app's
startup never runs. The request made while the server is up checks that the state the inner app
stored at startup reaches it (lifespan.rst § Lifespan State).

Until the catalogue has middleware-specific rules, pass-through failures are reported under the
lifespan answer rules they make the pair break: LS-SEND-001 (startup), LS-SEND-004 (shutdown),
LS-APP-002 (a startup failure turned into a raise) and LS-SRV-007 (the state copy).
"""

from __future__ import annotations

from asgicheck.contract import RunOptions
from asgicheck.driver import Startup
from asgicheck.mwmode import _inner as inner
from asgicheck.mwmode._base import MiddlewareScenario, Result, Skip
from asgicheck.mwmode._blame import (
    blame,
    ended,
    inner_findings,
    outer_findings,
    scope_findings,
    summary,
)
from asgicheck.mwmode._exchange import Exchange, Lifespan, lifespan_session
from asgicheck.mwmode._probe import Call
from asgicheck.violations import Violation

__all__ = ["SCENARIOS"]

_SWALLOWED = "bug class K: K5-K8, K13"


class LifespanScenario(MiddlewareScenario):
    protocol = "lifespan"
    fail_startup = False

    def check(self, options: RunOptions) -> Result:
        stack = self.stack(inner.lifespan_aware(fail_startup=self.fail_startup), options)
        session = lifespan_session(stack, options)
        calls = stack.calls("lifespan")
        call = calls[0] if calls else None
        events = call.notes.get("events", []) if call else []
        own = self.judge(session, call, events)
        # The driver's own lifespan findings say the same as ours, less precisely.
        explained = {v.rule for v in own} | ({"OPS-APP-002"} if own else set())
        ex = Exchange(stack=stack, outer=session.lifespan, scope_type="lifespan")
        result = Result(details={"startup": session.startup.outcome,
                                 "inner_events": list(events)})
        result.add(ex, own + outer_findings(ex, drop=explained) + inner_findings(call) +
                   scope_findings(stack, "lifespan"))
        if session.request is not None:
            result.add(session.request, self.judge_request(session.request))
        return result

    def judge(self, session: Lifespan, call: Call | None, events: list[object]
              ) -> list[Violation]:
        raise NotImplementedError

    def judge_request(self, request: Exchange) -> list[Violation]:
        return []


def _not_passed(startup: Startup, call: Call | None, events: list[object]) -> Violation | None:
    """LS-SEND-001 when the server's lifespan.startup never reached the inner app."""
    if "lifespan.startup" in events:
        return None
    called = "called the inner app but never passed lifespan.startup on" if call else \
        "never called the inner app"
    if startup.outcome == "raised":
        how = (f"raised {startup.message} on the lifespan scope and {called}: servers take a "
               f"raise for 'lifespan unsupported' (uvicorn's default mode just logs it)")
    elif startup.outcome == "returned":
        how = (f"returned from the lifespan scope without answering and {called}: servers "
               f"then start without lifespan, or wait for an answer that never comes")
    elif startup.outcome == "hung":
        how = f"did not answer lifespan.startup and {called}"
    else:
        how = f"answered lifespan.startup.{startup.outcome} itself and {called}"
    return blame("LS-SEND-001", f"the inner app supports lifespan, but the middleware {how}; "
                 f"the app's startup code never runs and the app serves requests without the "
                 f"resources it opens there. Pass scope types you do not handle through "
                 f"unchanged ({_SWALLOWED})")


class LifespanPassThrough(LifespanScenario):
    name = "lifespan-pass-through"
    title = ("startup, a request, shutdown: each lifespan event reaches the inner app and each "
             "answer the server; the state stored at startup reaches the request")
    rules = ("LS-SEND-001", "LS-SEND-002", "LS-SEND-004", "LS-SRV-007", "GEN-MW-001",
             "OPS-APP-002")

    def judge(self, session: Lifespan, call: Call | None, events: list[object]
              ) -> list[Violation]:
        startup = session.startup
        missing = _not_passed(startup, call, events)
        if missing is not None:
            return [missing]
        if startup.outcome != "complete":
            return [blame("LS-SEND-001", f"the inner app answered lifespan.startup.complete, but "
                          f"the server got {startup.outcome} ({startup.message or 'no message'}; "
                          f"the middleware {ended(session.lifespan)}): the middleware changed "
                          f"the inner app's answer")]
        answered = [m for m in session.lifespan.sent if isinstance(m, dict) and
                    str(m.get("type")).startswith("lifespan.shutdown.")]
        if "lifespan.shutdown" not in events:
            what = f"answered {answered[0].get('type')} itself" if answered else \
                "did not answer it"
            return [blame("LS-SEND-004", f"the server's lifespan.shutdown never reached the "
                          f"inner app (the middleware {what}; it {ended(session.lifespan)}): "
                          f"the app's cleanup code never runs ({_SWALLOWED})")]
        if not answered:
            return [blame("LS-SEND-004", f"the inner app answered lifespan.shutdown.complete "
                          f"but the middleware never passed the answer on (it "
                          f"{ended(session.lifespan)}; it sent "
                          f"{summary(session.lifespan.sent)}): the server waits for it before "
                          f"terminating")]
        return []

    def judge_request(self, request: Exchange) -> list[Violation]:
        call = request.call
        if call is None or call.notes.get("state_seen", True):
            return []
        state = call.scope.get("state") if isinstance(call.scope, dict) else None
        got = "no 'state' key" if state is None else \
            f"a state without {inner.STATE_KEY!r} ({sorted(map(str, state))!r:.60})"
        return [blame("LS-SRV-007", f"the inner app stored {inner.STATE_KEY!r} in the lifespan "
                      f"state at startup, but the request scope the middleware passed on has "
                      f"{got}: the middleware must pass the server's copy of the lifespan "
                      f"state through (lifespan.rst § Lifespan State)")]


class LifespanStartupFailed(LifespanScenario):
    name = "lifespan-startup-failed"
    title = "the inner app answers lifespan.startup.failed; the server must get that answer"
    fail_startup = True
    rules = ("LS-APP-002", "LS-SEND-001")

    def judge(self, session: Lifespan, call: Call | None, events: list[object]
              ) -> list[Violation]:
        startup = session.startup
        if "lifespan.startup" not in events:
            raise Skip("the middleware does not pass lifespan.startup on to the inner app "
                       "(see middleware/lifespan-pass-through)")
        if startup.outcome == "raised":
            return [blame("LS-APP-002", f"the inner app answered lifespan.startup.failed "
                          f"({inner.LIFESPAN_FAILURE!r}); the middleware turned it into an "
                          f"exception ({startup.message}): servers take a raise for 'lifespan "
                          f"unsupported' and start serving an app that failed to start")]
        if startup.outcome == "complete":
            return [blame("LS-SEND-001", "the inner app answered lifespan.startup.failed; the "
                          "middleware answered lifespan.startup.complete: the server starts "
                          "serving an app that failed to start")]
        if startup.outcome in ("returned", "hung"):
            return [blame("LS-SEND-001", f"the inner app answered lifespan.startup.failed; the "
                          f"middleware {ended(session.lifespan)} without passing the answer "
                          f"on: the server cannot tell that startup failed")]
        return []


SCENARIOS: tuple[type[MiddlewareScenario], ...] = (LifespanPassThrough, LifespanStartupFailed)
