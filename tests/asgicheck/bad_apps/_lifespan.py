"""Bad apps: lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bad_apps._support import App, breaks, good, lifespan


def _with_lifespan(handler: Callable[..., Any]) -> App:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await handler(scope, receive, send)
        else:
            await good(scope, receive, send)
    app.__name__ = handler.__name__
    return app


async def _returns_silently(scope: Any, receive: Any, send: Any) -> None:
    return None


async def _hangs(scope: Any, receive: Any, send: Any) -> None:
    await asyncio.Event().wait()


async def _raises_after_startup(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    raise RuntimeError("database unreachable")


async def _no_return_after_shutdown(scope: Any, receive: Any, send: Any) -> None:
    await lifespan(scope, receive, send)
    await asyncio.Event().wait()


async def _generic_state_key(scope: Any, receive: Any, send: Any) -> None:
    scope["state"]["db"] = object()
    await lifespan(scope, receive, send)


async def _needs_state(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    scope["state"]["myapp.started"] = True  # KeyError without state
    await send({"type": "lifespan.startup.complete"})
    await receive()
    await send({"type": "lifespan.shutdown.complete"})


async def _no_startup_answer(scope: Any, receive: Any, send: Any) -> None:
    await receive()


async def _no_shutdown_answer(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "lifespan.startup.complete"})
    await receive()


breaks("LS-APP-001", "L03-probe", None)(_with_lifespan(_returns_silently))
breaks("LS-APP-001", "L03-probe", None)(_with_lifespan(_hangs))
breaks("LS-APP-002", "L01-full", None)(_with_lifespan(_raises_after_startup))
breaks("LS-APP-003", "L01-full", None)(_with_lifespan(_no_return_after_shutdown))
breaks("LS-APP-004", "L01-full", None)(_with_lifespan(_generic_state_key))
breaks("LS-APP-005", "L02-no-state", None)(_with_lifespan(_needs_state))
breaks("LS-SEND-001", "L01-full", None)(_with_lifespan(_no_startup_answer))
breaks("LS-SEND-004", "L01-full", None)(_with_lifespan(_no_shutdown_answer))
