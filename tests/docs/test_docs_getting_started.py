"""docs/getting-started.md shows a first run against ``myapp.py``: the page gives that file, and
running it prints what the page says (the collection, the targets, the failures, the tables,
the counts). ``python tests/docs/rerun_getting_started.py`` rewrites the page's run."""

from __future__ import annotations

import re
from pathlib import Path

from _first_run import PAGE, comparable, items, last_line, listing, run, shown


def test_the_first_run_is_what_the_page_shows(tmp_path: Path) -> None:
    text = PAGE.read_text(encoding="utf-8")
    page = shown(text)
    done = run(listing(text), tmp_path)
    failing = re.search(r"\b\d+ failed\b", last_line(page)) is not None
    assert done.returncode == (1 if failing else 0), done.stdout + done.stderr
    printed = comparable(done.stdout)
    assert [line for line in comparable(page) if line not in printed] == []
    assert last_line(done.stdout) == last_line(page)
    assert f"{items(done.stdout)} pytest items" in text  # the prose counts them too
