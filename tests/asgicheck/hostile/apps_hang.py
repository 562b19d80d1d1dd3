"""Hostile apps that hang, block or dawdle: a run against each must end in bounded time.

Each is self-contained (the standard library only), so a test can hand it to a pytest run in
a subprocess as ``--asgicheck=apps_hang:NAME`` with this directory on ``PYTHONPATH``, and
``docs/reading-failures.md``'s wall times can be measured with the same command.

- ``forever``: awaits forever in every handler, lifespan included (issue 19's "hangs on every
  request": the run must end within 60 s at the default deadline, every hang reported).
- ``forever_requests``: answers lifespan, then awaits forever in every request.
- ``sleeps``: answers lifespan, then blocks the event loop with ``time.sleep(30)`` in every
  request, so each one wedges the loop.
- ``stream_ignores_disconnect``: streams its answer for 1 s in ten chunks and never reads the
  disconnect, so every exchange takes 1 s and one the client leaves mid-stream runs on past
  the server's linger.
- ``one_route_hangs``: ``GET /hang`` awaits forever, every other route answers at once; the
  hang must not count against the other routes.
- ``old_versions_hang``: answers a request announced as spec 2.4, awaits forever on any other
  ``asgi.spec_version`` (S17 sends four such requests).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from asgi_blocks import lifespan


async def _answer(scope: Any, receive: Any, send: Any) -> None:
    """A correct answer: read the whole request (or accept and echo a websocket)."""
    if scope["type"] == "websocket":
        while True:
            event = await receive()
            if event["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
            elif event["type"] == "websocket.receive":
                reply = {"type": "websocket.send"}
                reply.update((k, event[k]) for k in ("text", "bytes") if event.get(k) is not None)
                await send(reply)
            else:
                return
    more = True
    while more:
        event = await receive()
        if event["type"] == "http.disconnect":
            return
        more = event.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else b"ok"})


async def forever(scope: Any, receive: Any, send: Any) -> None:
    await asyncio.Event().wait()


async def forever_requests(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
        return
    await asyncio.Event().wait()


async def sleeps(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
        return
    time.sleep(30)  # the thread wakes up long after the run gave up on it, then ends


async def stream_ignores_disconnect(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
        return
    if scope["type"] != "http":
        raise ValueError("only HTTP is served here")  # asgi.rst: reject with an exception
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    for number in range(10):
        await asyncio.sleep(0.1)
        # A client that left makes send() raise (www.rst 2.4): this stream does not care.
        with contextlib.suppress(OSError):
            await send({"type": "http.response.body", "body": b"tick\n",
                        "more_body": number < 9})


async def one_route_hangs(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
    elif scope["type"] == "http" and scope["path"] == "/hang":
        await asyncio.Event().wait()
    else:
        await _answer(scope, receive, send)


async def old_versions_hang(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
    elif scope["asgi"].get("spec_version") != "2.4":
        await asyncio.Event().wait()
    else:
        await _answer(scope, receive, send)
