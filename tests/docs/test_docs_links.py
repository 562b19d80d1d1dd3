"""Every internal link in docs/ resolves: the file exists, and so does the anchor.

Anchors are GitHub's: a heading's slug (lowercased, punctuation dropped, spaces to hyphens, ``-1``
and so on for repeats) or an explicit ``<a id="...">``. A ``#L12-L20`` anchor on a source file
must name lines it has. Links inside code are not links, and web links are not checked here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
# Pages someone is still writing, as DOCS / "name.md": links to them may land before the page
# does. Once a page exists its anchors are checked like any other; take it off when it lands.
PENDING: frozenset[Path] = frozenset()
# Text written to be pasted elsewhere: its links are relative to where it will go.
BASE = {DOCS / "README-draft-sections.md": ROOT}

_FENCE = re.compile(r"^(```|~~~)")
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_EXPLICIT = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
_LINES = re.compile(r"L(\d+)(?:-L(\d+))?")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    found, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            found.append((number, line))
    return found


def slug(heading: str) -> str:
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@cache
def anchors(page: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    found = set()
    for _, line in prose_lines(page.read_text(encoding="utf-8")):
        heading = _HEADING.match(line)
        if heading:
            base = slug(heading[2])
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(_EXPLICIT.findall(line))
    return frozenset(found)


def links(page: Path) -> list[tuple[int, str]]:
    found = []
    for number, line in prose_lines(page.read_text(encoding="utf-8")):
        for match in _LINK.finditer(_INLINE_CODE.sub("", line)):
            target = match[1]
            if not re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
                found.append((number, target))
    return found


def problem(page: Path, target: str) -> str | None:
    """Why ``target`` (a link on ``page``) does not resolve, or None when it does."""
    path_part, _, anchor = target.partition("#")
    base = BASE.get(page, page.parent)
    resolved = (base / path_part).resolve() if path_part else page
    if not resolved.exists():
        return None if resolved in PENDING else f"no file {path_part}"
    if not anchor:
        return None
    if resolved.suffix == ".md":
        return None if anchor in anchors(resolved) else f"no anchor #{anchor} in {resolved.name}"
    lines = _LINES.fullmatch(anchor)
    if lines and resolved.is_file():
        count = len(resolved.read_text(encoding="utf-8").splitlines())
        end = int(lines[2] or lines[1])
        return None if 1 <= int(lines[1]) <= end <= count else f"{anchor} is past line {count}"
    return f"cannot check anchor #{anchor} on {resolved.name}"


def test_the_docs_have_pages() -> None:
    assert DOCS / "README.md" in PAGES
    assert len(PAGES) >= 10


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_internal_links_resolve(page: Path) -> None:
    broken = [f"line {number}: ({target}) {reason}" for number, target in links(page)
              if (reason := problem(page, target))]
    assert not broken, f"{page.relative_to(ROOT)}:\n" + "\n".join(broken)


@pytest.mark.parametrize("heading, expected", [
    ("Rules reference", "rules-reference"),
    ("HTTP-SEND-002", "http-send-002"),
    ("General rules (asgi.rst)", "general-rules-asgirst"),
    ("`validate(app)`: the checks under any server", "validateapp-the-checks-under-any-server"),
    ("HTTP/2 Server Push: applications (PUSH-APP)", "http2-server-push-applications-push-app"),
])
def test_slug_follows_github(heading: str, expected: str) -> None:
    assert slug(heading) == expected


def test_the_checker_finds_broken_links(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[ok](#title) [bad](#nope) [gone](missing.md)\n"
                    "`[code](not-a-link.md)`\n```\n[fenced](nor-this.md)\n```\n",
                    encoding="utf-8")
    reasons = [problem(page, target) for _, target in links(page)]
    assert reasons == [None, "no anchor #nope in page.md", "no file missing.md"]
