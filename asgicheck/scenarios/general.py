"""Scenarios about the app as a whole: is it an ASGI app at all (G00), an unknown scope type
(S15), and concurrent connections through one app object (OPS-APP-005)."""

from __future__ import annotations

import dataclasses

from asgicheck.contract import Target
from asgicheck.driver import Script, Step
from asgicheck.rules import violation
from asgicheck.scenarios._base import Base, Result, difference, ended_as
from asgicheck.scenarios._breaker import Hang
from asgicheck.scenarios._context import Baseline, Context
from asgicheck.scenarios.http import request_script, with_body
from asgicheck.transcript import Transcript
from asgicheck.violations import Party

__all__ = ["NotAnApp", "scenarios"]


class NotAnApp(Base):
    """The named object is a plain ``def app(scope, receive, send)``: the run's one item. The
    app is never called (a sync function given receive and send would run who knows what)."""

    protocol = "general"
    name = "G00-asgi-callable"
    title = "the object named is an ASGI application: an async callable"
    rules = ("GEN-APP-001",)

    def __init__(self, reason: str) -> None:
        super().__init__(None)
        self.reason = reason

    def check(self, ctx: Context) -> Result:
        return Result(findings=[violation("GEN-APP-001", self.reason)])


class UnknownScope(Base):
    protocol = "general"
    name = "S15-unknown-scope"
    title = "scope['type'] = 'asgicheck.unknown': the app must raise"
    rules = ("GEN-APP-010", "OPS-APP-002")

    def check(self, ctx: Context) -> Result:
        scope = {"type": "asgicheck.unknown", "asgi": {"version": "3.0"}}
        t = ctx.exchange(Script(scope=scope, deadline=ctx.options.deadline,
                                block_threshold=ctx.options.block_threshold, name=self.name),
                         lifespan=False)
        result = Result(transcripts=[t])
        result.suppress.update(v.rule for v in t.violations if v.party is Party.SERVER)
        if t.ended == "returned" or (t.ended == "raised" and t.sent):
            did = f"sent {list(t.sent_types)} and " if t.sent else ""
            result.findings.append(violation(
                "GEN-APP-010", f"given a scope type it cannot know, the app {did}"
                f"{ended_as(t)}; it should raise, so the server knows the protocol is "
                f"unsupported"))
        return result


class Concurrent(Base):
    protocol = "general"
    name = "concurrent-connections"
    title = "several connections at once through the same app object"
    rules = ("OPS-APP-005",)

    def __init__(self, targets: list[Target]) -> None:
        super().__init__(None)
        self.targets = targets
        self._labels: dict[str, str] = {}  # script name -> its target's label

    def sends_to(self) -> tuple[str, ...]:
        return tuple(t.label for t in self.targets)

    def target_of(self, t: Transcript) -> str | None:
        return self._labels.get(t.name)

    def stopped_by(self, ctx: Context) -> Hang | None:
        """Not run only when every target has hung: the others still go together."""
        hangs = [ctx.breaker.tripped(self.family, (label,)) for label in self.sends_to()]
        return hangs[0] if hangs and all(hangs) else None

    def scripts(self, ctx: Context) -> list[Script]:
        count = ctx.options.concurrency
        live = [t for t in self.targets if ctx.breaker.tripped(self.family, (t.label,)) is None]
        scripts = []
        for number in range(count):
            original = live[number % len(live)]
            target = with_body(original)
            if target.body:  # trailing spaces keep a JSON body valid and make it distinct
                target = dataclasses.replace(target, body=target.body + b" " * number)
            else:
                query = target.query_string + (b"&" if target.query_string else b"")
                target = dataclasses.replace(target, query_string=query +
                                             f"asgicheck={number}".encode())
            name = f"#{number} {target.label}"
            self._labels[name] = original.label
            scripts.append(request_script(target, ctx.options, name=name))
        return scripts

    def check(self, ctx: Context) -> Result:
        scripts = self.scripts(ctx)
        alone: list[Transcript] = []
        for script in scripts:
            first = ctx.exchange(script)
            if first.ended == "timeout":  # it hangs on its own: that is the finding
                return Result(transcripts=[first], notes=[
                    f"connection {script.name!r} hangs even on its own, so the connections "
                    f"were not run together"])
            alone.append(first)
        together = ctx.concurrently([_held(s) for s in scripts])
        result = Result(transcripts=together)
        result.suppress.update(v.rule for first in alone for v in first.violations)
        for script, first, t in zip(scripts, alone, together, strict=True):
            # Judged first as if the app answered the same every time; only a difference
            # needs a second run alone, to tell what varies anyway (a timestamp) from what
            # the other connections changed. A two-run baseline compares a subset of what a
            # one-run baseline compares, so this finds exactly what running every request
            # alone twice found, with half the exchanges alone.
            changed = difference(Baseline(first, first), t, what="the same request alone")
            if changed:
                changed = difference(Baseline(first, ctx.exchange(script)), t,
                                     what="the same request alone")
            if changed:
                result.findings.append(violation(
                    "OPS-APP-005", f"connection {script.name!r}, run at the same time as "
                    f"{len(scripts) - 1} others through the same app object: {changed}; "
                    f"per-connection state must not live on the shared app"))
        return result


def _held(script: Script) -> Script:
    """The request arrives 10 ms late, so every connection is in flight before any answers."""
    steps = list(script.steps)
    steps[0] = Step(event=steps[0].event, gate=steps[0].gate, delay=0.01)
    return dataclasses.replace(script, steps=tuple(steps))


def scenarios(http_targets: list[Target]) -> list[Base]:
    found: list[Base] = [UnknownScope()]
    if http_targets:
        found.append(Concurrent(http_targets))
    return found
