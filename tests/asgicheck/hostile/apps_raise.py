"""Hostile apps that spin on the CPU or raise a BaseException, for runs of the whole plugin.

Each is correct (``asgi_blocks``) except where it says; the tests copy this file and
``tests/asgi_blocks.py`` into a pytester directory and run ``pytest --asgicheck=apps_raise:NAME``
in a subprocess with a hard timeout, so that a thread these apps wedge never lives in the
process running the suite.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from asgi_blocks import lifespan, read_body, respond, websocket_echo

OPENAPI = b'{"openapi": "3.0.0", "paths": {"/items": {"get": {}}}}'


async def good(scope: Any, receive: Any, send: Any) -> None:
    """The correct app every other one falls back on."""
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
    elif scope["type"] == "http":
        body = await read_body(receive)
        if body is not None:
            path = scope["path"]
            await respond(send, b"" if scope["method"] == "HEAD" else b"ok",
                          200 if path != "/asgicheck-no-such-path" else 404,
                          method=scope["method"])
    elif scope["type"] == "websocket":
        await websocket_echo(receive, send)
    else:
        raise NotImplementedError(scope["type"])


def spin() -> None:
    while True:  # never awaits, never calls out: only the bytecode boundary can stop it
        pass


def spin_swallowing() -> None:
    while True:
        try:
            while True:
                pass
        except BaseException:  # noqa: B036 - the point: it swallows even the driver's interrupt
            pass


# -- spinning in a handler --------------------------------------------------------------------

async def spins(scope: Any, receive: Any, send: Any) -> None:
    """Every HTTP request spins forever; lifespan and websockets are served."""
    if scope["type"] == "http":
        spin()
    await good(scope, receive, send)


async def spins_on_slash(scope: Any, receive: Any, send: Any) -> None:
    """``GET /`` spins forever; the rest is served."""
    if scope["type"] == "http" and scope["path"] == "/":
        spin()
    await good(scope, receive, send)


async def spins_swallowing(scope: Any, receive: Any, send: Any) -> None:
    """``GET /`` spins forever and swallows every exception thrown at it."""
    if scope["type"] == "http" and scope["path"] == "/":
        spin_swallowing()
    await good(scope, receive, send)


# -- in discovery: the OpenAPI document it serves ---------------------------------------------

async def openapi_spins(scope: Any, receive: Any, send: Any) -> None:
    """``GET /openapi.json`` spins forever; the rest is served."""
    if scope["type"] == "http" and scope["path"] == "/openapi.json":
        spin()
    await good(scope, receive, send)


async def openapi_sleeps(scope: Any, receive: Any, send: Any) -> None:
    """``GET /openapi.json`` blocks the loop in ``time.sleep(30)``; the rest is served."""
    if scope["type"] == "http" and scope["path"] == "/openapi.json":
        time.sleep(30)
    await good(scope, receive, send)


async def openapi_exits(scope: Any, receive: Any, send: Any) -> None:
    """``GET /openapi.json`` raises SystemExit; the rest is served."""
    if scope["type"] == "http" and scope["path"] == "/openapi.json":
        raise SystemExit(3)
    await good(scope, receive, send)


class OpenapiInterrupts:
    """An app object whose ``openapi()`` (what FastAPI offers discovery) raises
    KeyboardInterrupt."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await good(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        raise KeyboardInterrupt


openapi_interrupts = OpenapiInterrupts()


class OpenapiSpins(OpenapiInterrupts):
    """An app object whose ``openapi()`` spins forever."""

    def openapi(self) -> dict[str, Any]:
        spin()
        return {}


openapi_method_spins = OpenapiSpins()


# -- raising a BaseException ------------------------------------------------------------------

async def exits(scope: Any, receive: Any, send: Any) -> None:
    """Every HTTP request raises SystemExit (as ``sys.exit(1)`` does)."""
    if scope["type"] == "http":
        raise SystemExit(1)
    await good(scope, receive, send)


async def interrupts(scope: Any, receive: Any, send: Any) -> None:
    """Every HTTP request raises KeyboardInterrupt."""
    if scope["type"] == "http":
        raise KeyboardInterrupt
    await good(scope, receive, send)


async def exits_in_startup(scope: Any, receive: Any, send: Any) -> None:
    """Lifespan startup raises SystemExit after receiving ``lifespan.startup``."""
    if scope["type"] == "lifespan":
        await receive()
        raise SystemExit("no database")
    await good(scope, receive, send)


async def interrupts_in_startup(scope: Any, receive: Any, send: Any) -> None:
    """Lifespan startup raises KeyboardInterrupt after receiving ``lifespan.startup``."""
    if scope["type"] == "lifespan":
        await receive()
        raise KeyboardInterrupt
    await good(scope, receive, send)


# -- a real Ctrl-C ----------------------------------------------------------------------------

async def waits(scope: Any, receive: Any, send: Any) -> None:
    """``GET /`` writes ``waiting`` in the current directory, then waits forever: the moment
    for the test to press Ctrl-C (send SIGINT)."""
    if scope["type"] == "http" and scope["path"] == "/":
        Path("waiting").write_text("GET /", encoding="utf-8")
        await asyncio.Event().wait()
    await good(scope, receive, send)
