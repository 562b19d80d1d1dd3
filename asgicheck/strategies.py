"""Hypothesis strategies for ASGI: scopes, paths, query strings, headers, bodies and chunkings.

Public API in Hypothesis's own style: plural-noun names, keyword-only tuning arguments, a
``SearchStrategy`` return, arguments validated up front (``InvalidArgument``), and output that is
spec-valid unless asked otherwise. Everything shrinks toward the simplest request: ``GET /``,
no query, no headers beyond ``host``, an empty body in one chunk, no disconnect.

    from hypothesis import given
    from asgicheck import strategies as asgi

    @given(asgi.http_scopes(paths=asgi.paths()), asgi.chunkings(asgi.bodies()))
    def test_my_app(scope, chunks): ...

How they are built, and why: Hypothesis's cost per example grows with the number of choices it
makes and records (each ``draw`` of an integer, a string, a list element, a ``one_of`` branch),
not with the size of what is drawn. So each part of a request is *one* choice: a short byte
string that a small decoder reads as a program, one byte an operation (a character or a word
to append, a new segment, an encoded slash, a repeated key, a latin-1 value byte, a new
message...). The tables below say what each byte value does. Byte 0 is always the simplest
operation and the bytes come in shortlex order, so Hypothesis's shrinking (shorter, then
smaller bytes) shrinks the request too: to ``/``, to one ``a``, to ``é`` for a non-ASCII
character, to ``%FF`` for an invalid escape. ``http_scopes()`` makes four choices per scope where
a tree of ``lists``/``one_of``/``flatmap`` made about forty.

This module imports Hypothesis; ``import asgicheck`` does not import it.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from functools import partial
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

__all__ = [
    "bodies",
    "chunkings",
    "disconnect_points",
    "header_lists",
    "http_scopes",
    "paths",
    "query_strings",
    "websocket_message_sequences",
    "websocket_scopes",
]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_TOKEN = string.ascii_lowercase + string.digits + "-"  # 37 characters, "a" first
_PATH_SAFE = "!$&'()*+,;=:@"  # sub-delims, ":" and "@": legal as they are in a segment


def _check_size(name: str, value: int, low: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise InvalidArgument(f"{name}={value!r} must be an int >= {low}")


def _latin1_from_e_acute(count: int) -> list[str]:
    """``count`` characters of U+00A0-U+00FF starting at "é" and wrapping: the first one is
    what a failure that needs a non-ASCII character shrinks to."""
    return [chr(0xA0 + (k + 0xE9 - 0xA0) % 96) for k in range(count)]


# Non-ASCII text that is easy to mishandle: composed and decomposed accents, CJK, astral
# emoji, a flag (two code points), zero-width and line-separator characters, a BOM, a soft
# hyphen, fullwidth letters, a right-to-left script, case mappings that change length.
_UNICODE_ATOMS = ("日本", "😀", "e\u0301", "\u200b", "\u2028", "\ufeff", "ß", "İ", "ﬁ", "Ω",
                  "א", "中文", "🇺🇸", "\u00ad", "Ａ", "\U00010348")


def _escaped_code_point(program: bytes, at: int) -> str:
    """Any code point from U+00A0 up (surrogates moved out of the way), from the low nibble of
    ``program[at]`` and the two bytes after it: the whole of Unicode, not just the tables."""
    high = program[at] & 0x0F
    low = int.from_bytes(program[at + 1:at + 3].ljust(2, b"\x00"), "big")
    point = 0xA0 + (high << 16 | low)
    return chr(point + 0x800 if 0xD800 <= point <= 0xDFFF else point)


def _programs(min_size: int, max_size: int) -> SearchStrategy[bytes]:
    """The byte strings the decoders read. Byte 0 is a no-op in every table, so ``min_size``
    only makes programs longer on average (Hypothesis draws about ``min_size + 5`` bytes, and
    about 5 from 0), and zeroing a byte is a way to shrink."""
    return st.binary(min_size=min(min_size, max_size), max_size=max_size)


def _table(*parts: Sequence[object]) -> tuple[object, ...]:
    """A 256-entry table: the no-op, then ``parts`` one after the other."""
    table: list[object] = [_NOOP]
    for part in parts:
        table += part
    assert len(table) == 256, len(table)
    return tuple(table)


def _run(count: int, op: object) -> list[object]:
    return [op] * count


_NOOP = object()

# -- paths ------------------------------------------------------------------------------------
# One byte, one operation on the segments being built:
#   00     nothing                                     01-25  a character of _TOKEN ("a" first)
#   26-30  an ASCII word ("items", "1", ...)           31-60  a new segment (the separator)
#   61-74  an encoded slash: "/" inside the segment,   75-78  a dot segment ("." or "..")
#          %2F in raw_path
#   79-8B  ASCII punctuation and " "                   8C-D7  a _TOKEN character again
#   D8-E7  a latin-1 character ("é" first)             E8-F3  a non-ASCII atom (_UNICODE_ATOMS)
#   F4-FF  any code point (with the next two bytes)
# Options that switch a kind off turn its operations into separators (encoded slashes, dot
# segments) or into ASCII (unicode=False). Each kind is one run of byte values with its
# simplest member lowest: Hypothesis shrinks a byte by trying smaller values one step at a
# time, so a failure that needs a non-ASCII character walks down to "é".
_PATH_WORDS = ("items", "1", "42", "users", "v1", "api", "abc", "a-b", "0", "x", "index.html")
_PATH_PUNCTUATION = (" ", "%", "+", ";", "=", "&", "@", ":", "'", "!", "$", "(", ")", "*", ",",
                     "~", ".", "a b", "%2F")
_SEPARATOR, _ENCODED_SLASH, _DOTS, _ESCAPE = object(), object(), object(), object()


def _path_table(unicode: bool) -> tuple[object, ...]:
    ascii_ = [_TOKEN[k % 37] for k in range(76)]
    return _table(_TOKEN, _PATH_WORDS, _run(48, _SEPARATOR), _run(20, _ENCODED_SLASH),
                  _run(4, _DOTS), _PATH_PUNCTUATION, ascii_,
                  _latin1_from_e_acute(16) if unicode else ascii_[:16],
                  _UNICODE_ATOMS[:12] if unicode else ascii_[:12],
                  _run(12, _ESCAPE) if unicode else ascii_[:12])


_PATH_TABLES = {True: _path_table(True), False: _path_table(False)}


def _decode_path(program: bytes, *, max_segments: int, unicode: bool, allow_empty: bool,
                 allow_dots: bool, encoded_slashes: bool) -> tuple[str, bytes]:
    table = _PATH_TABLES[unicode]
    segments: list[str] = [""]
    at, end = 0, len(program)
    while at < end:
        op = table[program[at]]
        if type(op) is str:
            segments[-1] += op
        elif op is _NOOP:
            pass
        elif op is _SEPARATOR or (op is _ENCODED_SLASH and not encoded_slashes) or (
                op is _DOTS and not allow_dots):
            if len(segments) < max_segments:
                segments.append("")
        elif op is _ENCODED_SLASH:
            segments[-1] += "/"
        elif op is _DOTS:  # "." or ".." as a segment of its own, then a new segment
            dots = "." * (1 + program[at] % 2)
            if not segments[-1]:
                segments[-1] = dots
            elif len(segments) < max_segments:
                segments.append(dots)
            if len(segments) < max_segments:
                segments.append("")
        else:  # _ESCAPE
            segments[-1] += _escaped_code_point(program, at)
            at += 2
        at += 1
    if not allow_empty:
        segments = [s for s in segments if s] or [""]
    if not allow_dots:
        segments = [s + "_" if s in (".", "..") else s for s in segments]
    raw = "/" + "/".join(quote(s, safe=_PATH_SAFE) for s in segments)
    return "/" + "/".join(segments), raw.encode("ascii")


def paths(*, max_segments: int = 6, unicode: bool = True, allow_empty_segments: bool = True,
          allow_dot_segments: bool = False, encoded_slashes: bool = True
          ) -> SearchStrategy[tuple[str, bytes]]:
    """``(path, raw_path)`` pairs: the decoded ``path`` and a consistent percent-encoded
    ``raw_path`` (www.rst: ``path`` has "percent-encoded sequences and UTF-8 byte sequences
    decoded into characters"). Segments are ASCII words, non-ASCII text (latin-1, CJK, emoji,
    combining and zero-width characters, any code point), punctuation, empty segments, and
    segments holding an encoded slash (``%2F`` in ``raw_path``, ``/`` in ``path``: A12).
    Shrinks toward ``("/", b"/")``; a non-ASCII segment toward ``/é``.
    """
    _check_size("max_segments", max_segments)
    if max_segments == 0:
        return st.just(("/", b"/"))
    return _programs(4, 4 * max_segments).map(partial(
        _decode_path, max_segments=max_segments, unicode=unicode,
        allow_empty=allow_empty_segments, allow_dots=allow_dot_segments,
        encoded_slashes=encoded_slashes))


# -- query strings ----------------------------------------------------------------------------
#   00     nothing                                     01-28  a word character (_TOKEN "_.~")
#   29-30  a word ("id", "page", ...)                  31-4C  "&": a new pair
#   4D-5E  "=" (a pair's first one starts its value)   5F-82  a new pair repeating an earlier
#                                                             pair's key
#   83-A2  "+", ";", "%20", "%26", "a+b", ...          A3-BA  a non-ASCII character, encoded
#                                                             (%C3%A9 first)
#   BB-CA  an escape that is not UTF-8 (%FF first)     CB-FF  word characters, upper case
_QUERY_WORDS = ("id", "page", "q", "tag", "limit", "10", "true", "-1")
_QUERY_SPECIALS = ("+", "%20", "%26", "%3D", ";", "%2B", "%25", "a+b", "%00", "%0A", "~", "-",
                   "0x10", "%7E", "%41", "%3b", "+", "+", ";", ";", "a;b", "+a", "%20%20",
                   "%2C", ",", "*", "'", "!", "$", "(", ")", "a%3Bb")
_INVALID_UTF8 = ("%FF", "%C3", "%80%80", "%E2%82", "%FE", "%C0%AF", "%ED%A0%80", "%F8%88%80",
                 "%C3%28", "%A0%A1", "%F0%28%8C%BC", "%E2%28%A1", "%80", "%BF", "%C1%BF",
                 "%F5%80%80%80")
_NEW_PAIR, _EQUALS, _REPEAT = object(), object(), object()


def _query_table(allow_invalid_utf8: bool) -> tuple[object, ...]:
    non_ascii = [quote(c, safe="") for c in _latin1_from_e_acute(8) + [
        "€", "日本", "😀", "ü", "Ω", "中", "\u2028", "\ufeff", "ñ", "ç", "å", "ø", "\u00a0", "İ",
        "ﬁ", "🇺🇸"]]
    word = _TOKEN + "_.~"
    return _table(word, _QUERY_WORDS, _run(28, _NEW_PAIR), _run(18, _EQUALS),
                  _run(36, _REPEAT), _QUERY_SPECIALS, non_ascii,
                  _INVALID_UTF8 if allow_invalid_utf8 else non_ascii[:16],
                  string.ascii_uppercase, word[:27])


_QUERY_TABLES = {True: _query_table(True), False: _query_table(False)}


def _decode_query(program: bytes, *, max_pairs: int, allow_invalid_utf8: bool,
                  allow_blank: bool) -> bytes:
    table = _QUERY_TABLES[allow_invalid_utf8]
    keys: list[str] = []
    values: list[str | None] = []  # None: a key without "="
    for byte in program:
        op = table[byte]
        if op is _NOOP:
            continue
        if not keys:  # the first operation begins the first pair
            keys.append("a" if op is _REPEAT else "")
            values.append(None)
        if type(op) is str:
            value = values[-1]
            if value is None:
                keys[-1] += op
            else:
                values[-1] = value + op
        elif op is _EQUALS:
            value = values[-1]
            values[-1] = "" if value is None else value + "="
        elif len(keys) < max_pairs:  # a new pair: empty, or with an earlier pair's key
            keys.append("" if op is _NEW_PAIR else keys[byte % len(keys)])
            values.append(None)
    return "&".join(k if v is None and allow_blank else f"{k}={v or ''}"
                    for k, v in zip(keys, values, strict=True)).encode("ascii")


def query_strings(*, max_pairs: int = 5, allow_invalid_utf8: bool = True,
                  allow_blank: bool = True) -> SearchStrategy[bytes]:
    """Raw, percent-encoded query strings as a server delivers them: repeated keys, valueless
    keys (``allow_blank=False`` gives every key an ``=``), empty values, ``+`` for space, ``;``
    inside values, non-ASCII escapes, and (unless ``allow_invalid_utf8=False``) escapes such as
    ``%FF`` that are not UTF-8. Shrinks to ``b""``; a repeated key to ``a&a``.
    """
    _check_size("max_pairs", max_pairs)
    if max_pairs == 0:
        return st.just(b"")
    return _programs(4, 6 * max_pairs).map(partial(
        _decode_query, max_pairs=max_pairs, allow_invalid_utf8=allow_invalid_utf8,
        allow_blank=allow_blank))


# -- header lists -----------------------------------------------------------------------------
#   00     nothing
#   01-10  a new header with a common name and an empty value ("accept" first)
#   11-20  a new header with a common name and a typical (ASCII) value
#   21-34  a new header repeating an earlier header's name (unless duplicates=False)
#   35-3C  a name character: appended to the current name while its value is empty, else the
#          start of a new header (with mixed_case=True, 3B and 3C upper- and title-case it)
#   3D-FF  a value byte: printable ASCII from "a", then latin-1 from "é" (ASCII only with
#          latin1_values=False); a header ("accept") begins if none has
_HEADER_NAMES = (b"accept", b"user-agent", b"accept-language", b"cookie", b"referer",
                 b"x-request-id", b"if-none-match", b"authorization", b"content-type",
                 b"accept-encoding", b"origin", b"x-forwarded-for", b"cache-control", b"x-a",
                 b"dnt", b"forwarded")
_HEADER_VALUES = (b"*/*", b"x/1.0", b"en-US,en;q=0.9", b"a=b; c=d", b"http://a/",
                  b"*;q=0", b'W/"x", *', b"Basic YTpi", b"text/plain; charset=utf-8",
                  b"gzip, deflate", b"null", b"1.2.3.4, 5.6.7.8", b"no-cache", b"a  b", b"1",
                  b"for=\"[::1]\";proto=http")
_NAME_CHARS = b"x-a1_.b9"
_RESERVED = frozenset({b"host", b"content-length", b"transfer-encoding"})


def _value_bytes(latin1: bool) -> bytes:
    ascii_ = bytes(0x20 + (k + 0x41) % 95 for k in range(95))  # "a" first, no DEL
    # "é" first, then the rest of U+00E0-U+00FF, a spread of U+00A0-U+00DF, and C1 bytes
    # (obs-text too); printable ASCII, most common in real values, twice as often
    high = bytes([*range(0xE9, 0x100), *range(0xE0, 0xE9), 0xA0, 0xA9, 0xB0, 0xB5, 0xBF, 0xC0,
                  0xC4, 0xD0, 0xD6, 0xDF, 0x80, 0x85, 0x9F])
    return ascii_ + ascii_[:60] + (high if latin1 else ascii_[60:] + ascii_[:5])


_VALUE_BYTES = {True: _value_bytes(True), False: _value_bytes(False)}


def _decode_headers(program: bytes, *, max_headers: int, mixed_case: bool, duplicates: bool,
                    latin1: bool, host: bytes | None) -> list[list[bytes]]:
    value_bytes = _VALUE_BYTES[latin1]
    names: list[bytes] = []
    values: list[bytearray] = []
    for byte in program:
        if byte == 0:
            continue
        if byte >= 0x3D or (0x21 <= byte < 0x35 and duplicates):
            if not names:  # a value byte or a repeat before any header: one begins
                if max_headers == 0:
                    continue
                names.append(b"accept")
                values.append(bytearray())
            if byte >= 0x3D:
                values[-1].append(value_bytes[byte - 0x3D])
                continue
            name, value = names[byte % len(names)], b""
        elif byte >= 0x35:
            if names and not values[-1]:  # the current name is still being written
                if mixed_case and byte >= 0x3B:
                    names[-1] = names[-1].upper() if byte == 0x3B else names[-1].title()
                else:
                    names[-1] += _NAME_CHARS[byte - 0x35:byte - 0x34]
                continue
            name, value = _NAME_CHARS[byte - 0x35:byte - 0x34], b""
        else:  # 01-20, or 21-34 without duplicates
            name = _HEADER_NAMES[(byte - 1) & 0x0F]
            if mixed_case:
                name = (name, name.upper(), name.title())[(byte - 1) % 3]
            value = _HEADER_VALUES[(byte - 1) & 0x0F] if 0x11 <= byte <= 0x20 else b""
        if len(names) < max_headers:
            names.append(name)
            values.append(bytearray(value))
    found: list[list[bytes]] = []
    seen: set[bytes] = set()
    for name, written in zip(names, values, strict=True):
        if name.lower() in _RESERVED:
            name = b"x-" + name
        if not duplicates:
            if name.lower() in seen:
                continue
            seen.add(name.lower())
        found.append([name, bytes(written).strip(b" \t")])
    return [[b"host", host], *found] if host is not None else found


def header_lists(*, max_headers: int = 6, mixed_case: bool = False,
                 duplicates: bool = True, latin1_values: bool = True,
                 host: bytes | None = b"testserver") -> SearchStrategy[list[list[bytes]]]:
    """Request header lists as ``[[name, value], ...]`` byte pairs. Names are tokens (common
    ones and made-up ones; mixed case only with ``mixed_case=True``: servers lowercase, the
    spec only says "should"), repeated names unless ``duplicates=False``; values are latin-1
    without CR, LF or NUL (ASCII with ``latin1_values=False``) and without surrounding
    whitespace. ``host`` comes first when given. Shrinks toward ``[[b"host", host]]``; a
    latin-1 value toward ``[b"accept", b"\\xe9"]``.
    """
    _check_size("max_headers", max_headers)
    return _programs(6, 8 * max_headers).map(partial(
        _decode_headers, max_headers=max_headers, mixed_case=mixed_case, duplicates=duplicates,
        latin1=latin1_values, host=host))


def bodies(*, max_size: int = 256) -> SearchStrategy[bytes]:
    """Request bodies, shrinking toward ``b""``."""
    _check_size("max_size", max_size)
    return st.binary(max_size=max_size)


# -- chunkings --------------------------------------------------------------------------------
# One byte per cut (the first max_chunks - 1 bytes count): 00-7F cut at that offset, or at the
# end of a shorter body (00: an empty first chunk); 80-BF at a fraction of the body, for long
# ones; C0-FF at the end (a final empty chunk, falcon#2024). Equal cuts make empty chunks in
# the middle. Small bytes are offsets, so shrinking the body leaves a cut where it was (or at
# the end, where it stays).


def _cut(body: bytes, program: bytes, cuts: int, allow_empty: bool) -> list[bytes]:
    size = len(body)
    at = sorted(min(b, size) if b < 0x80 else size if b >= 0xC0 else
                (b - 0x80) * (size + 1) // 0x40 for b in program[:cuts])
    chunks = [body[a:b] for a, b in zip([0, *at], [*at, size], strict=True)]
    if not allow_empty:
        chunks = [c for c in chunks if c] or [b""]
    return chunks


@st.composite
def _chunked(draw: st.DrawFn, source: SearchStrategy[bytes], cuts: int,
             allow_empty: bool) -> list[bytes]:
    return _cut(draw(source), draw(_cut_programs(cuts)), cuts, allow_empty)


def _cut_programs(cuts: int) -> SearchStrategy[bytes]:
    # At least 8 bytes long (only the first ``cuts`` count): Hypothesis generates a string
    # bounded to one or two bytes after another draw up to three times slower.
    return st.binary(max_size=max(cuts, 8))


def chunkings(body: SearchStrategy[bytes] | bytes, *, max_chunks: int = 5,
              allow_empty_chunks: bool = True) -> SearchStrategy[list[bytes]]:
    """Ways to split a body into ``http.request`` chunks, at most ``max_chunks``;
    ``b"".join`` gives the body back. Empty chunks (first, middle and final) are legal and
    included unless ``allow_empty_chunks=False``. Shrinks toward one chunk.
    """
    _check_size("max_chunks", max_chunks, low=1)
    if not isinstance(body, bytes | SearchStrategy):
        raise InvalidArgument(f"body={body!r} must be bytes or a strategy for bytes")
    if max_chunks == 1:
        return st.just([body]) if isinstance(body, bytes) else body.map(lambda b: [b])
    if isinstance(body, bytes):
        return _cut_programs(max_chunks - 1).map(
            partial(_cut, body, cuts=max_chunks - 1, allow_empty=allow_empty_chunks))
    return _chunked(body, max_chunks - 1, allow_empty_chunks)


def disconnect_points(*, max_point: int = 6) -> SearchStrategy[int | None]:
    """Where the client goes away, counted in messages the app has sent; None (the client
    stays) is the simplest and comes first.
    """
    _check_size("max_point", max_point)
    return st.integers(0, max_point + 1).map(_disconnect_point)


def _disconnect_point(drawn: int) -> int | None:
    return None if drawn == 0 else drawn - 1


# -- scopes -----------------------------------------------------------------------------------


def _scope(kind: str, path: str, raw_path: bytes, query: bytes, headers: list[list[bytes]],
           spec_version: str, **more: Any) -> dict[str, Any]:
    return {
        "type": kind, "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1", "scheme": "http" if kind == "http" else "ws", "path": path,
        "raw_path": raw_path, "query_string": query, "root_path": "", "headers": headers,
        "client": ["127.0.0.1", 50000], "server": ["testserver", 80], **more,
    }


_DEFAULT_PATH = partial(_decode_path, max_segments=6, unicode=True, allow_empty=True,
                        allow_dots=False, encoded_slashes=True)
_DEFAULT_QUERY = partial(_decode_query, max_pairs=5, allow_invalid_utf8=True, allow_blank=True)
_DEFAULT_HEADERS = partial(_decode_headers, max_headers=6, mixed_case=False, duplicates=True,
                           latin1=True, host=b"testserver")
_PATH_PROGRAMS = _programs(4, 24)  # what paths(), query_strings() and header_lists() draw
_QUERY_PROGRAMS = _programs(4, 30)
_HEADER_PROGRAMS = _programs(6, 48)
_METHODS = st.sampled_from(METHODS)


@st.composite
def _http_scopes(draw: st.DrawFn, methods: SearchStrategy[str] | None,
                 paths: SearchStrategy[tuple[str, bytes]] | None,
                 queries: SearchStrategy[bytes] | None,
                 headers: SearchStrategy[list[list[bytes]]] | None,
                 spec_version: str) -> dict[str, Any]:
    # The defaults are drawn as their programs and decoded here: one choice each, no span
    # for a .map() around it.
    method = draw(methods if methods is not None else _METHODS)
    path, raw_path = draw(paths) if paths is not None else _DEFAULT_PATH(draw(_PATH_PROGRAMS))
    query = draw(queries) if queries is not None else _DEFAULT_QUERY(draw(_QUERY_PROGRAMS))
    hdrs = draw(headers) if headers is not None else _DEFAULT_HEADERS(draw(_HEADER_PROGRAMS))
    return _scope("http", path, raw_path, query, hdrs, spec_version, method=method)


def http_scopes(*, methods: SearchStrategy[str] | None = None,
                paths: SearchStrategy[tuple[str, bytes]] | None = None,
                query_strings: SearchStrategy[bytes] | None = None,
                headers: SearchStrategy[list[list[bytes]]] | None = None,
                spec_version: str = "2.4") -> SearchStrategy[dict[str, Any]]:
    """Complete, spec-valid ``http`` scopes: a method, ``paths()``, ``query_strings()`` and
    ``header_lists()`` with their defaults. Each part can be replaced by a strategy of your own
    (``paths=st.just(("/items/1", b"/items/1"))``). Shrinks toward ``GET /``.
    """
    _check_version(spec_version)
    return _http_scopes(methods, paths, query_strings, headers, spec_version)


# Subprotocols are tokens: bytes 01-60 pick one (three bytes each; a repeated pick is dropped,
# two at most), the others do nothing. (Eight bytes where two would do: Hypothesis generates
# a bounded two-byte string after another draw three times slower.)
_SUBPROTOCOLS = ("chat", "json", "v1", "v2", "graphql-ws", "graphql-transport-ws", "mqtt",
                 "wamp.2.json", "soap", "xmpp", "v12.stomp", "ocpp1.6", "x", "a", "b",
                 "superchat", "echo-protocol", "binary", "base64", "sip", "msrp",
                 "actioncable-v1-json", "ws", "p1", "p-2", "0", "9", "abc", "zzz", "a-b-c",
                 "v1.chat.example", "wss")
_SUBPROTOCOL_PROGRAMS = st.binary(max_size=8)


def _decode_subprotocols(program: bytes) -> list[str]:
    picked = dict.fromkeys(_SUBPROTOCOLS[(b - 1) % 32] for b in program if 0 < b <= 0x60)
    return list(picked)[:2]


@st.composite
def _websocket_scopes(draw: st.DrawFn, paths: SearchStrategy[tuple[str, bytes]] | None,
                      subprotocols: SearchStrategy[list[str]] | None,
                      spec_version: str) -> dict[str, Any]:
    path, raw_path = draw(paths) if paths is not None else _DEFAULT_PATH(draw(_PATH_PROGRAMS))
    protocols = draw(subprotocols) if subprotocols is not None else _decode_subprotocols(
        draw(_SUBPROTOCOL_PROGRAMS))
    return _scope("websocket", path, raw_path, b"", [[b"host", b"testserver"]], spec_version,
                  subprotocols=protocols)


def websocket_scopes(*, paths: SearchStrategy[tuple[str, bytes]] | None = None,
                     subprotocols: SearchStrategy[list[str]] | None = None,
                     spec_version: str = "2.4") -> SearchStrategy[dict[str, Any]]:
    """Complete, spec-valid ``websocket`` scopes; shrinks toward ``/`` with no subprotocols."""
    _check_version(spec_version)
    return _websocket_scopes(paths, subprotocols, spec_version)


# -- websocket messages -----------------------------------------------------------------------
#   00     nothing
#   01-40  a new message: bits 0-1 of (byte - 1) its shape ({"text"}, {"text", "bytes": None},
#          {"bytes"}, {"bytes", "text": None}), bits 2-5 its payload: 0-7 an empty frame (the
#          easiest to mishandle; nothing is appended to it), else a typical payload
#   41-60  the close code (1000, 1001, 1005, 1006, 1011, 4000 in turn; the last one counts)
#   61-FF  a payload character (text: printable ASCII from "a", latin-1 from "é", controls,
#          emoji, CJK...) or byte (binary), appended to the last message unless it is an empty
#          frame (a text message begins if there is none to append to)
_PAYLOADS = ("",) * 8 + ("a", "hello", '{"a": 1}', "é", "日本", "😀", "\x00", "\ufeff")
_BINARY_PAYLOADS = (b"",) * 8 + (b"a", b"{}", b"\x00", b"\xff", b"\x00\x01\x02", b"\x80",
                                  b"\xc3\xa9", b"\xfe\xff")
_CLOSE_CODES = (1000, 1001, 1005, 1006, 1011, 4000)
_MESSAGE_CHARS = tuple(chr(0x20 + (k + 0x41) % 95) for k in range(95)) + (
    "\x00", "\t", "\n", "\r", "\x7f") + tuple(_latin1_from_e_acute(40)) + (
    "\x85", *_UNICODE_ATOMS, "\U0001f600\U0001f601", "\U0010ffff")
_MESSAGE_BYTES = bytes((0x61 + k) & 0xFF for k in range(159))
assert len(_MESSAGE_CHARS) == 159


def _decode_messages(program: bytes, *, max_messages: int, close_code: bool
                     ) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    code = 1000
    open_ = False  # whether payload bytes go to the last message
    for byte in program:
        if byte == 0:
            continue
        if byte <= 0x40:
            if len(events) >= max_messages:
                continue
            shape, payload = (byte - 1) & 3, (byte - 1) >> 2
            if shape < 2:
                event: dict[str, Any] = {"type": "websocket.receive", "text": _PAYLOADS[payload]}
                if shape:
                    event["bytes"] = None
            else:
                event = {"type": "websocket.receive", "bytes": _BINARY_PAYLOADS[payload]}
                if shape == 3:
                    event["text"] = None
            events.append(event)
            open_ = payload >= 8
        elif byte <= 0x60:
            if close_code:
                code = _CLOSE_CODES[(byte - 0x41) % 6]
        else:
            if not open_:
                if len(events) >= max_messages:
                    continue
                events.append({"type": "websocket.receive", "text": ""})
                open_ = True
            event = events[-1]
            if event.get("text") is not None:
                event["text"] += _MESSAGE_CHARS[byte - 0x61]
            else:
                event["bytes"] += _MESSAGE_BYTES[byte - 0x61:byte - 0x60]
    return [*events, {"type": "websocket.disconnect", "code": code}]


def websocket_message_sequences(*, max_messages: int = 5, close_code: bool = True
                                ) -> SearchStrategy[list[dict[str, Any]]]:
    """What a client sends after the handshake: ``websocket.receive`` events in every legal
    shape (``text`` or ``bytes``, the other key absent or None; empty frames often), then a
    ``websocket.disconnect`` (a code other than 1000 only with ``close_code=True``). Shrinks
    toward an immediate disconnect with code 1000; a message toward an empty text frame.
    """
    _check_size("max_messages", max_messages)
    return _programs(4, 8 * max_messages + 2).map(partial(
        _decode_messages, max_messages=max_messages, close_code=close_code))


def _check_version(spec_version: str) -> None:
    major, _, minor = spec_version.partition(".")
    if not (major == "2" and minor.isdigit()):
        raise InvalidArgument(f"spec_version={spec_version!r} must look like '2.3' or '2.4'")
