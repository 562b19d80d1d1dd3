"""Websocket apps that real users write, judged for what they do: an app that serves only
websockets (it rejects http scopes with an exception, as asgi.rst lets it), and an endpoint that
takes text frames only (FastAPI's ``receive_text()``)."""

from __future__ import annotations

from typing import Any

import pytest
from asgi_blocks import lifespan, websocket_echo
from bad_apps import WS

from asgicheck.contract import Outcome, RunOptions, Target
from asgicheck.scenarios import build_scenarios, close_sessions

OPTIONS = RunOptions(deadline=2.0, linger=0.3, hold_back=0.05, block_threshold=0.5)


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Any:
    yield
    close_sessions()


def outcomes(app: Any, targets: list[Target]) -> dict[str, Outcome]:
    return {s.id: s.run(app, OPTIONS) for s in build_scenarios(targets, OPTIONS)}


async def websocket_only(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        return await lifespan(scope, receive, send)
    if scope["type"] != "websocket":
        # asgi.rst: "Applications should ... reject any protocol they do not understand with
        # an Exception"
        raise RuntimeError(f"this app serves websockets only, not {scope['type']}")
    await websocket_echo(receive, send)


def test_a_websocket_only_app_passes_its_lifespan_cycle() -> None:
    found = outcomes(websocket_only, [WS])
    for name in ("lifespan/L01-full", "lifespan/L02-no-state"):
        assert found[name].status == "passed", found[name].transcript
        # The state was carried by a websocket session, not by an http GET / it rejects.
        assert "[L02-no-state: request] websocket /ws" in found["lifespan/L02-no-state"].transcript
        assert "http GET /" not in found[name].transcript
    assert found["websocket/W01-echo[WS /ws]"].status == "passed"


async def state_needing_websocket(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        return await lifespan(scope, receive, send)
    if scope["type"] != "websocket":
        raise RuntimeError("websockets only")
    scope["state"]["db"]  # noqa: B018 - wrong: 'state' is optional, the app crashes without it
    await websocket_echo(receive, send)


def test_a_websocket_session_that_needs_the_state_still_breaks_ls_app_005() -> None:
    found = outcomes(state_needing_websocket, [WS])["lifespan/L02-no-state"]
    assert found.status == "failed"
    (state,) = [v for v in found.violations if v.rule == "LS-APP-005"]
    assert "the websocket session raised KeyError('state')" in state.message
