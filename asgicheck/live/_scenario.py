"""The shape of every live scenario: a ``Scenario`` (the plugin's contract) whose ``run`` takes
the server from the run's hosting, drives it in steps, and turns what it saw into an
``Outcome``.

Two families share it. *App* scenarios send the user's targets to the user's app inside the
real server; their findings are whatever ``validate()`` recorded there, for both parties.
*Server* scenarios drive asgicheck's own probe app, keep only server-party findings, and add
their own judgements of what the server delivered (``Report.find``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache

from asgicheck.contract import Outcome, Protocol, RunOptions, Scenario, Target, status_of
from asgicheck.live._hosting import Hosted, Step, hosted
from asgicheck.live._logs import LogLine, collapse
from asgicheck.live._probes import probe_app
from asgicheck.live._tracker import Call
from asgicheck.rules import RULES, violation
from asgicheck.selection import Selection
from asgicheck.transcript import ExchangeRecord, text_exchange
from asgicheck.violations import Party, Severity, Violation

__all__ = ["STEP_LIMIT", "LiveScenario", "Report", "Skip", "probe_selection", "record_call",
           "render_call"]

STEP_LIMIT = 2.0  # seconds: the most any client operation or wait of a live step may take


class Skip(Exception):
    """The check does not apply (or could not be set up); the message says why."""


_RUNNING = "was still running when the step ended"


def render_call(call: Call, violations: list[Violation], *, running: str = _RUNNING) -> str:
    """The call as a transcript. A call still running is said to be so: a live server is not
    cancelled by asgicheck, so the transcript's usual "cancelled" would not be true."""
    text = call.transcript(violations).render(limit=40)
    if call.ended is None:
        lines = text.splitlines()
        for position, line in enumerate(lines):
            if line.startswith("      = "):
                lines[position] = f"      = {_running(running)}"
        text = "\n".join(lines)
    return text


def record_call(call: Call, violations: list[Violation], *, running: str = _RUNNING
                ) -> ExchangeRecord:
    """The call as data (``Transcript.record``), said to be running as ``render_call`` does."""
    record = call.transcript(violations).record(limit=40)
    if call.ended is None:
        record["end"], record["ended"] = _running(running), "running"
    return record


def _running(running: str) -> str:
    return f"{running} (live mode does not cancel app calls)"


@cache
def probe_selection(selection: Selection) -> Selection:
    """``selection`` without the app-party rules: the probe app's own messages are not judged."""
    app_rules = tuple(rule.id for rule in RULES.values() if rule.party is Party.APP)
    return Selection(select=selection.select, ignore=(*selection.ignore, *app_rules),
                     strict=selection.strict)


@dataclass(eq=False)
class Report:
    """What a scenario found: findings, the text of its steps, and facts for the matrix."""

    server: str
    wait: float
    party: Party | None = None  # keep only this party's validator findings
    linger: float = 1.0  # how long an app may run on after its client went away
    findings: list[Violation] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)  # the outcome's transcript text
    exchanges: list[ExchangeRecord] = field(default_factory=list)  # the same, as data
    details: dict[str, object] = field(default_factory=dict)

    def find(self, rule: str, message: str, *, severity: Severity | None = None) -> None:
        self.findings.append(violation(rule, message, severity=severity))

    def fact(self, key: str, value: object) -> None:
        self.details[key] = value

    def add(self, step: Step, title: str, *, required: bool = True) -> list[Violation]:
        """Record a step: its kept validator findings, client lines, transcripts and log.

        When the client's side of a ``required`` step broke off, the check cannot judge what
        it was after: Skip (with the step's text kept in the outcome).
        """
        kept = [v for v in step.violations if self.party is None or v.party is self.party]
        self.findings.extend(kept)
        self.block(title, [f"client: {line}" for line in step.client], step.calls, kept,
                   step.logs)
        if required and step.error is not None:
            raise Skip(f"{title}: the exchange broke off on the client side "
                       f"({type(step.error).__name__}: {step.error})")
        if required and self.party is Party.SERVER and not step.ended:
            raise Skip(f"{title}: the probe app was still running {self.wait:g} s after the "
                       f"exchange, so what it observed is incomplete")
        return kept

    def block(self, title: str, lines: list[str], calls: list[Call],
              violations: list[Violation], logs: list[LogLine], *, running: str = _RUNNING,
              empty: str = "(the server did not call the app)") -> None:
        """One step in the text and as data: the client's lines, each app call, the log."""
        logged = [f"{self.server} log: {text}" for text in collapse(logs)]
        rendered = [render_call(call, violations, running=running) for call in calls]
        self.blocks.append("\n".join([f"--- {title} ---", *lines, *(rendered or [empty]),
                                      *logged]))
        self.exchanges.append(text_exchange(title, [*lines, *([] if calls else [empty]),
                                                    *logged]))
        self.exchanges += [record_call(call, violations, running=running) for call in calls]

    def note(self, text: str) -> None:
        self.blocks.append(f"note: {text}")
        self.exchanges.append(text_exchange("note", [text]))

    def logged_errors(self, logs: list[LogLine]) -> list[LogLine]:
        return [line for line in logs if line.is_error]


class LiveScenario(Scenario):
    """Base of every live scenario: ``check(hosted, report)`` does the work."""

    name: str
    title: str
    protocol: Protocol
    rules: tuple[str, ...] = ()
    probe = False  # drive asgicheck's probe app (server checks) instead of the user's app

    def __init__(self, server: str, target: Target | None = None) -> None:
        self.server = server
        self.target = target
        self.id = f"live-{server}/{self.name}" + (f"[{target.label}]" if target else "")

    def __repr__(self) -> str:
        return f"<live scenario {self.id}>"

    def host(self, app: object, options: RunOptions) -> Hosted:
        startup = max(options.deadline, STEP_LIMIT)
        if self.probe:
            return hosted(self.server, probe_app, probe_selection(options.selection),
                          startup_timeout=startup)
        return hosted(self.server, app, options.selection, startup_timeout=startup)

    def run(self, app: object, options: RunOptions) -> Outcome:
        """Raises ``LiveServerError`` when the server cannot be started; never for the app."""
        started = time.perf_counter()
        server = self.host(app, options)
        # The probes' timing is asgicheck's own; the user's deadline bounds the user's app.
        wait = STEP_LIMIT if self.probe else min(options.deadline, STEP_LIMIT)
        report = Report(server=self.server, wait=wait,
                        party=Party.SERVER if self.probe else None,
                        linger=min(getattr(options, "linger", 1.0), STEP_LIMIT))
        report.fact("server", self.server)
        try:
            self.check(server, report)
        except Skip as skip:
            if not report.findings:
                return Outcome(scenario_id=self.id, status="skipped", skip_reason=str(skip),
                               transcript="\n\n".join(report.blocks),
                               exchanges=tuple(report.exchanges),
                               duration=time.perf_counter() - started, details=report.details)
            report.fact("incomplete", str(skip))  # what was found before it broke off stands
        selection = options.selection
        unique: dict[tuple[str, str, int | None], Violation] = {}
        for found in selection.keep(report.findings):
            unique.setdefault((found.rule, found.message, found.index), found)
        violations = tuple(unique.values())
        return Outcome(scenario_id=self.id, status=status_of(violations, selection),
                       violations=violations, transcript="\n\n".join(report.blocks),
                       exchanges=tuple(report.exchanges),
                       duration=time.perf_counter() - started, details=report.details)

    def check(self, server: Hosted, report: Report) -> None:
        raise NotImplementedError
