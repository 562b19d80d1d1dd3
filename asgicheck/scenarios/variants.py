"""Request variants that wake the branches middleware and frameworks take only for some requests:
V01-V06 (HEAD is ``http.head-request``).

Real bugs hide in code that runs only when a request asks for it: compression middleware that
rewrites the body (and must fix Content-Length), Range and conditional handling, CORS
preflights, ``Expect: 100-continue``, a body that arrives without a Content-Length. Each variant
is still a request a browser or an HTTP client sends every day; each is compared with the
target's plain request where HTTP says the answer must agree (the status class, the body), and
its messages are judged as usual.
"""

from __future__ import annotations

import re
import zlib

from asgicheck.contract import Target
from asgicheck.driver import http_scope
from asgicheck.scenarios._base import Result, Skip, ended_as
from asgicheck.scenarios._context import Baseline, Context
from asgicheck.scenarios.http import HTTPScenario, request_script, with_body
from asgicheck.transcript import Transcript

__all__ = ["for_target", "response_headers"]

ORIGIN = b"http://asgicheck.example"
NO_MATCH = b'"asgicheck-no-such-tag"'
RANGE = (1, 3)  # bytes=1-3: a range inside any body of 4 bytes or more


def response_headers(t: Transcript) -> dict[bytes, list[bytes]]:
    """The headers of the app's first http.response.start, by lower-case name."""
    found: dict[bytes, list[bytes]] = {}
    for message in t.sent:
        if isinstance(message, dict) and message.get("type") == "http.response.start":
            for pair in message.get("headers") or ():
                try:
                    name, value = pair
                except (TypeError, ValueError):
                    continue  # malformed: the validator reports it
                if isinstance(name, bytes) and isinstance(value, bytes):
                    found.setdefault(name.lower(), []).append(value)
            break
    return found


def _header(t: Transcript, name: bytes) -> bytes | None:
    values = response_headers(t).get(name)
    return values[0] if values else None


