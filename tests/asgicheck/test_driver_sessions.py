"""The driver's websocket and lifespan sessions (``Server``), and the scopes and scripts it
builds, checked against the server-side rules."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import unquote

import pytest
from bad_apps.control import app as control_app
from driver_support import echo_app, events

from asgicheck.driver import (
    HTTP_EXTENSIONS,
    Script,
    Server,
    http_scope,
    http_script,
    lifespan_scope,
    run,
    websocket_scope,
    websocket_script,
)
from asgicheck.violations import Party

# -- websocket --------------------------------------------------------------------------------

def test_websocket_messages_wait_for_accept_and_close_after() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        early = asyncio.ensure_future(receive())
        await asyncio.sleep(0.01)
        assert not early.done(), "websocket.receive was delivered before the accept"
        await send({"type": "websocket.accept"})
        assert (await early)["text"] == "hi"
        await send({"type": "websocket.close", "code": 4000})
        gone = await receive()
        assert gone == {"type": "websocket.disconnect", "code": 4000}

    t = run(app, websocket_script(websocket_scope("/ws"), [{"text": "hi"}, {"text": "never"}]))
    assert t.ended == "returned", t.render()


def test_websocket_client_close_before_accept_makes_accept_raise() -> None:
    outcome: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        try:
            await send({"type": "websocket.accept"})
        except OSError:
            outcome.append("raised")
        outcome.append((await receive())["type"])

    t = run(app, websocket_script(websocket_scope("/ws"), disconnect="before_accept",
                                  code=1006))
    assert outcome == ["raised", "websocket.disconnect"], t.render()


def test_websocket_receive_after_disconnect_waits_for_ever() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        while True:
            await receive()

    t = run(app, websocket_script(websocket_scope("/ws"), deadline=0.3))
    assert t.ended == "timeout" and t.blocked_in_receive
    assert [e["type"] for e in events(t)][-1] == "websocket.disconnect"


# -- lifespan ---------------------------------------------------------------------------------

class Shared:
    pass


def lifespan_app(log: list[Any]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        log.append((scope["type"], id(asyncio.get_running_loop())))
        if scope["type"] == "lifespan":
            await receive()
            scope["state"]["pool"] = Shared()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        log.append(dict(scope["state"]))
        scope["state"]["request.only"] = True
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body"})
    return app


def test_lifespan_state_is_a_fresh_shallow_copy_per_request_on_one_loop() -> None:
    log: list[Any] = []
    with Server(lifespan_app(log)) as server:
        assert server.startup_result is not None
        assert server.startup_result.outcome == "complete"
        first = server.run(http_script(http_scope()))
        second = server.run(http_script(http_scope()))
    assert first.ended == second.ended == "returned"
    states = [entry for entry in log if isinstance(entry, dict)]
    assert [set(s) for s in states] == [{"pool"}, {"pool"}]  # request keys do not leak
    assert states[0]["pool"] is states[1]["pool"] is server.lifespan_state["pool"]  # type: ignore
    assert len({loop for kind, loop in (e for e in log if isinstance(e, tuple))}) == 1
    assert server.transcript is not None and server.transcript.ended == "returned"
    assert [e["type"] for e in events(server.transcript)] == ["lifespan.startup",
                                                              "lifespan.shutdown"]


def test_server_without_state_support() -> None:
    seen: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append("state" in scope)
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
        else:
            await echo_app()(scope, receive, send)

    with Server(app, state=False) as server:
        server.run(http_script(http_scope()))
    assert seen == [False, False]


@pytest.mark.parametrize("kind, expected", [
    ("raise", "raised"), ("return", "returned"), ("hang", "hung"), ("fail", "failed"),
])
def test_lifespan_startup_classification(kind: str, expected: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if kind == "raise":
            raise RuntimeError("no lifespan here")
        if kind == "hang":
            await asyncio.Event().wait()
        if kind == "fail":
            await receive()
            await send({"type": "lifespan.startup.failed", "message": "no database"})

    server = Server(app, deadline=0.3, linger=0.2)
    startup = server.startup()
    assert startup.outcome == expected
    if kind == "fail":
        assert startup.message == "no database" and startup.received
    lifespan = server.shutdown()
    assert lifespan.ended in ("returned", "raised", "timeout")


# -- scopes -----------------------------------------------------------------------------------

HTTP_REQUIRED = {"type", "asgi", "http_version", "method", "path", "query_string", "headers"}


def test_minimal_scopes_have_only_required_keys() -> None:
    assert set(http_scope(minimal=True)) == HTTP_REQUIRED
    assert set(websocket_scope(minimal=True)) == {"type", "asgi", "path", "headers"}
    assert set(lifespan_scope(minimal=True)) == {"type", "asgi"}
    assert http_scope(minimal=True)["asgi"] == {"version": "3.0"}


def test_full_http_scope_follows_the_spec() -> None:
    scope = http_scope("post", "/a b/ü", root_path="", body=b"xy", extensions=["x.y"])
    assert scope["method"] == "POST"
    assert unquote(scope["raw_path"].decode("ascii")) == scope["path"]
    assert all(type(h) is list and [type(p) for p in h] == [bytes, bytes]
               for h in scope["headers"])
    assert all(name == name.lower() for name, _ in scope["headers"])
    assert [b"content-length", b"2"] in scope["headers"]
    assert scope["extensions"] == {"x.y": {}}
    assert "extensions" not in http_scope(extensions=None)
    assert http_scope(spec_version=None)["asgi"] == {"version": "3.0"}
    mounted = http_scope(path="/mnt/x", root_path="/mnt")
    assert mounted["path"].startswith(mounted["root_path"])


def test_debug_extension_is_advertised_only_when_asked() -> None:
    assert "http.response.debug" not in http_scope()["extensions"]
    assert "http.response.debug" in http_scope(extensions=["http.response.debug"])["extensions"]


SELF_CHECK = [
    http_script(http_scope("POST", "/echo", body=b"abc"), [b"a", b"", b"bc"]),
    http_script(http_scope("POST", "/echo", body=b"abc"), [b"a"], disconnect="mid_body"),
    http_script(http_scope(minimal=True), bare=True),
    http_script(http_scope(spec_version=None, extensions=None), disconnect="first"),
    http_script(http_scope("GET", "/stream", spec_version="2.3"), disconnect="mid_stream"),
    http_script(http_scope(extensions=HTTP_EXTENSIONS, http_version="2"), delay=0.01),
    websocket_script(websocket_scope("/ws", subprotocols=["chat"]), [{"text": "a"}]),
    websocket_script(websocket_scope("/ws", minimal=True), [{"bytes": b"a"}]),
    websocket_script(websocket_scope("/ws", spec_version="2.5"), [{"text": "a", "bytes": None}],
                     code=1001, reason=None),
    websocket_script(websocket_scope("/ws"), disconnect="before_accept", code=1006),
    websocket_script(websocket_scope("/ws"), disconnect="after_accept"),
    websocket_script(websocket_scope("/other")),
]


@pytest.mark.parametrize("script", SELF_CHECK, ids=lambda s: ", ".join(map(str, s.steps)))
def test_driver_scopes_and_events_break_no_server_rule(script: Script) -> None:
    t = run(control_app, script)
    assert [v for v in t.violations if v.party is Party.SERVER] == [], t.render()
    assert t.ended == "returned", t.render()


def test_lifespan_scopes_and_events_break_no_server_rule() -> None:
    with Server(control_app) as server:
        server.run(http_script(http_scope()))
    assert server.transcript is not None
    assert [v for v in server.transcript.violations if v.party is Party.SERVER] == []
