"""HTTP scenarios: the middleware wrapped around known-good responders, one shape each.

Each picks an inner app whose response exercises one way middleware goes wrong (bug-classes.md,
"Notes for designing asgicheck"): many streamed chunks (A2, C1), only the required keys (N1,
N2), mixed-case and repeated header names (E1, M4, M6), responses without a body (E2, F), a
request body in chunks (G, H1), an inner app that raises before or after the start (A8, B1, B5),
a client that leaves before the response (C5), and connections at once (O).
"""

from __future__ import annotations

import dataclasses

from asgicheck.contract import RunOptions
from asgicheck.mwmode import _inner as inner
from asgicheck.mwmode._base import MiddlewareScenario, Result, judge_http
from asgicheck.mwmode._blame import blame, ended, evidence, raised_inner_error
from asgicheck.mwmode._exchange import http_exchange, http_exchanges
from asgicheck.mwmode._judge import complete, decoded
from asgicheck.mwmode._probe import Behaviour
from asgicheck.violations import Severity

__all__ = ["SCENARIOS"]

_GENERAL: tuple[str, ...] = (
    "HTTP-SEND-001", "HTTP-SEND-002", "HTTP-SEND-004", "HTTP-SEND-005", "X-HTTP-001",
    "OPS-APP-001", "OPS-APP-002", "HTTP-SRV-004", "HTTP-EVT-001", "HTTP-EVT-003", "HTTP-EVT-004",
)


class Responding(MiddlewareScenario):
    """A GET answered by an inner responder; everything ``judge_http`` can see."""

    protocol = "http"
    deduplicated = True
    method = "GET"
    rules: tuple[str, ...] = _GENERAL

    def behaviour(self) -> Behaviour:
        raise NotImplementedError

    def check(self, options: RunOptions) -> Result:
        ex = http_exchange(self.stack(self.behaviour(), options), options, method=self.method)
        result = Result()
        result.add(ex, judge_http(ex))
        return result


class Plain(Responding):
    name = "plain"
    title = "a 1000-byte text response with its content-length, in one body message"
    deduplicated = False
    rules = (*_GENERAL, "GEN-MW-001", "GEN-MW-002", "HTTP-SEND-008", "HTTP-SRV-002")

    def behaviour(self) -> Behaviour:
        return inner.responder(parts=[b"plain text. " * 83 + b"1234"])


class StreamingManyChunks(Responding):
    name = "streaming-many-chunks"
    title = "eight distinct 600-byte chunks with more_body=True, then the final one"

    def behaviour(self) -> Behaviour:
        return inner.responder(parts=inner.chunks(8), length=False)


class MinimalMessages(Responding):
    name = "minimal-messages"
    title = ("only the required keys: {'type': 'http.response.start', 'status': 200} and "
             "{'type': 'http.response.body'}")

    def behaviour(self) -> Behaviour:
        return inner.responder(minimal=True)


class MixedCaseHeaders(Responding):
    """Response header names must be lower case (www.rst, HTTP-SEND-008); WSGI adapters have
    sent them mixed-case all the same (M4, M5), and middleware that matches names
    case-sensitively then leaves a stale Content-Length next to its own (E1). The inner app
    here breaks that rule on purpose, so what the middleware makes of it is reported as
    robustness information, not as the middleware's error."""

    name = "mixed-case-headers"
    title = ("header names in mixed case (as WSGI adapters send them), two set-cookie fields, "
             "a 1200-byte body with its Content-Length")
    rules = (*_GENERAL, "HTTP-SEND-008", "HTTP-SRV-002")
    _CASE_RULES = frozenset({"X-HTTP-001", "HTTP-SEND-008"})

    def behaviour(self) -> Behaviour:
        body = b"mixed case. " * 100
        return inner.responder(
            headers=[(b"Content-Type", b"text/plain; charset=utf-8"),
                     (b"Content-Length", str(len(body)).encode()), (b"X-Inner-App", b"1"),
                     (b"set-cookie", b"a=1; Path=/"), (b"Set-Cookie", b"b=2; Path=/"),
                     (b"Vary", b"Cookie")],
            parts=[body], length=False)

    def check(self, options: RunOptions) -> Result:
        result = super().check(options)
        result.findings = [
            dataclasses.replace(v, severity=Severity.INFO, message=(
                f"robustness only: the inner app broke HTTP-SEND-008 on purpose, as WSGI "
                f"adapters have (M4, M5), and then: {v.message}"))
            if v.rule in self._CASE_RULES else v for v in result.findings]
        return result


class Head(Responding):
    name = "head"
    title = "HEAD: the GET's headers (content-length 1000) and an empty body"
    method = "HEAD"
    rules = (*_GENERAL, "X-HTTP-005")

    def behaviour(self) -> Behaviour:
        return inner.responder(parts=[b"x" * 1000], head_aware=True)


class NoContent(Responding):
    name = "no-content-204"
    title = "204 No Content: no content-length, an empty final body"
    rules = (*_GENERAL, "X-HTTP-002")

    def behaviour(self) -> Behaviour:
        return inner.responder(status=204, headers=[], length=False)


class NotModified(Responding):
    name = "not-modified-304"
    title = "304 Not Modified with an etag and an empty final body"
    rules = (*_GENERAL, "X-HTTP-002")

    def behaviour(self) -> Behaviour:
        return inner.responder(status=304, headers=[(b"etag", b'"v1"')], length=False)


