"""Reading the learners' guide: its pages, its links into reference_app and its code excerpts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEARN = ROOT / "docs" / "learn"
ELISION = "# ..."
_LINK = re.compile(r"\]\((?P<target>(?:\.\./)+reference_app/[\w/.]+\.py)"
                   r"#L(?P<start>\d+)(?:-L(?P<end>\d+))?\)")


@dataclass(frozen=True)
class Link:
    text: str  # as written, e.g. ../../reference_app/routing.py#L208-L222
    file: Path
    start: int
    end: int
    page_line: int  # 1-based line of the page holding it


@dataclass(frozen=True)
class Excerpt:
    link: Link
    code: list[str]
    line: int  # the page line of the opening fence


def pages() -> list[Path]:
    """The index first, then the steps in order (their names start with the step number)."""
    steps = sorted(p for p in LEARN.glob("*.md") if p.name != "README.md")
    return [LEARN / "README.md", *steps]


def reference_links(page: Path) -> list[Link]:
    found = []
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        for match in _LINK.finditer(line):
            start = int(match["start"])
            end = int(match["end"] or start)
            text = f"{match['target']}#L{start}" + (f"-L{end}" if match["end"] else "")
            found.append(Link(text, (page.parent / match["target"]).resolve(), start, end,
                              number))
    return found


def excerpts(page: Path) -> list[Excerpt]:
    """Code blocks whose previous non-blank line holds exactly one reference_app range link."""
    lines = page.read_text(encoding="utf-8").splitlines()
    by_line: dict[int, list[Link]] = {}
    for link in reference_links(page):
        by_line.setdefault(link.page_line, []).append(link)
    found = []
    index = 0
    while index < len(lines):
        if lines[index].startswith("```python"):
            before = index - 1
            while before >= 0 and not lines[before].strip():
                before -= 1
            end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
            links = by_line.get(before + 1, [])
            if len(links) == 1:
                found.append(Excerpt(links[0], lines[index + 1:end], index + 1))
            index = end
        index += 1
    return found


def find_excerpt(code: list[str], lines: list[str]) -> tuple[int, int] | None:
    """Where ``code`` appears in ``lines`` (1-based first and last line), runs of lines matched
    exactly apart from indentation, with gaps allowed only at ``# ...`` lines; else None."""
    runs: list[list[str]] = [[]]
    for line in code:
        if line.strip() == ELISION:
            runs.append([])
        else:
            runs[-1].append(line.strip())
    runs = [run for run in runs if run]
    if not runs:
        return None
    stripped = [line.strip() for line in lines]

    def match_from(start: int) -> int | None:
        position = start
        for number, run in enumerate(runs):
            candidates = [position] if number == 0 else range(position, len(stripped))
            for at in candidates:
                if stripped[at:at + len(run)] == run:
                    position = at + len(run)
                    break
            else:
                return None
        return position

    for first in range(len(stripped)):
        last = match_from(first)
        if last is not None:
            return first + 1, last
    return None
