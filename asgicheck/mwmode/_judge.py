"""Judgements on an HTTP exchange through a middleware that no single validator can make.

Each compares the two sides: what the client sent with what the inner app read, what the inner
app sent with what reached the client. The validators see one side each; a body lost in
between, a request body swallowed, a header duplicated by a case-sensitive match, or a
disconnect the inner app never heard of shows only when both are laid side by side.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

from asgicheck.mwmode._blame import blame, ended
from asgicheck.mwmode._exchange import Exchange
from asgicheck.violations import Severity, Violation

__all__ = ["SINGLETONS", "body_of", "complete", "decoded", "false_disconnect", "header_findings",
           "lost_bytes", "request_findings", "start_of", "uppercase_passed_through"]

# Fields that RFC 9110 defines as a single value: a second field line is a conflict, which
# clients resolve differently (or reject, for content-length and CORS).
SINGLETONS = frozenset({
    b"content-type", b"content-length", b"content-encoding", b"content-range", b"location",
    b"etag", b"last-modified", b"expires", b"retry-after", b"access-control-allow-origin",
    b"access-control-allow-credentials", b"access-control-max-age",
})


def start_of(sent: Sequence[Any]) -> dict[str, Any] | None:
    for m in sent:
        if isinstance(m, dict) and m.get("type") == "http.response.start":
            return m
    return None


def body_of(sent: Sequence[Any]) -> bytes:
    return b"".join(b for m in sent if isinstance(m, dict) and m.get("type") ==
                    "http.response.body" and type(b := m.get("body", b"")) is bytes)


def complete(sent: Sequence[Any]) -> bool:
    return any(isinstance(m, dict) and m.get("type") == "http.response.body" and
               not m.get("more_body", False) for m in sent)


def _pairs(start: dict[str, Any] | None) -> list[tuple[bytes, bytes]]:
    headers = start.get("headers", []) if start else []
    if not isinstance(headers, (list, tuple)):
        return []
    return [(p[0], p[1]) for p in headers if isinstance(p, (list, tuple)) and len(p) == 2 and
            type(p[0]) is bytes and type(p[1]) is bytes]


def _encoding(start: dict[str, Any] | None) -> bytes:
    return b",".join(v.strip().lower() for n, v in _pairs(start) if n.lower() ==
                     b"content-encoding")


def decoded(sent: Sequence[Any], reference: Sequence[Any]) -> bytes | None | str:
    """The body of ``sent`` with any content-encoding the middleware added undone.

    None when the encoding is one asgicheck cannot undo (br, zstd); a str describing the
    problem when the body does not decode.
    """
    body, encoding = body_of(sent), _encoding(start_of(sent))
    if encoding == _encoding(start_of(reference)) or encoding in (b"", b"identity"):
        return body
    try:
        if encoding in (b"gzip", b"x-gzip"):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return inflater.decompress(body) + inflater.flush()
        if encoding == b"deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
    except zlib.error as exc:
        return f"the body is not valid {encoding.decode('latin-1')} ({exc})"
    return None


def lost_bytes(ex: Exchange) -> Violation | None:
    """HTTP-SRV-004 for the middleware: what the inner app gave its send() reaches the client.

    Only loss is judged (a shorter body, or one that does not decode): a middleware may rewrite
    a body on purpose (inject a script, minify), but a complete response carrying less than
    the inner app sent is a truncated body that looks whole (bug classes B, C)."""
    call = ex.call
    if call is None or call.ended != "returned" or not complete(call.sent):
        return None
    sent = ex.outer.sent
    if not complete(sent) or sum(1 for m in sent if isinstance(m, dict) and
                                 m.get("type") == "http.response.start") != 1:
        return None  # an incomplete or doubled response is reported by the validator
    inner = body_of(call.sent)
    got = decoded(sent, call.sent)
    if got is None or (isinstance(got, bytes) and len(got) >= len(inner)):
        return None
    messages = sum(1 for m in call.sent if isinstance(m, dict) and
                   m.get("type") == "http.response.body")
    what = got if isinstance(got, str) else f"only {len(got)} of them reached the client"
    return blame("HTTP-SRV-004", f"the inner app passed {len(inner)} body bytes to the "
                 f"middleware's send() in {messages} message(s) and completed its response; "
                 f"the middleware completed the response too, but {what}: the client takes "
                 f"a truncated body for a whole one (as the inner app's server, the middleware "
                 f"must pass on what it is given)")


def request_findings(ex: Exchange, body: bytes) -> list[Violation]:
    """HTTP-EVT-001 for the middleware: the inner app gets the request body the client sent."""
    call = ex.call
    if call is None:
        return []
    notes = call.notes
    if "body" not in notes and (call.waiting or call.stuck) and ex.outer.ended == "timeout":
        sent = f"its whole request body ({len(body)} B)" if body else \
            "its request (one http.request with an empty body, as every request has)"
        return [blame("HTTP-EVT-001", f"the client sent {sent} and waited for the response, but "
                      f"the inner app, waiting in receive(), never got it: the middleware read "
                      f"the request and did not pass it on, so the app hangs (bug class H1); "
                      f"replay what you read to the inner app")]
    got = notes.get("body")
    if isinstance(got, bytes) and got != body and not notes.get("disconnected"):
        return [blame("HTTP-EVT-001", f"the client sent the request body {body!r:.60} but the "
                      f"inner app read {got!r:.60}: the middleware lost or changed request "
                      f"body chunks it was to pass on")]
    return []


def false_disconnect(ex: Exchange) -> Violation | None:
    """HTTP-EVT-003 for the middleware: no ``http.disconnect`` while the client is there."""
    call = ex.call
    if call is None or not call.notes.get("disconnected"):
        return None
    return blame("HTTP-EVT-003", f"the inner app got http.disconnect while reading the request, "
                 f"but the client was still connected and waiting for the response (the "
                 f"middleware {ended(ex.outer)}): the inner app dropped a request it should "
                 f"have answered")


def uppercase_passed_through(ex: Exchange) -> bool:
    """Whether every upper-case header name the middleware sent came from the inner app."""
    call = ex.call
    inner = {n for n, _ in _pairs(start_of(call.sent))} if call else set()
    return all(n in inner for n, _ in _pairs(start_of(ex.outer.sent)) if n != n.lower())


def header_findings(ex: Exchange) -> list[Violation]:
    """Duplicates the middleware introduced, and duplicate fields it dropped."""
    call = ex.call
    if call is None:
        return []
    inner, outer = _pairs(start_of(call.sent)), _pairs(start_of(ex.outer.sent))
    if not outer:
        return []
    found: list[Violation] = []
    for name in sorted(SINGLETONS):
        had = [n for n, _ in inner if n.lower() == name]
        has = [n for n, _ in outer if n.lower() == name]
        if len(had) <= 1 and len(has) > 1:
            sent = f"one {name.decode()!r} field ({had[0]!r})" if had else \
                f"no {name.decode()!r} field"
            found.append(blame(
                "HTTP-SEND-008", f"the inner app sent {sent}; the response the middleware sent "
                f"has {len(has)} ({has!r}): it matched header names case-sensitively, or added "
                f"the field without replacing the one there; clients pick either value or "
                f"reject the response (bug class M: M4, M6, M7)", severity=Severity.WARNING))
    cookies_in = sum(1 for n, _ in inner if n.lower() == b"set-cookie")
    cookies_out = sum(1 for n, _ in outer if n.lower() == b"set-cookie")
    if cookies_in > 1 and cookies_out < cookies_in:
        found.append(blame(
            "HTTP-SRV-002", f"the inner app sent {cookies_in} set-cookie fields; the middleware "
            f"passed on {cookies_out}: repeated header fields must all be kept, in order (a "
            f"dict of headers keeps only one)", severity=Severity.WARNING))
    return found
