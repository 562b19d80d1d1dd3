"""What every strategy here is built of: byte programs, their tables, argument checks."""

from __future__ import annotations

import hashlib
import math
import string
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

__all__: list[str] = []  # shared by the strategies of this package only

T = TypeVar("T")

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


class _Programs:
    """The byte strings the decoders read, drawn at a fixed size: Hypothesis draws a string of
    one size several times faster than one whose size it decides byte by byte (a coin per
    byte), and a program is a single choice either way. The first byte says how many of the
    bytes after the ``prefix`` are live (``lengths``: at least ``min_size``, about as many as
    Hypothesis would draw for ``st.binary(min_size=min_size, max_size=max_size)``, at most
    ``max_size``); the rest are ignored. Byte 0 is a no-op in every table, so zeroing a byte is
    how a program shrinks (a length byte of 0 leaves ``min_size`` live bytes, all zeros at
    their simplest); ``prefix`` bytes (fixed fields, such as where a body is cut) come before
    the live ones and are always read.
    """

    def __init__(self, name: str, min_size: int, max_size: int, prefix: int = 0,
                 average: float | None = None) -> None:
        min_size = min(min_size, max_size)
        if average is None:
            average = min(max(min_size * 2, min_size + 5), (min_size + max_size) / 2)
        # The length byte's value as a quantile of an exponential spread around that average.
        self.lengths = tuple(min(max_size, min_size + round(-(average - min_size) * math.log(
            1 - (k + 0.5) / 256))) for k in range(256))
        self.prefix = prefix
        self.draws = st.binary(min_size=1 + prefix + max_size, max_size=1 + prefix + max_size)
        self.label = _label(name)
        self._decoded = _decoder(name)

    def draw(self, draw: st.DrawFn) -> bytes:
        """One program, drawn inside a composite under this kind's own label (see _label)."""
        return draw(self.draws, label=self.label)

    def live(self, program: bytes) -> bytes:
        start = 1 + self.prefix
        return program[start:start + self.lengths[program[0]]]

    def fields(self, program: bytes) -> bytes:
        return program[1:1 + self.prefix]

    def map(self, decode: Callable[[bytes], T], *, whole: bool = False) -> SearchStrategy[T]:
        """Programs decoded by ``decode``: their live bytes, or with ``whole=True`` the whole
        program (to read its fields too). One choice."""
        return self._decoded(self, decode, whole)


def _decoder(name: str) -> Callable[..., SearchStrategy[Any]]:
    """A composite of one kind's own: a composite's span label comes from its definition,
    defaults included, so two kinds drawn side by side differ at the top as well as inside."""
    @st.composite
    def decoded(draw: st.DrawFn, programs: _Programs, decode: Callable[[bytes], Any],
                whole: bool, kind: str = name) -> Any:
        program = programs.draw(draw)
        return decode(program if whole else programs.live(program))
    return decoded


def _label(name: str) -> int:
    """The span label of one kind of program. Hypothesis's mutator tries copying a span over
    another of the same label, several test calls per example; every ``st.binary`` has the
    same label, so programs of different kinds drawn in one example (a scope and a chunking)
    would be copied over each other, which means nothing (their bytes are read by different
    tables) and costs more than the examples themselves. A label per kind keeps the copies
    Hypothesis means (two paths, say) and drops those. (A 64-bit int, as Hypothesis's own.)"""
    return int.from_bytes(hashlib.sha384(f"asgicheck.strategies:{name}".encode()).digest()[:8],
                          "big")


def _programs(name: str, min_size: int, max_size: int, prefix: int = 0,
              average: float | None = None) -> _Programs:
    return _Programs(name, min_size, max_size, prefix, average)


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


def _check_version(spec_version: str) -> None:
    major, _, minor = spec_version.partition(".")
    if not (major == "2" and minor.isdigit()):
        raise InvalidArgument(f"spec_version={spec_version!r} must look like '2.3' or '2.4'")
