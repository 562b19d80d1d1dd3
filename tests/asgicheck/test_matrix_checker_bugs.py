"""Regressions for the checker bugs the conformance matrix found (matrix/checker-bugs.md)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from asgicheck.contract import Outcome, RunOptions, Target
from asgicheck.scenarios import build_scenarios, close_sessions, context_for
from asgicheck.scenarios._context import RESTARTED
from asgicheck.violations import Severity

FAST = RunOptions(deadline=1.0, linger=0.3, hold_back=0.05, block_threshold=0.5)


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Any:
    yield
    close_sessions()


def run_all(app: Any, targets: list[Target]) -> dict[str, Outcome]:
    return {s.id: s.run(app, FAST) for s in build_scenarios(targets, FAST)}


def run_one(app: Any, target: Target, prefix: str) -> Outcome:
    (scenario,) = [s for s in build_scenarios([target], FAST) if s.id.startswith(prefix)]
    return scenario.run(app, FAST)


# -- CB-1: one lifespan cycle per app object ----------------------------------------------------


class StartedOnce:
    """Like BlackSheep 2.6.4: set up at startup, and broken by a second startup."""

    def __init__(self) -> None:
        self.loops: list[int] = []  # the event loop of each lifespan.startup

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.loops.append(id(asyncio.get_running_loop()))
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        elif scope["type"] == "http":
            await receive()
            status = 200 if len(self.loops) <= 1 else 500
            await send({"type": "http.response.start", "status": status, "headers": []})
            await send({"type": "http.response.body", "body": b""})
        else:
            raise ValueError(scope["type"])


def test_a_run_starts_the_app_once_on_its_loop_and_l02_alone_on_a_fresh_one() -> None:
    app = StartedOnce()
    outcomes = run_all(app, [Target()])
    # The session's startup, then L02's server without state: never twice on one loop.
    assert len(app.loops) == 2 and len(set(app.loops)) == 2
    plain = outcomes["http/S01-plain[GET /]"]
    assert "status=200" in plain.transcript, plain.transcript
    assert outcomes["lifespan/L03-probe"].details["classification"] == "supports"
    full = outcomes["lifespan/L01-full"]
    assert full.status == "passed" and "lifespan.shutdown.complete" in full.transcript
    no_state = outcomes["lifespan/L02-no-state"]
    assert no_state.details["second_server"] is True
    assert "fresh event loop" in no_state.transcript


def test_l01_and_l02_come_after_every_exchange() -> None:
    ids = [s.id for s in build_scenarios([Target(), Target(kind="websocket", path="/ws")], FAST)]
    assert ids[0] == "lifespan/L03-probe"
    assert ids[-2:] == ["lifespan/L01-full", "lifespan/L02-no-state"]


def test_an_exchange_after_the_session_ended_runs_in_a_second_one_and_says_so() -> None:
    app = StartedOnce()
    target = Target()
    run_one(app, target, "lifespan/L01")
    assert len(app.loops) == 1
    late = run_one(app, target, "http/S09")  # e.g. a fuzzing item listed after L01
    assert len(app.loops) == 2 and app.loops[0] != app.loops[1]
    assert late.transcript.startswith(f"note: {RESTARTED}")
    assert late.details["notes"] == [RESTARTED]


def test_an_app_that_returns_after_startup_is_not_started_again() -> None:
    startups = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal startups
        if scope["type"] == "lifespan":
            await receive()
            startups += 1
            await send({"type": "lifespan.startup.complete"})
            return  # allowed: the server then serves without waiting for shutdown
        await receive()
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body"})

    ctx = context_for(app, FAST)
    for _ in range(3):
        assert ctx.server() is not None
    assert startups == 1


def test_a_5xx_only_inside_the_session_gets_a_note() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            scope["state"]["myapp.broken"] = True
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await receive()
        status = 500 if scope.get("state", {}).get("myapp.broken") else 200
        await send({"type": "http.response.start", "status": status})
        await send({"type": "http.response.body"})

    outcome = run_one(app, Target(), "http/S01")
    assert outcome.details["status_without_lifespan"] == 200
    assert "got 500, but 200 when sent without lifespan" in outcome.transcript


# -- CB-2: an app's own exception after http.disconnect ----------------------------------------


async def no_response_returned(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        raise ValueError(scope["type"])
    message = await receive()
    if message["type"] == "http.disconnect":
        raise RuntimeError("No response returned.")  # what BaseHTTPMiddleware raises (C5)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def test_raising_its_own_error_after_a_disconnect_fails_s06() -> None:
    outcome = run_one(no_response_returned, Target(method="POST", body=b"x"), "http/S06")
    assert outcome.status == "failed"
    (found,) = outcome.violations
    assert found.rule == "OPS-APP-001" and found.severity is Severity.WARNING
    assert "No response returned." in found.message


def test_app_mode_and_middleware_mode_agree_on_basehttpmiddleware() -> None:
    base = pytest.importorskip("starlette.middleware.base")
    from asgicheck.mwmode import build_middleware_scenarios

    class NoOp(base.BaseHTTPMiddleware):  # type: ignore[misc, name-defined]
        async def dispatch(self, request: Any, call_next: Any) -> Any:
            return await call_next(request)

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        if (await receive())["type"] == "http.disconnect":
            return  # nobody to answer
        # With headers: Starlette before 1.10 (what Python 3.10 gets) needs them, and this test
        # is about the disconnect, not about that (real) bug.
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app_mode = run_one(NoOp(inner), Target(method="POST", body=b"x"), "http/S06")
    (mw_scenario,) = [s for s in build_middleware_scenarios(NoOp, options=FAST)
                      if s.id == "middleware/disconnect-before-response"]
    mw_mode = mw_scenario.run(None, FAST)
    for outcome in (app_mode, mw_mode):
        assert outcome.status == "failed", outcome.transcript
        assert "OPS-APP-001" in {v.rule for v in outcome.violations}


def test_an_exception_raised_from_the_send_error_still_passes_s07() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(scope["type"])
        await receive()
        await send({"type": "http.response.start", "status": 200})
        try:
            for _ in range(50):
                await send({"type": "http.response.body", "body": b"x", "more_body": True})
                await asyncio.sleep(0.001)
        except OSError as exc:
            raise RuntimeError("stream aborted") from exc  # chained: HTTP-RECV-006 allows it
        await send({"type": "http.response.body"})

    outcome = run_one(app, Target(), "http/S07")
    assert outcome.status == "passed", outcome.transcript


# -- CB-3: HTTP-RECV-002 for an app that read every declared byte ------------------------------


def reader(*, declared: bool) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(scope["type"])
        headers = {k.lower(): v for k, v in scope["headers"]}
        length = int(headers.get(b"content-length", b"0")) if declared else 1
        body = b""
        while len(body) < length:  # Falcon's req.stream.read() stops at content-length
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"done"})
    return app


def test_reading_the_declared_length_is_an_info_that_says_so() -> None:
    outcome = run_one(reader(declared=True), Target(method="POST", body=b"hello matrix"),
                      "http/S03")
    assert outcome.status == "passed"
    (found,) = outcome.violations
    assert found.rule == "HTTP-RECV-002" and found.severity is Severity.INFO
    assert "read the 12 bytes content-length declares" in found.message
    assert "unread request body" not in found.message


def test_leaving_body_bytes_unread_still_warns() -> None:
    outcome = run_one(reader(declared=False), Target(method="POST", body=b"hello matrix"),
                      "http/S03")
    assert outcome.status == "warned"
    (found,) = outcome.violations
    assert found.rule == "HTTP-RECV-002" and found.severity is Severity.WARNING
    assert "unread request body" in found.message


def test_closing_last_keeps_l01_and_l02_after_scenarios_a_suite_adds() -> None:
    from asgicheck.scenarios import closing_last

    fixed = build_scenarios([Target()], FAST)
    added = build_scenarios([Target(path="/extra")], FAST)[1:3]  # stand-ins for fuzz items
    ordered = closing_last([*fixed, *added])
    assert [s.id for s in ordered[-2:]] == ["lifespan/L01-full", "lifespan/L02-no-state"]
    assert {s.id for s in ordered} == {s.id for s in [*fixed, *added]}


# -- CB-4: a receive() cancelled while another one waits ended both ----------------------------


def test_starlette_streaming_that_polls_for_disconnects_passes_s10() -> None:
    """Below spec 2.4 (S10's scope has no spec_version) StreamingResponse listens for the
    disconnect in a task of its own; ``Request.is_disconnected()`` polls ``receive()`` and is
    cancelled at once. Under uvicorn every chunk and the final more_body=False go out."""
    pytest.importorskip("starlette")
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    async def stream(request: Request) -> StreamingResponse:
        async def ticks() -> Any:
            for n in range(3):
                if await request.is_disconnected():
                    return
                yield b"tick %d\n" % n
                await asyncio.sleep(0)
        return StreamingResponse(ticks(), media_type="text/plain")

    app = Starlette(routes=[Route("/stream", stream)])
    outcome = run_one(app, Target(path="/stream"), "http/S10")
    assert outcome.status == "passed", outcome.transcript
    assert "tick 2" in outcome.transcript, outcome.transcript
