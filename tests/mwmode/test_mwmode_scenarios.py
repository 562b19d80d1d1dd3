"""Middleware mode end to end: planted bugs are caught with the right rule, correct middlewares
(Starlette's and hand-written ones) pass every scenario."""

from __future__ import annotations

import time
from importlib.metadata import version
from typing import Any

import pytest
from mw_planted import BROKEN, AddHeader, MutatesScope, PassThrough, StaleContentLength
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from asgicheck.contract import Outcome, RunOptions, Scenario
from asgicheck.mwmode import build_middleware_scenarios
from asgicheck.rules import RULES
from asgicheck.selection import Selection
from asgicheck.violations import Party, Severity

OPTIONS = RunOptions(deadline=0.5, linger=0.2)
# Known-good middlewares must pass on a loaded 2-core machine too: a scheduling hiccup of a few
# hundred milliseconds is not the middleware blocking the loop.
RELAXED = RunOptions(deadline=2.0, linger=0.2, block_threshold=0.5)

IDS = [
    "middleware/plain", "middleware/streaming-many-chunks", "middleware/minimal-messages",
    "middleware/mixed-case-headers", "middleware/head", "middleware/no-content-204",
    "middleware/not-modified-304", "middleware/request-body-chunks",
    "middleware/raise-before-start", "middleware/raise-after-start",
    "middleware/disconnect-before-response", "middleware/concurrent-connections",
    "middleware/disconnect-mid-stream", "middleware/disconnect-mid-stream-send-raises",
    "middleware/lifespan-pass-through", "middleware/lifespan-startup-failed",
    "middleware/websocket-echo",
]


def identity(app: Any) -> Any:
    """No middleware at all: the inner apps face the driver directly."""
    return app


GOOD: dict[str, tuple[Any, dict[str, Any]]] = {
    "no-middleware": (identity, {}),
    "starlette-gzip": (GZipMiddleware, {}),
    "starlette-cors": (CORSMiddleware, {"allow_origins": ["*"]}),
    "starlette-trustedhost": (TrustedHostMiddleware, {"allowed_hosts": ["testserver"]}),
    "pass-through": (PassThrough, {}),
    "add-header": (AddHeader, {}),
}


# Known-good middlewares that were not good in older releases still installed somewhere (pip
# gives Python 3.10 Starlette 1.7): before 1.10, GZipMiddleware read message["headers"] from the
# inner app's http.response.start, a key the spec makes optional, and crashed without it.
STARLETTE = tuple(int(part) for part in version("starlette").split(".")[:2])
FIXED_IN: dict[tuple[str, str], tuple[int, int]] = {
    ("starlette-gzip", "middleware/minimal-messages"): (1, 10),
}

_BUILT: dict[tuple[Any, str], dict[str, Scenario]] = {}


def run(factory: Any, scenario_id: str, kwargs: dict[str, Any] | None = None,
        options: RunOptions = OPTIONS) -> Outcome:
    """Run one scenario; a middleware's scenarios are built once, to share their baseline."""
    key = (factory, repr(kwargs))
    if key not in _BUILT:
        built = build_middleware_scenarios(factory, kwargs=kwargs or {}, options=OPTIONS)
        _BUILT[key] = {s.id: s for s in built}
    return _BUILT[key][scenario_id].run(None, options)


def test_scenario_ids_are_stable_and_every_rule_is_in_the_catalogue() -> None:
    built = build_middleware_scenarios(PassThrough, kwargs={}, options=OPTIONS)
    assert [s.id for s in built] == IDS
    for scenario in built:
        assert scenario.title and scenario.protocol in ("http", "websocket", "lifespan",
                                                         "general")
        assert scenario.rules and all(rule in RULES for rule in scenario.rules), scenario.id


@pytest.mark.parametrize(("middleware", "scenario_id", "rule"), BROKEN,
                         ids=[f"{m.__name__}-{s.split('/')[1]}" for m, s, _ in BROKEN])
def test_a_planted_bug_is_caught_with_its_rule(middleware: type[Any], scenario_id: str,
                                               rule: str) -> None:
    outcome = run(middleware, scenario_id)
    assert rule in [v.rule for v in outcome.violations], outcome.violations
    assert outcome.status in ("failed", "warned")
    assert all(v.party is Party.APP for v in outcome.violations)  # all of it the middleware's
    assert "[server ↔ middleware" in outcome.transcript


