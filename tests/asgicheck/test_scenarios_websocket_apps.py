"""Websocket apps that real users write, judged for what they do: an app that serves only
websockets (it rejects http scopes with an exception, as asgi.rst lets it), and an endpoint that
takes text frames only (FastAPI's ``receive_text()``)."""

from __future__ import annotations

from collections.abc import Callable
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


def replying(reply: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """A websocket-only app that answers each websocket.receive with ``reply(message)``."""
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return await lifespan(scope, receive, send)
        if scope["type"] != "websocket":
            raise RuntimeError("websockets only")
        if (await receive())["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        while (message := await receive())["type"] != "websocket.disconnect":
            await send({"type": "websocket.send", **reply(message)})

    return app


# What FastAPI's receive_text() does: message["text"], so a binary frame crashes it (KeyError
# from uvicorn's shape; hypercorn's gives None).
text_frames_only = replying(lambda message: {"text": message["text"]})
# Wrong: hypercorn sends bytes=None with a text frame.
assumes_bytes_key_means_binary = replying(
    lambda message: {"bytes": bytes(message["bytes"])} if "bytes" in message
    else {"text": message["text"]})


def test_an_endpoint_for_text_frames_only_does_not_break_the_receive_shapes() -> None:
    shapes = outcomes(text_frames_only, [WS])["websocket/W02-receive-shapes[WS /ws]"]
    assert shapes.status == "passed", shapes.transcript
    assert shapes.violations == ()  # neither WS-RECV-002 nor the text=None it would then send
    assert shapes.details["notes"] == [
        "the endpoint does not take binary frames: it raised KeyError('text') on "
        "{'bytes': b'x'}, the shape uvicorn sends (the crash is the plain exchange's to report, "
        "W01), so the two shapes of a binary frame were not compared"]


def test_the_fastapi_receive_text_endpoint_passes_the_receive_shapes() -> None:
    fastapi = pytest.importorskip("fastapi")
    app = fastapi.FastAPI()

    async def echo(websocket: Any) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(await websocket.receive_text())
        except fastapi.WebSocketDisconnect:
            pass

    echo.__annotations__["websocket"] = fastapi.WebSocket  # how FastAPI knows to inject it
    app.websocket("/ws")(echo)
    found = outcomes(app, [WS])
    assert found["websocket/W02-receive-shapes[WS /ws]"].status == "passed"
    assert found["websocket/W02-receive-shapes[WS /ws]"].violations == ()
    # The crash on a binary frame is still reported, once, where the plain exchange shows it.
    assert {v.rule for v in found["websocket/W01-echo[WS /ws]"].violations} == {"OPS-APP-001"}


def test_a_crash_on_one_shape_of_a_frame_the_app_takes_breaks_ws_recv_002() -> None:
    shapes = outcomes(assumes_bytes_key_means_binary, [WS])["websocket/W02-receive-shapes[WS /ws]"]
    assert shapes.status == "failed"
    assert [v.message for v in shapes.violations if v.rule == "WS-RECV-002"] == [
        "the app took {'text': 'x'} but raised TypeError(\"cannot convert 'NoneType' object to "
        "bytes\") on {'bytes': None, 'text': 'x'}, the same text message; either key may be "
        "missing or None: pick the payload by value"]
