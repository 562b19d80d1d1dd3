"""HTTP scenarios about the request body and the client going away: S01-S09 and HEAD.

Each runs against one target. Targets whose method carries a body (POST, PUT, PATCH) but that
declare none get a small JSON probe body, so the chunking and mid-body scripts have something
to split; their comparisons use a baseline with that same body.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from asgicheck.contract import BODY_METHODS, RunOptions, Target
from asgicheck.driver import Script, http_scope, http_script
from asgicheck.rules import violation
from asgicheck.scenarios._base import (
    Base,
    Result,
    crashed,
    difference,
    ended_as,
    send_after_disconnect,
)
from asgicheck.scenarios._context import Baseline, Context
from asgicheck.transcript import Received, Transcript
from asgicheck.violations import Severity, Violation

__all__ = ["HTTPScenario", "crashed_on_disconnect", "for_target", "request_script",
           "spin_finding", "with_body"]

PROBE_BODY = b'{"asgicheck": "probe"}'


def with_body(target: Target) -> Target:
    """The target with a body: its own, or the JSON probe for a body method that has none."""
    if target.body or target.method.upper() not in BODY_METHODS:
        return target
    headers = target.headers
    if not any(name.lower() == b"content-type" for name, _ in headers):
        headers = (*headers, (b"content-type", b"application/json"))
    return dataclasses.replace(target, body=PROBE_BODY, headers=headers)


def request_script(target: Target, options: RunOptions, chunks: list[bytes] | None = None, *,
                   name: str = "", scope: dict[str, Any] | None = None,
                   **script_options: Any) -> Script:
    """The target's request, as a strict server at ``options.spec_version`` sends it."""
    if scope is None:
        scope = http_scope(target.method, target.path, query_string=target.query_string,
                           headers=target.headers, body=target.body,
                           spec_version=options.spec_version)
    return http_script(scope, chunks if chunks is not None else [target.body],
                       deadline=options.deadline, block_threshold=options.block_threshold,
                       name=name, **script_options)


def spin_finding(t: Transcript, limit: int) -> Violation | None:
    """HTTP-RECV-004: receive() called over and over after the app was told the client left."""
    again = t.receives_after_disconnect()
    if again <= limit:
        return None
    return violation("HTTP-RECV-004", f"after http.disconnect the app called receive() "
                     f"{again} more times: it spins waiting for a body that will never come")


class HTTPScenario(Base):
    protocol = "http"
    plain = False  # the plain exchange reports everything; the others only what it did not show

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.request = target

    def baseline(self, ctx: Context) -> Baseline:
        opts = ctx.options
        return ctx.baseline(("http", self.request),
                            lambda: request_script(self.request, opts, name="plain"))

    def known_rules(self, ctx: Context) -> frozenset[str]:
        return frozenset() if self.plain else self.baseline(ctx).rules


class Plain(HTTPScenario):
    name, plain = "S01-plain", True
    title = "the target's request, then http.disconnect on every receive() after the response"
    rules = ("HTTP-RECV-004", "GEN-MW-001", "GEN-APP-001", "OPS-APP-002", "OPS-APP-003")

    def check(self, ctx: Context) -> Result:
        t = self.baseline(ctx).first
        result = Result(transcripts=[t])
        spin = spin_finding(t, ctx.options.spin_limit)
        if spin is not None:
            result.findings.append(spin)
        if t.scope_changes:
            result.findings.append(violation(
                "GEN-MW-001", f"the app changed the scope the server passed in (keys "
                f"{list(t.scope_changes)}); middleware must copy the scope before changing it, "
                f"or the change leaks to the caller"))
        if t.status is not None and t.status >= 500 and ctx.server() is not None:
            # Scenarios judge messages, not statuses: a session that broke the app (matrix
            # CB-1) would pass them all, so say when the 5xx is the session's doing.
            alone = ctx.exchange(request_script(self.request, ctx.options,
                                                name="plain, without lifespan"), lifespan=False)
            if alone.status is not None and 200 <= alone.status < 300:
                result.details["status_without_lifespan"] = alone.status
                result.notes.append(
                    f"inside the lifespan session this request got {t.status}, but "
                    f"{alone.status} when sent without lifespan: something the app's startup "
                    f"did (or the session) breaks it, and the scenarios, which judge messages, "
                    f"do not show that")
        return result


