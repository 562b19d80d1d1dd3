"""Rewrite docs/getting-started.md's first run with what the page's myapp.py prints now.

    python tests/docs/rerun_getting_started.py     # rewrite the output block in place

The run is made in a temporary directory and written as if made in /tmp/gs, with the page's
lines naming the Python and the plugins kept. Only the first
failure is kept whole: the others become one '...' line, as the page's text says. The count of
items in the text is updated; what the text says about the failures is not, so read the diff.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _first_run import PAGE, SHOWN_DIR, items, listing, run, shown  # noqa: E402

_MACHINE = ("platform ", "plugins: ")
_FAILURE = re.compile(r"^_{3,} asgicheck: .* _{3,}$")


def elide(output: str) -> str:
    """``output`` with every failure section after the first replaced by one '...' line."""
    kept: list[str] = []
    failures = 0
    skipping = False
    for line in output.splitlines():
        if _FAILURE.match(line):
            failures += 1
            skipping = failures > 1
            if failures == 2:
                kept.append("...")
        elif line.startswith("="):  # the next section: the summary
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + "\n"


def _as_before(output: str, before: str) -> str:
    """``output`` with the page's own lines naming the Python and the plugins (the run's name
    whatever this machine has installed)."""
    old = {line.split(" ", 1)[0]: line for line in before.splitlines()
           if line.startswith(_MACHINE)}
    return "\n".join(old.get(line.split(" ", 1)[0], line) if line.startswith(_MACHINE)
                     else line for line in output.splitlines()) + "\n"


def main() -> int:
    text = PAGE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as directory:
        done = run(listing(text), Path(directory))
        output = done.stdout.replace(directory, SHOWN_DIR)
    new = _as_before(elide(output), shown(text))
    text = text.replace(shown(text), new, 1)
    text = re.sub(r"\b\d+ pytest items\b", f"{items(output)} pytest items", text, count=1)
    PAGE.write_text(text, encoding="utf-8")
    print(f"{PAGE.name}: {items(output)} items, exit code {done.returncode}; "
          f"{output.strip().splitlines()[-1].strip('= ')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