@pytest.mark.parametrize("scenario_id", IDS)
@pytest.mark.parametrize("name", list(GOOD))
def test_a_correct_middleware_passes(name: str, scenario_id: str) -> None:
    factory, kwargs = GOOD[name]
    outcome = run(factory, scenario_id, kwargs, RELAXED)
    fixed_in = FIXED_IN.get((name, scenario_id))
    if fixed_in is not None and STARLETTE < fixed_in:
        # The installed Starlette has the bug (Python 3.10 gets 1.7): it must be reported.
        assert outcome.status == "failed", outcome.transcript
        assert "KeyError('headers')" in outcome.transcript
        return
    noisy = [str(v) for v in outcome.violations if v.severity is not Severity.INFO]
    assert (outcome.status, noisy) == ("passed", []), outcome.transcript


def test_findings_show_both_sides_of_the_middleware() -> None:
    outcome = run(StaleContentLength, "middleware/plain")
    (finding,) = outcome.violations
    assert finding.rule == "X-HTTP-001"
    assert "the inner app sent http.response.start 200 [content-type, content-length: 1000]" \
        in finding.message
    assert "the middleware turned it into" in finding.message
    assert "1015 B" in finding.message
    assert "[server ↔ middleware] http GET /" in outcome.transcript
    assert "[middleware ↔ inner app] http GET /" in outcome.transcript


def test_a_bug_every_exchange_shows_fails_one_item() -> None:
    assert "GEN-MW-001" in [v.rule for v in run(MutatesScope, "middleware/plain").violations]
    streaming = run(MutatesScope, "middleware/streaming-many-chunks")
    assert streaming.status == "passed"
    assert streaming.details["also_in_baseline"] == ["GEN-MW-001"]


def test_gzip_over_mixed_case_headers_is_a_robustness_note() -> None:
    # Starlette's GZip matches header names as the spec has them (lower case); under an app
    # that breaks HTTP-SEND-008 it leaves the stale Content-Length next to its own (E1/M4).
    outcome = run(GZipMiddleware, "middleware/mixed-case-headers")
    assert outcome.status == "passed"
    assert {(v.rule, v.severity) for v in outcome.violations} <= {
        ("X-HTTP-001", Severity.INFO), ("HTTP-SEND-008", Severity.INFO)}


def test_the_run_selection_applies() -> None:
    ignoring = RunOptions(deadline=0.5, linger=0.2, selection=Selection(ignore=("X-HTTP",)))
    outcome = run(StaleContentLength, "middleware/plain", options=ignoring)
    assert (outcome.status, outcome.violations) == ("passed", ())


def test_lifespan_state_reaches_requests_through_the_middleware() -> None:
    outcome = run(PassThrough, "middleware/lifespan-pass-through")
    assert outcome.details == {"startup": "complete",
                               "inner_events": ["lifespan.startup", "lifespan.shutdown"]}
    assert "lifespan state seen" in outcome.transcript


class BlocksTheLoop:
    """Blocks the event loop with a synchronous sleep on the first ``times`` HTTP requests."""

    def __init__(self, app: Any, times: int) -> None:
        self.app, self.left = app, times

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.left > 0:
            self.left -= 1
            time.sleep(0.3)  # the defect under test: a blocking call inside async code
        await self.app(scope, receive, send)


def test_a_stall_must_show_twice_to_count() -> None:
    # One descheduled moment is what a loaded machine does to any app; a real blocking call
    # blocks every time. Middleware mode confirms a stall with a second run, as app mode does.
    options = RunOptions(deadline=2.0, linger=0.2, block_threshold=0.1)
    once = run(BlocksTheLoop, "middleware/plain", {"times": 1}, options)
    assert "OPS-APP-003" not in {v.rule for v in once.violations}, once.transcript
    assert once.transcript.count("[middleware ↔ inner app] http GET /") == 1
    always = run(BlocksTheLoop, "middleware/plain", {"times": 1000}, options)
    assert "OPS-APP-003" in {v.rule for v in always.violations} and always.status == "failed"
