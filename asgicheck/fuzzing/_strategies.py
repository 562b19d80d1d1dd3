"""Strategies for requests around one target: the inputs fixed scenarios leave out.

Every part of a request starts from the target and wanders off it: the path (path parameters
filled with generated values of their kind where the template is known, and sibling paths with
non-ASCII, empty or odd segments under the same prefix), the query string (repeated keys,
valueless keys, ``+``, ``;``, escapes that are not UTF-8), extra headers (latin-1 values,
repeated names), the body (for methods that carry one) and how it is split into chunks.

Everything shrinks toward the target itself, and each interesting value shrinks toward one
readable representative: a non-ASCII path toward ``/é``, a non-UTF-8 query toward ``%FF``, a
latin-1 header value toward ``é``, a split body toward two chunks. Each strategy is one
``@st.composite`` built once per target (strategies built per example cost more to draw from
than the drawing itself).
"""

from __future__ import annotations

import re
import string

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from asgicheck.contract import BODY_METHODS, Target
from asgicheck.discovery import KIND_VALUES, kind_of
from asgicheck.fuzzing._examples import (
    DISCONNECTS,
    WS_DISCONNECTS,
    HTTPExample,
    WebSocketExample,
    WsMessage,
)

__all__ = ["http_examples", "template_parts", "websocket_examples"]

# {name}, {name:type}, <name>, <type:name>, <any(a, b):name> (as asgicheck.discovery reads them)
_PARAM = re.compile(r"\{(?P<b_name>\w+)(?::(?P<b_type>[\w-]+))?\}"
                    r"|<(?:(?P<a_type>[\w-]+)(?:\([^)]*\))?:)?(?P<a_name>\w+)>")
_REVERSE_KINDS = {value: kind for kind, value in KIND_VALUES.items() if kind != "slug"}

# Most values come from short lists of telling atoms (one draw each); free text covers the
# rest. Orders are chosen for shrinking: a failure that needs a non-ASCII character shrinks to
# "é", one that needs an empty segment to "", whatever free text first found it.


def _rotated(first: int, low: int, high: int) -> SearchStrategy[str]:
    """Characters from ``low`` to ``high`` as integers that shrink toward ``first`` and wrap."""
    span = high - low + 1
    return st.integers(0, span - 1).map(lambda k: chr(low + (first - low + k) % span))


# -- path segments: decoded text; the driver percent-encodes it into raw_path ------------------
_SEGMENT_ATOMS = st.sampled_from(["é", "a", "日本", "😀", " ", "%", "+", ";", "a b", "~", "@",
                                  ":", "'", "a,b", "=", "&", "%2F", "\xa0", "ß", "\u2028"])
_NON_ASCII_CHAR = _rotated(0xE9, 0xA0, 0x10FFFF).filter(
    lambda c: not 0xD800 <= ord(c) <= 0xDFFF)  # no surrogates: paths are UTF-8
_NON_ASCII = st.text(_NON_ASCII_CHAR, min_size=1, max_size=4)
_ASCII = st.text(string.ascii_lowercase + string.digits + "-_~", min_size=1, max_size=8)


@st.composite
def _segments(draw: st.DrawFn, empty: bool = True) -> str:
    """One path segment: empty (1 in 10), an atom, non-ASCII text or an ASCII word."""
    kind = draw(st.integers(0 if empty else 1, 9))
    if kind == 0:
        return ""
    if kind <= 4:
        return draw(_SEGMENT_ATOMS)
    return draw(_NON_ASCII if kind <= 6 else _ASCII)


_SEGMENT = _segments()
_WORD_SEGMENT = _segments(empty=False)  # a value for a {str} parameter

# -- query strings: raw, percent-encoded ASCII as a server delivers them ----------------------
_QUERY_KEYS = st.sampled_from(["a", "q", "id", "tag", "page", "limit", "count", "x"])
_QUERY_ATOMS = st.sampled_from([  # escapes that are not UTF-8 together, so they shrink to %FF
    "a", "1", "", "%FF", "%C3", "%80%80", "%E2%82", "%C3%A9", "%E2%82%AC", "%00", "+", ";",
    "%20", "%26", "%3D", "a+b", "=", "%2B", "%25", "-1", "0x10", "true", "a;b=c"])
_QUERY_WORD = st.text(string.ascii_letters + string.digits + "-_.~", min_size=1, max_size=6)
_QUERY_PIECE = st.one_of(_QUERY_ATOMS, st.lists(st.one_of(_QUERY_ATOMS, _QUERY_WORD),
                                                min_size=1, max_size=3).map("".join))

