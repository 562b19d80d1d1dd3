"""``header_lists()``: request header lists, one byte program each."""

from __future__ import annotations

from functools import partial

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
