"""The five properties: what must hold for every generated example, as pure judgements.

Each property runs its example's exchange(s) through ``exchange`` (the run's shared simulated
server) and returns a ``Verdict``: the transcripts and the findings, which are ordinary rule
violations so that select/ignore/strict and the reports treat them like any other.

* P1 conformant: the validator finds nothing that fails the run. (Crashes are P2's.)
* P2 no server error: the app neither raises nor answers 5xx (OPS-APP-001).
* P3 chunking invariance: the body split into other chunks gets the same end, status and
  body as in one chunk (HTTP-RECV-002), judged like S02 against two one-chunk runs, so an app
  whose body changes from call to call is compared on its status only (the second one-chunk
  run is made after the split one, and only when their status or body differ: alike, they
  agree whatever it shows). The rule is a SHOULD,
  but an answer that depends on how the server framed the body is a wrong answer: the finding
  is an error here.
* P4 disconnect anywhere: the app ends within the linger time once the client has gone, does
  not crash on ``http.disconnect``, does not spin on ``receive()`` (HTTP-RECV-004), and does
  not send again after ``send()`` raised (HTTP-RECV-005 as an error; one send after receiving
  ``http.disconnect`` is what the spec allows, and stays a warning).
* P5 websocket state: the whole session keeps the state machine valid (every failing
  finding of the validator, crashes and hangs included).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from asgicheck.contract import RunOptions
from asgicheck.driver import Script
from asgicheck.fuzzing._examples import Example, HTTPExample, linger
from asgicheck.fuzzing._settings import FuzzSettings
from asgicheck.rules import RULES, violation
from asgicheck.scenarios import Baseline, crashed, crashed_on_disconnect, difference, spin_finding
from asgicheck.transcript import RECEIVED, SENT, Transcript
from asgicheck.violations import Detection, Party, Severity, Violation

__all__ = ["PROPERTIES", "Property", "Verdict"]

Exchange = Callable[[Script], Transcript]
CLIENT_GONE = frozenset({"ClientDisconnected", "OSError", "CancelledError"})


@dataclass
class Verdict:
    transcripts: list[Transcript] = field(default_factory=list)
    findings: list[Violation] = field(default_factory=list)
    failed: bool = False


@dataclass(frozen=True, slots=True)
class Property:
    number: str  # "P1"
    name: str  # "conformant": the ID is fuzz/P1-conformant[<target>]
    kind: Literal["http", "websocket"]
    title: str
    rules: tuple[str, ...]
    disconnects: bool  # its examples carry a disconnect point
    judge: Callable[[Exchange, Example, RunOptions, FuzzSettings], Verdict]

    def check(self, exchange: Exchange, example: Example, options: RunOptions,
              fuzz: FuzzSettings) -> Verdict:
        verdict = self.judge(exchange, example, options, fuzz)
        verdict.findings = options.selection.keep(verdict.findings)
        verdict.failed = any(options.selection.fails(v) for v in verdict.findings)
        return verdict


def _conformant(exchange: Exchange, example: Example, options: RunOptions,
                fuzz: FuzzSettings) -> Verdict:
    t = exchange(example.script(options))
    return Verdict([t], [v for v in t.violations if v.rule != "OPS-APP-001"])


def _no_server_error(exchange: Exchange, example: Example, options: RunOptions,
                     fuzz: FuzzSettings) -> Verdict:
    t = exchange(example.script(options))
    found = [v for v in t.violations if v.rule == "OPS-APP-001"]
    if t.ended == "raised" and not found and not (CLIENT_GONE & set(t.exception_types)):
        found.append(violation("OPS-APP-001", f"the app raised {t.exception} after completing "
                               f"the response: an unhandled exception the server has to log"))
    status = t.status
    if status is not None and status >= 500 and not fuzz.allow_5xx:
        found.append(violation("OPS-APP-001", f"the app answered status {status} to a "
                               f"well-formed request ({example.describe()}); a 5xx means the "
                               f"app failed (FuzzSettings(allow_5xx=True) if it is deliberate)"))
    return Verdict([t], found)


def _chunking_invariant(exchange: Exchange, example: Example, options: RunOptions,
                        fuzz: FuzzSettings) -> Verdict:
    assert isinstance(example, HTTPExample)
    whole = (example.body,)
    if example.chunks == whole:
        return Verdict()  # nothing to compare: the same exchange as the reference
    one = exchange(example.script(options, whole))
    if one.ended == "timeout":
        return Verdict([one])  # a hang is P1's finding; there is nothing to compare with
    split = exchange(example.script(options))
    verdict = Verdict([one, split])
    what = "the same request with the body in one chunk"
    # The second one-chunk run only says which of status and body the app keeps from call to
    # call: difference() always compares how the app ended, and those two only where stable.
    # A split run that ends and answers as ``one`` did is alike under any baseline, and one
    # that ends otherwise differs under every baseline, so the second run is made only to
    # judge a different status or body (for most examples, one exchange fewer). Alike is
    # asked first, each property read once: difference() reads them twice over.
    if (one.ended, one.exception_type) != (split.ended, split.exception_type):
        changed = difference(Baseline(one, one), split, what=what)
    elif one.status == split.status and one.body == split.body:
        return verdict
    else:
        again = exchange(example.script(options, whole))
        changed = difference(Baseline(one, again), split, what=what)
    if changed:
        verdict.findings.append(violation(
            "HTTP-RECV-002", f"with the body sent as chunks {list(example.chunks)!r:.200}, "
            f"{changed}; the body is the concatenation of every chunk up to "
            f"more_body=False, empty ones included", severity=Severity.ERROR))
    return verdict


def _disconnect_anywhere(exchange: Exchange, example: Example, options: RunOptions,
                         fuzz: FuzzSettings) -> Verdict:
    t = exchange(example.script(options))
    found: list[Violation] = []
    told = t.first_disconnect() is not None
    where = f"the client left ({example.disconnect})" if isinstance(example, HTTPExample) \
        else "the client left"
    if t.ended == "timeout":
        found.append(violation("HTTP-RECV-004", f"the app was still running {linger(options):g} "
                               f"s after {where}: it must end once the client has gone"))
    elif crashed(t) and told:
        found.append(crashed_on_disconnect(t))
    spin = spin_finding(t, options.spin_limit)
    if spin is not None:
        found.append(spin)
    found.extend(_late_sends(t))
    return Verdict([t], found)


def _late_sends(t: Transcript) -> list[Violation]:
    """send() again after one raised ClientDisconnected: an error. One send() after the app
    received http.disconnect: the spec's "should expect send() to raise", a warning."""
    told = raised = False
    late: list[Violation] = []
    # The log's items, (RECEIVED, index, time, event) and (SENT, index, time, message, result),
    # not ``entries``: this runs on every example, and building entries costs more than it.
    for item in t.log:
        if item[0] == RECEIVED and item[3].get("type") == "http.disconnect":
            told = True
        elif item[0] == SENT:
            if raised:
                return [violation("HTTP-RECV-005", "the app sent again after send() raised "
                                  "ClientDisconnected: it ignores that the client has gone",
                                  index=item[1], severity=Severity.ERROR)]
            if told and not late:
                late.append(violation("HTTP-RECV-005", "the app sent after it received "
                                      "http.disconnect", index=item[1]))
            raised = item[4] == "raised"
    return late