# -- headers: lowercase token names, latin-1 values without CR, LF or NUL ----------------------
_RESERVED_HEADERS = frozenset({b"host", b"content-length", b"transfer-encoding", b"expect",
                               b"connection", b"upgrade"})
_HEADER_NAMES = st.one_of(
    st.sampled_from([b"accept", b"user-agent", b"accept-language", b"cookie", b"referer",
                     b"x-request-id", b"if-none-match", b"authorization", b"content-type",
                     b"accept-encoding", b"origin", b"x-forwarded-for", b"cache-control"]),
    st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=10).map(
        str.encode).filter(lambda n: n not in _RESERVED_HEADERS))
_HEADER_ATOMS = st.sampled_from([
    b"", b"1", b"*", b"text/html", b"gzip, deflate", b"en-US,en;q=0.9", b"a=b; c=d", b'"v1"',
    b'W/"x", *', b"bytes=0-1", b"a  b", b"\xe9", b"caf\xe9", b"\xa0", b"\xff\xfe", b"\x80"])
# Printable ASCII from "a" on, then latin-1 from "é" on: a value that must hold a byte over 0x7F
# shrinks to b"\xe9".
_HEADER_CHARS = st.sampled_from(
    [chr(c) for c in [*range(0x61, 0x7F), *range(0x20, 0x61)] if c != 0x7F]
    + [chr(c) for c in [*range(0xE9, 0x100), *range(0x80, 0xE9)]])
# (A list, not st.text: text would reorder a one-character alphabet by code point.)
_HEADER_TEXT = st.lists(_HEADER_CHARS, max_size=12).map(
    lambda chars: "".join(chars).strip().encode("latin-1"))
_HEADER_VALUES = st.one_of(_HEADER_TEXT, _HEADER_ATOMS)
_HEADERS = st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=3)

_BODIES = st.binary(max_size=48)
_CLOSE_CODES = st.sampled_from([1000, 1001, 1005, 1006, 1011, 4000])
# Empty frames are legal and easy to mishandle (`event.get("bytes") or event["text"]` raises on
# b""), so they come up far more often than the plain strategies alone would draw them.
_WS_MESSAGES: SearchStrategy[list[WsMessage]] = st.lists(st.one_of(
    st.tuples(st.just("text"), st.text(max_size=16) | st.just(""), st.booleans()),
    st.tuples(st.just("bytes"), st.binary(max_size=16) | st.just(b""), st.booleans())),
    max_size=4)
_SUBPROTOCOLS = st.lists(st.sampled_from(["json", "chat", "v2.example"]), max_size=2,
                         unique=True)


def template_parts(template: str, path: str) -> list[str | tuple[str, str]]:
    """The template as literal text and ``(name, kind)`` parameters. A parameter's kind is its
    declared type, or else read back from the value discovery filled in (``/items/1``: int)."""
    filled = path.split("/")
    aligned = len(filled) == len(template.split("/"))
    parts: list[str | tuple[str, str]] = []
    position = 0
    for match in _PARAM.finditer(template):
        parts.append(template[position:match.start()])
        name = match["b_name"] or match["a_name"]
        declared = match["b_type"] or match["a_type"]
        kind = kind_of(declared) if declared else "str"
        if not declared and aligned:
            segment = template[:match.start()].count("/")
            kind = _REVERSE_KINDS.get(filled[segment], "str")
        parts.append((name, kind))
        position = match.end()
    parts.append(template[position:])
    return [p for p in parts if p != ""]


# Integers at the edges of the machine types, shortest first.
_INT_ATOMS = ["0", "-1", "007", "2147483648", "-2147483649", "9223372036854775808",
              "-9223372036854775809", "18446744073709551616", "1" + "0" * 30]


def _kind_values(kind: str) -> SearchStrategy[str]:
    generated: dict[str, SearchStrategy[str]] = {
        "int": st.one_of(st.sampled_from(_INT_ATOMS), st.integers().map(str)),
        "float": st.floats(allow_nan=False, allow_infinity=False).map(repr),
        "uuid": st.uuids().map(str),
        "path": st.lists(_WORD_SEGMENT, min_size=1, max_size=3).map("/".join),
        "date": st.dates().map(lambda d: d.isoformat()),
        "datetime": st.datetimes().map(lambda d: d.isoformat()),
        "time": st.times().map(lambda t: t.isoformat()),
        "bool": st.sampled_from(["false", "0", "1", "yes", "TRUE"]),
    }
    # The value discovery used comes first: shrinking keeps the route matching when the
    # parameter has nothing to do with the failure.
    return st.one_of(st.just(KIND_VALUES.get(kind, "x")), generated.get(kind, _WORD_SEGMENT))


