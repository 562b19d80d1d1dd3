"""A fuzzing failure's reproduction, as the reports carry it: the HTML page shows the code as it
was written (it can be copied from the page and run), and the JSON report's exchanges are the
transcripts' own steps, never the rendered text read back (which holds the code too)."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from _report_runs import QUIET

from asgicheck.config import APP_OPTION, HTML_OPTION, JSON_OPTION, TARGET_OPTION

TESTS = Path(__file__).parents[1]


def _pytest(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_ACTIONS", "PYTEST_ADDOPTS", "ASGICHECK_APP")}
    env["PYTHONPATH"] = os.pathsep.join([str(directory), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=directory, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def test_the_reproduction_copied_from_the_html_page_runs_and_fails_on_the_bug(
        tmp_path: Path) -> None:
    for name, source in (("planted.py", TESTS / "fuzzing" / "planted.py"),
                         ("asgi_blocks.py", TESTS / "asgi_blocks.py")):
        (tmp_path / name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    run = _pytest(tmp_path, *QUIET, "--asgicheck-fuzz", f"{APP_OPTION}=planted:non_ascii_path",
                  f"{TARGET_OPTION}=GET /", "-k", "fuzz/P2", "--asgicheck-examples=40",
                  "--asgicheck-seed=1", f"{JSON_OPTION}=report.json",
                  f"{HTML_OPTION}=report.html")
    assert run.returncode == 1, run.stdout + run.stderr
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    (shown,) = re.findall(r'<pre class="code reproduction">(.*?)</pre>', page, re.S)
    code = html.unescape(shown)
    (failed,) = [r for r in json.loads((tmp_path / "report.json").read_text())["results"]
                 if r["status"] == "failed"]
    assert code == failed["details"]["reproduction"]  # indentation and blank lines kept
    (tmp_path / "test_pasted.py").write_text(code, encoding="utf-8")
    pasted = _pytest(tmp_path, "-p", "no:hypothesispytest", "test_pasted.py", "-q")
    assert pasted.returncode == 1, pasted.stdout + pasted.stderr
    assert "1 failed" in pasted.stdout
    assert "assert transcript.ended != 'raised'" in pasted.stdout  # the bug, not a typo
    # The exchanges are the transcript's steps: the code is not among them.
    (exchange,) = failed["exchanges"]
    assert exchange["title"] == "http GET /é (spec 2.4)" and exchange["ended"] == "raised"
    assert not any("def test_" in entry["text"] for entry in exchange["entries"])
    assert [e["type"] for e in exchange["entries"] if e["kind"] == "received"] == ["http.request"]
