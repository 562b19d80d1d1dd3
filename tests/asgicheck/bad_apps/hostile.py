"""Hostile apps: they hang, block or spin, raise BaseException, or return garbage. The driver
must end each of them within its deadline, report it clearly, and stay usable."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bad_apps._support import good


async def never_returns(scope: Any, receive: Any, send: Any) -> None:
    await asyncio.Event().wait()


async def swallows_cancellation(scope: Any, receive: Any, send: Any) -> None:
    while True:
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            pass


async def blocks(scope: Any, receive: Any, send: Any) -> None:
    time.sleep(2)  # far past the deadline; the thread wakes up later and finishes


async def spins(scope: Any, receive: Any, send: Any) -> None:
    # `while True: pass` would leak a thread that holds the GIL for the rest of the test run,
    # slowing every later test; spinning for 1.5 s shows the same thing and then ends.
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        pass


async def keyboard_interrupt(scope: Any, receive: Any, send: Any) -> None:
    raise KeyboardInterrupt


async def system_exit(scope: Any, receive: Any, send: Any) -> None:
    raise SystemExit(1)


async def generator_exit(scope: Any, receive: Any, send: Any) -> None:
    raise GeneratorExit


async def returns_42(scope: Any, receive: Any, send: Any) -> int:
    await good(scope, receive, send)
    return 42


async def sends_a_str(scope: Any, receive: Any, send: Any) -> None:
    await send("http.response.start")


def not_async(scope: Any, receive: Any, send: Any) -> int:
    return 42


