"""The user's app inside a real server: well-behaved apps pass with no app-party finding, and
broken ones are reported with the rule they break while the server keeps serving."""

from __future__ import annotations

import pytest
from live_apps import (
    TARGETS,
    endless_stream_app,
    head_body_app,
    incomplete_app,
    raw_app,
    rules_of,
    starlette_app,
    str_body_app,
)

from asgicheck.contract import Outcome, RunOptions, Target
from asgicheck.live import build_live_scenarios
from asgicheck.live._hosting import hosted
from asgicheck.violations import Party

OPTIONS = RunOptions()


def _app_outcomes(app: object, server: str, targets: list[Target]) -> dict[str, Outcome]:
    """Every app scenario (not the server probes) run once, by scenario ID."""
    found = build_live_scenarios(app, server, targets, OPTIONS)
    return {s.id: s.run(app, OPTIONS) for s in found if "/server-" not in s.id}


def _reference_targets() -> tuple[object, list[Target]]:
    demo = pytest.importorskip("reference_app.demo")
    from asgicheck.discovery import discover

    discovery = discover(demo.app, demo.app, max_targets=20, timeout=2)
    return demo.app, list(discovery.targets)


def _assert_no_app_failures(outcomes: dict[str, Outcome]) -> None:
    failing = {scenario: [str(v) for v in outcome.violations
                          if v.party is Party.APP and OPTIONS.selection.fails(v)]
               for scenario, outcome in outcomes.items()}
    assert {k: v for k, v in failing.items() if v} == {}
    statuses = {k: (o.status, o.skip_reason) for k, o in outcomes.items()}
    assert all(status in ("passed", "warned", "skipped") for status, _ in statuses.values())
    skipped = {k for k, (status, _) in statuses.items() if status == "skipped"}
    assert all("/http-disconnect[" in k for k in skipped), statuses  # not streamed


@pytest.mark.parametrize("app", [raw_app, starlette_app], ids=["raw", "starlette"])
def test_well_behaved_apps_pass(server_name: str, app: object) -> None:
    outcomes = _app_outcomes(app, server_name, TARGETS)
    assert sorted(outcomes) == sorted(f"live-{server_name}/{name}" for name in (
        "lifespan", "http-get[GET /]", "http-head[HEAD /]", "http-disconnect[GET /]",
        "http-post[POST /echo]",
        "http-chunked[POST /echo]", "ws-session[WS /ws]"))
    _assert_no_app_failures(outcomes)
    ws = outcomes[f"live-{server_name}/ws-session[WS /ws]"]
    assert "client: got 'asgicheck'" in ws.transcript  # it really went over the wire


def test_the_reference_app_passes(server_name: str) -> None:
    app, targets = _reference_targets()
    assert len(targets) >= 10
    outcomes = _app_outcomes(app, server_name, targets)
    _assert_no_app_failures(outcomes)
    lifespan = outcomes[f"live-{server_name}/lifespan"]
    assert lifespan.details["lifespan"] == "supported"


def test_a_str_body_is_the_apps_fault_and_the_server_keeps_serving(server_name: str) -> None:
    for _ in range(2):  # the same server, twice: it survived the first
        outcome = _app_outcomes(str_body_app, server_name, [Target()])[
            f"live-{server_name}/http-get[GET /]"]
        assert outcome.status == "failed"
        assert rules_of(outcome.violations, "app") == {"HTTP-SEND-011"}
        assert rules_of(outcome.violations, "server") == set()
        assert "!! HTTP-SEND-011" in outcome.transcript
        assert f"{server_name} log: ERROR" in outcome.transcript  # what the server made of it
    assert hosted(server_name, str_body_app, OPTIONS.selection).server.running


def test_an_unfinished_response_is_reported(server_name: str) -> None:
    outcome = _app_outcomes(incomplete_app, server_name, [Target()])[
        f"live-{server_name}/http-get[GET /]"]
    assert outcome.status == "failed"
    assert rules_of(outcome.violations, "app") == {"HTTP-SEND-004"}
    assert "the exchange broke off" in outcome.transcript  # the client saw a truncated body


def test_a_head_body_is_seen_at_the_asgi_level_though_the_server_drops_it(server_name: str
                                                                          ) -> None:
    outcome = _app_outcomes(head_body_app, server_name, [Target()])[
        f"live-{server_name}/http-head[HEAD /]"]
    assert rules_of(outcome.violations) == {"X-HTTP-005"}  # an info note: it does not fail
    assert outcome.status == "passed"
    assert outcome.details["app_sent_body_bytes"] == 5
    assert outcome.details["client_received_body_bytes"] == 0
    assert f"{server_name} dropped them before the wire" in outcome.transcript


def _disconnect(app: object, server: str, path: str = "/") -> Outcome:
    [scenario] = [s for s in build_live_scenarios(app, server, [Target(path=path)], OPTIONS)
                  if s.id == f"live-{server}/http-disconnect[GET {path}]"]
    return scenario.run(app, OPTIONS)


def test_leaving_mid_stream_finds_an_app_that_streams_to_a_dead_client(server_name: str
                                                                       ) -> None:
    outcome = _disconnect(endless_stream_app, server_name)
    assert rules_of(outcome.violations, "app") == {"HTTP-RECV-007"}
    assert outcome.status == "warned"  # a SHOULD: it fails only under --asgicheck-strict
    [finding] = outcome.violations
    assert "its send() did not raise" in finding.message  # neither server raises for HTTP
    assert "still running when the step ended" in outcome.transcript


def test_leaving_mid_stream_passes_an_app_that_watches_for_the_disconnect(server_name: str
                                                                          ) -> None:
    outcome = _disconnect(starlette_app, server_name, "/stream")
    assert (outcome.status, outcome.violations) == ("passed", ())
    assert "→ http.disconnect" in outcome.transcript


def test_leaving_mid_stream_skips_a_response_sent_in_one_piece(server_name: str) -> None:
    outcome = _disconnect(raw_app, server_name)
    assert outcome.status == "skipped"
    assert "one body message" in (outcome.skip_reason or "")
