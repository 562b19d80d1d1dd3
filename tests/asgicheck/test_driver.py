"""The driver: a strict server in a box. Request bodies, the client going away, transcripts.

No sleeps stand in for synchronisation: ordering is read from the transcript, and the only
waits are deadlines (kept small) and the driver's own hold-back delays. Websocket, lifespan and
scopes are in test_driver_sessions.py; hostile apps, the watchdog and the loop's thread in
test_driver_watchdog.py.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest
from driver_support import Events, echo_app, events, rules

from asgicheck.driver import (
    ClientDisconnected,
    http_scope,
    http_script,
    run,
    run_concurrently,
)
from asgicheck.transcript import Note, Received, Sent
from asgicheck.violations import ViolationError

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


# -- concurrent and cancelled receive() ---------------------------------------------------------

def poller(chunks: int) -> Any:
    """Starlette's StreamingResponse at spec 2.0, in raw ASGI: one task listens for the
    disconnect in ``receive()`` while the streaming side polls ``receive()`` between chunks and
    cancels the poll at once (``Request.is_disconnected()``)."""
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        listener = asyncio.ensure_future(receive())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for n in range(chunks):
            poll = asyncio.ensure_future(receive())
            await asyncio.sleep(0)  # the poll is now blocked in receive()
            poll.cancel()
            await asyncio.gather(poll, return_exceptions=True)
            assert not listener.done(), "the listener woke while the client was still there"
            await send({"type": "http.response.body", "body": b"%d" % n, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        assert (await listener)["type"] == "http.disconnect"
    return app


def test_a_cancelled_receive_does_not_end_a_concurrent_one() -> None:
    t = run(poller(3), http_script(http_scope()))
    assert t.ended == "returned", t.render()
    assert t.body == b"012" and not t.violations, t.render()
    assert [e["type"] for e in events(t)] == ["http.request", "http.disconnect"]


def test_a_cancelled_receive_does_not_consume_what_comes_next() -> None:
    seen: Events = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        early = asyncio.ensure_future(receive())  # the body is held back: this one waits
        await asyncio.sleep(0)
        early.cancel()
        await asyncio.gather(early, return_exceptions=True)
        seen.append(await receive())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": seen[0]["body"]})

    t = run(app, http_script(http_scope("POST", "/", body=b"abc"), [b"abc"], delay=0.02))
    assert t.ended == "returned", t.render()
    assert seen == [{"type": "http.request", "body": b"abc", "more_body": False}]
    assert t.body == b"abc" and not t.violations, t.render()


def test_a_raised_exchange_records_where_the_app_raised_outside_asgicheck() -> None:
    async def connect() -> None:
        raise RuntimeError("database is down")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await connect()

    t = run(app, http_script(http_scope("GET", "/")))
    assert t.ended == "raised"
    assert {file for file, _, _ in t.raised_at} == {__file__}, t.raised_at  # none of ours
    assert [(f["function"], f["code"]) for f in t.frames()] == [
        ("app", "await connect()"), ("connect", 'raise RuntimeError("database is down")')]
    assert "        at " in t.render() and "in connect: raise RuntimeError" in t.render()
    assert t.record()["raised_at"][-1]["function"] == "connect"


def test_an_exchange_that_returned_records_no_frames() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    t = run(app, http_script(http_scope("GET", "/")))
    assert t.ended == "returned" and t.raised_at == () and t.record()["raised_at"] == []


def test_an_app_that_keeps_sending_after_the_client_left_is_still_cancelled() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while True:  # spec 2.3: each send() after the disconnect is a silent no-op
            await send({"type": "http.response.body", "body": b"x", "more_body": True})

    t = run(app, http_script(http_scope(spec_version="2.3"), disconnect="mid_stream",
                             deadline=1.0, linger=0.2))
    assert t.ended == "timeout" and t.timed_out == "linger", t.render()


def test_one_send_that_raises_after_the_client_left_ends_in_the_first_step() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "http.disconnect"
        await send({"type": "http.response.start", "status": 200, "headers": []})

    t = run(app, http_script(http_scope(spec_version="2.4"), disconnect="first", linger=0.2))
    assert t.ended == "raised" and t.exception_type == "ClientDisconnected"
    # It never waited on anything, so it took no turn of the loop: its whole run was one step.
    assert t.max_stall == t.duration