class RequestBodyChunks(MiddlewareScenario):
    name = "request-body-chunks"
    title = "a POST body in four chunks, one of them empty; the inner app echoes what it read"
    protocol = "http"
    deduplicated = True
    rules = (*_GENERAL, "HTTP-EVT-001")
    parts = (b"first,", b"", b"second,", b"third")

    def check(self, options: RunOptions) -> Result:
        body = b"".join(self.parts)
        ex = http_exchange(self.stack(inner.echo(), options), options, method="POST",
                           path="/echo", body=body, parts=self.parts)
        result = Result()
        result.add(ex, judge_http(ex, body=body))
        return result


class Raising(MiddlewareScenario):
    """The inner app raises ``InnerError``. Letting it propagate is right; so is answering 500
    before the start. Starting a second response, or completing a response the inner app
    abandoned mid-stream, is not."""

    protocol = "http"
    deduplicated = True
    after_start = False

    def check(self, options: RunOptions) -> Result:
        ex = http_exchange(self.stack(inner.raising(after_start=self.after_start), options),
                           options)
        t = ex.outer
        drop = {"OPS-APP-001"} if raised_inner_error(t) else set()
        found = judge_http(ex, drop=drop)
        call = ex.call
        if self.after_start and t.ended == "returned" and complete(t.sent) and call is not None \
                and call.ended == "raised" and not any(v.rule == "HTTP-SEND-002" for v in found):
            # asgi.rst "Error Handling": the exception "must terminate the application
            # instance and its associated connection" so the client sees the truncation.
            found.append(blame(
                "OPS-APP-001", f"the inner app raised after streaming part of its response; "
                f"the middleware swallowed the exception and completed the response "
                f"(more_body=False): the client takes the truncated body for a whole one. "
                f"Re-raise instead, so the server aborts the connection (bug class B: B1, B5) "
                f"[{evidence(ex)}]"))
        result = Result(details={"propagated": raised_inner_error(t)})
        result.add(ex, found)
        return result


class RaiseBeforeStart(Raising):
    name = "raise-before-start"
    title = "the inner app raises before http.response.start"
    rules = ("OPS-APP-001", "HTTP-SEND-002", "HTTP-SEND-004", "HTTP-SEND-005")


class RaiseAfterStart(Raising):
    name = "raise-after-start"
    title = "the inner app raises after http.response.start and one 600-byte chunk"
    after_start = True
    rules = ("OPS-APP-001", "HTTP-SEND-002", "HTTP-SEND-004", "HTTP-SEND-013")


class DisconnectBeforeResponse(MiddlewareScenario):
    name = "disconnect-before-response"
    title = "the client leaves before the request is read; the inner app returns quietly"
    protocol = "http"
    deduplicated = True
    rules = ("OPS-APP-001", "HTTP-RECV-005", "HTTP-SEND-002")

    def check(self, options: RunOptions) -> Result:
        ex = http_exchange(self.stack(inner.responder(), options), options, disconnect="first")
        t = ex.outer
        quiet = ex.call is not None and ex.call.ended == "returned" and not ex.call.sent
        # The validator judged the raise as in app mode (only the OSError send() raised may
        # escape); this scenario's message says more, so it replaces that finding.
        own = t.ended == "raised" and quiet and any(v.rule == "OPS-APP-001"
                                                    for v in t.violations)
        found = judge_http(ex, client_stays=False, drop={"OPS-APP-001"} if own else ())
        if own:
            found.append(blame(
                "OPS-APP-001", f"the client disconnected before the response and the inner "
                f"app returned without answering, as it may; the middleware then {ended(t)}: "
                f"servers log that as an application error on every dropped connection (bug "
                f"class C: C5, C6)", severity=Severity.WARNING))
        result = Result()
        result.add(ex, found)
        return result


class ConcurrentConnections(MiddlewareScenario):
    """Connections at once through one middleware instance, interleaved: the inner app yields
    to the loop between reading the request and answering. Each must get its own echo."""

    name = "concurrent-connections"
    title = "several POSTs at once through one middleware instance; each gets its own echo"
    protocol = "general"
    deduplicated = True
    rules = ("OPS-APP-005", *_GENERAL)
    _CONSEQUENCES = frozenset({"HTTP-SEND-002", "HTTP-SEND-005", "HTTP-SEND-013"})

    def check(self, options: RunOptions) -> Result:
        paths = [f"/concurrent/{n}" for n in range(max(2, options.concurrency))]
        exchanges = http_exchanges(self.stack(inner.echo(pause=3), options), options, paths)
        crossed = [(ex.path, got) for ex in exchanges
                   if isinstance(got := decoded(ex.outer.sent, ex.call.sent if ex.call else []),
                                 bytes) and _foreign(got, ex.path, paths)]
        result = Result(details={"connections": len(paths), "crossed": len(crossed)})
        if crossed:
            where, got = crossed[0]
            result.findings.append(blame(
                "OPS-APP-005", f"{len(crossed)} of {len(paths)} concurrent connections got "
                f"another connection's answer (connection {where} was sent {got!r:.80}): the "
                f"middleware keeps per-connection state (send, receive, scope or the response) "
                f"on itself, so answers cross between clients (bug class O: O1, O3)"))
        for number, ex in enumerate(exchanges):
            drop = self._CONSEQUENCES if crossed else frozenset()
            result.add(ex, judge_http(ex, body=b"body of request %d" % number, drop=drop))
        return result


def _foreign(body: bytes, own: str | None, paths: list[str]) -> bool:
    return any(f"{path}|".encode() in body for path in paths if path != own)


SCENARIOS: tuple[type[MiddlewareScenario], ...] = (
    Plain, StreamingManyChunks, MinimalMessages, MixedCaseHeaders, Head, NoContent,
    NotModified, RequestBodyChunks, RaiseBeforeStart, RaiseAfterStart, DisconnectBeforeResponse,
    ConcurrentConnections,
)
