"""Turning what the two validators saw into findings against the middleware.

The inner apps are known-good, so:

* every **app-party** finding on the outer side (what the middleware, as an app, sent the
  server) is the middleware's doing. Its message gets the evidence appended: what the inner
  app sent, and what the middleware turned it into;
* every **server-party** finding on the inner side (the scope and events the middleware, as the
  inner app's server, handed in) is the middleware's too. It keeps its rule (HTTP-EVT-004 is
  HTTP-EVT-004 whoever breaks it) but its party becomes ``app``: the app under test, the
  middleware, broke it. App-party findings on the inner side are the inner app's own, expected
  by design (a raising inner app, mixed-case header names) and are not reported.

``blame()`` is the one place a finding's party is changed; the finding itself still comes from
``rules.violation()``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from asgicheck.mwmode._exchange import Exchange, Stack
from asgicheck.mwmode._probe import Call, InnerError
from asgicheck.rules import violation
from asgicheck.transcript import Transcript
from asgicheck.violations import Party, Severity, Violation

__all__ = ["blame", "ended", "evidence", "inner_findings", "outer_findings",
           "raised_inner_error", "scope_findings", "summary", "transcripts"]


def blame(rule_id: str, message: str, *, index: int | None = None,
          severity: Severity | None = None) -> Violation:
    """A finding against the middleware, for any rule: server-side rules it breaks as the
    server of the inner app are charged to it as the app under test."""
    found = violation(rule_id, message, index=index, severity=severity)
    return found if found.party is Party.APP else dataclasses.replace(found, party=Party.APP)


def outer_findings(ex: Exchange, *, drop: Iterable[str] = ()) -> list[Violation]:
    """The driver's findings on the middleware's own messages, with both sides as evidence."""
    dropped = frozenset(drop)
    found: list[Violation] = []
    for v in ex.outer.violations:
        if v.rule in dropped:
            continue
        if v.party is Party.APP:
            v = dataclasses.replace(v, message=f"{v.message} [{evidence(ex)}]")
        found.append(v)
    return found


def evidence(ex: Exchange) -> str:
    call = ex.call
    outer = f"{summary(ex.outer.sent)} and {ended(ex.outer)}"
    if call is None:
        return f"the middleware never called the inner app; it sent {outer}"
    return f"the inner app sent {summary(call.sent)}; the middleware turned it into {outer}"


def inner_findings(call: Call | None) -> list[Violation]:
    """Server-party findings on the inner side, and later scope changes (GEN-MW-002)."""
    if call is None:
        return []
    found = [blame(v.rule, f"as the inner app's server, the middleware broke this at inner "
                   f"message #{v.index}: {v.message}" if v.index is not None else
                   f"as the inner app's server, the middleware broke this: {v.message}",
                   index=v.index, severity=v.severity)
             for v in call.validator.violations if v.party is Party.SERVER]
    if call.later_changes:
        found.append(blame(
            "GEN-MW-002", f"the middleware changed the scope after handing it to the inner app "
            f"({'; '.join(call.later_changes)}): the inner app may already have read it, and "
            f"the spec gives middleware one chance to change a scope, before the call"))
    return found


def scope_findings(stack: Stack, scope_type: str) -> list[Violation]:
    """GEN-MW-001: the scope the server passed in must come back unchanged.

    The catalogue reports this at info for top-level apps (which often set ``scope["app"]``);
    for a middleware, which sits under other middleware and a server, it is a warning."""
    found: list[Violation] = []
    for watch in stack.outer.calls:
        if watch.changes and isinstance(watch.before, dict) and watch.before.get("type") == \
                scope_type:
            found.append(blame(
                "GEN-MW-001", f"the middleware changed the scope the server passed in "
                f"({'; '.join(watch.changes)}) instead of changing a copy: the change leaks to "
                f"the server and every middleware above it", severity=Severity.WARNING))
            break  # one call shows it; the others would say the same
    return found


def transcripts(ex: Exchange, inner_violations: Sequence[Violation],
                reported: frozenset[str]) -> list[Transcript]:
    """Both sides of one exchange, for the outcome's rendering: the outer side marked with the
    driver's findings of the ``reported`` rules, the inner side with those charged to the
    middleware there."""
    kept = tuple(v for v in ex.outer.violations if v.rule in reported)
    found = [dataclasses.replace(ex.outer, violations=kept,
                                 name=ex.outer.name or "server ↔ middleware")]
    for number, call in enumerate(ex.calls):
        found.append(call.transcript(tuple(inner_violations) if number == 0 else ()))
    return found


def raised_inner_error(t: Transcript) -> bool:
    """Whether what the middleware raised is (or carries) the inner app's ``InnerError``."""
    return t.ended == "raised" and (InnerError.__name__ in t.exception_types or
                                    InnerError.__name__ in (t.exception or ""))


