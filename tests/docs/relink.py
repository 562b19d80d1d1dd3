"""Move the learners' guide's line links to where their excerpts now are in reference_app.

    python tests/docs/relink.py          # rewrite docs/learn/*.md in place, say what moved

An excerpt that is no longer in its file at all is reported and left alone: the page needs a
person to rewrite it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _learn_pages import ROOT, excerpts, find_excerpt, pages  # noqa: E402


def relink(page: Path) -> tuple[int, list[str]]:
    """Fix the page's moved excerpts; (how many moved, excerpts that are gone)."""
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    moved, gone = 0, []
    for excerpt in excerpts(page):
        link = excerpt.link
        source = link.file.read_text(encoding="utf-8").splitlines()
        if find_excerpt(excerpt.code, source[link.start - 1:link.end]) is not None:
            continue
        where = find_excerpt(excerpt.code, source)
        if where is None:
            gone.append(f"{page.relative_to(ROOT)}:{excerpt.line}: {link.text}")
            continue
        old_anchor = link.text.rpartition("#")[2]
        new_anchor = f"L{where[0]}-L{where[1]}" if where[1] != where[0] else f"L{where[0]}"
        old_label = f"lines {link.start}–{link.end}" if link.end != link.start \
            else f"line {link.start}"
        new_label = f"lines {where[0]}–{where[1]}" if where[1] != where[0] else f"line {where[0]}"
        row = link.page_line - 1
        lines[row] = lines[row].replace(f"#{old_anchor})", f"#{new_anchor})")
        lines[row] = lines[row].replace(old_label, new_label)
        moved += 1
    if moved:
        page.write_text("".join(lines), encoding="utf-8")
    return moved, gone


def main() -> int:
    missing: list[str] = []
    for page in pages():
        moved, gone = relink(page)
        missing += gone
        if moved:
            print(f"{page.relative_to(ROOT)}: {moved} link(s) moved")
    for entry in missing:
        print(f"{entry}: the excerpt is no longer in the file; rewrite it by hand")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
