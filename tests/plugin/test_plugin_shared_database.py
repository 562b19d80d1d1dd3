"""Two machines, one Redis: a failure the first finds is replayed first by the second, with
another seed and a fresh directory, and fails it with the same shrunk counterexample."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _runs import FUZZ, PLUGINS_OFF, run_inline
from redis_server import free_port, redis_server

from asgicheck.config import JSON_OPTION, TARGET_OPTION
from asgicheck.plugin import APP_OPTION

TESTS = Path(__file__).parents[1]
ARGS = (f"{APP_OPTION}=planted:non_ascii_path", f"{TARGET_OPTION}=GET /", FUZZ, "-k", "fuzz/P2")


def machine(path: Path) -> Path:
    """A fresh checkout of the project under test: the app, nothing else."""
    path.mkdir()
    for name in ("fuzzing/planted.py", "asgi_blocks.py"):
        (path / Path(name).name).write_text((TESTS / name).read_text(encoding="utf-8"))
    return path


def pytest_on(where: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    """``pytest ARGS`` as a separate process in ``where``; its result and its JSON report."""
    env = {**os.environ, "PYTHONPATH": str(where)}
    done = subprocess.run([sys.executable, "-m", "pytest", *PLUGINS_OFF, "-p", "no:cacheprovider",
                           *ARGS, *args, f"{JSON_OPTION}=report.json"],
                          cwd=where, env=env, capture_output=True, text=True, timeout=120)
    return done, json.loads((where / "report.json").read_text(encoding="utf-8"))


def counterexample(report: Any) -> tuple[str, Any, int]:
    (result,) = [r for r in report["results"] if r["scenario_id"].startswith("fuzz/P2")]
    assert result["status"] == "failed", result
    first_line = result["transcript"].splitlines()[0]
    return first_line, result["details"]["example"], int(result["details"]["examples"])


def test_two_machines_share_one_redis(tmp_path: Path) -> None:
    with redis_server(tmp_path / "redis") as url:
        # 40 examples as a campaign: no time limit, so a loaded machine cannot cut the search.
        first, report = pytest_on(machine(tmp_path / "one"), f"--asgicheck-fuzz-database={url}",
                                  "--asgicheck-seed=1", "--asgicheck-fuzz-budget=40")
        assert first.returncode == 1, first.stdout
        assert f", seed 1, database {url}" in first.stdout
        found = counterexample(report)
        assert found[0] == "shrunk counterexample: GET /é"
        # The second machine: another seed, a fresh directory, one example of its own.
        second, report = pytest_on(machine(tmp_path / "two"), f"--asgicheck-fuzz-database={url}",
                                   "--asgicheck-seed=2", "--asgicheck-examples=1")
        assert second.returncode == 1, second.stdout
        replayed = counterexample(report)
        assert replayed[:2] == found[:2]
        assert replayed[2] <= 3  # the stored example and its shrink check, no search
        assert not (tmp_path / "two" / ".hypothesis" / "asgicheck").exists()
        # The same second run without the shared examples (an empty database) passes.
        control, report = pytest_on(machine(tmp_path / "three"),
                                    f"--asgicheck-fuzz-database={url[:-1]}9",
                                    "--asgicheck-seed=2", "--asgicheck-examples=1")
        assert control.returncode == 0, control.stdout


def test_a_redis_that_is_down_stops_the_run_naming_it(project: pytest.Pytester) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    result = run_inline(project, f"{APP_OPTION}=apps:good", FUZZ, "--co",
                        f"--asgicheck-fuzz-database={url}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        f"ERROR: asgicheck: --asgicheck-fuzz-database: cannot reach the Redis example database "
        f"{url}: *Connection refused*; start it, fix the URL, or pass "
        f"--asgicheck-fuzz-database=none to run without one"])
