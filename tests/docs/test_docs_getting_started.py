"""docs/getting-started.md shows a first run against ``myapp.py``: the page gives that file, and
running it prints what the page says (the collection, the targets, the tables, the counts)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).parents[2] / "docs" / "getting-started.md"


def _blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"```(\w*)\n(.*?)```", text, re.S)


def test_the_first_run_is_what_the_page_shows(tmp_path: Path) -> None:
    blocks = _blocks(PAGE.read_text(encoding="utf-8"))
    (listing,) = [code for lang, code in blocks if lang == "python" and "app = " in code]
    (shown,) = [code for lang, code in blocks if "asgicheck summary" in code]
    (tmp_path / "myapp.py").write_text(listing, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_ACTIONS", "PYTEST_ADDOPTS", "ASGICHECK_APP")}
    env["PYTHONPATH"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           "--asgicheck=myapp:app"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    printed = done.stdout.splitlines()
    # Everything but the lines that name this machine, the timings and the progress dots.
    varying = ("platform ", "plugins: ", "rootdir: ", "asgicheck: fuzz: ", "asgicheck ", "...")
    expected = [line for line in shown.splitlines() if line and not line.startswith(varying)
                and not line.startswith("=") and not line.strip().startswith("[")]
    assert [line for line in expected if line not in printed] == []
    final = re.sub(r" in [\d.]+s ", " ", shown.strip().splitlines()[-1])
    assert re.sub(r" in [\d.]+s ", " ", printed[-1]) == final
