"""Whole runs against apps that hang end fast: each hang is reported once, the rest not run.

Each test runs pytest on an app of apps_hang.py in a subprocess (a hard timeout, so a run that
hangs fails the test instead of stalling the suite), with a short deadline, and reads the JSON
report: the circuit breaker (asgicheck/scenarios/_breaker.py) must let no item pass silently,
and must point every item it stops at a failure of the same run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import apps_hang
import pytest

from asgicheck.contract import RunOptions, Target
from asgicheck.scenarios import build_scenarios, close_sessions

HERE = Path(__file__).parent
DEADLINE = 0.3
PLUGINS_OFF = ("-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:anyio",
               "-p", "no:cacheprovider")


def copy_apps(pytester: pytest.Pytester) -> None:
    """apps_hang.py, and the blocks it is made of, into the run's directory."""
    pytester.makepyfile(apps_hang=(HERE / "apps_hang.py").read_text(encoding="utf-8"),
                        asgi_blocks=(HERE.parents[1] / "asgi_blocks.py").read_text(
                            encoding="utf-8"))


def run(pytester: pytest.Pytester, app: str, *args: str, timeout: float = 60.0
        ) -> tuple[pytest.RunResult, dict[str, dict[str, Any]], float]:
    """``pytest --asgicheck=apps_hang:APP ARGS``: the result, the records by ID, the wall time."""
    copy_apps(pytester)
    started = time.monotonic()
    result = pytester.runpytest_subprocess(
        *PLUGINS_OFF, f"--asgicheck=apps_hang:{app}", f"--asgicheck-deadline={DEADLINE}",
        "--asgicheck-examples=3", "--asgicheck-json=report.json", "-rs", *args,
        timeout=timeout)
    wall = time.monotonic() - started
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    document = json.loads((pytester.path / "report.json").read_text(encoding="utf-8"))
    return result, {r["scenario_id"]: r for r in document["results"]}, wall


