"""The server checks against the real servers: what each server does on each check, and that
asgicheck reports exactly what the spec says about it, against the server.

``MATRIX`` is the conformance matrix as recorded with uvicorn 0.54 and Hypercorn 0.18 (the
docs' table comes from it). With other versions only the invariants are checked: findings are
the server's, and the status follows from them.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest
from live_apps import LIVE_SERVERS, raw_app, rules_of

from asgicheck.contract import Outcome, RunOptions, Scenario
from asgicheck.live import build_live_scenarios
from asgicheck.violations import Party

OPTIONS = RunOptions()
RECORDED = {"uvicorn": "0.54.", "hypercorn": "0.18."}
CHECKS = ("server-http-scope", "server-headers", "server-keep-alive", "server-chunked-upload",
          "server-disconnect-mid-stream", "server-ws-echo", "server-ws-close-codes",
          "server-ws-deny")
# (server, check) -> (status, rules reported); anything not listed: passed, no finding.
MATRIX: dict[tuple[str, str], tuple[str, set[str]]] = {
    # Hypercorn queues http.disconnect once; the second receive() after the response blocks.
    ("hypercorn", "server-http-scope"): ("failed", {"HTTP-EVT-003"}),
    # Hypercorn reports 1006 for a client close unless the app closed first (hypercorn#127),
    # so a close with 1000 and a close without a code (1005) both arrive as 1006.
    ("hypercorn", "server-ws-echo"): ("failed", {"WS-EVT-008", "WS-EVT-006"}),
}


def _probes(server: str) -> dict[str, Scenario]:
    found = build_live_scenarios(raw_app, server, [], OPTIONS)
    return {s.id.split("/", 1)[1]: s for s in found if "/server-" in s.id}


def _run(server: str, check: str) -> Outcome:
    return _probes(server)[check].run(raw_app, OPTIONS)


def _recorded(server: str) -> bool:
    return version(server).startswith(RECORDED[server])


def test_every_server_check_is_built(server_name: str) -> None:
    assert tuple(_probes(server_name)) == CHECKS


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("server", LIVE_SERVERS)
def test_conformance_matrix(server: str, check: str) -> None:
    outcome = _run(server, check)
    assert all(v.party is Party.SERVER for v in outcome.violations), outcome.violations
    failing = any(OPTIONS.selection.fails(v) for v in outcome.violations)
    assert (outcome.status == "failed") == failing
    if _recorded(server):
        status, rules = MATRIX.get((server, check), ("passed", set()))
        assert (outcome.status, rules_of(outcome.violations)) == (status, rules), \
            outcome.transcript


def test_uvicorn_at_spec_2_3_makes_send_after_disconnect_a_no_op() -> None:
    """uvicorn announces HTTP spec 2.3, where send() after the client left should be a no-op
    (GEN-SRV-004); it is, so the check passes. At 2.4 it would have to raise (HTTP-SRV-006)."""
    outcome = _run("uvicorn", "server-disconnect-mid-stream")
    details = outcome.details
    if details["spec_version"] != "2.3":
        pytest.skip(f"this uvicorn announces HTTP spec {details['spec_version']}")
    assert details["told_app"] == "http.disconnect"
    assert details["send_after_close"] == "returned (a no-op)"
    assert outcome.status == "passed" and outcome.violations == ()
    assert "#4  " in outcome.transcript and "body=b'second\\n'" in outcome.transcript


def test_uvicorn_websockets_raise_after_close_at_2_4_and_do_not_log_it() -> None:
    outcome = _run("uvicorn", "server-ws-echo")
    details = outcome.details
    if details["spec_version"] != "2.4":
        pytest.skip(f"this uvicorn announces websocket spec {details['spec_version']}")
    assert details["send_after_close"] == "raised ClientDisconnected (an OSError subclass)"
    assert details["reraise_logged"] is False  # WS-SRV-007: caught, not logged as an error
    assert details["client_close_1000_seen_as"] == 1000
    assert details["client_close_without_code_seen_as"] == 1005


def test_a_server_deviation_is_reported_against_the_server() -> None:
    if not _recorded("hypercorn"):
        pytest.skip("the recorded deviation is Hypercorn 0.18's")
    outcome = _run("hypercorn", "server-http-scope")
    [finding] = outcome.violations
    assert (finding.rule, finding.party, finding.severity.value) == (
        "HTTP-EVT-003", Party.SERVER, "error")
    assert "['http.disconnect', 'timeout']" in finding.message
    assert outcome.details["receive_after_response"] == ["http.disconnect", "timeout"]


def test_probe_findings_ignore_the_probe_apps_own_messages(server_name: str) -> None:
    # The probe sends after a disconnect on purpose; that app-party rule is not reported.
    outcome = _run(server_name, "server-disconnect-mid-stream")
    assert "HTTP-RECV-005" not in rules_of(outcome.violations)
    assert "!! HTTP-RECV-005" not in outcome.transcript
