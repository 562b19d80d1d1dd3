"""Property items: one ``Scenario`` per property and target, run by Hypothesis's ``@given``.

``PropertyScenario.run`` builds a ``@given`` test around the property, runs it with the item's
settings (``_settings``), and turns the outcome into an ``Outcome``. The inner test remembers
what each example did, so Hypothesis's final replay of the shrunk example is answered from
memory: the failure it raises carries that example and its transcripts, which is how the
shrunk counterexample reaches the report. The memory also makes the property deterministic
for Hypothesis even when the app is not (no ``Flaky``).

Three guards keep a slow app (or a loaded machine) from costing minutes: a failure about time
(a stalled loop, an app still running after the client left) counts only if a second run shows
it too; once ``time_budget`` is spent the next new example ends Hypothesis's run
(``_OutOfTime``, a BaseException Hypothesis does not catch), and the item then reports the
simplest failure seen so far, if any; and an example whose exchange ran into the deadline (or
wedged the loop) ends the run at once (``_Hung``), unshrunk and not run again: every shrink
attempt and every later example would wait out the deadline too. That hang trips the run's
circuit breaker (``scenarios._breaker``): the target's other properties are not run, and say
which item hung.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

import hypothesis
from hypothesis.strategies import SearchStrategy

from asgicheck.contract import Outcome, RunOptions, Scenario, Target, status_of
from asgicheck.fuzzing._campaign import plan_shares
from asgicheck.fuzzing._examples import Example
from asgicheck.fuzzing._exchanges import Exchanges
from asgicheck.fuzzing._properties import PROPERTIES, Property, Verdict
from asgicheck.fuzzing._reproduce import load_replay, replay_path, reproduction, write_replay
from asgicheck.fuzzing._settings import FuzzSettings, hypothesis_settings, item_seed
from asgicheck.fuzzing._strategies import http_examples, template_parts, websocket_examples
from asgicheck.scenarios import context_for, hung, not_run, tripped_note
from asgicheck.transcript import Transcript

__all__ = ["PropertyScenario", "build_property_scenarios", "target_label"]


class _OutOfTime(BaseException):
    """Raised inside ``@given`` once the item's time budget is spent: a BaseException, so it
    ends Hypothesis's run at once instead of counting as a failure to shrink."""


class _Falsified(Exception):
    """Raised inside ``@given`` for a failing example; Hypothesis shrinks, then re-raises it."""

    def __init__(self, example: Example, verdict: Verdict) -> None:
        super().__init__(example.describe())
        self.example, self.verdict = example, verdict


class _Hung(BaseException):
    """Raised inside ``@given`` for a failing example whose exchange hung: a BaseException, so
    Hypothesis neither shrinks it nor tries another example (each would cost a deadline)."""

    def __init__(self, failure: _Falsified) -> None:
        super().__init__(failure.example.describe())
        self.failure = failure


def target_label(target: Target) -> str:
    """``GET /items/{item_id}`` when the target knows its template, else its own label."""
    template = target.template
    if not template or target.kind != "http":
        return target.label
    shown = "".join(p if isinstance(p, str) else "{" + p[0] + "}"
                    for p in template_parts(template, target.path))
    return f"{target.method} {shown}"