def ended(t: Transcript) -> str:
    if t.ended == "returned":
        return "returned" if t.returned is None else f"returned {t.returned}"
    if t.ended == "raised":
        return f"raised {t.exception}"
    if t.ended == "timeout" and t.timed_out == "linger":
        return "was still running when the time allowed after the disconnect ran out"
    if t.ended == "timeout":
        return "was still running at the deadline"
    return "was cancelled"


def summary(sent: Sequence[Any]) -> str:
    """``http.response.start 200 [content-type, content-length: 1200] + 3 body messages
    (1800 B, completed)``: a compact account of one side's messages."""
    if not sent:
        return "nothing"
    dicts = [m for m in sent if isinstance(m, dict)]
    if len(dicts) < len(sent):
        return f"{len(sent) - len(dicts)} non-dict message(s) and " + summary(dicts)
    kinds = [str(m.get("type")) for m in dicts]
    if not any(k.startswith("http.response.") for k in kinds):
        return _run_lengths(kinds)
    starts = [m for m in dicts if m.get("type") == "http.response.start"]
    bodies = [m for m in dicts if m.get("type") == "http.response.body"]
    parts: list[str] = []
    if starts:
        statuses = ", ".join(repr(m.get("status")) for m in starts)
        prefix = f"{len(starts)} × http.response.start ({statuses})" if len(starts) > 1 else \
            f"http.response.start {statuses}"
        parts.append(f"{prefix} [{_headers(starts[0].get('headers'))}]")
    if bodies:
        size = sum(len(b) for m in bodies if type(b := m.get("body", b"")) is bytes)
        done = any(not m.get("more_body", False) for m in bodies)
        parts.append(f"{len(bodies)} body message(s) ({size} B, "
                     f"{'completed' if done else 'never completed'})")
    others = [k for k in kinds if k not in ("http.response.start", "http.response.body")]
    if others:
        parts.append(_run_lengths(others))
    return " + ".join(parts)


def _headers(headers: Any) -> str:
    if not isinstance(headers, (list, tuple)):
        return "no headers" if headers is None else f"headers={headers!r:.40}"
    shown: list[str] = []
    for pair in headers:
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            shown.append(repr(pair))
            continue
        name, value = pair
        text = name.decode("latin-1") if isinstance(name, bytes) else repr(name)
        if isinstance(name, bytes) and name.lower() in (b"content-length", b"content-encoding"):
            text += f": {value.decode('latin-1') if isinstance(value, bytes) else repr(value)}"
        shown.append(text)
    return ", ".join(shown) or "no headers"


def _run_lengths(kinds: Sequence[str]) -> str:
    groups: list[tuple[str, int]] = []
    for k in kinds:
        if groups and groups[-1][0] == k:
            groups[-1] = (k, groups[-1][1] + 1)
        else:
            groups.append((k, 1))
    return ", ".join(k if n == 1 else f"{n} × {k}" for k, n in groups)
