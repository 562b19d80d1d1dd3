"""The shape every scenario shares, and the judgements several of them make.

A scenario's ``check(ctx)`` runs its exchanges and returns a ``Result``: the transcripts, the
findings of its own (SCENARIO-detection) rules, and the transcript findings those explain
(``suppress``: a hang after a disconnect is reported as HTTP-RECV-007, not also as the generic
OPS-APP-002). ``Base.run`` turns that into the plugin's ``Outcome``.

Findings the validator makes on every exchange (a static message bug, say) are reported once,
by the target's plain scenario (S01/W01); the other scenarios of the same target report only
findings that the plain exchange did not show, and list the rest under
``details["also_in_baseline"]``. So one bug fails one item, and a failing S02 means "chunking
breaks something", not "this app has a bug somewhere".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from asgicheck.contract import Outcome, Protocol, RunOptions, Scenario, Target, status_of
from asgicheck.rules import violation
from asgicheck.scenarios._breaker import Family, Hang, hung
from asgicheck.scenarios._context import RESTARTED, Baseline, Context, context_for
from asgicheck.transcript import Received, Sent, Transcript
from asgicheck.violations import Severity, Violation

__all__ = ["CRASHES", "Base", "Result", "Skip", "crashed", "difference", "ended_as",
           "not_run", "send_after_disconnect", "tripped_note"]

# Exceptions that mean "the app assumed a key, a type or a shape the spec does not promise".
CRASHES = frozenset({"KeyError", "TypeError", "AttributeError", "IndexError"})


class Skip(Exception):
    """The scenario does not apply to this app; the message says why."""


@dataclass
class Result:
    transcripts: list[Transcript] = field(default_factory=list)
    findings: list[Violation] = field(default_factory=list)
    suppress: set[str] = field(default_factory=set)
    details: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the reader must know, atop the text

    def blame(self, rule: str, message: str, *, severity: Severity | None = None) -> None:
        """The finding that says what went wrong in this scenario's exchange (most often: it
        behaved differently from the plain one). A hang the exchange ended in is part of what
        it names, so that is not reported again as the generic OPS-APP-002."""
        self.findings.append(violation(rule, message, severity=severity))
        self.suppress.add("OPS-APP-002")




class Base(Scenario):
    protocol: Protocol
    name: str  # e.g. "S02-chunked-body"
    title: str
    rules: tuple[str, ...] = ()
    family: Family = "scenarios"  # whose circuit breaker stops it (``_breaker``)
    plain = False  # it runs the target's plain exchange (S01, W00, W01)

    def __init__(self, target: Target | None = None) -> None:
        self.target = target
        self.id = f"{self.protocol}/{self.name}" + (f"[{target.label}]" if target else "")

    def __repr__(self) -> str:
        return f"<scenario {self.id}>"

    def run(self, app: object, options: RunOptions) -> Outcome:
        started = time.perf_counter()
        ctx = context_for(app, options)
        stopped = self.stopped_by(ctx)
        if stopped is not None:
            return not_run(self.id, stopped, started)
        restarted = ctx.restarted_uses
        try:
            result = self.check(ctx)
        except Skip as skip:
            return Outcome(scenario_id=self.id, status="skipped", skip_reason=str(skip),
                           duration=time.perf_counter() - started)
        selection = options.selection
        known = self.known_rules(ctx)
        # A rule the validator already reported on these exchanges needs no second message.
        shown = {v.rule for t in result.transcripts for v in t.violations}
        found = [v for v in selection.keep(result.findings) if v.rule not in shown]
        seen = {(v.rule, v.message) for v in found}
        repeated: set[str] = set()
        for transcript in result.transcripts:
            for v in transcript.violations:
                if v.rule in result.suppress or (v.rule, v.message) in seen:
                    continue
                if v.rule in known and v.rule not in self.rules:
                    repeated.add(v.rule)
                    continue
                seen.add((v.rule, v.message))
                found.append(v)
        counted = {v.rule for v in found}
        details = dict(result.details)
        if repeated:
            details["also_in_baseline"] = sorted(repeated)
        status = status_of(found, selection)
        notes = result.notes + ([RESTARTED] if ctx.restarted_uses > restarted else [])
        if status == "failed":
            notes += self._trip(ctx, result.transcripts)
        if notes:
            details["notes"] = notes
        return Outcome(
            scenario_id=self.id, status=status, violations=tuple(found),
            transcript="\n\n".join([*(f"note: {n}" for n in notes),
                                     *(t.render(limit=40, counted=counted)
                                       for t in result.transcripts)]),
            exchanges=tuple(t.record(limit=40) for t in result.transcripts),
            duration=time.perf_counter() - started, details=details)

    def check(self, ctx: Context) -> Result:
        raise NotImplementedError

    def sends_to(self) -> tuple[str, ...]:
        """The targets this item's exchanges go to, as the circuit breaker names them."""
        return (self.target.label,) if self.target else ()

    def stopped_by(self, ctx: Context) -> Hang | None:
        """The first hang that stops this item before it sends anything (``_breaker``)."""
        return ctx.breaker.tripped(self.family, self.sends_to())

    def target_of(self, t: Transcript) -> str | None:
        """Which of ``sends_to()`` the exchange ``t`` went to."""
        targets = self.sends_to()
        return targets[0] if len(targets) == 1 else None

    def _trip(self, ctx: Context, transcripts: list[Transcript]) -> list[str]:
        """This failed item's hangs trip the breaker for their targets; the note says so."""
        notes = []
        for t in transcripts:
            target = self.target_of(t) if hung(t) else None
            if target is None:
                continue
            hang = ctx.breaker.trip(self.family, target, self.id, t, plain=self.plain)
            if hang.item == self.id:
                notes.append(tripped_note(hang))
        return notes

    def known_rules(self, ctx: Context) -> frozenset[str]:
        """Rules the target's plain exchange already reports (see the module docstring)."""
        return frozenset()

    def baseline(self, ctx: Context) -> Baseline:
        raise NotImplementedError

    def compared(self, ctx: Context) -> Baseline:
        """The baseline, or Skip when it hung (there is nothing to compare with)."""
        base = self.baseline(ctx)
        if base.hung:
            raise Skip(f"the plain exchange of {self.target_label} hangs, so there is nothing "
                       f"to compare with (see its plain scenario)")
        return base

    @property
    def target_label(self) -> str:
        return self.target.label if self.target else "the app"