def _paths(target: Target) -> SearchStrategy[str]:
    template = target.template
    if template:
        parts = template_parts(template, target.path)
        pieces = [st.just(p) if isinstance(p, str) else _kind_values(p[1]) for p in parts]
        own = st.tuples(*pieces).map("".join)
    else:
        own = st.just(target.path)
    trimmed = target.path.rstrip("/")
    bases = sorted({trimmed.rsplit("/", 1)[0], trimmed}, key=len)
    siblings = st.tuples(st.sampled_from(bases),
                         st.lists(_SEGMENT, min_size=1, max_size=2)).map(
        lambda pair: pair[0] + "/" + "/".join(pair[1]))
    return _variants(own, siblings)


@st.composite
def _variants(draw: st.DrawFn, own: SearchStrategy[str], siblings: SearchStrategy[str]) -> str:
    # Half the requests go to the route itself, one in six with a trailing slash (an empty last
    # segment), one in three to a sibling path under the same prefix.
    variant = draw(st.integers(0, 5))
    if variant <= 2:
        return draw(own)
    if variant == 3:
        return draw(own) + "/"
    return draw(siblings)


def _render_query(pairs: list[tuple[str, str | None]]) -> bytes:
    return "&".join(k if v is None else f"{k}={v}" for k, v in pairs).encode("ascii")


_QUERY_VALUES = st.one_of(st.none(), _QUERY_PIECE)  # None: a key without "="


@st.composite
def _queries(draw: st.DrawFn) -> bytes:
    pairs = draw(st.lists(st.tuples(st.one_of(_QUERY_KEYS, _QUERY_PIECE), _QUERY_VALUES),
                          max_size=4))
    if pairs and draw(st.integers(0, 3)) == 3:  # a repeated key, without waiting for luck
        pairs.append((pairs[0][0], draw(_QUERY_VALUES)))
    return _render_query(pairs)


_QUERIES = _queries()


def _chunks(draw: st.DrawFn, body: bytes) -> tuple[bytes, ...]:
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=3)))
    chunks = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    if draw(st.integers(0, 3)) == 3:
        chunks.append(b"")  # the final empty chunk real servers send (falcon#2024)
    return tuple(chunks)


@st.composite
def _http_examples(draw: st.DrawFn, target: Target, disconnect: bool,
                   paths: SearchStrategy[str]) -> HTTPExample:
    path = draw(paths)
    query = draw(st.one_of(st.just(target.query_string), _QUERIES))
    headers = tuple(target.headers) + tuple(draw(_HEADERS))
    body = target.body
    if target.body or target.method.upper() in BODY_METHODS:
        body = draw(st.one_of(st.just(target.body), _BODIES))
    chunks = _chunks(draw, body)
    where = None
    if disconnect:
        where = draw(st.sampled_from(DISCONNECTS))
        if where == "body":
            where = f"body:{draw(st.integers(1, len(chunks)))}"
    return HTTPExample(method=target.method.upper(), path=path, query_string=query,
                       headers=headers, body=body, chunks=chunks, disconnect=where)


def http_examples(target: Target, *, disconnect: bool = False) -> SearchStrategy[HTTPExample]:
    """Requests around an HTTP ``target``: its method, its path or a generated one (see the
    module docstring), a generated query string and extra headers, a body for methods that
    carry one, split into up to five chunks; with ``disconnect=True``, a point where the client
    goes away. Shrinks toward the target's own request in one chunk (and ``"first"``).
    """
    if not isinstance(target, Target) or target.kind != "http":
        raise InvalidArgument(f"target={target!r} must be an http Target")
    return _http_examples(target, disconnect, _paths(target))


@st.composite
def _websocket_examples(draw: st.DrawFn, target: Target) -> WebSocketExample:
    protocols = draw(st.one_of(st.just(list(target.subprotocols)), _SUBPROTOCOLS))
    messages: list[WsMessage] = draw(_WS_MESSAGES)
    return WebSocketExample(path=target.path, query_string=target.query_string,
                            subprotocols=tuple(protocols), messages=tuple(messages),
                            close_code=draw(_CLOSE_CODES),
                            disconnect=draw(st.sampled_from(WS_DISCONNECTS)))


def websocket_examples(target: Target) -> SearchStrategy[WebSocketExample]:
    """Sessions with a websocket ``target``: its subprotocols or generated ones, up to four
    text or binary messages in every legal shape, a close code and the moment the client
    closes. Shrinks toward no messages, a 1000 close once the app waits for more."""
    if not isinstance(target, Target) or target.kind != "websocket":
        raise InvalidArgument(f"target={target!r} must be a websocket Target")
    return _websocket_examples(target)