class Chunked(HTTPScenario):
    """S02 (an empty middle chunk) and S03 (an empty final chunk), compared with one chunk."""

    rules = ("HTTP-RECV-002",)

    def __init__(self, target: Target, *, trailing_empty: bool) -> None:
        self.trailing_empty = trailing_empty
        self.name = "S03-trailing-empty-chunk" if trailing_empty else "S02-chunked-body"
        self.title = "the body in chunks, ending with an empty one" if trailing_empty else \
            "the body in three chunks, the middle one empty"
        super().__init__(target)
        self.request = with_body(target)

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        body = self.request.body
        half = max(1, len(body) // 2)
        chunks = [body[:half], body[half:], b""] if self.trailing_empty else \
            [body[:half], b"", body[half:]]
        t = ctx.exchange(request_script(self.request, ctx.options, chunks, name=self.name))
        result = Result(transcripts=[t], details={"chunks": [repr(c) for c in chunks]})
        changed = difference(base, t)
        if changed:
            result.blame(
                "HTTP-RECV-002", f"with the body sent as chunks {chunks!r}, {changed}; the "
                f"body is the concatenation of every chunk up to more_body=False, empty ones "
                f"included")
        elif _unread_body(t):
            result.findings.append(_unread_finding(t))
        return result


def _unread_body(t: Transcript) -> bool:
    requests = [e for e in t.received if e.get("type") == "http.request"]
    return bool(requests) and t.status is not None and \
        all(e.get("more_body", False) for e in requests)


def _unread_finding(t: Transcript) -> Violation:
    """HTTP-RECV-002 for a response completed before the final more_body=False message."""
    read = sum(len(e["body"]) for e in t.received
               if e.get("type") == "http.request" and type(e.get("body")) is bytes)
    declared = [v for n, v in t.scope.get("headers", ()) if n.lower() == b"content-length"]
    if declared and declared[0].strip() == str(read).encode():
        # Nothing was lost (matrix CB-3): the bytes read are the whole body content-length
        # declares; only the SHOULD to wait for more_body=False is not followed.
        return violation(
            "HTTP-RECV-002", f"the app read the {read} bytes content-length declares and "
            f"answered before the final more_body=False message: no body was lost, but the "
            f"spec says to read until more_body is False",
            severity=Severity.INFO)
    # Servers let the answer through (the unread rest is dropped): a warning, not the
    # rule's default error, which is for a body misread into a different answer.
    return violation("HTTP-RECV-002", f"the app completed its response after reading {read} "
                     f"body bytes in chunks with more_body=True but never read the rest of the "
                     f"body (unread request body)", severity=Severity.WARNING)


class BareRequest(HTTPScenario):
    """S04. A target that declares a body is sent emptied (content-length: 0) both ways, so
    the two requests differ only in an absent ``body`` key against ``b""`` (Litestar 2.25
    answers a POST 500 to the first and 200 to the second)."""

    name = "S04-bare-request"
    title = 'receive() returns {"type": "http.request"}, without body or more_body'
    rules = ("HTTP-RECV-003",)

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        request, ref, what = self.request, None, "the plain request"
        if request.body:
            request = dataclasses.replace(request, body=b"")
            ref = ctx.exchange(request_script(request, ctx.options, name="body b''"))
            what = 'the same request with body b""'
        t = ctx.exchange(request_script(request, ctx.options, name=self.name, bare=True))
        result = Result(transcripts=[t] if ref is None else [ref, t])
        changed = difference(base, t, ref=ref, what=what)
        if changed:
            result.blame(
                "HTTP-RECV-003", f'given {{"type": "http.request"}} (body and more_body are '
                f'optional, defaulting to b"" and False), {changed}')
        return result


class Disconnect(HTTPScenario):
    """S05 (mid-body), S06 (before anything), S07/S08 (mid-stream at spec 2.4 / 2.3)."""

    rules: tuple[str, ...] = ("HTTP-RECV-004", "HTTP-RECV-005")
    VARIANTS: dict[str, tuple[str, str, str | None]] = {
        # name: (where the client leaves, title, forced spec_version)
        "S05-disconnect-mid-body": ("mid_body", "the client leaves after the first body chunk",
                                    None),
        "S06-disconnect-first": ("first", "the first receive() returns http.disconnect", None),
        "S07-disconnect-mid-stream": ("mid_stream", "spec 2.4: the client leaves after the "
                                      "first streamed chunk; send() then raises", "2.4"),
        "S08-disconnect-mid-stream-2.3": ("mid_stream", "spec 2.3: the client leaves after the "
                                          "first streamed chunk; send() is then a no-op", "2.3"),
    }

    def __init__(self, target: Target, name: str) -> None:
        self.name = name
        self.where, self.title, self.spec = self.VARIANTS[name]
        if self.spec == "2.4":
            self.rules = (*self.rules, "HTTP-RECV-006")
        elif self.spec == "2.3":
            self.rules = (*self.rules, "HTTP-RECV-007")
        super().__init__(target)
        if self.where == "mid_body":
            self.request = with_body(target)

    def check(self, ctx: Context) -> Result:
        opts = ctx.options
        if self.spec is not None:
            opts = dataclasses.replace(opts, spec_version=self.spec)
        body = self.request.body
        chunks = [body[:max(1, len(body) // 2)]] if self.where == "mid_body" else None
        script = request_script(self.request, opts, chunks, name=self.name,
                                disconnect=self.where, linger=_linger(opts))
        t = ctx.exchange(script)
        result = Result(transcripts=[t])
        told = t.first_disconnect() is not None
        if self.where == "mid_stream":
            result.details["streamed"] = any(
                isinstance(m, dict) and m.get("type") == "http.response.body" and
                m.get("more_body") for m in t.sent)
        spin = spin_finding(t, getattr(opts, "spin_limit", 16))
        if spin is not None:
            result.findings.append(spin)
        if crashed(t) and told:
            result.findings.append(crashed_on_disconnect(t))
            result.suppress.add("OPS-APP-001")  # the same exception, named by its cause
        late = send_after_disconnect(t)
        if late is not None:
            result.findings.append(violation(
                "HTTP-RECV-005", "the app kept sending after it was told the client had gone "
                "(it received http.disconnect, or send() raised)", index=late.index))
        if t.ended == "timeout":
            hang = self._hang(t, told)
            result.findings.extend(hang)
            if hang and self.spec != "2.4":  # at 2.4 send() raised too: the hang stays fatal
                result.suppress.add("OPS-APP-002")
        elif self.spec == "2.4" and t.ended == "raised" and _raised_in_send(t) and \
                any(v.rule == "OPS-APP-001" for v in t.violations):
            # The validator already decided the exception does not carry the send() error
            # (chained, or inside an exception group): this names the cause.
            result.findings.append(violation(
                "HTTP-RECV-006", f"send() raised ClientDisconnected and the app turned it into "
                f"{t.exception}; re-raise it (or return) so the server can recognise a client "
                f"that went away"))
        return result

    def _hang(self, t: Transcript, told: bool) -> list[Violation]:
        if self.spec == "2.3":
            return [violation(
                "HTTP-RECV-007", f"at spec_version 2.3 send() does not raise after a "
                f"disconnect, and the app was still running {t.duration:.1f} s into the "
                f"exchange: it streams forever to a dead client on pre-2.4 servers (watch "
                f"receive() for http.disconnect)")]
        if self.where != "mid_stream" or told:
            return [violation("HTTP-RECV-004", "the app was still running long after the "
                              "client disconnected: it hangs instead of ending on "
                              "http.disconnect")]
        return []


def crashed_on_disconnect(t: Transcript) -> Violation:
    """HTTP-RECV-004 for an app that crashed on http.disconnect (S05-S07, fuzzing's P4: one
    text, so reports group the findings as one bug)."""
    return violation("HTTP-RECV-004", f"the app {ended_as(t)} after receive() returned "
                     f"http.disconnect, a valid event that can come at any time")


def _raised_in_send(t: Transcript) -> bool:
    return any(getattr(e, "result", None) == "raised" for e in t.entries)


def _linger(options: RunOptions) -> float:
    return min(options.linger, options.deadline)


class DelayedRequest(HTTPScenario):
    name = "S09-delayed-request"
    title = "the first http.request is held back"
    rules = ("HTTP-RECV-001",)

    def check(self, ctx: Context) -> Result:
        hold = ctx.options.hold_back
        t = ctx.exchange(request_script(self.request, ctx.options, name=self.name, delay=hold))
        result = Result(transcripts=[t], details={"held_back": hold})
        early = _started_before_request(t)
        if early is not None:
            reads_body = bool(self.request.body) or self.request.method.upper() in BODY_METHODS
            result.findings.append(violation(
                "HTTP-RECV-001", "the app sent http.response.start before receive() had "
                "returned the request: http.request is the trigger to run request code (under "
                "uvicorn, Expect: 100-continue is only answered once the app calls receive())",
                index=early, severity=Severity.WARNING if reads_body else None))
        return result


def _started_before_request(t: Transcript) -> int | None:
    for entry in t.entries:
        if isinstance(entry, Received):
            return None
        message = getattr(entry, "message", None)
        if isinstance(message, dict) and message.get("type") == "http.response.start":
            return int(entry.index)  # type: ignore[union-attr]
    return None


class Head(HTTPScenario):
    name = "head-request"
    title = "HEAD for a GET target: answered as GET is, without its body"
    rules = ("X-HTTP-005", "X-HTTP-001", "X-HTTP-006")

    def __init__(self, target: Target) -> None:
        super().__init__(dataclasses.replace(target, method="HEAD"))
        self.get = target

    def sends_to(self) -> tuple[str, ...]:
        return (self.request.label, self.get.label)  # its GET is the GET target's baseline

    def target_of(self, t: Transcript) -> str | None:
        return self.request.label if t.scope.get("method") == "HEAD" else self.get.label

    def get_baseline(self, ctx: Context) -> Baseline:
        opts = ctx.options
        return ctx.baseline(("http", self.get),
                            lambda: request_script(self.get, opts, name="plain"))

    def known_rules(self, ctx: Context) -> frozenset[str]:
        return self.get_baseline(ctx).rules

    def check(self, ctx: Context) -> Result:
        t = self.baseline(ctx).first
        result = Result(transcripts=[t])
        get = self.get_baseline(ctx)
        ref = get.first
        if get.hung or t.ended != "returned" or ref.ended != "returned":
            return result
        if t.body and get.stable_body and t.body == ref.body:
            result.findings.append(violation(
                "X-HTTP-006", f"HEAD was answered with the whole GET body ({len(t.body)} "
                f"bytes): the app did the GET's work and left its server to strip the "
                f"content a HEAD response must not carry (send the headers only)",
                index=_first_body(t)))
        elif get.stable_status and ref.status is not None and t.status is not None and \
                ref.status // 100 == 2 and t.status // 100 != 2:
            result.findings.append(violation(
                "X-HTTP-006", f"HEAD was answered {t.status} where GET got {ref.status}: HEAD "
                f"is GET without the content, and every general-purpose server supports it",
                severity=Severity.WARNING))
        return result


class EmptyBody(HTTPScenario):
    """S18: a body method with an empty body (content-length: 0). The target's own request
    when it declares no body (then S01 already ran it), else the same request emptied."""

    name = "S18-empty-body"
    title = "the request with an empty body: the app must neither raise nor answer 5xx"
    rules = ("OPS-APP-001",)

    def check(self, ctx: Context) -> Result:
        if not self.request.body:
            t = self.baseline(ctx).first
        else:
            empty = dataclasses.replace(self.request, body=b"")
            t = ctx.exchange(request_script(empty, ctx.options, name=self.name))
        result = Result(transcripts=[t])
        if t.status is not None and t.status >= 500:
            result.findings.append(violation(
                "OPS-APP-001", f"a {self.request.method} with an empty body (content-length: "
                f"0, a body the spec allows) got {t.status}: the app failed on it"))
        return result


def _first_body(t: Transcript) -> int | None:
    """The index of the first response body message that carries bytes."""
    for entry in t.entries:
        message = getattr(entry, "message", None)
        if isinstance(message, dict) and message.get("type") == "http.response.body" and \
                message.get("body"):
            return int(entry.index)  # type: ignore[union-attr]
    return None


def for_target(target: Target) -> list[HTTPScenario]:
    """S01-S09 (those that apply), S18 for body methods and HEAD for one HTTP target."""
    found: list[HTTPScenario] = [Plain(target)]
    has_body = bool(with_body(target).body)
    if has_body:
        found += [Chunked(target, trailing_empty=False), Chunked(target, trailing_empty=True)]
    found.append(BareRequest(target))
    names = list(Disconnect.VARIANTS)
    found += [Disconnect(target, name) for name in names if has_body or "mid-body" not in name]
    found.append(DelayedRequest(target))
    if target.method.upper() in BODY_METHODS:
        found.append(EmptyBody(target))
    if target.method.upper() == "GET":
        found.append(Head(target))
    return found