def not_run(scenario_id: str, hang: Hang, started: float) -> Outcome:
    """The outcome of an item the circuit breaker stops: skipped, naming the first hang."""
    return Outcome(scenario_id=scenario_id, status="skipped", skip_reason=hang.reason(),
                   duration=time.perf_counter() - started,
                   details={"not_run": {"target": hang.target, "hung_in": hang.item}})


def tripped_note(hang: Hang) -> str:
    """What the item that saw a target's first hang says about the items after it."""
    return (f"{hang.target} hung here (given up after {hang.waited:.1f} s): the later items of "
            f"this family that send to it are not run, and are reported as skipped with a "
            f"reason naming this item")


def ended_as(t: Transcript) -> str:
    """How the app ended, in words: 'returned', 'raised KeyError('body')', 'hung'."""
    if t.ended == "returned":
        return "returned" if t.returned is None else f"returned {t.returned}"
    if t.ended == "raised":
        return f"raised {t.exception}"
    if t.ended == "timeout":
        return "hung (still running at the deadline)"
    return "was cancelled"


def crashed(t: Transcript) -> bool:
    return t.ended == "raised" and t.exception_type in CRASHES


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def difference(base: Baseline, t: Transcript, *, body: bool = True, types: bool = False,
               ref: Transcript | None = None, what: str = "the plain request") -> str | None:
    """How ``t`` behaved differently from the baseline (or from ``ref``, judged with the
    baseline's notion of what is stable), as a phrase; None when alike.

    Only what the baseline shows to be stable is compared: an app whose body changes from one
    call to the next (a timestamp) is compared on its status and end only.
    """
    ref = ref or base.first
    if (ref.ended, ref.exception_type) != (t.ended, t.exception_type):
        return f"it {ended_as(t)} where {what} {ended_as(ref)}"
    if base.stable_status and ref.status != t.status:
        return f"it answered status {t.status} where {what} got {ref.status}"
    if body and base.stable_body and ref.body != t.body:
        return f"it answered the body {_short(t.body)} where {what} got {_short(ref.body)}"
    if types and base.stable_types and ref.sent_types != t.sent_types:
        return f"it sent {list(t.sent_types)} where {what} sent {list(ref.sent_types)}"
    return None


def send_after_disconnect(t: Transcript) -> Sent | None:
    """The first send() made after the app received a disconnect, or after a send() raised
    because the client had gone (HTTP-RECV-005 / WS-RECV-005)."""
    warned = False
    for entry in t.entries:
        if isinstance(entry, Received) and str(entry.event.get("type")).endswith(".disconnect"):
            warned = True
        elif isinstance(entry, Sent):
            if warned:
                return entry
            if entry.result == "raised":
                warned = True
    return None
