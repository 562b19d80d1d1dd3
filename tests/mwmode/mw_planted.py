"""Middlewares for the middleware-mode tests: broken ones, one bug each, and correct ones.

Each broken middleware is a pure ASGI class, ``__init__(self, app)``, with the bug written the
way it was shipped (bug-classes.md IDs in the docstrings). ``BROKEN`` says which scenario
catches which one, and with which rule.
"""

from __future__ import annotations

import asyncio
from typing import Any

Scope = dict[str, Any]


class PassThrough:
    """Correct: hands everything through untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


class AddHeader:
    """Correct: adds a response header to HTTP responses, copying the message and the headers,
    and passes other scope types through."""

    def __init__(self, app: Any, name: str = "x-frame-options", value: str = "DENY") -> None:
        self.app, self.header = app, [name.encode(), value.encode()]

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), self.header]}
            await send(message)

        await self.app(scope, receive, add)


class _Wrapper:
    def __init__(self, app: Any) -> None:
        self.app = app


class StaleContentLength(_Wrapper):
    """Appends a footer to the body and leaves content-length alone (E3, E6)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        async def footer(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                message = {**message, "body": message.get("body", b"") + b"<!-- footer -->"}
            await send(message)

        await self.app(scope, receive, footer if scope["type"] == "http" else send)


class HidesDisconnect(_Wrapper):
    """Its receive() never reports http.disconnect: it waits forever instead (H4)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        async def hiding() -> dict[str, Any]:
            message: dict[str, Any] = await receive()
            if message["type"] == "http.disconnect":
                await asyncio.Event().wait()
            return message

        await self.app(scope, hiding if scope["type"] == "http" else receive, send)


class ReplaysRequest(_Wrapper):
    """Reads the body once, then answers every receive() with it again, forever (H2)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class DrainsBody(_Wrapper):
    """Reads the request body (to log it) and hands the drained receive on (H1)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            while (await receive()).get("more_body", False):
                pass
        await self.app(scope, receive, send)


class ReturnsOnLifespan(_Wrapper):
    """Serves HTTP only and returns from every other scope (K7)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await self.app(scope, receive, send)


class RaisesOnLifespan(_Wrapper):
    """Reads ``scope["method"]`` first thing, which a lifespan scope does not have (K5, K13)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        scope["asgicheck.method"] = scope["method"].lower()
        await self.app(scope, receive, send)


class LifespanFailureRaises(_Wrapper):
    """Turns the inner app's lifespan.startup.failed into an exception."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        async def raising(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.failed":
                raise RuntimeError(message.get("message", "startup failed"))
            await send(message)

        await self.app(scope, receive, raising)


class SecondStartOnError(_Wrapper):
    """Answers 500 on any exception, even after the response started (A8, B1)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception:
            await send({"type": "http.response.start", "status": 500,
                        "headers": [[b"content-type", b"text/plain"]]})
            await send({"type": "http.response.body", "body": b"Internal Server Error"})


class SwallowsErrorMidStream(_Wrapper):
    """Catches the exception and ends the response cleanly (B5)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        started = False

        async def watch(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if not started:
                raise
            await send({"type": "http.response.body", "body": b"", "more_body": False})


class BuffersAndForgetsTheEnd(_Wrapper):
    """Buffers a streamed body and sends it with more_body=True, never the final message."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        start: dict[str, Any] = {}
        parts: list[bytes] = []

        async def buffer(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message.get("more_body", False) or parts:
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await send(start)
                    await send({"type": "http.response.body", "body": b"".join(parts),
                                "more_body": True})
            else:
                await send(start)
                await send(message)

        await self.app(scope, receive, buffer if scope["type"] == "http" else send)


class DropsMiddleChunks(_Wrapper):
    """Forwards a streamed body's first chunk and its end, losing what is in between."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        chunks = 0

        async def drop(message: dict[str, Any]) -> None:
            nonlocal chunks
            if message["type"] == "http.response.body" and message.get("more_body", False):
                chunks += 1
                if chunks > 1:
                    return
            await send(message)

        await self.app(scope, receive, drop if scope["type"] == "http" else send)


class BuffersEverything(_Wrapper):
    """Holds the whole response back until the inner app is done (fine for small bodies,
    fatal for an event stream)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        held: list[dict[str, Any]] = []

        async def hold(message: dict[str, Any]) -> None:
            held.append(message)

        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, hold)
        for message in held:
            await send(message)


class MutatesScope(_Wrapper):
    """Adds a request header to the server's scope in place (GEN-MW-001)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope["headers"].append([b"x-request-id", b"42"])
        await self.app(scope, receive, send)


class MutatesScopeLater(_Wrapper):
    """Copies the scope, hands the copy on, then changes it when the response starts."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        scope = dict(scope)

        async def late(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                scope["asgicheck.status"] = message["status"]
            await send(message)

        await self.app(scope, receive, late)


class AssumesHeaders(_Wrapper):
    """Reads ``message["headers"]``, which the spec makes optional (N1, N2)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        async def read(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], [b"x-seen", b"1"]]}
            await send(message)

        await self.app(scope, receive, read if scope["type"] == "http" else send)


