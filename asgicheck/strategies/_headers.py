"""``header_lists()``: request header lists, one byte program each."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from functools import partial

from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from asgicheck.strategies._programs import (
    _check_size,
    _programs,
)

__all__ = ["header_lists"]

# -- header lists -----------------------------------------------------------------------------
#   00     nothing
#   01-10  a new header with a common name and an empty value ("accept" first)
#   11-20  a new header with a common name and a typical (ASCII) value
#   21-34  a new header repeating an earlier header's name (unless duplicates=False)
#   35-3C  a name character: appended to the current name while its value is empty, else the
#          start of a new header (with mixed_case=True, 3B and 3C upper- and title-case it)
#   3D-FF  a value byte: printable ASCII from "a", then latin-1 from "é" (ASCII only with
#          latin1_values=False), then (F0-FF) ASCII again; a header ("accept") begins if none
#          has. (F0-FF repeat earlier values: in a request program they say which part comes
#          next.)
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
    high = bytes([*range(0xE9, 0x100), *range(0xE0, 0xE9), 0xA0, 0xA9, 0xB5, 0xC0, 0xD6, 0x80,
                  0x85, 0x9F])
    return ascii_ + ascii_[:44] + (high if latin1 else ascii_[60:] + ascii_[:5]) + ascii_[44:60]


_VALUE_BYTES = {True: _value_bytes(True), False: _value_bytes(False)}


Headers = list[list[bytes]]


def _decode_headers(program: bytes, *, max_headers: int, mixed_case: bool, duplicates: bool,
                    latin1: bool, host: bytes | None, start: Sequence[list[bytes]] = (),
                    exclude: frozenset[bytes] = _RESERVED) -> Headers:
    value_bytes = _VALUE_BYTES[latin1]
    # The start headers come first and stay as they are; a repeat may take their names.
    names: list[bytes] = [name for name, _ in start]
    values: list[bytearray] = [bytearray()] * len(start)
    fixed = len(start)
    limit = fixed + max_headers
    for byte in program:
        if byte == 0:
            continue
        if byte >= 0x3D or (0x21 <= byte < 0x35 and duplicates):
            if len(names) == fixed:  # a value byte or a repeat before any header: one begins
                if max_headers == 0:
                    continue
                names.append(b"accept")
                values.append(bytearray())
            if byte >= 0x3D:
                values[-1].append(value_bytes[byte - 0x3D])
                continue
            name, value = names[byte % len(names)], b""
        elif byte >= 0x35:
            if len(names) > fixed and not values[-1]:  # the current name is being written
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
        if len(names) < limit:
            names.append(name)
            values.append(bytearray(value))
    found: Headers = [[name, value] for name, value in start]
    seen: set[bytes] = {name.lower() for name, _ in start}
    for name, written in zip(names[fixed:], values[fixed:], strict=True):
        if name.lower() in exclude:
            name = b"x-" + name
        if not duplicates:
            if name.lower() in seen:
                continue
            seen.add(name.lower())
        found.append([name, bytes(written).strip(b" \t")])
    return [[b"host", host], *found] if host is not None else found


def header_lists(*, max_headers: int = 6, mixed_case: bool = False,
                 duplicates: bool = True, latin1_values: bool = True,
                 host: bytes | None = b"testserver",
                 start: Sequence[Sequence[bytes]] = (),
                 exclude_names: Collection[bytes] = ()) -> SearchStrategy[Headers]:
    """Request header lists as ``[[name, value], ...]`` byte pairs. Names are tokens (common
    ones and made-up ones; mixed case only with ``mixed_case=True``: servers lowercase, the
    spec only says "should"), repeated names unless ``duplicates=False``; values are latin-1
    without CR, LF or NUL (ASCII with ``latin1_values=False``) and without surrounding
    whitespace. ``host`` comes first when given, then the ``start`` headers as they are (your
    request's own: a generated header may repeat their names), then up to ``max_headers``
    generated ones. A generated name in ``exclude_names`` (lowercase; ``host``,
    ``content-length`` and ``transfer-encoding`` always) gets an ``x-`` in front. Shrinks
    toward ``[[b"host", host], *start]``; a latin-1 value toward ``[b"accept", b"\\xe9"]``.
    """
    _check_size("max_headers", max_headers)
    return _programs("headers", 6, 8 * max_headers).map(_header_decoder(
        max_headers, mixed_case, duplicates, latin1_values, host, start, exclude_names))


def _header_decoder(max_headers: int, mixed_case: bool, duplicates: bool, latin1: bool,
                    host: bytes | None, start: Sequence[Sequence[bytes]],
                    exclude_names: Collection[bytes]) -> Callable[[bytes], Headers]:
    """``_decode_headers`` with these options, the arguments checked (``header_lists`` and the
    request strategies)."""
    headers = [[name, value] for name, value in start]
    if not all(type(n) is bytes and type(v) is bytes for n, v in headers):
        raise InvalidArgument(f"start={start!r} must hold (name, value) pairs of bytes")
    if not all(type(n) is bytes for n in exclude_names):
        raise InvalidArgument(f"exclude_names={exclude_names!r} must hold bytes")
    return partial(_decode_headers, max_headers=max_headers, mixed_case=mixed_case,
                   duplicates=duplicates, latin1=latin1, host=host, start=headers,
                   exclude=_RESERVED | {n.lower() for n in exclude_names})