class PropertyScenario(Scenario):
    """One property against one target, ``examples`` generated examples at most."""

    def __init__(self, prop: Property, target: Target, fuzz: FuzzSettings, examples: int
                 ) -> None:
        self.prop, self.target, self.fuzz, self.examples = prop, target, fuzz, examples
        self.time_budget = fuzz.time_budget  # a campaign gives each item its share instead
        self.id = f"fuzz/{prop.number}-{prop.name}[{target_label(target)}]"
        self.protocol = prop.kind
        self.title = prop.title
        self.rules = prop.rules

    def __repr__(self) -> str:
        return f"<property {self.id}>"

    def strategy(self) -> SearchStrategy[Example]:
        if self.prop.kind == "websocket":
            return websocket_examples(self.target)
        return http_examples(self.target, disconnect=self.prop.disconnects)

    def run(self, app: object, options: RunOptions) -> Outcome:
        started = time.perf_counter()
        ctx = context_for(app, options)
        stopped = ctx.breaker.tripped("fuzz", (self.target.label,))
        if stopped is not None:
            return not_run(self.id, stopped, started)
        fuzz, prop = self.fuzz, self.prop
        seen: dict[Example, Verdict] = {}
        best: list[_Falsified] = []  # the simplest failure so far, for a run cut short
        stop_at = time.monotonic() + self.time_budget
        exchanges = Exchanges(ctx)  # in the app's thread (see _exchanges)

        def check(example: Example) -> None:
            verdict = seen.get(example)
            if verdict is None:
                if time.monotonic() > stop_at and not exchanges.resumes(example):
                    raise _OutOfTime
                exchange = exchanges.for_example(example)
                verdict = _with_hang(prop.check(exchange, example, options, fuzz), options)
                if verdict.failed and _hang(verdict) is None and _timing(verdict):
                    again = prop.check(exchange, example, options, fuzz)  # a loaded machine?
                    verdict = verdict if again.failed else again
                seen[example] = verdict
            if verdict.failed:
                failure = _Falsified(example, verdict)
                if _hang(verdict) is not None:
                    raise _Hung(failure)
                if not best or _size(example) <= _size(best[0].example):
                    best[:] = [failure]
                raise failure

        test = hypothesis.given(self.strategy())(check)
        stored = self._stored_example()
        if stored is not None:
            test = hypothesis.example(stored)(test)
        seed = item_seed(fuzz, self.id)
        if seed is not None:
            test = hypothesis.seed(seed)(test)
        test = hypothesis_settings(fuzz, self.id, self.examples)(test)
        failure: _Falsified | None = None
        over_budget = False
        try:
            exchanges.run(test)
        except _Falsified as falsified:
            failure = falsified
        except _Hung as hang:  # the first hang ends the item: nothing shrunk, nothing more sent
            failure = hang.failure
        except _OutOfTime:  # shrinking (or the search) stopped: report the best so far
            over_budget = True
            failure = best[0] if best else None
        except Exception as exc:  # Hypothesis's errors, or a group around our failure
            failure = _find_falsified(exc)
            if failure is None:
                raise
        details: dict[str, object] = {"property": prop.number, "examples": len(seen),
                                      "max_examples": self.examples,
                                      "time_budget": self.time_budget,
                                      "seed": fuzz.seed, "item_seed": seed,
                                      "over_budget": over_budget}
        if failure is None:
            self._forget_stored()
            return Outcome(scenario_id=self.id, status="passed", details=details,
                           duration=time.perf_counter() - started)
        return self._failed(failure, app, options, ctx.server() is not None, details, started)

    def _failed(self, failure: _Falsified, app: object, options: RunOptions, lifespan: bool,
                details: dict[str, object], started: float) -> Outcome:
        example, verdict = failure.example, failure.verdict
        status = status_of(verdict.findings, options.selection)
        hang = _hang(verdict)
        notes = []
        if hang is not None and status == "failed":
            tripped = context_for(app, options).breaker.trip(
                "fuzz", self.target.label, self.id, hang, plain=False)
            if tripped.item == self.id:
                notes.append(f"note: {tripped_note(tripped)}")
                details["hung"] = True
        code = reproduction(self.id, self.prop.number, example, options, app=app,
                            spec=self.fuzz.app_spec, lifespan=lifespan,
                            allow_5xx=self.fuzz.allow_5xx)
        details.update(example=example.to_json(), reproduction=code)
        if self.fuzz.replay_dir is not None:
            findings = [{"rule": v.rule, "severity": v.severity.value, "message": v.message}
                        for v in verdict.findings]
            path = write_replay(self.fuzz.replay_dir, self.id, self.prop.number, example,
                                findings=findings, code=code, target=_target_json(self.target))
            details["replay_file"] = str(path)
        counted = {v.rule for v in verdict.findings}
        transcript = "\n\n".join(t.render(limit=40, counted=counted)
                                 for t in verdict.transcripts)
        heading = (f"counterexample (not shrunk: it hung, and every attempt to shrink it "
                   f"would wait out the deadline again): {example.describe()}"
                   if hang is not None else f"shrunk counterexample: {example.describe()}")
        lines = [*notes, heading, "", transcript, "",
                 "reproduce without Hypothesis (paste into a test file):", "",
                 *("    " + line if line else "" for line in code.splitlines())]
        return Outcome(scenario_id=self.id, status=status, violations=tuple(verdict.findings),
                       transcript="\n".join(lines),
                       exchanges=tuple(t.record(limit=40) for t in verdict.transcripts),
                       duration=time.perf_counter() - started, details=details)

    def _stored_example(self) -> Example | None:
        """The example a replay file of an earlier failing run holds, tried first."""
        if self.fuzz.replay_dir is None:
            return None
        path = replay_path(self.fuzz.replay_dir, self.id)
        try:
            stored = load_replay(path)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        kind = "websocket" if self.prop.kind == "websocket" else "http"
        return stored.example if stored.example.kind == kind else None

    def _forget_stored(self) -> None:
        if self.fuzz.replay_dir is not None:
            replay_path(self.fuzz.replay_dir, self.id).unlink(missing_ok=True)


