"""Lifespan (reference_app/lifespan.py).

asgicheck rules these keep honest: LS-APP-001/002 (report startup failure with
lifespan.startup.failed, do not raise), LS-APP-003 (return after shutdown.complete), LS-APP-005
(no state key: work or fail cleanly), LS-APP-006 (per-request shallow copies of the state),
LS-SEND-001..006 (one answer per phase, with a message on failure).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from helpers import Conversation, check_http, exchange, exchange_async, http_scope, request_event

from reference_app import App, JSONResponse, Request, Response

STARTUP = {"type": "lifespan.startup"}
SHUTDOWN = {"type": "lifespan.shutdown"}


def lifespan_scope(state: dict[str, Any] | None = None) -> dict[str, Any]:
    scope: dict[str, Any] = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
    if state is not None:
        scope["state"] = state
    return scope


def types(sent: list[dict[str, Any]]) -> list[str]:
    return [m["type"] for m in sent]


def test_hooks_run_and_state_reaches_requests_as_shallow_copies() -> None:
    calls: list[str] = []

    async def open_pool(state: dict[str, Any]) -> None:
        state["pool"] = ["connection"]
        calls.append("startup")

    def close_pool(state: dict[str, Any]) -> None:  # plain functions work too
        calls.append(f"shutdown {state['pool']}")

    app = App(on_startup=[open_pool], on_shutdown=[close_pool, lambda: calls.append("bare")])

    @app.get("/")
    async def view(request: Request[Any, Any]) -> Response:
        request.state["leak"] = True  # must not reach the next request
        request.state["pool"].append("used")  # shared object: visible to all
        return JSONResponse(sorted(request.state))

    async def scenario() -> None:
        server_state: dict[str, Any] = {}
        lifespan = Conversation(app, lifespan_scope(server_state))
        lifespan.start()
        await lifespan.send_event(STARTUP)
        assert (await lifespan.next_message())["type"] == "lifespan.startup.complete"
        for _ in range(2):  # a server copies the state into each request (lifespan.rst)
            scope = http_scope("/", state=dict(server_state))
            result = check_http(await exchange_async(app, scope, request_event()))
            assert result.json() == ["leak", "pool"]
        assert "leak" not in server_state
        await lifespan.send_event(SHUTDOWN)
        assert (await lifespan.next_message())["type"] == "lifespan.shutdown.complete"
        await lifespan.finished()  # the coroutine returns after shutdown.complete

    asyncio.run(scenario())
    assert calls == ["startup", "shutdown ['connection', 'used', 'used']", "bare"]


def test_context_manager_form_yields_state_and_cleans_up() -> None:
    steps: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[dict[str, Any]]:
        steps.append("enter")
        yield {"answer": 42}
        steps.append("exit")

    state: dict[str, Any] = {}
    sent = exchange(App(lifespan=lifespan), lifespan_scope(state), STARTUP, SHUTDOWN)
    assert types(sent) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert state == {"answer": 42} and steps == ["enter", "exit"]


def test_startup_failure_is_reported_not_raised_and_undone() -> None:
    steps: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[None]:
        steps.append("enter")
        yield
        steps.append("exit")

    def broken() -> None:
        raise ConnectionError("database unreachable")

    app = App(lifespan=lifespan, on_startup=[broken])
    sent = exchange(app, lifespan_scope({}), STARTUP)
    assert sent == [
        {"type": "lifespan.startup.failed", "message": "ConnectionError: database unreachable"}
    ]
    assert steps == []  # the hook failed before the context was entered

    # A failure after the context was entered still runs its exit (the startup is undone).
    @contextlib.asynccontextmanager
    async def with_state(app: App) -> AsyncIterator[dict[str, Any]]:
        steps.append("enter")
        yield {"db": "connection"}
        steps.append("exit")

    sent = exchange(App(lifespan=with_state), lifespan_scope(None), STARTUP)
    assert types(sent) == ["lifespan.startup.failed"]  # no state dict to put "db" in
    assert steps == ["enter", "exit"]


def test_state_without_server_support_fails_startup_with_a_message() -> None:  # L02
    app = App(on_startup=[lambda state: state.update(db="x")])
    (failed,) = exchange(app, lifespan_scope(None), STARTUP)
    assert failed["type"] == "lifespan.startup.failed"
    assert "does not support lifespan state" in failed["message"]


def test_no_state_needed_no_state_key_is_fine() -> None:
    sent = exchange(App(on_startup=[lambda: None]), lifespan_scope(None), STARTUP, SHUTDOWN)
    assert types(sent) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_shutdown_failures_are_reported_with_their_messages() -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[None]:
        yield
        raise OSError("flush failed")

    def bad_hook() -> None:
        raise ValueError("hook broke")

    app = App(lifespan=lifespan, on_shutdown=[bad_hook])
    sent = exchange(app, lifespan_scope({}), STARTUP, SHUTDOWN)
    assert sent[1]["type"] == "lifespan.shutdown.failed"
    assert sent[1]["message"] == "OSError: flush failed; ValueError: hook broke"


def test_unknown_events_during_lifespan_are_ignored() -> None:
    events = [{"type": "lifespan.custom"}, STARTUP, {"type": "other", "x": 1}, SHUTDOWN]
    sent = exchange(App(), lifespan_scope({}), *events)
    assert types(sent) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


@pytest.mark.parametrize("kind", ["asgicheck.unknown", "webtransport"])
def test_unknown_scope_types_are_rejected_with_an_exception(kind: str) -> None:  # S15
    async def never() -> dict[str, Any]:
        await asyncio.Event().wait()
        raise AssertionError

    async def no_send(message: dict[str, Any]) -> None:
        raise AssertionError(f"sent {message}")

    with pytest.raises(ValueError, match=kind):
        asyncio.run(asyncio.wait_for(App()({"type": kind}, never, no_send), 1))
