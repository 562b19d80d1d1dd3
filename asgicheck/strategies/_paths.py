"""``paths()``: decoded paths and their raw_path, one byte program each."""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

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