def _hang(verdict: Verdict) -> Transcript | None:
    """The exchange of the example that ran into the deadline or wedged the loop, if any."""
    return next((t for t in verdict.transcripts if hung(t)), None)


def _with_hang(verdict: Verdict, options: RunOptions) -> Verdict:
    """A hang fails every property: one whose own judgement has nothing to say about it (P2
    and P3 judge answers, and a hung exchange has none) reports the hang itself (OPS-APP-002),
    as no property holds for an exchange that never ended."""
    hang = _hang(verdict)
    if hang is None or verdict.failed:
        return verdict
    found = options.selection.keep([v for v in hang.violations if v.rule == "OPS-APP-002"])
    failed = any(options.selection.fails(v) for v in found)
    return Verdict(verdict.transcripts, [*verdict.findings, *found], failed)


def _timing(verdict: Verdict) -> bool:
    """Whether the failure is about time (a stall, an app still running after the client left):
    those are confirmed by a second run before they count, as the fixed scenarios confirm
    stalls. A deadline hang is not (see the module)."""
    return any(t.ended == "timeout" for t in verdict.transcripts) or any(
        v.rule in ("OPS-APP-002", "OPS-APP-003") for v in verdict.findings)


def _size(example: Example) -> int:
    """How big an example is (to keep the simplest failure of a run cut short)."""
    return len(repr(example))


def _find_falsified(exc: BaseException) -> _Falsified | None:
    """Our failure inside what Hypothesis raised around it (a Flaky group, say)."""
    if isinstance(exc, _Falsified):
        return exc
    for inner in getattr(exc, "exceptions", ()):  # an ExceptionGroup (3.10: the backport's)
        found = _find_falsified(inner)
        if found is not None:
            return found
    return None


def _target_json(target: Target) -> dict[str, Any]:
    data = asdict(target)
    data["query_string"] = target.query_string.decode("latin-1")
    data["body"] = target.body.decode("latin-1")
    data["headers"] = [[n.decode("latin-1"), v.decode("latin-1")] for n, v in target.headers]
    data["subprotocols"] = list(target.subprotocols)
    return data


def build_property_scenarios(targets: list[Target], options: RunOptions, *,
                             settings: FuzzSettings) -> list[Scenario]:
    """The property items for these targets: P1-P4 for each HTTP target, P5 for each
    websocket target (those in ``settings.properties``), in a stable order with unique IDs.
    ``options`` is the run's (the items run with the options the plugin passes to ``run``)."""
    unique: dict[tuple[str, str], Target] = {}
    for target in targets:
        unique.setdefault((target.kind, target_label(target)), target)
    chosen = [(PROPERTIES[number], target) for target in unique.values()
              for number in settings.properties if PROPERTIES[number].kind == target.kind]
    if settings.profile is not None:
        hypothesis.settings.get_profile(settings.profile)  # unknown: InvalidArgument, now
    examples = settings.examples_per_item(len(chosen))
    found = [PropertyScenario(prop, target, settings, examples) for prop, target in chosen]
    plan_shares(found, settings)
    return list[Scenario](found)
