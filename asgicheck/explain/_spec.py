"""The bundled ASGI specification (``asgicheck/spec``), read by section and quoted for a rule.

The catalogue names sections in plain text ("Request - receive event") where the .rst headings
carry markup ("Request - ``receive`` event"), and it adds "(HTTP)" or "(WebSocket)" where
www.rst repeats a heading under both protocols; ``find_section`` undoes both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from asgicheck.violations import Rule

__all__ = ["SPEC_DIR", "Section", "find_section", "quote", "sections"]

SPEC_DIR = Path(__file__).parent.parent / "spec"
MAX_QUOTE_LINES = 60
_UNDERLINE = re.compile(r"([=\-^~'\"`#*+])\1{2,}")
_SUFFIX = re.compile(r"^(?P<title>.*?)\s*\((?P<qualifier>[^)]*)\)$")


@dataclass(frozen=True, slots=True)
class Section:
    title: str  # as the .rst writes it, markup included
    parent: str  # the enclosing section's title
    text: str  # heading included


def _plain(title: str) -> str:
    return " ".join(title.replace("``", "").replace("*", "").split()).lower()


@cache
def sections(spec_file: str) -> tuple[Section, ...]:
    """Every titled section of one bundled spec file, in order."""
    path = SPEC_DIR / spec_file
    if not path.is_file():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    heads: list[tuple[int, str, str]] = []  # (line of the title, title, underline character)
    for i in range(1, len(lines)):
        underline = _UNDERLINE.fullmatch(lines[i])
        if underline and lines[i - 1].strip() and not _UNDERLINE.fullmatch(lines[i - 1]) \
                and len(lines[i]) >= len(lines[i - 1].rstrip()):
            heads.append((i - 1, lines[i - 1].strip(), underline[1]))
    ranks: list[str] = []  # underline characters in order of first use: rst's heading levels
    for _, _, char in heads:
        if char not in ranks:
            ranks.append(char)
    found = []
    for n, (start, title, char) in enumerate(heads):
        rank = ranks.index(char)
        end = next((s for s, _, c in heads[n + 1:] if ranks.index(c) <= rank), len(lines))
        parent = next((t for _, t, c in reversed(heads[:n]) if ranks.index(c) < rank), "")
        found.append(Section(title, parent, "\n".join(lines[start:end]).rstrip()))
    return tuple(found)


def find_section(spec_file: str, name: str) -> Section | None:
    """The section the catalogue calls ``name`` ("Disconnect - receive event (HTTP)")."""
    candidates = sections(spec_file)
    wanted = _plain(name)
    exact = [s for s in candidates if _plain(s.title) == wanted]
    if exact:
        return exact[0]
    qualified = _SUFFIX.match(name)
    if qualified:
        title, qualifier = _plain(qualified["title"]), _plain(qualified["qualifier"])
        same = [s for s in candidates if _plain(s.title) == title]
        return next((s for s in same if qualifier in _plain(s.parent)), same[0] if same else None)
    stem = wanted.split("/")[0].split(" - ")[0]  # "Response Start/Body - send event"
    return next((s for s in candidates if _plain(s.title).startswith(stem)), None)


def quote(rule: Rule) -> list[str]:
    spec_file = rule.spec_file.split()[0] if rule.spec_file else ""
    if not spec_file.endswith(".rst"):
        return [f"  (not in the ASGI text; read {rule.spec})"]
    if rule.section:
        section = find_section(spec_file, rule.section)
    else:  # the file as a whole, e.g. "lifespan.rst (introduction)": quote its opening
        opening = sections(spec_file)[:2]
        section = opening[0] if opening else None
        if section is not None and len(opening) > 1:
            cut = section.text.find(opening[1].title)
            section = Section(section.title, "", section.text[:cut].rstrip())
    if section is None:
        return [f"  (no section {rule.section!r} in the bundled {spec_file})"]
    lines = section.text.splitlines()
    shown = ["  | " + line if line else "  |" for line in lines[:MAX_QUOTE_LINES]]
    if len(lines) > MAX_QUOTE_LINES:
        shown.append(f"  | ... ({len(lines) - MAX_QUOTE_LINES} more lines in "
                     f"asgicheck/spec/{spec_file})")
    return shown
