"""A property item's exchanges run in the app's thread, Hypothesis's run with them; a wedge there
sends the run back to the caller's thread without running the wedged example once more."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import planted
import pytest

from asgicheck.contract import RunOptions, Target
from asgicheck.fuzzing import FuzzSettings, build_property_scenarios
from asgicheck.scenarios import close_sessions

FAST = RunOptions(deadline=0.5, linger=0.3)
SEARCH = Target(path="/search")


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Any:
    yield
    close_sessions()


def run(app: Any, number: str, **settings: Any) -> Any:
    fuzz = FuzzSettings(seed=0, max_total_examples=None, properties=(number,), **settings)
    (scenario,) = build_property_scenarios([SEARCH], FAST, settings=fuzz)
    return scenario.run(app, FAST)


@pytest.mark.parametrize("app", [planted.good, planted.lifespan_good], ids=["plain", "lifespan"])
def test_the_exchanges_run_in_the_apps_thread(app: Any) -> None:
    threads: set[int] = set()

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        threads.add(threading.get_ident())
        await app(scope, receive, send)

    outcome = run(recording, "P1", max_examples=20)
    assert outcome.status == "passed", outcome.transcript
    assert len(threads) == 1 and threading.get_ident() not in threads


def test_a_wedged_loop_sends_the_run_back_without_a_second_wedge_for_the_same_example() -> None:
    calls: Counter[bytes] = Counter()

    async def blocks_on_percent(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and b"%" in scope["query_string"]:
            calls[scope["query_string"]] += 1
            time.sleep(1.2)  # blocks the loop past the deadline and its margin
        await planted.good(scope, receive, send)

    started = time.perf_counter()
    outcome = run(blocks_on_percent, "P1", max_examples=60, time_budget=1.0)
    assert outcome.status == "failed"
    assert "OPS-APP-002" in [v.rule for v in outcome.violations]
    # The example that wedged the resident run was answered from its record, and the hang
    # ended the property there: no second run of it, no shrinking, no other example sent
    # (each would wait out the deadline again).
    query = outcome.details["example"]["query_string"].encode("latin-1")
    assert calls == {query: 1}, calls
    assert outcome.transcript.startswith("note: GET /search hung here"), outcome.transcript
    assert time.perf_counter() - started < 6
