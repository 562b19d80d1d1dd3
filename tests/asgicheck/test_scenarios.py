"""The scenarios against known-bad apps (each must be caught) and known-good ones (no failure)."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bad_apps
import pytest
from bad_apps import BAD_APPS, GET, POST, WS, BadApp
from bad_apps.control import app as control_app

from asgicheck.contract import Outcome, RunOptions, Scenario, Target
from asgicheck.rules import RULES
from asgicheck.scenarios import build_scenarios, close_sessions
from asgicheck.selection import Selection
from asgicheck.violations import Detection

# Small deadlines keep hostile and hanging apps quick.
FAST = RunOptions(deadline=0.5, linger=0.3, hold_back=0.05, block_threshold=0.1)
TARGETS = [GET, POST, Target(path="/stream"), WS]

MW_PLANTED = Path(__file__).parents[1] / "mwmode" / "mw_planted.py"


def planted_middleware_rules() -> set[str]:
    """The rules of the broken middlewares that tests/mwmode/test_mwmode_scenarios.py runs."""
    spec = importlib.util.spec_from_file_location("_mw_planted_for_scenarios", MW_PLANTED)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {rule for _, _, rule in module.BROKEN}


# SCENARIO-detection rules that the app scenarios cannot break, each with the known-bad cases
# that another mode runs and sees reported: a rule missing from both this and BAD_APPS would be
# a check nobody has seen fail. (Rules nothing reports are Detection.MANUAL in the catalogue.)
REPORTED_ELSEWHERE: dict[str, Callable[[], set[str]]] = {
    "GEN-MW-002": planted_middleware_rules,  # middleware mode: its probe inner app sees it
}


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Any:
    yield
    close_sessions()


def scenario(name: str, target: Target | None, options: RunOptions = FAST) -> Scenario:
    targets = [target] if target is not None else [GET]
    for found in build_scenarios(targets, options):
        if found.id.split("/", 1)[1].split("[")[0] == name:
            return found
    raise LookupError(f"no scenario {name} for {target}")


def case_id(case: BadApp) -> str:
    return f"{case.rule}-{getattr(case.app, '__name__', 'app')}"


CASES = [case for cases in BAD_APPS.values() for case in cases]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_bad_app_is_caught(case: BadApp) -> None:
    options = FAST
    if RULES[case.rule].severity is not None and not RULES[case.rule].enabled_by_default:
        options = dataclasses.replace(FAST, selection=Selection(select=(case.rule,)))
    started = time.perf_counter()
    outcome = scenario(case.scenario, case.target, options).run(case.app, options)
    assert time.perf_counter() - started < 4 * FAST.deadline + 2
    rules = {v.rule for v in outcome.violations}
    assert case.rule in rules, f"{outcome.scenario_id}: {outcome.status}\n{outcome.transcript}"
    if outcome.status == "passed":  # only info-level rules may leave a scenario passed
        assert all(v.severity.value == "info" for v in outcome.violations if v.rule == case.rule)


def test_every_scenario_rule_has_a_bad_app() -> None:
    scenario_rules = {r.id for r in RULES.values() if r.detection is Detection.SCENARIO}
    assert scenario_rules - set(REPORTED_ELSEWHERE) - set(BAD_APPS) == set()


@pytest.mark.parametrize("rule", sorted(REPORTED_ELSEWHERE))
def test_a_rule_reported_elsewhere_has_a_known_bad_case_there(rule: str) -> None:
    assert RULES[rule].detection is Detection.SCENARIO, f"{rule} is no longer a scenario rule"
    assert rule not in BAD_APPS, f"{rule} has a bad app here now: drop it from the mapping"
    assert rule in REPORTED_ELSEWHERE[rule](), f"no known-bad case elsewhere reports {rule}"


def test_every_scenario_rule_is_claimed_by_a_scenario() -> None:
    claimed = {rule for s in build_scenarios(TARGETS, FAST) for rule in s.rules}
    assert set(BAD_APPS) - claimed == set()


def run_all(app: Any, targets: list[Target], options: RunOptions = FAST) -> list[Outcome]:
    return [s.run(app, options) for s in build_scenarios(targets, options)]


# Known-good apps must pass even on a loaded machine: generous deadline and stall threshold.
RELAXED = dataclasses.replace(FAST, deadline=2.0, block_threshold=0.5)


def test_good_app_passes_everything() -> None:
    outcomes = run_all(control_app, TARGETS, RELAXED)
    bad = [o for o in outcomes if o.status not in ("passed",)]
    assert not bad, "\n\n".join(f"{o.scenario_id} {o.status}: {o.violations}\n{o.transcript}"
                                for o in bad)


@pytest.mark.skipif(importlib.util.find_spec("reference_app") is None,
                    reason="reference_app is not importable")
def test_reference_app_has_no_failures() -> None:
    try:
        from reference_app.demo import app
    except ImportError as exc:  # being written
        pytest.skip(f"reference_app.demo does not import: {exc}")
    from asgicheck.discovery import discover

    targets = list(discover(app, app).targets)
    outcomes = run_all(app, targets, RELAXED)
    failed = [o for o in outcomes if o.status == "failed"]
    assert not failed, "\n\n".join(f"{o.scenario_id}: {o.violations}\n{o.transcript}"
                                   for o in failed)


def test_ids_are_stable_readable_and_unique() -> None:
    ids = [s.id for s in build_scenarios(TARGETS, FAST)]
    assert len(ids) == len(set(ids))
    assert "http/S02-chunked-body[POST /echo]" in ids
    assert "websocket/W02-receive-shapes[WS /ws]" in ids
    assert "lifespan/L01-full" in ids
    assert "general/S15-unknown-scope" in ids
    assert "http/head-request[HEAD /]" in ids
    assert ids == [s.id for s in build_scenarios(TARGETS, FAST)]


def test_without_targets_get_root_and_probe_websocket() -> None:
    ids = [s.id for s in build_scenarios([], FAST)]
    assert "http/S01-plain[GET /]" in ids
    assert "websocket/W00-probe[WS /]" in ids
    assert not any(i.startswith("websocket/W01") for i in ids)


async def http_only(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        raise RuntimeError(f"unsupported scope type {scope['type']}")
    await bad_apps.good(scope, receive, send)


def test_unsupported_protocols_are_skipped_with_reason() -> None:
    outcomes = {o.scenario_id: o for o in run_all(http_only, [GET])}
    probe = outcomes["websocket/W00-probe[WS /]"]
    assert probe.status == "skipped" and "does not support websockets" in str(probe.skip_reason)
    assert outcomes["lifespan/L03-probe"].status == "passed"
    assert outcomes["lifespan/L03-probe"].details["classification"] == "declines"
    for name in ("lifespan/L01-full", "lifespan/L02-no-state"):
        assert outcomes[name].status == "skipped"
        assert "declines lifespan" in str(outcomes[name].skip_reason)
    assert outcomes["general/S15-unknown-scope"].status == "passed"


def test_websocket_refused_at_root_skips_with_no_route_known() -> None:
    outcomes = {o.scenario_id: o for o in run_all(control_app, [GET])}
    assert outcomes["websocket/W00-probe[WS /]"].status == "passed"
    shapes = outcomes["websocket/W02-receive-shapes[WS /]"]
    assert shapes.status == "skipped"
    assert "no websocket route known" in str(shapes.skip_reason)


def test_findings_of_the_plain_exchange_are_reported_once() -> None:
    async def upper_header(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await bad_apps.good(scope, receive, send)
        await bad_apps.read_body(receive)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [[b"Content-Type", b"text/plain"]]})
        await send({"type": "http.response.body", "body": b"ok"})

    plain = scenario("S01-plain", GET).run(upper_header, FAST)
    if not plain.violations:
        pytest.skip("the validator does not check response header case yet")
    chunked = scenario("S09-delayed-request", GET).run(upper_header, FAST)
    assert {v.rule for v in plain.violations} & set(chunked.details.get("also_in_baseline", []))
    assert not {v.rule for v in chunked.violations} & {v.rule for v in plain.violations}


def test_head_scenario_runs_head_for_get_targets() -> None:
    s = scenario("head-request", GET)
    assert s.id == "http/head-request[HEAD /]"

    async def head_body(scope: Any, receive: Any, send: Any) -> None:
        await bad_apps.read_body(receive)
        await bad_apps.respond(send, b"the GET body")  # also for HEAD: X-HTTP-005

    outcome = s.run(head_body, dataclasses.replace(FAST, lifespan=False))
    assert "HEAD" in outcome.transcript
    if "X-HTTP-005" not in {v.rule for v in outcome.violations}:
        pytest.skip("the validator does not check HEAD bodies yet")


def test_status_is_warned_for_warnings_and_strict_makes_them_fail() -> None:
    case = BAD_APPS["HTTP-RECV-007"][0]
    # This app streams until the deadline; on a loaded CI machine one of its 1 ms sleeps can
    # come back late enough to pass FAST's 0.1 s stall threshold, and a stall is fatal. The
    # test is about the status of a warning, so stalls are measured against a wider bound.
    options = dataclasses.replace(FAST, block_threshold=2.0)
    outcome = scenario(case.scenario, case.target, options).run(case.app, options)
    assert outcome.status == "warned", outcome.violations
    strict = dataclasses.replace(options, selection=Selection(strict=True))
    assert scenario(case.scenario, case.target, strict).run(case.app, strict).status == "failed"


def test_ignored_rules_are_not_reported() -> None:
    case = BAD_APPS["HTTP-RECV-003"][0]
    options = dataclasses.replace(FAST, selection=Selection(ignore=("HTTP-RECV-003",)))
    outcome = scenario(case.scenario, case.target, options).run(case.app, options)
    assert "HTTP-RECV-003" not in {v.rule for v in outcome.violations}


@pytest.mark.parametrize("hostile", ["hang", "sleep", "raise_base", "garbage"])
def test_hostile_apps_end_every_scenario_quickly(hostile: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> Any:
        if hostile == "hang":
            await asyncio_forever()
        elif hostile == "sleep" and scope["type"] == "http":
            time.sleep(0.5)
        elif hostile == "raise_base":
            raise SystemExit(3)
        await send("not a dict")
        return 42

    options = dataclasses.replace(FAST, deadline=0.3, linger=0.2)
    for s in build_scenarios([GET], options)[:5]:  # lifespan and the first HTTP ones
        started = time.perf_counter()
        outcome = s.run(app, options)
        assert time.perf_counter() - started < 4 * (options.deadline + 1)
        assert outcome.status in ("failed", "skipped", "warned", "passed")


async def asyncio_forever() -> None:
    import asyncio

    await asyncio.Event().wait()


def _stalls_when_crowded(times: int) -> Any:
    """An app that blocks its loop for 0.15 s once while other requests are in flight, in the
    first ``times`` such crowds: once stands for a machine that descheduled the loop's thread,
    every time for an app that really blocks under load."""
    in_flight = 0
    left = times
    blocked = False  # in this crowd

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal in_flight, left, blocked
        if scope["type"] != "http":
            return await bad_apps.good(scope, receive, send)
        in_flight += 1
        try:
            await bad_apps.read_body(receive)
            if in_flight > 1 and left > 0 and not blocked:
                left -= 1
                blocked = True
                time.sleep(0.15)  # the blocking call under test, not a stand-in for a wait
            await send({"type": "http.response.start", "status": 200,
                        "headers": [[b"content-type", b"text/plain"]]})
            await send({"type": "http.response.body", "body": b"ok"})
        finally:
            in_flight -= 1
            if not in_flight:
                blocked = False

    return app


@pytest.mark.parametrize(("times", "reported"), [(1, False), (1000, True)])
def test_a_stall_seen_once_among_concurrent_connections_is_taken_again(
        times: int, reported: bool) -> None:
    outcome = scenario("concurrent-connections", GET).run(_stalls_when_crowded(times), FAST)
    assert ("OPS-APP-003" in {v.rule for v in outcome.violations}) is reported, \
        outcome.transcript


def _counting(answer: Callable[[Any], bytes]) -> tuple[Any, list[bytes]]:
    """An app answering each request with ``answer(scope)``, and the query strings it saw."""
    seen: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await bad_apps.good(scope, receive, send)
        await bad_apps.read_body(receive)
        seen.append(scope["query_string"])
        await send({"type": "http.response.start", "status": 200,
                    "headers": [[b"content-type", b"text/plain"]]})
        await send({"type": "http.response.body", "body": answer(scope)})

    return app, seen


def test_concurrent_connections_run_each_request_alone_once_when_nothing_changed() -> None:
    app, seen = _counting(lambda scope: b"ok " + scope["query_string"])
    outcome = scenario("concurrent-connections", GET).run(app, FAST)
    assert outcome.status == "passed", outcome.transcript
    count = FAST.concurrency
    # Each connection alone once, then all together: no second run alone was needed.
    assert len(seen) == 2 * count and len(set(seen)) == count, seen


def test_concurrent_connections_run_a_request_alone_again_to_learn_what_varies() -> None:
    # A body that changes on every call (a counter standing for a timestamp) differs from
    # the run alone; the second run alone shows it varies anyway, so nothing is reported.
    calls = iter(range(10_000))
    app, seen = _counting(lambda scope: b"call %d" % next(calls))
    outcome = scenario("concurrent-connections", GET).run(app, FAST)
    assert outcome.status == "passed", outcome.transcript
    assert len(seen) == 3 * FAST.concurrency, seen


def _startup_blocks(which: Callable[[int], bool]) -> Any:
    """An app whose lifespan startup blocks its loop for 0.15 s on the starts ``which`` picks
    (1: the run's session, 2: L02's second server, 3: L02 taking its cycle again)."""
    starts = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal starts
        if scope["type"] == "lifespan":
            message = await receive()
            starts += 1
            if which(starts):
                time.sleep(0.15)  # the blocking call under test
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
            assert message["type"] == "lifespan.shutdown"
            await send({"type": "lifespan.shutdown.complete"})
            return
        await bad_apps.good(scope, receive, send)

    return app


@pytest.mark.parametrize(("which", "reported"), [(lambda n: n == 2, False), (bool, True)],
                         ids=["once", "always"])
def test_a_stall_seen_once_in_the_second_server_cycle_is_taken_again(
        which: Callable[[int], bool], reported: bool) -> None:
    outcome = scenario("L02-no-state", GET).run(_startup_blocks(which), FAST)
    assert ("OPS-APP-003" in {v.rule for v in outcome.violations}) is reported, \
        outcome.transcript


def test_a_startup_that_raises_is_reported_with_where_it_raised() -> None:
    async def open_pool() -> None:
        raise ConnectionError("database is down")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await open_pool()
        await bad_apps.good(scope, receive, send)

    outcome = scenario("L01-full", GET).run(app, FAST)
    assert "LS-APP-002" in {v.rule for v in outcome.violations}
    assert 'in open_pool: raise ConnectionError("database is down")' in outcome.transcript


def test_every_rule_marked_in_an_items_transcript_is_on_its_broke_line() -> None:
    async def hangs_after_disconnect(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await bad_apps.good(scope, receive, send)
        if (await receive())["type"] == "http.disconnect":
            await asyncio.Event().wait()
        await bad_apps.good(scope, receive, send)

    outcome = scenario("S06-disconnect-first", GET).run(hangs_after_disconnect, FAST)
    counted = {v.rule for v in outcome.violations}
    assert "OPS-APP-002" not in counted and counted, outcome.transcript
    assert "-- OPS-APP-002 (not counted here): " in outcome.transcript
    marked = set(re.findall(r"!! ([A-Z]+-[A-Z]+-\d+)", outcome.transcript))
    assert marked <= counted, outcome.transcript
