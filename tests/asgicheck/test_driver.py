"""The driver: a strict server in a box. Scripts, timing, disconnects, lifespan, hostile apps.

No sleeps stand in for synchronisation: ordering is read from the transcript, and the only
waits are deadlines (kept small) and the driver's own hold-back delays.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from typing import Any
from urllib.parse import unquote

import pytest
from bad_apps.control import app as control_app
from bad_apps.hostile import (
    blocks,
    generator_exit,
    keyboard_interrupt,
    never_returns,
    not_async,
    returns_42,
    sends_a_str,
    spins,
    swallows_cancellation,
    system_exit,
)

from asgicheck import _watchdog
from asgicheck.driver import (
    HTTP_EXTENSIONS,
    ClientDisconnected,
    Gate,
    Script,
    Server,
    http_scope,
    http_script,
    lifespan_scope,
    run,
    run_concurrently,
    websocket_scope,
    websocket_script,
)
from asgicheck.transcript import Note, Received, Sent, Transcript
from asgicheck.violations import Party, ViolationError

Events = list[dict[str, Any]]


def rules(t: Transcript) -> set[str]:
    return {v.rule for v in t.violations}


def events(t: Transcript) -> Events:
    return t.received


def echo_app(log: Events | None = None) -> Any:
    """Reads the whole body (recording every event), echoes it, then waits for the disconnect."""
    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            if log is not None:
                log.append(message)
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
        last = await receive()
        if log is not None:
            log.append(last)
    return app


# -- request bodies ---------------------------------------------------------------------------

@pytest.mark.parametrize("chunks", [
    [b""], [b"abcdef"], [b"abc", b"", b"def"], [b"abc", b"def", b""], [b"", b""],
    [b"a"] * 20,
], ids=["empty", "one", "empty-middle", "final-empty", "all-empty", "many"])
def test_body_chunks_arrive_in_order_and_complete(chunks: list[bytes]) -> None:
    body = b"".join(chunks)
    t = run(echo_app(), http_script(http_scope("POST", "/echo", body=body), chunks))
    requests = [e for e in events(t) if e["type"] == "http.request"]
    assert [e["body"] for e in requests] == chunks
    assert [e["more_body"] for e in requests] == [True] * (len(chunks) - 1) + [False]
    assert t.body == body and t.status == 200 and t.ended == "returned"


def test_bare_request_has_no_body_keys() -> None:
    t = run(echo_app(), http_script(http_scope(), bare=True))
    assert events(t)[0] == {"type": "http.request"}
    assert t.status == 200


def test_receive_after_body_blocks_until_the_response_is_complete() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        listener = asyncio.ensure_future(receive())  # Starlette's disconnect listener
        await asyncio.sleep(0.01)
        assert not listener.done(), "receive() returned before the client went away"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})
        assert (await listener)["type"] == "http.disconnect"

    t = run(app, http_script(http_scope()))
    assert t.ended == "returned", t.render()
    kinds = [(type(e).__name__, e.event["type"] if isinstance(e, Received) else "")
             for e in t.entries if not isinstance(e, Note)]
    assert kinds[-1] == ("Received", "http.disconnect")
    assert kinds.count(("Received", "http.request")) == 1


def test_http_request_is_never_repeated_and_disconnect_is() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body"})
        for _ in range(3):
            assert (await receive())["type"] == "http.disconnect"

    t = run(app, http_script(http_scope()))
    assert [e["type"] for e in events(t)] == ["http.request"] + ["http.disconnect"] * 3
    assert t.ended == "returned"


def test_a_slow_client_makes_each_send_take_its_time() -> None:
    t = run(echo_app(), http_script(http_scope(), send_delay=0.03))
    sends = [e for e in t.entries if isinstance(e, Sent)]
    assert t.duration >= 0.06 and len(sends) == 2 and sends[1].time >= 0.03


def test_held_back_request_arrives_after_the_delay() -> None:
    t = run(echo_app(), http_script(http_scope(), delay=0.05))
    first = next(e for e in t.entries if isinstance(e, Received))
    assert first.time >= 0.05


# -- the client going away --------------------------------------------------------------------

def test_disconnect_first() -> None:
    log: Events = []
    t = run(echo_app(log), http_script(http_scope(), disconnect="first"))
    assert [e["type"] for e in log] == ["http.disconnect"]
    assert t.ended == "returned" and t.status is None


def test_disconnect_mid_body_then_repeated() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen = [(await receive())["type"] for _ in range(3)]
        assert seen == ["http.request", "http.disconnect", "http.disconnect"]

    t = run(app, http_script(http_scope("POST", "/", body=b"abcdef"), [b"abc"],
                             disconnect="mid_body"))
    assert t.ended == "returned", t.render()
    assert events(t)[0] == {"type": "http.request", "body": b"abc", "more_body": True}


def streamer(results: list[str]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"1", "more_body": True})
        try:
            await send({"type": "http.response.body", "body": b"2", "more_body": True})
            results.append("sent")
        except ClientDisconnected as exc:
            results.append(f"raised {type(exc).__mro__[1].__name__}")
    return app


def test_spec_2_4_send_raises_client_disconnected_after_mid_stream_disconnect() -> None:
    results: list[str] = []
    t = run(streamer(results), http_script(http_scope(spec_version="2.4"),
                                           disconnect="mid_stream"))
    assert results == ["raised OSError"]
    assert [e.result for e in t.entries if isinstance(e, Sent)] == ["ok", "ok", "raised"]


def test_spec_2_3_send_after_disconnect_is_a_silent_no_op() -> None:
    results: list[str] = []
    t = run(streamer(results), http_script(http_scope(spec_version="2.3"),
                                           disconnect="mid_stream"))
    assert results == ["sent"]
    assert [e.result for e in t.entries if isinstance(e, Sent)] == ["ok", "ok", "ignored"]


def test_messages_after_completion_are_recorded_and_ignored_not_raised() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        await send({"type": "http.response.body", "body": b"late"})

    t = run(app, http_script(http_scope(spec_version="2.4")))
    assert t.ended == "returned"
    assert [e.result for e in t.entries if isinstance(e, Sent)][-1] == "ignored"


def test_linger_ends_an_app_that_outlives_the_client() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while True:
            await send({"type": "http.response.body", "body": b".", "more_body": True})
            await asyncio.sleep(0.001)

    t = run(app, http_script(http_scope(spec_version="2.3"), disconnect="mid_stream",
                             deadline=5.0, linger=0.2))
    assert t.ended == "timeout" and t.timed_out == "linger"
    assert t.duration < 1.0
    assert "OPS-APP-002" in rules(t)


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


# -- transcripts ------------------------------------------------------------------------------

def test_render_shows_each_step_and_marks_the_offending_one() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": "not bytes"})

    t = run(app, http_script(http_scope("POST", "/", body=b"abc"), [b"abc"]))
    text = t.render()
    assert "→ http.request body=b'abc' more_body=False" in text
    assert "← http.response.start status=200 headers=[]" in text
    marked = [line for line in text.splitlines() if "!!" in line and "#2" in line]
    assert marked, text
    assert [type(e).__name__ for e in t.entries][:3] == ["Received", "Sent", "Sent"]
    assert t.sent_types == ("http.response.start", "http.response.body")


def test_transcript_records_the_end() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> int:
        scope["app"] = "changed"
        raise KeyError("body")

    t = run(app, http_script(http_scope()))
    assert t.ended == "raised" and t.exception == "KeyError('body')"
    assert t.exception_types == ("KeyError",)
    assert t.scope_changes == ("app",)
    assert "raised KeyError('body')" in t.render()


def test_each_exchange_gets_a_fresh_context() -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="fresh")
    var.set("caller")
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(var.get())
        var.set("app")
        await echo_app()(scope, receive, send)

    run(app, http_script(http_scope()))
    run(app, http_script(http_scope()))
    assert seen == ["fresh", "fresh"]


def test_raise_invalid_makes_send_raise() -> None:
    caught: list[BaseException] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        try:
            await send({"type": "http.response.start", "status": "200"})
        except ViolationError as exc:
            caught.append(exc)

    t = run(app, http_script(http_scope(), raise_invalid=True))
    if not t.violations:
        pytest.skip("the validator does not check status types yet")
    assert caught


def test_concurrent_exchanges_share_the_app_and_loop() -> None:
    loops: set[int] = set()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        loops.add(id(asyncio.get_running_loop()))
        await echo_app()(scope, receive, send)

    scripts = [http_script(http_scope("POST", "/", body=bytes([65 + n])), [bytes([65 + n])],
                           delay=0.01) for n in range(5)]
    found = run_concurrently(app, scripts)
    assert [t.body for t in found] == [b"A", b"B", b"C", b"D", b"E"]
    assert len(loops) == 1


def test_tasks_an_isolated_exchange_leaves_behind_are_cancelled() -> None:
    cancelled = threading.Event()

    async def background() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def app(scope: Any, receive: Any, send: Any) -> None:
        asyncio.ensure_future(background())
        await asyncio.sleep(0)  # let it start
        await echo_app()(scope, receive, send)

    run(app, http_script(http_scope()))
    run(echo_app(), http_script(http_scope()))  # the next exchange lets it see the cancel
    assert cancelled.wait(1)


def test_the_portable_loop_driver_works_too() -> None:
    from asgicheck.driver import _run_on
    from asgicheck.selection import DEFAULT

    runner = _watchdog.Runner(portable=True)
    try:
        scripts = [http_script(http_scope("POST", "/", body=b"x"), [b"x"], delay=0.01)]
        t = _run_on(runner, echo_app(), scripts, DEFAULT, state=None, isolate=True)[0]
        assert t.body == b"x" and t.ended == "returned"
    finally:
        runner.retire()
        runner.join(1)


# -- hostile apps -----------------------------------------------------------------------------

DEADLINE = 0.3


@pytest.mark.parametrize("app, ended, finding", [
    (never_returns, "timeout", "OPS-APP-002"),
    (swallows_cancellation, "timeout", "OPS-APP-002"),
    (blocks, "timeout", "OPS-APP-003"),
    (spins, "timeout", "OPS-APP-002"),
    (keyboard_interrupt, "raised", None),
    (system_exit, "raised", None),
    (generator_exit, "raised", None),
    (returns_42, "returned", "OPS-APP-004"),
    (sends_a_str, "returned", "GEN-APP-003"),
    (not_async, "returned", "GEN-APP-001"),
], ids=lambda v: getattr(v, "__name__", str(v)))
def test_hostile_apps_end_within_the_deadline(app: Any, ended: str, finding: str | None
                                              ) -> None:
    started = time.perf_counter()
    t = run(app, http_script(http_scope(), deadline=DEADLINE))
    assert time.perf_counter() - started < DEADLINE + 1
    assert t.ended == ended, t.render()
    if finding:
        assert finding in rules(t), t.render()
    if ended == "raised":
        assert t.exception is not None
    assert run(echo_app(), http_script(http_scope())).ended == "returned"  # the driver lives


def test_blocking_under_the_deadline_is_reported_with_its_stall() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        time.sleep(0.25)
        await echo_app()(scope, receive, send)

    t = run(app, http_script(http_scope(), deadline=2.0, block_threshold=0.1))
    assert t.ended == "returned"
    assert t.max_stall >= 0.15
    assert "OPS-APP-003" in rules(t)


def test_a_wedged_loop_is_replaced() -> None:
    before = _watchdog.shared_runner()
    t = run(blocks, http_script(http_scope(), deadline=DEADLINE))
    assert t.ended == "timeout"
    assert before.retired
    after = _watchdog.shared_runner()
    assert after is not before and not after.retired


def test_gate_names_are_stable() -> None:
    assert {g.value for g in Gate} == {"call", "started", "streaming", "complete", "accept",
                                       "idle", "signal"}
