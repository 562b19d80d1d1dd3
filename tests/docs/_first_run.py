"""The first run docs/getting-started.md shows: the page's ``myapp.py``, its output block, a
fresh run of that app, and the lines of an output that do not depend on the machine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "getting-started.md"
# The page's run was made in this directory; the regenerator writes its run as if it was.
SHOWN_DIR = "/tmp/gs"
_FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)
# Lines that name this machine or the installed plugins, or show progress dots.
_VARYING = ("platform ", "plugins: ", "rootdir: ", "asgicheck: fuzz: ", "asgicheck ", "...")
# Timings in transcripts and in pytest's last line differ from run to run.
_TIMES = re.compile(r"\+\d+\.\d+|\b\d+\.\d+ ?s\b")


def listing(text: str) -> str:
    """The page's ``myapp.py``."""
    (code,) = [code for lang, code in _FENCE.findall(text) if lang == "python" and "app = " in code]
    return str(code)


def shown(text: str) -> str:
    """The page's output block (the one holding the end-of-run summary)."""
    (code,) = [code for _, code in _FENCE.findall(text) if "asgicheck summary" in code]
    return str(code)


def run(listing: str, directory: Path) -> subprocess.CompletedProcess[str]:
    """``pytest --asgicheck=myapp:app`` on ``listing`` saved as ``directory/myapp.py``, with an
    environment that does not bring in this suite's options."""
    (directory / "myapp.py").write_text(listing, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_ACTIONS", "PYTEST_ADDOPTS", "ASGICHECK_APP")}
    env["PYTHONPATH"] = str(directory)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           "--asgicheck=myapp:app"], cwd=directory, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def comparable(output: str) -> list[str]:
    """The lines of a run's output that every machine prints alike, timings blanked."""
    return [_TIMES.sub("<t>", line) for line in output.splitlines()
            if line and not line.startswith(_VARYING) and not line.startswith("=")
            and not line.strip().startswith("[")]


def last_line(output: str) -> str:
    """pytest's final counts line, its time blanked."""
    return _TIMES.sub("<t>", output.strip().splitlines()[-1])


def items(output: str) -> int:
    """How many items the run collected."""
    found = re.search(r"^collected (\d+) items", output, re.M)
    assert found is not None, output
    return int(found.group(1))
