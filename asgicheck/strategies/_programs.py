"""What every strategy here is built of: byte programs, their tables, argument checks."""

from __future__ import annotations

import string
from collections.abc import Sequence

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

__all__: list[str] = []  # shared by the strategies of this package only

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


def _check_version(spec_version: str) -> None:
    major, _, minor = spec_version.partition(".")
    if not (major == "2" and minor.isdigit()):
        raise InvalidArgument(f"spec_version={spec_version!r} must look like '2.3' or '2.4'")