def stopped(records: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The items the circuit breaker did not run."""
    return {i: r for i, r in records.items() if "not_run" in (r["details"] or {})}


def assert_points_at_failures(records: dict[str, dict[str, Any]]) -> None:
    """Every item not run names a target and an item that failed in this run with its hang."""
    for item, record in stopped(records).items():
        not_run = record["details"]["not_run"]
        first = records[not_run["hung_in"]]
        assert record["status"] == "skipped", item
        assert record["skip_reason"].startswith(
            f"not run: {not_run['target']} already hung in {not_run['hung_in']}"), item
        assert first["status"] == "failed", (item, first)
        assert any(e["ended"] == "timeout" for e in first["exchanges"]), first
        assert f"{not_run['target']} hung here" in first["transcript"], first["transcript"]


def test_an_app_that_hangs_everywhere_costs_one_deadline_per_target(
        pytester: pytest.Pytester) -> None:
    result, records, wall = run(pytester, "forever")
    failed = {i for i, r in records.items() if r["status"] == "failed"}
    # One failure per thing the run sends: discovery's GET /openapi.json, the lifespan
    # startup, each default target's plain request, the unknown scope, the websocket probe;
    # L01 judges the session's hung startup.
    assert failed == {"general/discovery[GET /openapi.json]",
                      "lifespan/L03-probe", "lifespan/L01-full", "general/S15-unknown-scope",
                      "websocket/W00-probe[WS /]", "http/S01-plain[GET /]",
                      "http/S01-plain[POST /]", "http/S01-plain[PUT /]",
                      "http/S01-plain[GET /asgicheck-no-such-path]"}, sorted(failed)
    for item in failed - {"lifespan/L01-full"}:
        assert any(v["rule"] in ("OPS-APP-002", "LS-APP-001") for v in records[item][
            "violations"]), item
    # Everything else was stopped by those hangs (W02..C02 skip as W00 saw no accept), and
    # nothing passed without having run.
    assert not [i for i, r in records.items() if r["status"] in ("passed", "warned")]
    not_run = stopped(records)
    assert {i for i in records if i.startswith("fuzz/")} <= set(not_run)
    assert "lifespan/L02-no-state" in not_run
    assert_points_at_failures(records)
    assert "hung targets" in result.stdout.str()
    assert "GET /: hung in http/S01-plain[GET /];" in result.stdout.str()
    # 8 deadlines, plus the interpreter and the collection; before the breaker: 121 items
    # took 198 s at a 2 s deadline.
    assert wall < 30, wall


def test_a_hang_on_one_route_stops_only_that_route(pytester: pytest.Pytester) -> None:
    _, records, _ = run(pytester, "one_route_hangs", "--asgicheck-target=GET /hang",
                        "--asgicheck-target=GET /ok")
    for item, record in records.items():
        if item.endswith("[GET /ok]"):
            assert record["status"] == "passed", (item, record["skip_reason"],
                                                  record["violations"])
    assert records["http/S01-plain[GET /hang]"]["status"] == "failed"
    not_run = stopped(records)
    assert not_run and all(i.endswith(("[GET /hang]", "[HEAD /hang]")) for i in not_run), \
        sorted(not_run)
    assert "fuzz/P1-conformant[GET /hang]" in not_run
    # The connections still go together, to the route that answers.
    concurrent = records["general/concurrent-connections"]
    assert concurrent["status"] == "passed", concurrent
    assert concurrent["exchanges"] and all("GET /ok?" in e["title"]
                                           for e in concurrent["exchanges"])
    assert_points_at_failures(records)


def test_a_property_ends_at_its_first_hang_unshrunk(pytester: pytest.Pytester) -> None:
    # Only P2-P4 run, so the first hang is P2's own: P2 judges server errors, and a
    # hung exchange fails it as OPS-APP-002; P3 and P4 then do not send to the target.
    _, records, _ = run(pytester, "forever_requests", "--asgicheck-target=GET /",
                        "--asgicheck-examples=20", "-k", "P2 or P3 or P4")
    p2 = records["fuzz/P2-no-server-error[GET /]"]
    assert p2["status"] == "failed"
    assert [v["rule"] for v in p2["violations"]] == ["OPS-APP-002"]
    assert p2["details"]["examples"] == 1, p2["details"]  # no second example, no shrinking
    assert p2["transcript"].startswith("note: GET / hung here")
    assert "counterexample (not shrunk: it hung" in p2["transcript"]
    for number in ("P3-chunking-invariance", "P4-disconnect-anywhere"):
        record = records[f"fuzz/{number}[GET /]"]
        assert record["details"]["not_run"]["hung_in"] == "fuzz/P2-no-server-error[GET /]"
    assert_points_at_failures(records)


def test_an_app_that_blocks_its_loop_is_given_up_once_per_target(
        pytester: pytest.Pytester) -> None:
    # time.sleep(30) in every request wedges the loop: each target costs one deadline, and
    # the run ends long before one of the sleeps does.
    _, records, wall = run(pytester, "sleeps", "--asgicheck-target=GET /",
                           "--asgicheck-target=POST /echo")
    assert records["http/S01-plain[GET /]"]["status"] == "failed"
    assert records["http/S01-plain[POST /echo]"]["status"] == "failed"
    assert {i for i in records if i.startswith(("fuzz/", "http/"))} - set(stopped(records)) \
        == {"http/S01-plain[GET /]", "http/S01-plain[POST /echo]"}
    assert_points_at_failures(records)
    # The lifespan cycles still run, without the request to the hung target in between.
    for item in ("lifespan/L01-full", "lifespan/L02-no-state"):
        assert records[item]["status"] == "passed", records[item]
        assert "no request was sent inside this lifespan cycle: GET / already hung in " \
               "http/S01-plain[GET /]" in records[item]["transcript"], records[item]
    assert wall < 25, wall


def test_a_slow_app_that_answers_trips_nothing(pytester: pytest.Pytester) -> None:
    # The stream takes 1 s, within a 2 s deadline; where the client leaves mid-stream it goes
    # on sending (a finding of that scenario, not a hung target).
    copy_apps(pytester)
    result = pytester.runpytest_subprocess(
        *PLUGINS_OFF, "--asgicheck=apps_hang:stream_ignores_disconnect",
        "--asgicheck-deadline=2", "--asgicheck-no-fuzz", "--asgicheck-target=GET /",
        "-k", "S01 or S07 or S09", "--asgicheck-json=report.json", timeout=60)
    assert "INTERNALERROR" not in result.stdout.str()
    document = json.loads((pytester.path / "report.json").read_text(encoding="utf-8"))
    records = {r["scenario_id"]: r for r in document["results"]}
    assert records["http/S01-plain[GET /]"]["status"] == "passed"
    assert records["http/S09-delayed-request[GET /]"]["status"] == "passed"
    s07 = records["http/S07-disconnect-mid-stream[GET /]"]
    assert "HTTP-RECV-005" in {v["rule"] for v in s07["violations"]}, s07
    assert not stopped(records)


def test_a_hang_the_run_ignores_trips_nothing(pytester: pytest.Pytester) -> None:
    # With OPS-APP-002 ignored the hang fails no item, so no skip could point at a failure:
    # every item runs and waits out its deadline, as before the breaker.
    copy_apps(pytester)
    result = pytester.runpytest_subprocess(
        *PLUGINS_OFF, "--asgicheck=apps_hang:forever_requests",
        f"--asgicheck-deadline={DEADLINE}", "--asgicheck-no-fuzz", "--asgicheck-target=GET /",
        "--asgicheck-ignore=OPS-APP-002",
        "-k", "S01 or S07 or S09 or head-request", "--asgicheck-json=report.json", timeout=60)
    assert "INTERNALERROR" not in result.stdout.str()
    document = json.loads((pytester.path / "report.json").read_text(encoding="utf-8"))
    records = {r["scenario_id"]: r for r in document["results"]}
    assert len(records) == 4 and not stopped(records), sorted(records)
    for item, record in records.items():
        assert [e["ended"] for e in record["exchanges"]] == ["timeout"], item


def test_the_exchanges_after_a_scenarios_first_hang_go_at_once() -> None:
    # S17 sends four spec versions, each of which hangs: one at a time until the first hangs,
    # then the other three together, two deadlines in all instead of four.
    options = RunOptions(deadline=0.5, lifespan=False)
    (s17,) = [s for s in build_scenarios([Target()], options) if "S17" in s.id]
    try:
        outcome = s17.run(apps_hang.old_versions_hang, options)
    finally:
        close_sessions()
    assert outcome.status == "failed"
    assert [e["ended"] for e in outcome.exchanges] == ["timeout"] * 4
    assert 1.0 <= outcome.duration < 1.6, outcome.duration
