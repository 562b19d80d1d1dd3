"""The lifespan protocol: startup and shutdown, talked over ASGI (lifespan.rst).

The server calls the app once with ``scope["type"] == "lifespan"`` and keeps the call open for
the whole life of the process::

    server -> app   {"type": "lifespan.startup"}
    app -> server   {"type": "lifespan.startup.complete"}        (or .failed with a message)
        ... the server serves requests ...
    server -> app   {"type": "lifespan.shutdown"}
    app -> server   {"type": "lifespan.shutdown.complete"}       (or .failed with a message)
    the app's coroutine returns

Two details are easy to get wrong (bug class K):

* A failing startup must be *reported* with ``lifespan.startup.failed``. Raising instead tells
  the server "this app does not do lifespan", and it starts serving a half-initialised app.
* State produced at startup (a connection pool, say) reaches requests through
  ``scope["state"]``: the server copies that dict shallowly into every request's scope. A
  server may not support it (no ``state`` key). Then startup fails with a message saying so,
  rather than every request later dying with a KeyError.

On shutdown the app first waits (up to ``shutdown_timeout``) for background tasks still
running, so work promised to clients is not dropped, and then runs the shutdown code.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from reference_app.background import BackgroundRunner
from reference_app.types import Receive, Scope, Send

__all__ = ["Hook", "Lifespan", "LifespanContext"]

logger = logging.getLogger("reference_app")

#: A startup/shutdown hook: ``hook()`` or ``hook(state)``, async or plain.
Hook = Callable[..., Awaitable[None] | None]
#: ``lifespan(app)``: an async context manager that may yield a mapping to put in the state.
LifespanContext = Callable[[Any], contextlib.AbstractAsyncContextManager[Mapping[str, Any] | None]]


class Lifespan:
    """Runs one lifespan conversation for an app (an ASGI app for lifespan scopes only)."""

    def __init__(
        self,
        app: Any,
        *,
        on_startup: Sequence[Hook] = (),
        on_shutdown: Sequence[Hook] = (),
        context: LifespanContext | None = None,
        background: BackgroundRunner,
        shutdown_timeout: float | None = 30.0,
    ) -> None:
        self.app = app
        self.on_startup = list(on_startup)
        self.on_shutdown = list(on_shutdown)
        self.context = context
        self.background = background
        self.shutdown_timeout = shutdown_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _wait_for(receive, "lifespan.startup")
        produced: dict[str, Any] = {}
        exit_stack = contextlib.AsyncExitStack()
        try:
            await self._start(exit_stack, produced, scope)
        except Exception as exc:
            logger.exception("lifespan startup failed")
            with contextlib.suppress(Exception):
                await exit_stack.aclose()  # undo whatever did start
            await send({"type": "lifespan.startup.failed", "message": _describe(exc)})
            return
        await send({"type": "lifespan.startup.complete"})

        await _wait_for(receive, "lifespan.shutdown")
        problems: list[str] = []
        lost = await self.background.wait(self.shutdown_timeout)
        if lost:
            problems.append(f"{lost} background task(s) did not finish in time and were cancelled")
        try:
            await exit_stack.aclose()
        except Exception as exc:
            logger.exception("lifespan context failed on exit")
            problems.append(_describe(exc))
        for hook in self.on_shutdown:
            try:
                await _call(hook, produced)
            except Exception as exc:
                logger.exception("shutdown hook %r failed", hook)
                problems.append(_describe(exc))
        if problems:
            await send({"type": "lifespan.shutdown.failed", "message": "; ".join(problems)})
        else:
            await send({"type": "lifespan.shutdown.complete"})

    async def _start(
        self, exit_stack: contextlib.AsyncExitStack, produced: dict[str, Any], scope: Scope
    ) -> None:
        for hook in self.on_startup:
            await _call(hook, produced)
        if self.context is not None:
            yielded = await exit_stack.enter_async_context(self.context(self.app))
            produced.update(yielded or {})
        if produced:
            state = scope.get("state")
            if not isinstance(state, dict):
                raise RuntimeError(
                    "startup produced state "
                    f"({', '.join(sorted(produced))}) but this server does not support "
                    "lifespan state (the lifespan scope has no 'state' dict)"
                )
            state.update(produced)


async def _wait_for(receive: Receive, wanted: str) -> None:
    while (await receive()).get("type") != wanted:
        pass  # an event type we do not know: ignore it, as the spec asks


async def _call(hook: Hook, state: dict[str, Any]) -> None:
    takes_state = bool(inspect.signature(hook).parameters)
    result = hook(state) if takes_state else hook()
    if inspect.isawaitable(result):
        await result


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
