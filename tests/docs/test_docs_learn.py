"""The learners' guide (docs/learn) must not drift from reference_app.

* every link to ``reference_app/...#Lnn`` (or ``#Lnn-Lmm``) names an existing file and lines;
* a code block right after a line holding such a link is an excerpt of those lines: each of its
  lines appears there, in order (``# ...`` marks lines left out);
* the ``pycon`` sessions run, as doctests, and print what the page says they print.

When reference_app changes and lines move, ``python tests/docs/relink.py`` rewrites the line
numbers of the excerpts that still exist somewhere in their file.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from _learn_pages import LEARN, ROOT, Excerpt, excerpts, find_excerpt, pages, reference_links

PAGES = pages()


def test_the_guide_has_its_steps() -> None:
    names = [page.name for page in PAGES]
    assert names[0] == "README.md"
    assert len(names) >= 10, names  # the index and nine steps
    index = (LEARN / "README.md").read_text(encoding="utf-8")
    for page in PAGES[1:]:
        assert f"]({page.name})" in index, f"the index does not link to {page.name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_reference_links_point_at_existing_lines(page: Path) -> None:
    for link in reference_links(page):
        assert link.file.is_file(), f"{page.name}: {link.text} names no file"
        count = len(link.file.read_text(encoding="utf-8").splitlines())
        assert 1 <= link.start <= link.end <= count, (
            f"{page.name}: {link.text} is past the end of {link.file.name} ({count} lines)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_excerpts_match_the_lines_they_link(page: Path) -> None:
    found: list[Excerpt] = excerpts(page)
    for excerpt in found:
        lines = excerpt.link.file.read_text(encoding="utf-8").splitlines()
        window = lines[excerpt.link.start - 1:excerpt.link.end]
        if find_excerpt(excerpt.code, window) is None:
            where = find_excerpt(excerpt.code, lines)
            hint = (f"; it is now at #L{where[0]}-L{where[1]} (run python tests/docs/relink.py)"
                    if where else "; the code is no longer in the file")
            pytest.fail(f"{page.name} line {excerpt.line}: the excerpt does not match "
                        f"{excerpt.link.text}{hint}")


def test_every_step_shows_code_and_links_rules() -> None:
    for page in PAGES[1:]:
        text = page.read_text(encoding="utf-8")
        assert excerpts(page), f"{page.name} has no excerpt of reference_app"
        assert "](../rules.md#" in text, f"{page.name} links no rule"


@pytest.mark.parametrize("page", [p for p in PAGES if "```pycon" in p.read_text("utf-8")],
                         ids=lambda p: p.name)
def test_sessions_print_what_the_page_says(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    sessions = []
    inside = False
    for line in text.splitlines():
        if line.strip() == "```pycon":
            inside = True
        elif inside and line.strip() == "```":
            inside = False
            sessions.append("")
        elif inside:
            sessions.append(line)
    parser = doctest.DocTestParser()
    test = parser.get_doctest("\n".join(sessions), {"__name__": "guide"}, page.name,
                              str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_root_is_the_repository() -> None:
    assert (ROOT / "reference_app" / "app.py").is_file()
