"""The known-good inner apps a middleware is wrapped around.

Each is a plain ASGI app with one extra argument, ``notes``, where it writes what it observed
(the request body it read, whether it learned that the client left, the lifespan events it
saw). They follow the spec to the letter, so whatever goes wrong between them and the server is
the middleware's doing; where one deliberately sends something unusual but legal (only the
required keys, mixed-case header names as WSGI adapters emit them) its docstring says so.

They are also defensive: a middleware may hand them garbage, replay events forever or never
answer ``receive()``, and none of them may spin or hang on its own account. On an event that
makes no sense they stop listening (and note it) rather than loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from asgicheck.mwmode._probe import Behaviour, InnerError

__all__ = [
    "CHUNK",
    "LIFESPAN_FAILURE",
    "STATE_KEY",
    "STATE_TOKEN",
    "TEXT",
    "chunks",
    "echo",
    "lifespan_aware",
    "raising",
    "responder",
    "ticker",
    "websocket_echo",
]

TEXT = (b"content-type", b"text/plain; charset=utf-8")
CHUNK = 600  # bytes per streamed chunk: above GZipMiddleware's default minimum_size (500)
TICK = 0.01  # seconds between the ticker's chunks (an event stream)
MAX_TICKS = 100_000  # the ticker stops on its own only after this many chunks
MAX_BODY = 1 << 20  # the request body the inner apps read at most
STATE_KEY = "asgicheck.inner"  # what the lifespan-aware app stores in the lifespan state
STATE_TOKEN = "set at lifespan.startup by the inner app"
LIFESPAN_FAILURE = "asgicheck: the inner app's startup failed on purpose"


def chunks(count: int, size: int = CHUNK) -> list[bytes]:
    """``count`` distinct chunks of ``size`` bytes, so a lost or reordered one shows."""
    return [(b"chunk %03d " % n).ljust(size, b"abcdefghij"[n % 10:n % 10 + 1])
            for n in range(count)]


def kind(event: Any) -> Any:
    return event.get("type") if isinstance(event, dict) else None


def _expect(scope: Any, scope_type: str) -> None:
    # asgi.rst "Protocol Specifications": applications "should actively reject any protocol
    # that they do not understand with an Exception".
    got = kind(scope)
    if got != scope_type:
        raise ValueError(f"the inner app serves {scope_type!r} scopes, not {got!r}")


async def read_body(receive: Any, notes: dict[str, Any]) -> bytes:
    """Read the request body the way the spec says: every chunk until ``more_body`` is False
    (www.rst § Request - receive event), stopping early on ``http.disconnect``."""
    parts: list[bytes] = []
    size = 0
    while True:
        event = await receive()
        got = kind(event)
        if got == "http.disconnect":
            notes["disconnected"] = True
            break
        if got != "http.request":
            notes.setdefault("unexpected", []).append(got)
            break
        body = event.get("body", b"")
        if type(body) is bytes:
            parts.append(body)
            size += len(body)
        if not event.get("more_body", False) or size > MAX_BODY:
            break
        await asyncio.sleep(0)  # a receive() that never yields must not make this spin
    body = b"".join(parts)
    notes["body"] = body
    return body


async def _respond(send: Any, status: int, headers: Sequence[tuple[bytes, bytes]],
                   parts: Sequence[bytes]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [[name, value] for name, value in headers]})
    if not parts:
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    for number, part in enumerate(parts):
        await send({"type": "http.response.body", "body": part,
                    "more_body": number < len(parts) - 1})


def responder(status: int = 200, headers: Sequence[tuple[bytes, bytes]] = (TEXT,),
              parts: Sequence[bytes] = (), *, length: bool = True, minimal: bool = False,
              head_aware: bool = False) -> Behaviour:
    """Reads the request, then answers ``status`` with ``parts`` as body chunks.

    ``length`` adds a content-length header for the whole body. ``minimal`` sends only the
    required keys: ``{"type": "http.response.start", "status": 200}`` and
    ``{"type": "http.response.body"}`` (bug class N: middleware that assumes ``headers``,
    ``body`` or ``more_body``). ``head_aware`` answers HEAD with the headers of the GET and
    an empty body, as RFC 9110 §9.3.2 asks.
    """
    total = sum(len(p) for p in parts)

    async def app(scope: Any, receive: Any, send: Any, notes: dict[str, Any]) -> None:
        _expect(scope, "http")
        await read_body(receive, notes)
        if notes.get("disconnected"):
            return  # the client left: nobody to answer
        if minimal:
            await send({"type": "http.response.start", "status": status})
            await send({"type": "http.response.body"})
            return
        declared = [*headers, (b"content-length", str(total).encode())] if length else headers
        head = head_aware and scope.get("method") == "HEAD"
        await _respond(send, status, declared, () if head else parts)

    return app


def echo(*, pause: int = 0) -> Behaviour:
    """Reads every request chunk and answers ``path|body``, with a content-length.

    ``pause`` makes it yield to the event loop that many times between reading and answering,
    as an app awaiting a database would, so that concurrent connections interleave."""

    async def app(scope: Any, receive: Any, send: Any, notes: dict[str, Any]) -> None:
        _expect(scope, "http")
        body = await read_body(receive, notes)
        if notes.get("disconnected"):
            return
        for _ in range(pause):
            await asyncio.sleep(0)
        path = scope.get("path", "")
        answer = f"{path}|".encode() + body if isinstance(path, str) else body
        await _respond(send, 200, [(b"content-type", b"application/octet-stream"),
                                   (b"content-length", str(len(answer)).encode())], [answer])

    return app


def raising(*, after_start: bool) -> Behaviour:
    """Raises ``InnerError`` before ``http.response.start``, or after the start and one chunk
    of a streamed body (bug classes A and B: error middleware that answers a second time)."""

    async def app(scope: Any, receive: Any, send: Any, notes: dict[str, Any]) -> None:
        _expect(scope, "http")
        await read_body(receive, notes)
        if after_start:
            await send({"type": "http.response.start", "status": 200, "headers": [list(TEXT)]})
            await send({"type": "http.response.body", "body": chunks(1)[0], "more_body": True})
        notes["raised"] = True
        raise InnerError("the inner app failed on purpose " +
                         ("after streaming one chunk" if after_start else "before responding"))

    return app


def ticker() -> Behaviour:
    """An event stream: a chunk every ``TICK`` seconds until the client goes away.

    It learns that the client left the two ways the spec offers: ``http.disconnect`` from a
    ``receive()`` it keeps waiting on (www.rst § Disconnect - receive event), or, at spec 2.4,
    an ``OSError`` from ``send()``. Either way it stops at once and returns.
    """

    async def app(scope: Any, receive: Any, send: Any, notes: dict[str, Any]) -> None:
        _expect(scope, "http")
        await read_body(receive, notes)
        if notes.get("disconnected"):
            return
        gone = asyncio.Event()

        async def listen() -> None:
            event = await receive()
            if kind(event) == "http.disconnect":
                notes["disconnected"] = True
                gone.set()
            else:  # an invalid event after the body: stop listening rather than spin
                notes.setdefault("unexpected", []).append(kind(event))

        listener = asyncio.ensure_future(listen())
        waiter = asyncio.ensure_future(gone.wait())
        try:
            await send({"type": "http.response.start", "status": 200, "headers": [list(TEXT)]})
            for number in range(MAX_TICKS):
                if gone.is_set():
                    return
                try:
                    await send({"type": "http.response.body", "body": chunks(1)[0],
                                "more_body": True})
                except OSError:
                    notes["send_raised"] = True
                    return
                notes["chunks"] = number + 1
                await asyncio.wait({waiter}, timeout=TICK)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            listener.cancel()
            waiter.cancel()

    return app


def lifespan_aware(*, fail_startup: bool = False) -> Behaviour:
    """Supports lifespan (stores ``STATE_KEY`` in the state at startup, or answers
    ``lifespan.startup.failed``) and answers HTTP requests with whether it sees that state."""

    async def app(scope: Any, receive: Any, send: Any, notes: dict[str, Any]) -> None:
        if kind(scope) == "http":
            await read_body(receive, notes)
            state = scope.get("state")
            seen = isinstance(state, dict) and state.get(STATE_KEY) == STATE_TOKEN
            notes["state_seen"] = seen
            body = b"lifespan state seen" if seen else b"lifespan state missing"
            await _respond(send, 200, [TEXT, (b"content-length", str(len(body)).encode())],
                           [body])
            return
        _expect(scope, "lifespan")
        while True:
            event = await receive()
            got = kind(event)
            notes.setdefault("events", []).append(got)
            if got == "lifespan.startup":
                if fail_startup:
                    await send({"type": "lifespan.startup.failed", "message": LIFESPAN_FAILURE})
                    return
                state = scope.get("state")
                if isinstance(state, dict):
                    state[STATE_KEY] = STATE_TOKEN
                await send({"type": "lifespan.startup.complete"})
            elif got == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
            else:
                return  # not a lifespan event: nothing sensible left to do

    return app


def websocket_echo() -> Behaviour:
    """Accepts, echoes every text and bytes message, and returns on ``websocket.disconnect``."""

    async def app(scope: Any, receive: Any, send: Any, notes: dict[str, Any]) -> None:
        _expect(scope, "websocket")
        event = await receive()
        if kind(event) != "websocket.connect":
            notes.setdefault("unexpected", []).append(kind(event))
            return
        await send({"type": "websocket.accept"})
        echoed: list[Any] = notes.setdefault("echoed", [])
        while True:
            event = await receive()
            got = kind(event)
            if got == "websocket.disconnect":
                notes["disconnected"] = True
                return
            if got != "websocket.receive":
                notes.setdefault("unexpected", []).append(got)
                return
            if event.get("text") is not None:
                echoed.append(event["text"])
                await send({"type": "websocket.send", "text": event["text"]})
            else:
                echoed.append(event.get("bytes"))
                await send({"type": "websocket.send", "bytes": event.get("bytes")})

    return app
