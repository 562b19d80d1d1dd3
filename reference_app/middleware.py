"""Two kinds of middleware, for two different jobs.

**Global middleware** (the tutorial's ``BaseGlobalMiddleware``) works on ``Request`` and
``Response`` objects. ``__call__(call_next)`` receives the next handler in the chain and
returns a new one, ``async (request) -> response``. Given ``App(middlewares=[A(), B()])`` the
chain is ``A(B(router))``: A runs first on the way in and last on the way out. It only ever
sees HTTP requests; WebSocket and lifespan scopes never reach it, so it cannot break them. It is
the easy kind to write: you never touch ASGI messages, and you get a complete Response object
to inspect or change before a single byte is sent.

**ASGI middleware** is itself an ASGI app wrapping another: ``__init__(self, app, **options)``
and ``async __call__(scope, receive, send)``. It sees every scope type, so it must pass the
types it does not handle straight through (lifespan above all: a middleware that swallows it
breaks startup, bug class K). If it changes the scope, it changes a *copy*, because the server
and outer layers still hold the original. Use it for what global middleware cannot do: act on
websockets, or on the raw messages (the two examples below).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from reference_app.exceptions import WebSocketDisconnect
from reference_app.requests import Request
from reference_app.responses import PlainTextResponse, Response, encode_header
from reference_app.types import ASGIApp, Message, Receive, Scope, Send
from reference_app.websockets import WebSocket

__all__ = [
    "BaseGlobalMiddleware",
    "RequestHandler",
    "ResponseHeaderMiddleware",
    "TrustedHostMiddleware",
    "chain_middlewares",
]

RequestHandler = Callable[[Request[Any, Any]], Awaitable[Response]]


class BaseGlobalMiddleware:
    """Subclass and override ``dispatch`` (or ``__call__`` for full control)."""

    def __call__(self, call_next: RequestHandler) -> RequestHandler:
        async def handle(request: Request[Any, Any]) -> Response:
            return await self.dispatch(request, call_next)

        return handle

    async def dispatch(self, request: Request[Any, Any], call_next: RequestHandler) -> Response:
        return await call_next(request)


def chain_middlewares(
    handler: RequestHandler, middlewares: Iterable[BaseGlobalMiddleware]
) -> RequestHandler:
    """Wrap ``handler`` so the first middleware is the outermost: it runs first."""
    for middleware in reversed(list(middlewares)):
        handler = middleware(handler)
    return handler


class ResponseHeaderMiddleware:
    """ASGI middleware adding fixed headers to every HTTP response (and WebSocket denial).

    It rewrites one message, ``http.response.start``, and forwards everything else untouched.
    A header the inner app already set is replaced, compared case-insensitively (a case-
    sensitive comparison is how real middleware ended up sending duplicate headers, M6/M7).
    """

    def __init__(self, app: ASGIApp, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = [encode_header(name, value) for name, value in headers.items()]
        self._names = {name for name, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)  # lifespan and unknown types: pass through
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.http.response.start"):
                kept = [
                    (name, value)
                    for name, value in message.get("headers") or ()
                    if bytes(name).lower() not in self._names
                ]
                message = {**message, "headers": kept + self.headers}  # a copy, not a mutation
            await send(message)

        await self.app(scope, receive, send_with_headers)


class TrustedHostMiddleware:
    """ASGI middleware refusing requests whose ``Host`` header is not in ``allowed_hosts``.

    The point of the example is the refusal: an HTTP request gets a 400 response, but a
    WebSocket must be refused with a close before accept (or a denial response when the server
    supports one). Answering a WebSocket with ``http.response.start`` is a real bug (L1).
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.allowed_hosts = {host.lower() for host in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self._host_ok(scope):
            await self.app(scope, receive, send)
            return
        response = PlainTextResponse("Invalid host header", status_code=400)
        if scope["type"] == "http":
            await response(scope, receive, send)
        else:
            with contextlib.suppress(WebSocketDisconnect):  # the client may already be gone
                await WebSocket(scope, receive, send).deny(response)

    def _host_ok(self, scope: Scope) -> bool:
        if "*" in self.allowed_hosts:
            return True
        for name, value in scope.get("headers") or ():
            if bytes(name).lower() == b"host":
                host = bytes(value).decode("latin-1").lower()
                if host.startswith("["):  # an IPv6 literal: [::1]:8000
                    host = host.partition("]")[0] + "]"
                else:
                    host = host.partition(":")[0]
                return host in self.allowed_hosts
        return False
