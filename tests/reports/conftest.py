"""Two real runs shared by the report tests: a failing one and a passing one.

Each is made once per test session, by whichever xdist worker needs it first, and read by many
tests: the HTML, the JSON and the browser tests all look at the same two reports (a
function-scoped pytester could not share them). The passing run names its HTML report through
the ini key, so that path is wired end to end too.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from _report_runs import Run, run_asgicheck, shared_run

from asgicheck.config import HTML_INI, HTML_OPTION, JSON_OPTION, TARGET_OPTION


def _root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's temporary directory, shared by the xdist workers."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


@pytest.fixture(scope="session")
def failing_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return shared_run(_root(tmp_path_factory), "asgicheck-failing", "out/report.html",
                      lambda directory: run_asgicheck(
                          directory, "broken", f"{TARGET_OPTION}=GET /",
                          f"{JSON_OPTION}=report.json", f"{HTML_OPTION}=out/report.html"))


@pytest.fixture(scope="session")
def passing_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    def start(directory: Path) -> subprocess.CompletedProcess[str]:
        (directory / "pytest.ini").write_text(f"[pytest]\n{HTML_INI} = passing.html\n")
        return run_asgicheck(directory, "good", f"{JSON_OPTION}=report.json")

    return shared_run(_root(tmp_path_factory), "asgicheck-passing", "passing.html", start)