class KeepsSendOnSelf(_Wrapper):
    """Stores the connection's send on the shared instance (O3)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        self.send = send

        async def forward(message: dict[str, Any]) -> None:
            await self.send(message)

        await self.app(scope, receive, forward)


class HeadersAsDict(_Wrapper):
    """Normalises response headers through a dict, losing repeated fields."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        async def normalise(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                message = {**message, "headers": [[k, v] for k, v in headers.items()]}
            await send(message)

        await self.app(scope, receive, normalise if scope["type"] == "http" else send)


class HttpOnlyAnswer(_Wrapper):
    """Rejects anything but HTTP with a plain HTTP 403, websockets included (L1)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await send({"type": "http.response.start", "status": 403})
            await send({"type": "http.response.body", "body": b"Forbidden"})
            return
        await self.app(scope, receive, send)


# (middleware, scenario that catches it, rule it is reported under)
BROKEN: list[tuple[type[Any], str, str]] = [
    (StaleContentLength, "middleware/plain", "X-HTTP-001"),
    (HidesDisconnect, "middleware/disconnect-mid-stream", "HTTP-EVT-003"),
    # At spec 2.4 the inner app still learns from send() raising: a warning.
    (HidesDisconnect, "middleware/disconnect-mid-stream-send-raises", "HTTP-EVT-003"),
    (ReplaysRequest, "middleware/disconnect-mid-stream", "HTTP-EVT-004"),
    (DrainsBody, "middleware/plain", "HTTP-EVT-001"),
    (ReturnsOnLifespan, "middleware/lifespan-pass-through", "LS-SEND-001"),
    (RaisesOnLifespan, "middleware/lifespan-pass-through", "LS-SEND-001"),
    (LifespanFailureRaises, "middleware/lifespan-startup-failed", "LS-APP-002"),
    (SecondStartOnError, "middleware/raise-after-start", "HTTP-SEND-002"),
    (SwallowsErrorMidStream, "middleware/raise-after-start", "OPS-APP-001"),
    (BuffersAndForgetsTheEnd, "middleware/streaming-many-chunks", "HTTP-SEND-004"),
    (DropsMiddleChunks, "middleware/streaming-many-chunks", "HTTP-SRV-004"),
    (BuffersEverything, "middleware/disconnect-mid-stream", "HTTP-SRV-004"),
    (MutatesScope, "middleware/plain", "GEN-MW-001"),
    (MutatesScopeLater, "middleware/plain", "GEN-MW-002"),
    (AssumesHeaders, "middleware/minimal-messages", "OPS-APP-001"),
    (KeepsSendOnSelf, "middleware/concurrent-connections", "OPS-APP-005"),
    (HeadersAsDict, "middleware/mixed-case-headers", "HTTP-SRV-002"),
    (HttpOnlyAnswer, "middleware/websocket-echo", "WS-SEND-016"),
    (ReturnsOnLifespan, "middleware/websocket-echo", "WS-SEND-001"),
]


def _declared() -> Any:
    from starlette.middleware import Middleware

    return Middleware(AddHeader, name="x-declared", value="yes")


# A Starlette-style declaration: load_factory("mw_planted:DECLARED") accepts it.
DECLARED = _declared()