def _websocket_state(exchange: Exchange, example: Example, options: RunOptions,
                     fuzz: FuzzSettings) -> Verdict:
    t = exchange(example.script(options))
    return Verdict([t], list(t.violations))


def _validator_rules(*groups: str) -> tuple[str, ...]:
    """The app rules the validator judges on any exchange, in these ID groups (P1, P5)."""
    return tuple(r.id for r in RULES.values() if r.party is Party.APP and r.id.startswith(groups)
                 and r.detection in (Detection.STATIC, Detection.SEQUENCE)) + (
        "OPS-APP-002", "OPS-APP-003")


PROPERTIES: dict[str, Property] = {p.number: p for p in (
    Property("P1", "conformant", "http",
             "every well-formed request around the target gets a conformant exchange",
             tuple(r for r in _validator_rules("GEN-", "HTTP-", "X-HTTP", "TRL-", "PUSH-", "ZC-",
                                               "PS-", "EH-", "DBG-", "OPS-")
                   if r != "OPS-APP-001"), False, _conformant),
    Property("P2", "no-server-error", "http",
             "no unhandled exception and no 5xx for well-formed requests", ("OPS-APP-001",),
             False, _no_server_error),
    Property("P3", "chunking-invariance", "http",
             "the body split into other chunks gets the same status and body",
             ("HTTP-RECV-002",), False, _chunking_invariant),
    Property("P4", "disconnect-anywhere", "http",
             "a disconnect at any point ends the app in time, with nothing sent after it",
             ("HTTP-RECV-004", "HTTP-RECV-005"), True, _disconnect_anywhere),
    Property("P5", "websocket-state", "websocket",
             "websocket message sequences keep the state machine valid",
             _validator_rules("GEN-", "WS-", "WSD-", "X-WS", "OPS-"), False, _websocket_state),
)}
