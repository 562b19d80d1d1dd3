"""The parts of live mode that need no server: the recording layer, log capture, and the
judgements for behaviour the installed servers do not show."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest
from live_apps import rules_of, str_body_app

from asgicheck import validate
from asgicheck.live._logs import LogCapture
from asgicheck.live._scenario import Report, probe_selection
from asgicheck.live._server_http import logged_after_reraise, send_after_close_findings
from asgicheck.live._tracker import Call, Tracker
from asgicheck.rules import RULES
from asgicheck.selection import DEFAULT
from asgicheck.violations import Party

SCOPE: dict[str, Any] = {
    "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
    "method": "GET", "path": "/", "raw_path": b"/", "query_string": b"", "root_path": "",
    "scheme": "http", "headers": [[b"host", b"127.0.0.1"]], "client": ["127.0.0.1", 5000],
    "server": ["127.0.0.1", 8000]}


def _serve_once(app: Any) -> tuple[Call, list[Any]]:
    """Call ``app`` once as a server would, with a send() that raises TypeError on str."""
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if not isinstance(message.get("body", b""), bytes):
            raise TypeError("expected bytes")
        sent.append(message)

    tracker = Tracker(app)
    mark = tracker.mark
    with pytest.raises(TypeError):
        asyncio.run(tracker(dict(SCOPE), receive, send))  # type: ignore[arg-type]
    [call] = tracker.calls_since(mark)
    return call, sent


def test_the_tracker_numbers_steps_as_the_validator_does() -> None:
    validated = validate(str_body_app, mode="record")
    call, sent = _serve_once(validated)
    [finding] = validated.violations
    assert (finding.rule, finding.index) == ("HTTP-SEND-011", 2)
    text = call.transcript([finding]).render()
    assert "#2  " in text and "body='not bytes'  !! HTTP-SEND-011" in text
    assert "the server's send() raised TypeError: expected bytes" in text
    assert call.ended == "raised" and call.done.is_set()
    assert [m["type"] for m in sent] == ["http.response.start"]


def test_the_tracker_keeps_the_scope_as_the_server_built_it() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        scope["app_added"] = True
        scope["headers"].append([b"x-added", b"1"])
        raise TypeError("stop")

    call, _ = _serve_once(app)
    assert "app_added" not in call.scope
    assert call.scope["headers"] == [[b"host", b"127.0.0.1"]]


def test_log_capture_keeps_one_thread_once() -> None:
    capture = LogCapture("asgicheck-live-test", ("asgicheck.test.live", "asgicheck.test"))
    capture.attach()
    try:
        logger = logging.getLogger("asgicheck.test.live")
        worker = threading.Thread(target=lambda: logger.error("from the server\n"),
                                  name="asgicheck-live-test")
        worker.start()
        worker.join(5)
        logger.error("from another thread")
    finally:
        capture.detach()
    [line] = capture.since(0)
    assert line.render() == "ERROR asgicheck.test.live: from the server"
    assert capture.since(capture.mark) == []


def _call(spec: str | None, outcome: object) -> Call:
    scope = {"type": "http", "asgi": {"version": "3.0"}}
    if spec is not None:
        scope["asgi"]["spec_version"] = spec
    call = Call(scope=scope)
    call.data["send_after_close"] = outcome
    return call


class _Gone(OSError):
    pass


@pytest.mark.parametrize(("spec", "outcome", "expected"), [
    ("2.4", _Gone(), set()),
    ("2.5", None, {"HTTP-SRV-006"}),
    ("2.4", "blocked", {"HTTP-SRV-006"}),
    ("2.4", RuntimeError("closed"), {"HTTP-SRV-006"}),
    ("2.3", None, set()),
    ("2.3", _Gone(), {"GEN-SRV-004"}),
    (None, RuntimeError("closed"), {"GEN-SRV-004"}),  # no spec_version means 2.0
    ("2.3", "not tried", set()),
], ids=["2.4-raises", "2.5-no-op", "2.4-blocks", "2.4-not-oserror", "2.3-no-op",
        "2.3-raises", "2.0-raises", "not-tried"])
def test_send_after_close_is_judged_by_the_announced_spec(spec: str | None, outcome: object,
                                                          expected: set[str]) -> None:
    report = Report(server="test", wait=1.0)
    send_after_close_findings(report, _call(spec, outcome), "HTTP-SRV-006")
    assert rules_of(report.findings) == expected
    assert all(v.party is Party.SERVER for v in report.findings)


def test_a_reraised_send_error_must_not_be_logged_as_an_error() -> None:
    from asgicheck.live._logs import LogLine

    report = Report(server="test", wait=1.0)
    error = LogLine(seq=1, level=logging.ERROR, logger="srv", message="Exception in ASGI app")
    warning = LogLine(seq=2, level=logging.WARNING, logger="srv", message="slow")
    logged_after_reraise(report, _call("2.4", _Gone()), "HTTP-SRV-007", [warning])
    assert report.findings == []
    logged_after_reraise(report, _call("2.4", _Gone()), "HTTP-SRV-007", [warning, error])
    assert rules_of(report.findings) == {"HTTP-SRV-007"}
    assert "'ERROR srv: Exception in ASGI app'" in report.findings[0].message


def test_probe_selection_drops_exactly_the_app_rules() -> None:
    selection = probe_selection(DEFAULT)
    for rule in RULES.values():
        expected = rule.party is Party.SERVER and DEFAULT.enabled(rule.id)
        assert selection.enabled(rule.id) == expected, rule.id
