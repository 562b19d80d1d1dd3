"""``query_strings()``: raw query strings, one byte program each."""

from __future__ import annotations

import string
from functools import partial
from urllib.parse import quote

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from asgicheck.strategies._programs import (
    _NOOP,
    _TOKEN,
    _check_size,
    _latin1_from_e_acute,
    _programs,
    _run,
    _table,
)

__all__ = ["query_strings"]

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


def _pairs(query: bytes) -> tuple[list[str], list[str | None]]:
    """The keys and values (None: no ``=``) of a raw query string; ``&``-joined, they give it
    back exactly."""
    if not query:
        return [], []
    pairs = [pair.partition("=") for pair in query.decode("latin-1").split("&")]
    return [k for k, _, _ in pairs], [v if eq else None for _, eq, v in pairs]


def _decode_query(program: bytes, *, max_pairs: int, allow_invalid_utf8: bool,
                  allow_blank: bool, start: bytes = b"") -> bytes:
    table = _QUERY_TABLES[allow_invalid_utf8]
    keys, values = _pairs(start)  # values: None for a key without "="
    max_pairs += len(keys)
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
                    for k, v in zip(keys, values, strict=True)).encode("latin-1")


def query_strings(*, max_pairs: int = 5, allow_invalid_utf8: bool = True,
                  allow_blank: bool = True, start: bytes = b"") -> SearchStrategy[bytes]:
    """Raw, percent-encoded query strings as a server delivers them: repeated keys, valueless
    keys (``allow_blank=False`` gives every key an ``=``), empty values, ``+`` for space, ``;``
    inside values, non-ASCII escapes, and (unless ``allow_invalid_utf8=False``) escapes such as
    ``%FF`` that are not UTF-8. With ``start`` (your request's own query), its pairs come
    first and generation goes on from the last of them: characters added to its value, up to
    ``max_pairs`` more pairs, repeats of its keys. Shrinks to ``start`` (``b""``); a repeated
    key to ``a&a``.
    """
    _check_size("max_pairs", max_pairs)
    if type(start) is not bytes:
        raise InvalidArgument(f"start={start!r} must be bytes")
    if max_pairs == 0:
        return st.just(start)
    return _programs("queries", 4, 6 * max_pairs).map(partial(
        _decode_query, max_pairs=max_pairs, allow_invalid_utf8=allow_invalid_utf8,
        allow_blank=allow_blank, start=start))
