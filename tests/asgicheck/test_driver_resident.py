"""A body resident in the app's thread: its exchanges run inline, with the transcripts a hand-off
gives, every deadline kept, and a wedge ending the body with the records it cut short."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from bad_apps.hostile import never_returns, swallows_cancellation
from driver_support import echo_app, rules

from asgicheck.driver import (
    Evicted,
    Server,
    Stranded,
    _watchdog,
    http_scope,
    http_script,
    resident,
    run,
)

DEADLINE = 0.3


def scripts() -> list[Any]:
    return [http_script(http_scope("POST", "/", body=bytes([65 + n])), [bytes([65 + n])])
            for n in range(3)]


def test_exchanges_run_in_the_apps_thread_with_the_transcripts_a_hand_off_gives() -> None:
    threads: list[int] = []
    inner = echo_app()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        threads.append(threading.get_ident())
        await inner(scope, receive, send)

    def body() -> tuple[int, list[Any]]:
        return threading.get_ident(), [run(app, s) for s in scripts()]

    where, inside = resident(body)
    outside = [run(app, s) for s in scripts()]
    assert where != threading.get_ident() and set(threads) == {where}
    assert [t.body for t in inside] == [t.body for t in outside] == [b"A", b"B", b"C"]
    assert [[type(e).__name__ for e in t.entries] for t in inside] == \
        [[type(e).__name__ for e in t.entries] for t in outside]
    assert [t.violations for t in inside] == [t.violations for t in outside]


def test_no_job_is_queued_for_an_exchange_of_a_resident_body() -> None:
    runner = _watchdog.shared_runner()
    jobs = runner._jobs  # its thread reads this queue; the test counts what is put in it
    queued: list[object] = []

    class Counting:
        def put(self, item: Any) -> None:
            queued.append(item)
            jobs.put(item)

    runner._jobs = Counting()  # type: ignore[assignment]
    try:
        resident(lambda: [run(echo_app(), s) for s in scripts()])
    finally:
        runner._jobs = jobs
    assert len(queued) == 1  # the body itself


def test_a_lifespan_session_serves_a_resident_body_on_its_own_loop() -> None:
    inner = echo_app()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            return await inner(scope, receive, send)
        while (await receive())["type"] == "lifespan.startup":
            scope["state"]["started"] = True
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})

    with Server(app, deadline=1.0) as server:
        t = resident(lambda: server.run(http_script(http_scope())), server.runner)
    assert server.started and t.ended == "returned" and t.scope["state"] == {"started": True}


@pytest.mark.parametrize("app", [never_returns, swallows_cancellation],
                         ids=lambda a: a.__name__)
def test_an_app_that_hangs_ends_at_its_deadline_and_the_body_goes_on(app: Any) -> None:
    def body() -> list[str]:
        hung = run(app, http_script(http_scope(), deadline=DEADLINE))
        return [hung.ended, *rules(hung), run(echo_app(), http_script(http_scope())).ended]

    started = time.perf_counter()
    found = resident(body)
    assert time.perf_counter() - started < DEADLINE + 1
    assert found[0] == "timeout" and "OPS-APP-002" in found and found[-1] == "returned"


def test_a_wedge_strands_the_body_with_the_record_it_cut_short() -> None:
    release, after = threading.Event(), threading.Event()

    async def blocks(scope: Any, receive: Any, send: Any) -> None:
        release.wait(10)  # blocks the loop's thread until the test lets it go

    def body() -> None:
        run(echo_app(), http_script(http_scope()))
        run(blocks, http_script(http_scope("GET", "/block"), deadline=DEADLINE))
        after.set()  # never reached: the caller gave up on this thread

    runner = _watchdog.shared_runner()
    started = time.perf_counter()
    with pytest.raises(Stranded) as stranded:
        resident(body)
    waited = time.perf_counter() - started
    assert DEADLINE < waited < DEADLINE + 1.5
    assert runner.retired
    (cut,) = stranded.value.transcripts
    assert cut.ended == "timeout" and cut.scope["path"] == "/block"
    assert "OPS-APP-002" in rules(cut)
    release.set()
    runner.join(2)
    assert not after.is_set()  # the evicted thread did nothing more
    assert run(echo_app(), http_script(http_scope())).ended == "returned"  # a fresh runner


def test_the_body_may_take_longer_than_a_deadline_between_exchanges() -> None:
    def body() -> str:
        run(echo_app(), http_script(http_scope(), deadline=0.05))
        time.sleep(0.5)  # the body's own work, ten deadlines long: no wedge
        return run(echo_app(), http_script(http_scope(), deadline=0.05)).ended

    assert resident(body) == "returned"


def test_what_the_body_raises_reaches_the_caller_and_evicted_is_a_base_exception() -> None:
    def body() -> None:
        raise LookupError("from the body")

    with pytest.raises(LookupError, match="from the body"):
        resident(body)
    assert not issubclass(Evicted, Exception)
    assert run(echo_app(), http_script(http_scope())).ended == "returned"
