"""Background tasks (reference_app/background.py): after the response, never lost.

Bug class J: tasks cancelled when the client leaves (J1), the final body held back until the
tasks finish (J2), work dropped at shutdown. Each test below pins one of those down.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from helpers import Conversation, exchange_async, http_scope, request_event
from hypothesis import given
from hypothesis import strategies as st

from reference_app import App, PlainTextResponse, Request, Response, StreamingResponse
from reference_app.background import BackgroundRunner, BackgroundTask, BackgroundTasks

STARTUP = {"type": "lifespan.startup"}
SHUTDOWN = {"type": "lifespan.shutdown"}
LIFESPAN_SCOPE = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}


def test_final_body_is_sent_before_the_task_runs_and_without_waiting_for_it() -> None:
    app = App()
    log: list[str] = []
    gate: dict[str, asyncio.Event] = {}

    async def slow_task() -> None:
        log.append("task started")
        await gate["open"].wait()  # only opened after the test saw the final body
        log.append("task finished")

    @app.get("/")
    async def view(request: Request[Any, Any]) -> Response:
        request.background.add(slow_task)
        return PlainTextResponse("done")

    async def scenario() -> None:
        gate["open"] = asyncio.Event()
        sent = await exchange_async(app, http_scope("/"), request_event())
        assert sent[-1]["more_body"] is False  # the request finished while the task waits
        assert log in ([], ["task started"])
        gate["open"].set()
        assert await app.background_runner.wait(timeout=5) == 0
        assert log == ["task started", "task finished"]

    asyncio.run(scenario())


def test_tasks_survive_the_request_coroutine_being_cancelled() -> None:
    app = App()
    finished: list[bool] = []

    async def task() -> None:
        for _ in range(5):
            await asyncio.sleep(0)
        finished.append(True)

    @app.get("/")
    async def view(request: Request[Any, Any]) -> Response:
        request.get_background_tasks().add_tasks([BackgroundTask(task)])
        return PlainTextResponse("ok")

    async def scenario() -> None:
        conversation = Conversation(app, http_scope("/"))
        conversation.start()
        await conversation.send_event(request_event())
        await conversation.next_message()
        final = await conversation.next_message()
        assert final["more_body"] is False
        assert conversation.task is not None
        conversation.task.cancel()  # some servers cancel the app once the client is gone
        await asyncio.gather(conversation.task, return_exceptions=True)
        await app.background_runner.wait(timeout=5)

    asyncio.run(scenario())
    assert finished == [True]


def test_tasks_run_in_order_a_failure_is_logged_and_plain_functions_run_in_a_thread(
    caplog: pytest.LogCaptureFixture,
) -> None:
    order: list[str] = []

    def plain(name: str) -> None:
        order.append(name)

    async def broken() -> None:
        raise RuntimeError("task failed")

    tasks = BackgroundTasks()
    tasks.add(plain, "first")
    tasks.add(broken)
    tasks.add(plain, name="third")
    assert len(tasks) == 3 and "plain" in repr(list(tasks)[0])

    async def scenario() -> None:
        runner = BackgroundRunner()
        runner.start(tasks)
        runner.start(BackgroundTasks())  # nothing to do: no task is created
        assert runner.pending == 1
        assert await runner.wait(timeout=5) == 0

    with caplog.at_level(logging.ERROR, logger="reference_app"):
        asyncio.run(scenario())
    assert order == ["first", "third"]
    assert "task failed" in caplog.text


def test_shutdown_waits_for_tasks_and_reports_what_it_had_to_cancel() -> None:
    app = App(shutdown_timeout=0.01)  # the limit itself is what is tested here

    async def forever() -> None:
        await asyncio.Event().wait()

    @app.get("/")
    async def view(request: Request[Any, Any]) -> Response:
        request.background.add(forever)
        return PlainTextResponse("ok")

    async def scenario() -> list[dict[str, Any]]:
        await exchange_async(app, http_scope("/"), request_event())
        return await exchange_async(app, dict(LIFESPAN_SCOPE, state={}), STARTUP, SHUTDOWN)

    sent = asyncio.run(scenario())
    assert sent[1]["type"] == "lifespan.shutdown.failed"
    assert "1 background task(s)" in sent[1]["message"]
    assert app.background_runner.pending == 0


def test_a_handler_that_fails_schedules_nothing() -> None:
    app = App()
    ran: list[bool] = []

    @app.get("/")
    async def view(request: Request[Any, Any]) -> Response:
        request.background.add(ran.append, True)
        raise RuntimeError("handler failed after scheduling")

    async def scenario() -> None:
        sent = await exchange_async(app, http_scope("/"), request_event())
        assert sent[0]["status"] == 500
        await app.background_runner.wait(timeout=5)

    asyncio.run(scenario())
    assert ran == []


# -- property: whatever happens to the connections, every task completes by shutdown ------
MODES = ["complete", "stream", "leave_mid_stream_2.3", "leave_mid_stream_2.4", "disconnect_first"]


@given(
    plans=st.lists(
        st.tuples(st.sampled_from(MODES), st.lists(st.integers(0, 4), min_size=1, max_size=3)),
        min_size=1,
        max_size=6,
    ),
    yields_before_shutdown=st.integers(0, 6),
)
def test_every_task_completes_for_any_interleaving(
    plans: list[tuple[str, list[int]]], yields_before_shutdown: int
) -> None:
    done: list[tuple[int, int]] = []
    app = App(shutdown_timeout=5)

    async def work(request_id: int, task_id: int, steps: int) -> None:
        for _ in range(steps):
            await asyncio.sleep(0)
        done.append((request_id, task_id))

    @app.get("/work/{request_id:int}")
    async def view(request: Request[Any, Any], request_id: int) -> Response:
        mode, steps = plans[request_id]
        for task_id, count in enumerate(steps):
            request.background.add(work, request_id, task_id, count)

        async def chunks() -> Any:
            for _ in range(3):
                yield b"x"
                await asyncio.sleep(0)

        return StreamingResponse(chunks()) if mode != "complete" else PlainTextResponse("ok")

    def connection(request_id: int) -> Any:
        mode = plans[request_id][0]
        spec = "2.4" if mode.endswith("2.4") else "2.3"
        scope = http_scope(f"/work/{request_id}", spec_version=spec)
        if mode == "disconnect_first":
            return exchange_async(app, scope, {"type": "http.disconnect"})
        leaves = 1 if mode.startswith("leave") else None
        return exchange_async(app, scope, request_event(), client_leaves_after=leaves)

    async def scenario() -> dict[str, Any]:
        lifespan = Conversation(app, dict(LIFESPAN_SCOPE, state={}))
        lifespan.start()
        await lifespan.send_event(STARTUP)
        assert (await lifespan.next_message())["type"] == "lifespan.startup.complete"
        await asyncio.gather(*(connection(i) for i in range(len(plans))))
        for _ in range(yields_before_shutdown):
            await asyncio.sleep(0)  # let some tasks finish before shutdown, others not
        await lifespan.send_event(SHUTDOWN)
        answer = await lifespan.next_message()
        await lifespan.finished()
        return answer

    answer = asyncio.run(scenario())
    assert answer == {"type": "lifespan.shutdown.complete"}
    expected = {(i, j) for i, (_, steps) in enumerate(plans) for j in range(len(steps))}
    assert sorted(done) == sorted(expected)