def _short(value: bytes, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


class Variant(HTTPScenario):
    """One request variant of a target, and the plain request it is compared with."""

    what: str  # the variant in words, for the findings: "with accept-encoding: gzip"

    def variant(self, ctx: Context, label: str, extra: dict[bytes, bytes], *,
                method: str | None = None, chunks: list[bytes] | None = None,
                content_length: bool = True) -> Transcript:
        """The target's request with ``extra`` headers (replacing any of the same name)."""
        target = self.request
        headers = [(n, v) for n, v in target.headers if n.lower() not in extra]
        headers += extra.items()
        body = target.body if content_length else b""
        scope = http_scope(method or target.method, target.path,
                           query_string=target.query_string, headers=headers, body=body,
                           spec_version=ctx.options.spec_version)
        script = request_script(target, ctx.options, chunks if chunks is not None
                                else [target.body], name=f"{self.name}: {label}", scope=scope)
        return ctx.exchange(script)

    def class_change(self, base: Baseline, t: Transcript, *, allowed: frozenset[int] = frozenset()
                     ) -> str | None:
        """How ``t`` ended or answered differently from the plain request where the RFC gives
        the variant no status of its own (``allowed``): another end, or another status class."""
        ref = base.first
        if (ref.ended, ref.exception_type) != (t.ended, t.exception_type):
            return f"{self.what}, it {ended_as(t)} where the plain request {ended_as(ref)}"
        if t.status in allowed or not base.stable_status or ref.status is None or \
                t.status is None or ref.status // 100 == t.status // 100:
            return None
        return f"{self.what}, it answered status {t.status} where the plain request got " \
               f"{ref.status}"

    def report(self, result: Result, rule: str, message: str | None, t: Transcript) -> None:
        """``message`` as the variant's finding; a crash it names is not also OPS-APP-001."""
        if message is None:
            return
        result.blame(rule, message)
        if t.ended == "raised":
            result.suppress.add("OPS-APP-001")


class AcceptGzip(Variant):
    name = "V01-accept-gzip"
    title = "accept-encoding: gzip: a compressed answer must decode to the plain one"
    rules = ("X-HTTP-007",)
    what = "with accept-encoding: gzip"

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        t = self.variant(ctx, "gzip", {b"accept-encoding": b"gzip"})
        coding = _header(t, b"content-encoding")
        result = Result(transcripts=[t], details={
            "content_encoding": None if coding is None else coding.decode("latin-1")})
        self.report(result, "X-HTTP-007", self.class_change(base, t) or
                    _coding_problem(base, t, self.what), t)
        return result


def _decode(coding: bytes, body: bytes) -> bytes | None:
    """``body`` decoded from ``coding`` (gzip, x-gzip or deflate); None if it does not decode
    as one complete stream."""
    tries = (31,) if coding in (b"gzip", b"x-gzip") else (15, -15)  # deflate: zlib, or raw
    for wbits in tries:
        decoder = zlib.decompressobj(wbits)
        try:
            decoded = decoder.decompress(body) + decoder.flush()
        except zlib.error:
            continue
        if decoder.eof and not decoder.unused_data:
            return decoded
    return None


def _coding_problem(base: Baseline, t: Transcript, what: str) -> str | None:
    coding = (_header(t, b"content-encoding") or b"").strip().lower()
    if coding not in (b"gzip", b"x-gzip", b"deflate") or not t.body or \
            t.scope.get("method") == "HEAD" or t.status in (204, 304):
        return None  # identity, a coding the standard library cannot read, or no content
    decoded = _decode(coding, t.body)
    if decoded is None:
        return (f"{what}, the response says content-encoding: {coding.decode()} but its "
                f"{len(t.body)} body bytes ({_short(t.body)}) are not one complete "
                f"{coding.decode()} stream: clients fail to decode it")
    ref = base.first
    plain: bytes | None = ref.body
    ref_coding = (_header(ref, b"content-encoding") or b"").strip().lower()
    if ref_coding:  # the plain answer is coded too: compare what both decode to
        plain = _decode(ref_coding, ref.body) if ref_coding == coding else None
    if plain is not None and base.stable_body and ref.status == t.status and decoded != plain:
        return (f"{what}, the {coding.decode()} body decodes to {_short(decoded)} where the "
                f"plain request got {_short(plain)}")
    return None


class Range(Variant):
    name = "V02-range"
    title = "range: bytes=1-3: a 206 with exactly those bytes, or the whole body"
    rules = ("X-HTTP-008",)
    what = "with range: bytes=1-3"

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        first, last = RANGE
        t = self.variant(ctx, "bytes=1-3", {b"range": f"bytes={first}-{last}".encode()})
        result = Result(transcripts=[t])
        problem = self.class_change(base, t, allowed=frozenset({206, 416})) or \
            self._range_problem(base, t)
        self.report(result, "X-HTTP-008", problem, t)
        return result

    def _range_problem(self, base: Baseline, t: Transcript) -> str | None:
        ref, what = base.first, self.what
        if t.ended != "returned" or t.status is None:
            return None
        whole = ref.body if base.stable_body and ref.status == 200 else None
        if self.request.method.upper() != "GET":
            if t.status in (206, 416) and ref.status not in (206, 416):
                return (f"{what} on a {self.request.method} request, it answered "
                        f"{t.status}: range handling is defined for GET only, and a server "
                        f"must ignore Range on other methods")
            return None
        if t.status == 200 and whole is not None and t.body != whole and \
                t.scope.get("method") != "HEAD":
            return (f"{what}, it answered 200 with {_short(t.body)} where the plain request "
                    f"got {_short(whole)}: a 200 carries the whole representation (send 206 "
                    f"with content-range for a part)")
        if t.status == 416:
            if whole is not None and len(whole) > RANGE[0]:
                return (f"{what}, it answered 416 although the {len(whole)}-byte body the "
                        f"plain request got has bytes from offset {RANGE[0]}: 416 is only for "
                        f"a range that cannot be satisfied")
            return None
        if t.status != 206:
            return None
        return _partial_problem(t, whole, what)


_CONTENT_RANGE = re.compile(rb"bytes (\d+)-(\d+)/(\d+|\*)")


def _partial_problem(t: Transcript, whole: bytes | None, what: str) -> str | None:
    """What is wrong with a 206 answer to bytes=1-3 (``whole``: the plain body, if stable)."""
    header = _header(t, b"content-range")
    if header is None:
        return (f"{what}, it answered 206 without a content-range header: the client cannot "
                f"tell which bytes it got")
    match = _CONTENT_RANGE.fullmatch(header.strip())
    if match is None:
        return f"{what}, it answered 206 with content-range {header!r}, not bytes FIRST-LAST/LENGTH"
    start, end = int(match[1]), int(match[2])
    if len(t.body) != end - start + 1:
        return (f"{what}, it answered 206 with content-range {header.decode()} but "
                f"{len(t.body)} body bytes")
    if start != RANGE[0] or end > RANGE[1]:
        return (f"{what}, it answered 206 with content-range {header.decode()}, not the bytes "
                f"asked for")
    if whole is not None:
        if match[3] != b"*" and int(match[3]) != len(whole):
            return (f"{what}, content-range {header.decode()} gives a length of {match[3]!r} "
                    f"where the plain body has {len(whole)} bytes")
        if t.body != whole[start:end + 1]:
            return (f"{what}, the 206 body is {_short(t.body)} where bytes {start}-{end} of "
                    f"the plain body are {_short(whole[start:end + 1])}")
    return None


# What a 304 must repeat from the 200 (RFC 9110 §15.4.5; Date is the server's to add).
_304_FIELDS = (b"etag", b"vary", b"cache-control", b"expires", b"content-location")


class IfNoneMatch(Variant):
    name = "V03-if-none-match"
    title = "if-none-match: 304 only for the current tag, carrying what the 200 carries"
    rules = ("X-HTTP-009",)
    what = "with if-none-match"

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        miss = self.variant(ctx, "no match", {b"if-none-match": NO_MATCH})
        result = Result(transcripts=[miss])
        ref = base.first
        if miss.status in (304, 412) and ref.status not in (304, 412):
            problem: str | None = (
                f"with if-none-match: {NO_MATCH.decode()}, a tag the app never gave, it "
                f"answered {miss.status} where the plain request got {ref.status}: the "
                f"condition is true, so the request is answered as without it")
        else:
            problem = self.class_change(base, miss)
        if problem is None:
            tag = _header(ref, b"etag")
            if tag is not None and ref.status == 200:
                hit = self.variant(ctx, "current tag", {b"if-none-match": tag})
                result.transcripts.append(hit)
                problem = self._hit_problem(base, hit, tag)
                self.report(result, "X-HTTP-009", problem, hit)
                return result
        self.report(result, "X-HTTP-009", problem, miss)
        return result

    def _hit_problem(self, base: Baseline, hit: Transcript, tag: bytes) -> str | None:
        what = f"with if-none-match: {tag.decode(errors='replace')} (the plain response's ETag)"
        if hit.status != 304:
            if hit.ended != base.first.ended:
                return f"{what}, it {ended_as(hit)} where the plain request " \
                       f"{ended_as(base.first)}"
            return None  # evaluating the condition is optional; 412 is a method's answer
        if self.request.method.upper() not in ("GET", "HEAD"):
            return (f"{what}, it answered 304 to a {self.request.method} request: 304 is for "
                    f"GET and HEAD; other methods answer 412 when the condition is false")
        plain = response_headers(base.first)
        got = response_headers(hit)
        missing = [n.decode() for n in _304_FIELDS if n in plain and n not in got]
        if missing:
            return (f"{what}, its 304 lacks {', '.join(missing)}, which the 200 carries: a 304 "
                    f"must repeat them, or caches update the stored response wrongly")
        if got.get(b"etag") != plain.get(b"etag"):
            return (f"{what}, its 304 carries etag {got[b'etag'][0]!r} where the 200 carries "
                    f"{plain[b'etag'][0]!r}")
        return None


class CorsPreflight(Variant):
    name = "V04-cors-preflight"
    title = "OPTIONS with origin and access-control-request-method: a CORS preflight"
    rules = ("X-HTTP-010",)
    what = "for a CORS preflight (OPTIONS with origin and access-control-request-method)"

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        target = self.request
        extra = {b"origin": ORIGIN, b"access-control-request-method": target.method.encode()}
        if target.body:
            extra[b"access-control-request-headers"] = b"content-type"
        t = self.variant(ctx, "preflight", extra, method="OPTIONS", chunks=[b""],
                         content_length=False)
        result = Result(transcripts=[t])
        self.report(result, "X-HTTP-010", self._problem(base, t), t)
        return result

    def _problem(self, base: Baseline, t: Transcript) -> str | None:
        ref, what = base.first, self.what
        if t.ended == "raised" and ref.ended != "raised":
            return f"{what}, it {ended_as(t)} where the plain request {ended_as(ref)}"
        if t.status is not None and t.status >= 500 and (ref.status or 0) < 500:
            return f"{what}, it answered status {t.status} where the plain request got " \
                   f"{ref.status}"
        allowed = _header(t, b"access-control-allow-origin")
        if allowed is not None and t.status is not None and not 200 <= t.status < 300:
            return (f"{what}, it answered {t.status} with access-control-allow-origin: "
                    f"{allowed.decode(errors='replace')}: a preflight needs an ok (2xx) "
                    f"status, so the browser fails it and never sends the "
                    f"{self.request.method} (answer OPTIONS before routing, as CORS "
                    f"middleware does)")
        return None


class BodyVariant(Variant):
    """A variant of how the request body is announced or delivered: the answer must be the
    plain request's, body and all."""

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.request = with_body(target)

    def body_change(self, base: Baseline, t: Transcript) -> str | None:
        ref = base.first
        if base.stable_body and ref.status == t.status and ref.body != t.body:
            return (f"{self.what}, it answered the body {_short(t.body)} where the plain "
                    f"request got {_short(ref.body)}")
        return None


class ExpectContinue(BodyVariant):
    name = "V05-expect-continue"
    title = "expect: 100-continue: the server answers it; the app answers the request"
    rules = ("X-HTTP-011",)
    what = "with expect: 100-continue"

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        t = self.variant(ctx, "100-continue", {b"expect": b"100-continue"})
        result = Result(transcripts=[t])
        ref = base.first
        if t.status == 417 and ref.status != 417:
            problem: str | None = (
                f"{self.what}, it answered 417 where the plain request got {ref.status}: "
                f"100-continue can always be met (the server sends the 100)")
        else:
            problem = self.class_change(base, t)
        self.report(result, "X-HTTP-011", problem or self.body_change(base, t), t)
        return result


class ChunkedUpload(BodyVariant):
    name = "V06-chunked-upload"
    title = "the body without content-length (transfer-encoding: chunked), in two chunks"
    rules = ("HTTP-RECV-002",)
    what = "with the body sent chunked, without a content-length"

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        body = self.request.body
        if not body:
            raise Skip("the target has no body to send")
        half = max(1, len(body) // 2)
        chunks = [body[:half], body[half:], b""]  # as uvicorn and hypercorn deliver it
        t = self.variant(ctx, "chunked", {b"transfer-encoding": b"chunked"}, chunks=chunks,
                         content_length=False)
        result = Result(transcripts=[t], details={"chunks": [repr(c) for c in chunks]})
        problem = self.class_change(base, t) or self.body_change(base, t)
        if problem is not None:
            problem += ("; servers pass a chunked body on as it arrives, with no "
                        "content-length: read until more_body is False")
        self.report(result, "HTTP-RECV-002", problem, t)
        return result


def for_target(target: Target) -> list[Variant]:
    """V01-V06 for one HTTP target (V05 and V06 only where the request carries a body)."""
    found: list[Variant] = [AcceptGzip(target), Range(target), IfNoneMatch(target),
                            CorsPreflight(target)]
    if with_body(target).body:
        found += [ExpectContinue(target), ChunkedUpload(target)]
    return found
