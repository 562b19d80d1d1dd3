"""Request programs: a whole request (path, query string, headers, body and its chunking) as
*one* choice.

Hypothesis's cost per example is mostly per choice, and more than that when two choices come
from strategies of the same kind (its mutator then tries copying one over the other, several
test calls per example). A request program is one byte string. Its first ``max_chunks - 1``
bytes are where the body is cut (``_cut_at``). The rest holds the operations of the other
parts: bytes F0-FF are *switches*, and the bytes after one belong to the part it names,
``(b - 0xF0) % 4``: 0 the query string, 1 the headers, 2 the path (the rest starts in the
path), 3 the body. Each part's bytes, in order, are read by that part's own decoder
(``_paths``, ``_queries``, ``_headers``: their tables give F0-FF nothing of their own); the
body's are its bytes (``_body_bytes``).

Shrinking stays per part: deleting a byte removes one operation from one part, and the empty
program is every part at its simplest (or its start), the body in one chunk. A failure that
needs a query string shrinks to ``F0`` and the query's own minimal program (``%FF``: two
bytes), one that needs a header to ``F1`` and the header's, one that needs a body to ``F3``
and the body's bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from functools import partial
from typing import Any, Literal, overload

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from asgicheck.contract import BODY_METHODS  # those a body is generated for
from asgicheck.strategies._bodies import _cut, _decode_body
from asgicheck.strategies._content import NO_BODY, START, labelled, shaped
from asgicheck.strategies._headers import Headers, _header_decoder
from asgicheck.strategies._paths import _path_decoder
from asgicheck.strategies._programs import _check_size, _check_version, _Programs, _programs
from asgicheck.strategies._queries import _decode_query

__all__ = ["BODY_METHODS", "METHODS", "Parts", "http_requests", "request_programs", "scope",
           "split"]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_SWITCH = re.compile(rb"([\xf0-\xff])")
_QUERY, _HEADERS, _PATH, _BODY = 0, 1, 2, 3
_ESCAPE = 0xEF  # in a body part: EF, b is one of EE-FF (see _body_bytes)


def request_programs() -> _Programs:
    # About 24 bytes on average (Hypothesis draws about twice min_size): one or two switches.
    # The one field is the method (http_scopes(): one choice less).
    return _programs("request", 12, 96, prefix=1)


def split(program: bytes, parts: int = 3) -> list[bytes]:
    """A request program's part programs, ``[query, headers, path]`` (and ``body`` with
    ``parts=4``)."""
    found = [b""] * parts
    if not program or max(program) < 0xF0:
        found[_PATH] = program
        return found
    pieces = _SWITCH.split(program)  # the path's bytes, then (switch, bytes) pairs
    runs: list[list[bytes]] = [[] for _ in range(parts)]
    runs[_PATH].append(pieces[0])
    for at in range(1, len(pieces), 2):
        runs[(pieces[at][0] - 0xF0) % parts].append(pieces[at + 1])
    return [b"".join(run) for run in runs]


def _body_bytes(part: bytes) -> bytes:
    """A body part's bytes: 00 nothing (a program's bytes are zeros at their simplest), 01-EE
    the bytes 00-ED, EF and the byte after it one of EE-FF (F0-FF are switches)."""
    out, at, end = bytearray(), 0, len(part)
    while at < end:
        byte = part[at]
        if byte == _ESCAPE:
            at += 1
            out.append(_ESCAPE - 1 + (part[at] if at < end else 0) % 18)
        elif byte:
            out.append(byte - 1)
        at += 1
    return bytes(out)


def _cut_at(program: bytes) -> bytes:
    """Cut bytes 00-7F are no cut (so a program of zeros is one chunk, and one in sixteen
    requests is); 80-FF are the cuts of ``chunkings()`` (``_bodies._cut``), two apart."""
    return bytes((b - 0x80) * 2 for b in program if b >= 0x80)


class Parts:
    """How a request program is read: one decoder per part."""

    def __init__(self, path: Callable[[bytes], tuple[str, bytes]],
                 query: Callable[[bytes], bytes], headers: Callable[[bytes], Headers]) -> None:
        self.path, self.query, self.headers = path, query, headers

    def read(self, program: bytes) -> tuple[str, bytes, bytes, Headers]:
        query_program, header_program, path_program = split(program)
        path, raw_path = self.path(path_program)
        return path, raw_path, self.query(query_program), self.headers(header_program)


def scope(kind: str, path: str, raw_path: bytes, query: bytes, headers: Headers,
          spec_version: str, **more: Any) -> dict[str, Any]:
    return {
        "type": kind, "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1", "scheme": "http" if kind == "http" else "ws", "path": path,
        "raw_path": raw_path, "query_string": query, "root_path": "", "headers": headers,
        "client": ["127.0.0.1", 50000], "server": ["testserver", 80], **more,
    }


def _disconnect(byte: int, chunks: int) -> str:
    """Where the client goes away (``http_requests(disconnects=True)``), from one field byte:
    00 (and every sixth) "first", so a failure shrinks there; then "started", "streaming",
    and after one, two or three chunks (no more than there are)."""
    point = byte % 6
    if point < 3:
        return ("first", "started", "streaming")[point]
    return f"body:{min(point - 2, chunks)}"


class _Request:
    """Reads a whole request program (see the module): its fields say where the body is cut
    (and, as asked, which method it is, what its content-type says and where the client
    leaves), its live bytes are the parts."""

    def __init__(self, methods: tuple[str, ...], parts: Parts, body: bytes, max_body: int,
                 cuts: int, spec_version: str, *, content_at: int | None = None,
                 disconnects: bool = False) -> None:
        self.methods, self.parts, self.body, self.max_body = methods, parts, body, max_body
        self.cuts, self.spec_version, self.content_at = cuts, spec_version, content_at
        fields = [None] * cuts + ["method"] * (len(methods) > 1) + \
            ["content"] * (content_at is not None) + ["disconnect"] * disconnects
        self.field = {name: at for at, name in enumerate(fields) if name is not None}
        # About 48 live bytes on average: two or three switches, so each part shows in about
        # half the requests. Few at the least: a failure shrinks by lowering the length
        # byte, and the bytes it leaves out change nothing (no new example to run).
        self.programs = _programs("request", 12, 96, prefix=len(fields), average=52)

    def read(self, program: bytes, method: str | None = None) -> tuple[Any, ...]:
        """``(scope, chunks)``, and where the client leaves if asked."""
        fields = self.programs.fields(program)
        field = self.field
        if method is None:
            method = self.methods[fields[field["method"]] % len(self.methods)] \
                if len(self.methods) > 1 else self.methods[0]
        query, header_part, path, body = split(self.programs.live(program), 4)
        parts = self.parts
        path_, raw_path = parts.path(path)
        body_, types = self.body, START if self.body else NO_BODY
        if self.max_body and (body_ or method in BODY_METHODS):
            generated = _body_bytes(body)[:self.max_body + bool(body_)]
            if body_ or self.content_at is None:
                # with a start body, the first byte says whether the rest replaces or extends
                body_ = _decode_body(generated, body_)
            else:
                body_, types = shaped(fields[field["content"]], generated)
        headers = parts.headers(header_part)
        if self.content_at is not None:
            headers = labelled(fields[field["content"]], headers, types, self.content_at)
        chunks = _cut(body_, _cut_at(fields[:self.cuts]), self.cuts, True) if self.cuts \
            else [body_]
        request = scope("http", path_, raw_path, parts.query(query), headers,
                        self.spec_version, method=method), chunks
        if "disconnect" in field:
            return (*request, _disconnect(fields[field["disconnect"]], len(chunks)))
        return request


@st.composite
def _drawn_method(draw: st.DrawFn, methods: SearchStrategy[str], request: _Request
                  ) -> tuple[Any, ...]:
    return request.read(request.programs.draw(draw), draw(methods))


Request = tuple[dict[str, Any], list[bytes]]
Leaving = tuple[dict[str, Any], list[bytes], str]


@overload
def http_requests(route: str | None = None, *,
                  methods: Sequence[str] | SearchStrategy[str] = METHODS,
                  query_string: bytes = b"", headers: Sequence[Sequence[bytes]] = (),
                  body: bytes = b"", max_body: int = 48, max_chunks: int = 5,
                  exclude_headers: Collection[bytes] = (), host: bytes | None = b"testserver",
                  content_types: bool = False, disconnects: Literal[False] = False,
                  spec_version: str = "2.4") -> SearchStrategy[Request]: ...


@overload
def http_requests(route: str | None = None, *,
                  methods: Sequence[str] | SearchStrategy[str] = METHODS,
                  query_string: bytes = b"", headers: Sequence[Sequence[bytes]] = (),
                  body: bytes = b"", max_body: int = 48, max_chunks: int = 5,
                  exclude_headers: Collection[bytes] = (), host: bytes | None = b"testserver",
                  content_types: bool = False, disconnects: Literal[True],
                  spec_version: str = "2.4") -> SearchStrategy[Leaving]: ...


def http_requests(route: str | None = None, *,
                  methods: Sequence[str] | SearchStrategy[str] = METHODS,
                  query_string: bytes = b"", headers: Sequence[Sequence[bytes]] = (),
                  body: bytes = b"", max_body: int = 48, max_chunks: int = 5,
                  exclude_headers: Collection[bytes] = (), host: bytes | None = b"testserver",
                  content_types: bool = False, disconnects: bool = False,
                  spec_version: str = "2.4") -> SearchStrategy[Request] | SearchStrategy[Leaving]:
    """Whole requests, ``(scope, chunks)``: an ``http`` scope and its body split into up to
    ``max_chunks`` ``http.request`` chunks (``b"".join(chunks)`` is the body), what
    ``http_scopes()`` and ``chunkings(bodies())`` give together, for far fewer choices (the
    whole request is one program: see the module). The path is ``paths(route)``: around the
    route if you give one. The query string starts from ``query_string``, the headers from
    ``headers`` (after ``host``; generated names in ``exclude_headers`` get an ``x-``), the
    body from ``body``, as ``query_strings(start=)``, ``header_lists(start=)`` and
    ``bodies(start=)`` do; a body of up to ``max_body`` bytes is generated for POST, PUT and
    PATCH (and whenever ``body`` is given). ``methods``: the names to pick from (the first is
    the simplest; ``http_scopes()``'s by default), or a strategy for them.

    ``content_types=True``: the body says what it is in more ways. The content-type header is
    sometimes left out (a client that sends none, yours dropped), sometimes the body's own,
    sometimes another's; without a ``body`` of yours the generated one is bytes, a small JSON
    document (odd text, duplicate keys, huge numbers) or a urlencoded form (escapes that are not
    UTF-8), or empty. ``disconnects=True``: each request is ``(scope, chunks, where)``, where
    the client goes away: ``"first"`` (before the app gets anything), ``"body:N"`` (when the
    app asks for more after ``N`` chunks), ``"started"`` (once the app has sent
    ``http.response.start``) or ``"streaming"`` (once it has sent a body chunk with
    ``more_body=True``), as ``asgicheck.fuzzing.HTTPExample`` scripts it. Each is a byte of
    the same program, not another choice.

    Shrinks toward your request itself (``GET /`` by default), its body in one chunk, your
    headers, and ``"first"``.
    """
    _check_version(spec_version)
    _check_size("max_body", max_body)
    _check_size("max_chunks", max_chunks, low=1)
    if type(query_string) is not bytes or type(body) is not bytes:
        raise InvalidArgument("query_string and body must be bytes")
    parts = Parts(_path_decoder(route, 6, True, True, False, True),
                  partial(_decode_query, max_pairs=5, allow_invalid_utf8=True,
                          allow_blank=True, start=query_string),
                  _header_decoder(6, False, True, True, host, headers, exclude_headers))
    options: dict[str, Any] = {
        "content_at": (host is not None) + len(headers) if content_types else None,
        "disconnects": disconnects}
    if isinstance(methods, SearchStrategy):
        return _drawn_method(methods, _Request(("GET",), parts, body, max_body, max_chunks - 1,
                                               spec_version, **options))
    if isinstance(methods, str) or not methods or not all(type(m) is str for m in methods):
        raise InvalidArgument(f"methods={methods!r} must be method names or a strategy")
    request = _Request(tuple(methods), parts, body, max_body, max_chunks - 1, spec_version,
                       **options)
    return request.programs.map(request.read, whole=True)
