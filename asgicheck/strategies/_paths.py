"""``paths()``: decoded paths and their raw_path, one byte program each (around a route)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from urllib.parse import quote

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from asgicheck.discovery import KIND_VALUES, kind_of
from asgicheck.strategies._programs import (
    _NOOP,
    _PATH_SAFE,
    _TOKEN,
    _UNICODE_ATOMS,
    _check_size,
    _escaped_code_point,
    _latin1_from_e_acute,
    _programs,
    _run,
    _table,
)

__all__ = ["paths"]

# -- paths ------------------------------------------------------------------------------------
# One byte, one operation on the segments being built:
#   00     nothing                                     01-25  a character of _TOKEN ("a" first)
#   26-30  an ASCII word ("items", "1", ...)           31-60  a new segment (the separator)
#   61-74  an encoded slash: "/" inside the segment,   75-78  a dot segment ("." or "..")
#          %2F in raw_path
#   79-8B  ASCII punctuation and " "                   8C-C7  a _TOKEN character again
#   C8-D7  a latin-1 character ("é" first)             D8-E3  a non-ASCII atom (_UNICODE_ATOMS)
#   E4-EF  any code point (with the next two bytes)    F0-FF  a _TOKEN character again
# Options that switch a kind off turn its operations into separators (encoded slashes, dot
# segments) or into ASCII (unicode=False). Each kind is one run of byte values with its
# simplest member lowest: Hypothesis shrinks a byte by trying smaller values one step at a
# time, so a failure that needs a non-ASCII character walks down to "é". F0-FF repeat what
# comes before: in a request program (``_scopes``) those bytes say which part comes next.
_PATH_WORDS = ("items", "1", "42", "users", "v1", "api", "abc", "a-b", "0", "x", "index.html")
_PATH_PUNCTUATION = (" ", "%", "+", ";", "=", "&", "@", ":", "'", "!", "$", "(", ")", "*", ",",
                     "~", ".", "a b", "%2F")
_SEPARATOR, _ENCODED_SLASH, _DOTS, _ESCAPE = object(), object(), object(), object()


def _path_table(unicode: bool) -> tuple[object, ...]:
    ascii_ = [_TOKEN[k % 37] for k in range(76)]
    return _table(_TOKEN, _PATH_WORDS, _run(48, _SEPARATOR), _run(20, _ENCODED_SLASH),
                  _run(4, _DOTS), _PATH_PUNCTUATION, ascii_[:60],
                  _latin1_from_e_acute(16) if unicode else ascii_[:16],
                  _UNICODE_ATOMS[:12] if unicode else ascii_[:12],
                  _run(12, _ESCAPE) if unicode else ascii_[:12], ascii_[60:])


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


# -- paths around a route ---------------------------------------------------------------------
# With a route ("/items/{item_id:int}"), the program's first byte says where the path goes:
#   00-7F  the route itself; the rest of the program fills its parameters: 01-40 give
#          parameter (b - 1) % n the atom (b - 1) // n of its kind (_KIND_ATOMS, simplest
#          first); 41-FF add to the parameter set last (or else the last one) what the path
#          table says for a str or path parameter (a character, text, an encoded slash, any
#          code point), a digit for an int or float one (any integer), nothing for the others:
#          a parameter keeps its kind
#   80-BF  a child: the route, then the segments the rest of the program makes (``/items/1/``
#          when it makes none: a trailing slash)
#   C0-FF  a sibling: the route without its last segment, then those segments
# A route without parameters is the same path however 00-7F goes on. Everything shrinks toward
# the route with each parameter's typical value (asgicheck.discovery.KIND_VALUES).
_ROUTE_PARAM = re.compile(r"\{(\w+)(?::([\w-]+))?\}")
_INTS = ("0", "-1", "007", "2147483648", "-2147483649", "9223372036854775808",
         "-9223372036854775809", "18446744073709551616", "1" + "0" * 30, "+1", "1_000", "٣")
_KIND_ATOMS: dict[str, tuple[str, ...]] = {
    "str": ("é", "a", "日本", "😀", " ", "%", "+", ";", "a b", "~", "@", ":", "'", "a,b", "=",
            "&", "%2F", "\xa0", "ß", "\u2028"),
    "int": _INTS,
    "float": ("0.0", "-0.0", "1e+300", "-1.5", "5e-324", "1.7976931348623157e+308", "0.1",
              "100000000000000000000.0", "-1e-05", "1"),
    "uuid": ("00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
             "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "3FA85F64-5717-4562-B3FC-2C963F66AFA6",
             "3fa85f6457174562b3fc2c963f66afa6"),
    "path": ("é", "a/b/c", "é/日本", "a b/%", "x/", "a//b", "%2F"),
    "date": ("0001-01-01", "9999-12-31", "2024-02-29", "1970-01-01", "2023-02-29"),
    "datetime": ("2000-01-01T00:00:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59.999999",
                 "2024-02-29T12:00:00.000001", "2024-01-02T03:04:05+05:30"),
    "time": ("00:00:00", "23:59:59.999999", "12:00:00.000001", "24:00:00"),
    "bool": ("false", "0", "1", "yes", "TRUE", "on"),
}


_TEXT_KINDS = frozenset({"str", "path"})
_NUMBER_KINDS = frozenset({"int", "float"})
_DIGITS = "0123456789"


class _Route:
    """A route template: literal text and parameters, each with its kind and typical value."""

    def __init__(self, template: str) -> None:
        if not isinstance(template, str) or not template.startswith("/"):
            raise InvalidArgument(f"route={template!r} must be a path template such as "
                                  f"'/items/{{item_id:int}}'")
        self.pieces: list[str] = []  # literal text between the parameters
        self.kinds: list[str] = []
        at = 0
        for match in _ROUTE_PARAM.finditer(template):
            kind = kind_of(match[2]) if match[2] else "str"
            self.pieces.append(template[at:match.start()])
            self.kinds.append("str" if kind == "slug" else kind)
            at = match.end()
        self.pieces.append(template[at:])
        self.values = [KIND_VALUES[kind] for kind in self.kinds]
        path, raw = self.render(self.values)
        self.path, self.raw = path, raw
        self.parent = (path.rstrip("/").rsplit("/", 1)[0], raw.rstrip(b"/").rsplit(b"/", 1)[0])

    def render(self, values: list[str]) -> tuple[str, bytes]:
        path, raw = [self.pieces[0]], [_quote_literal(self.pieces[0])]
        for value, kind, piece in zip(values, self.kinds, self.pieces[1:], strict=True):
            path += (value, piece)
            raw += (quote(value, safe=_PATH_SAFE + "/" if kind == "path" else _PATH_SAFE),
                    _quote_literal(piece))
        return "".join(path), "".join(raw).encode("ascii")


def _quote_literal(text: str) -> str:
    return quote(text, safe=_PATH_SAFE + "/")


def _decode_around(program: bytes, *, route: _Route, max_segments: int, unicode: bool,
                   allow_empty: bool, allow_dots: bool, encoded_slashes: bool
                   ) -> tuple[str, bytes]:
    if not program:
        return route.path, route.raw
    mode, rest = program[0], program[1:]
    if mode >= 0x80:  # a child or a sibling: generated segments after the route or its parent
        base, raw_base = (route.path, route.raw) if mode < 0xC0 else route.parent
        path, raw = _decode_path(rest, max_segments=max_segments, unicode=unicode,
                                 allow_empty=allow_empty, allow_dots=allow_dots,
                                 encoded_slashes=encoded_slashes)
        base, raw_base = base.rstrip("/"), raw_base.rstrip(b"/")
        if path == "/" and not allow_empty:
            return base or "/", raw_base or b"/"
        return base + path, raw_base + raw
    kinds = route.kinds
    if not kinds:
        return route.path, route.raw
    values, table, count = list(route.values), _PATH_TABLES[unicode], len(kinds)
    current = count - 1
    at, end = 0, len(rest)
    while at < end:
        byte = rest[at]
        if 0 < byte <= 0x40:
            current = (byte - 1) % count
            atoms = _KIND_ATOMS[kinds[current]]
            if not unicode:
                atoms = tuple(a for a in atoms if a.isascii()) or ("x",)
            values[current] = atoms[(byte - 1) // count % len(atoms)]
        elif byte > 0x40:
            kind = kinds[current]
            op = table[byte] if kind in _TEXT_KINDS else _NOOP
            if type(op) is str:
                values[current] += op
            elif op is _ENCODED_SLASH and encoded_slashes:
                values[current] += "/"
            elif op is _ESCAPE:
                values[current] += _escaped_code_point(rest, at)
                at += 2
            elif kind in _NUMBER_KINDS:
                values[current] += _DIGITS[byte % 10]
        at += 1
    return route.render(values)


def _path_decoder(route: str | None, max_segments: int, unicode: bool, allow_empty: bool,
                  allow_dots: bool, encoded_slashes: bool) -> Callable[[bytes], tuple[str, bytes]]:
    """What reads a path program with these options, the arguments checked (``paths`` and the
    request strategies)."""
    _check_size("max_segments", max_segments)
    if route is None:
        return partial(_decode_path, max_segments=max_segments, unicode=unicode,
                       allow_empty=allow_empty, allow_dots=allow_dots,
                       encoded_slashes=encoded_slashes)
    return partial(_decode_around, route=_Route(route), max_segments=max_segments,
                   unicode=unicode, allow_empty=allow_empty, allow_dots=allow_dots,
                   encoded_slashes=encoded_slashes)


def paths(route: str | None = None, *, max_segments: int = 6, unicode: bool = True,
          allow_empty_segments: bool = True, allow_dot_segments: bool = False,
          encoded_slashes: bool = True) -> SearchStrategy[tuple[str, bytes]]:
    """``(path, raw_path)`` pairs: the decoded ``path`` and a consistent percent-encoded
    ``raw_path`` (www.rst: ``path`` has "percent-encoded sequences and UTF-8 byte sequences
    decoded into characters"). Segments are ASCII words, non-ASCII text (latin-1, CJK, emoji,
    combining and zero-width characters, any code point), punctuation, empty segments, and
    segments holding an encoded slash (``%2F`` in ``raw_path``, ``/`` in ``path``: A12), up to
    ``max_segments`` of them. Shrinks toward ``("/", b"/")``; a non-ASCII segment toward
    ``/é``.

    With a ``route`` (``"/items/{item_id:int}"``; kinds ``str``, ``int``, ``float``, ``uuid``,
    ``path``, ``date``, ``datetime``, ``time``, ``bool``), paths around it: half of them the
    route itself, its parameters given values of their kind (integers at the edges of the
    machine types, non-ASCII text, encoded slashes...), the others its children and siblings
    with generated segments (a trailing slash among them). Shrinks toward the route with each
    parameter's typical value (``/items/1``).
    """
    decode = _path_decoder(route, max_segments, unicode, allow_empty_segments,
                           allow_dot_segments, encoded_slashes)
    if max_segments == 0 and route is None:
        return st.just(("/", b"/"))
    return _programs("paths", 4, 4 * max_segments + 1).map(decode)
