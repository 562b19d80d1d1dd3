"""The app bench/bench_startup.py times passes the default run: timing a run that fails would
time a failure report, and the bench stops at the first unexpected exit code rather than print
such a figure. A new failing-by-default rule that the bench's app breaks shows up here, in CI,
not the next time someone benchmarks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "bench" / "bench_startup.py"


def test_the_startup_bench_app_passes_the_default_run(pytester: pytest.Pytester) -> None:
    spec = importlib.util.spec_from_file_location("bench_startup", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    pytester.makepyfile(trivial_app=bench.APP, test_empty="")
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:benchmark",
                                "--asgicheck=trivial_app:app", "test_empty.py")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes["passed"] > 100, outcomes
    assert result.ret == bench.EXPECTED["default"]
