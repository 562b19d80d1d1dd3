"""``App``: the ASGI entry point that ties routing, middleware, errors and lifespan together.

One call of ``await app(scope, receive, send)`` is one connection. The call goes through:

1. the ASGI middleware stack (outermost first), which ends in ``App._dispatch``;
2. ``_dispatch`` picks by ``scope["type"]``: ``"http"``, ``"websocket"``, ``"lifespan"``, and
   raises for anything else (asgi.rst: apps "should actively reject any protocol that they do
   not understand with an Exception");
3. for HTTP: a ``Request`` is built, the global middleware chain runs around the router and the
   handler, the returned ``Response`` is sent, and only then are background tasks started.

Everything about one connection lives in local variables of that call (the request, the
receive channel, the send tracker), never on ``self``: one App object serves many connections at
once, and state stored on it would leak between them (bug class O).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reference_app import scopes
from reference_app.background import BackgroundRunner
from reference_app.channel import ReceiveChannel
from reference_app.errors import (
    ErrorHandler,
    find_error_handler,
    http_exception_handler,
    server_error,
)
from reference_app.exceptions import ClientDisconnect, HTTPException, WebSocketDisconnect
from reference_app.lifespan import Hook, Lifespan, LifespanContext
from reference_app.middleware import BaseGlobalMiddleware, RequestHandler, chain_middlewares
from reference_app.requests import Request
from reference_app.responses import JSONResponse, PlainTextResponse, Response
from reference_app.routes import WEBSOCKET, ApiRouter, Route, RouteRegistrar
from reference_app.routing import Match, Router
from reference_app.types import ASGIApp, Message, Receive, Scope, Send
from reference_app.websockets import WebSocket, WebSocketState

__all__ = ["App"]

logger = logging.getLogger("reference_app")
AsgiMiddlewareSpec = type | tuple[type, Mapping[str, Any]]


class App(RouteRegistrar):
    """An ASGI 3 application: ``uvicorn module:app`` serves it as it is.

    Options: ``debug`` (tracebacks in 500 bodies), ``middlewares`` (global, outermost first),
    ``asgi_middleware`` (``cls`` or ``(cls, options)``, outermost first), ``on_startup`` /
    ``on_shutdown`` hooks and a ``lifespan`` context (see lifespan.py), ``max_body_size`` in
    bytes (None: no limit) and ``shutdown_timeout`` for background tasks at shutdown.
    Routes come from the decorators (``@app.get(...)``) or ``include_routes``.
    """

    def __init__(
        self,
        *,
        debug: bool = False,
        middlewares: Sequence[BaseGlobalMiddleware] = (),
        asgi_middleware: Sequence[AsgiMiddlewareSpec] = (),
        on_startup: Sequence[Hook] = (),
        on_shutdown: Sequence[Hook] = (),
        lifespan: LifespanContext | None = None,
        max_body_size: int | None = 1024 * 1024,
        shutdown_timeout: float | None = 30.0,
    ) -> None:
        self.debug = debug
        self.max_body_size = max_body_size
        self.http_router: Router[Route] = Router()
        self.websocket_router: Router[Route] = Router()
        self.middlewares = list(middlewares)
        self.asgi_middleware: list[tuple[type, Mapping[str, Any]]] = [
            spec if isinstance(spec, tuple) else (spec, {}) for spec in asgi_middleware
        ]
        self.error_handlers: dict[type[BaseException], ErrorHandler] = {
            HTTPException: http_exception_handler
        }
        self.background_runner = BackgroundRunner()
        self.lifespan = Lifespan(
            self,
            on_startup=on_startup,
            on_shutdown=on_shutdown,
            context=lifespan,
            background=self.background_runner,
            shutdown_timeout=shutdown_timeout,
        )
        self._stack: ASGIApp | None = None  # built on the first call, then fixed
        self._chain: RequestHandler | None = None

    # -- configuration -----------------------------------------------------------------
    def _register(self, route: Route, websocket: bool) -> None:
        router = self.websocket_router if websocket else self.http_router
        router.add(route.template, route.methods, route, route.name, route.name_is_explicit)

    def include_routes(self, routers: Iterable[ApiRouter]) -> None:
        """Register every route of each ApiRouter (RouteConflictError on a clash)."""
        for router in routers:
            for route in router.routes:
                self._register(route, websocket=False)
            for route in router.websocket_routes:
                self._register(route, websocket=True)

    def add_error_handler(self, exc_class: type[BaseException], handler: ErrorHandler) -> None:
        self.error_handlers[exc_class] = handler

    def add_middleware(self, middleware: BaseGlobalMiddleware) -> None:
        self._check_not_started()
        self.middlewares.append(middleware)

    def add_asgi_middleware(self, cls: type, **options: Any) -> None:
        """Wrap the app in ``cls(app, **options)``, inside the ASGI middleware added before."""
        self._check_not_started()
        self.asgi_middleware.append((cls, options))

    def _check_not_started(self) -> None:
        if self._stack is not None:
            raise RuntimeError("middleware cannot be added once the app has started serving")

    def url_for(self, name: str, **params: Any) -> str:
        """The path of route ``name`` with ``params`` filled in (without any root_path)."""
        try:
            return self.http_router.url_for(name, params)
        except KeyError:
            return self.websocket_router.url_for(name, params)

    # -- the ASGI entry point ------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._stack is None:
            self._chain = chain_middlewares(self._endpoint, self.middlewares)
            stack: ASGIApp = self._dispatch
            for cls, options in reversed(self.asgi_middleware):
                stack = cls(stack, **options)  # the first in the list ends up outermost
            self._stack = stack
        await self._stack(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._handle_http(scope, receive, send)
        elif kind == "websocket":
            await self._handle_websocket(scope, receive, send)
        elif kind == "lifespan":
            await self.lifespan(scope, receive, send)
        else:
            raise ValueError(f"reference_app does not handle scope type {kind!r}")

    # -- HTTP ----------------------------------------------------------------------------
    async def _handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        channel = ReceiveChannel(receive, self.max_body_size)
        request: Request[Any, Any] = Request(scope, channel, app=self)
        tracker = _SendTracker(send, channel)
        try:
            await self._respond(request, tracker)
        finally:
            if channel.receiving:
                await channel.aclose()

    async def _respond(self, request: Request[Any, Any], send: _SendTracker) -> None:
        assert self._chain is not None
        scope, receive = request.scope, request.channel.receive
        try:
            response = await self._chain(request)
            if not request.channel.disconnected:  # no point answering a client that left
                await response(scope, receive, send)
        except Exception as exc:
            if send.client_gone:
                pass  # the client left while we were sending; the handler's work is done
            elif isinstance(exc, ClientDisconnect):
                return  # the handler could not read the whole body: nobody to answer
            elif send.started:
                raise  # the status is committed: never start a second response
            else:
                error_response = await self._error_response(request, exc)
                if not request.channel.disconnected:
                    with contextlib.suppress(OSError):  # gone while we were answering
                        await error_response(scope, receive, send)
                return
        if request.has_background_tasks:  # started only after the final body message
            self.background_runner.start(request.background)

    async def _error_response(self, request: Request[Any, Any], exc: Exception) -> Response:
        handler = find_error_handler(self.error_handlers, exc)
        if handler is not None:
            try:
                return await handler(request, exc)
            except Exception as handler_exc:
                exc = handler_exc  # a broken error handler still ends in a plain 500
        return server_error(exc, self.debug)

    async def _endpoint(self, request: Request[Any, Any]) -> Response:
        """The innermost handler: route, convert parameters, call the handler.

        Errors are turned into responses here, so global middleware sees a 404 or a 422 as
        an ordinary response (to log it, add headers to it, ...).
        """
        try:
            return await self._call_route(request)
        except ClientDisconnect:
            raise
        except Exception as exc:
            handler = find_error_handler(self.error_handlers, exc)
            if handler is None:
                raise
            return await handler(request, exc)

    async def _call_route(self, request: Request[Any, Any]) -> Response:
        scope = request.scope
        found = self.http_router.lookup(scopes.route_path(scope), scope["method"])
        route = found.route  # set only for Match.FULL
        if route is None:
            if found.match is Match.PARTIAL:
                raise HTTPException(405, headers={"allow": ", ".join(found.allowed)})
            raise HTTPException(404)
        request.route = route
        request.path_params = params = route.convert_params(found.params)
        if route.max_body_size is not None:
            request.channel.max_body_size = route.max_body_size
        if route.passed_params:
            kwargs = {name: params[name] for name in route.passed_params}
            response = await route.handler(request, **kwargs)
        else:
            response = await route.handler(request)
        if not isinstance(response, Response):
            name = getattr(route.handler, "__qualname__", route.handler)
            raise TypeError(f"handler {name} returned {response!r}, not a Response")
        return response

    # -- WebSocket -----------------------------------------------------------------------
    async def _handle_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        found = self.websocket_router.lookup(scopes.route_path(scope), WEBSOCKET)
        with contextlib.suppress(WebSocketDisconnect):  # the client left: just return
            if found.match is not Match.FULL or found.route is None:
                # Never http.response.* on a websocket scope: deny (or close -> 403).
                await websocket.deny(PlainTextResponse("Not Found", status_code=404))
                return
            route = found.route
            try:
                websocket.path_params = params = route.convert_params(found.params)
            except HTTPException as exc:
                await websocket.deny(JSONResponse({"detail": exc.detail}, exc.status_code))
                return
            try:
                await route.handler(websocket, **{n: params[n] for n in route.passed_params})
            except WebSocketDisconnect:
                raise
            except Exception:
                logger.exception("websocket handler %r failed", route.name)
                if websocket.connection_state is WebSocketState.CONNECTING:
                    await websocket.deny(PlainTextResponse("Internal Server Error", 500))
                else:
                    await websocket.close(1011)  # 1011: the server hit an unexpected condition
                return
            await websocket.close(1000)  # a no-op if the handler already closed


class _SendTracker:
    """Wraps ``send`` for one HTTP exchange to remember how far the response got.

    Once the client is known to be gone (``http.disconnect`` was received, or the server's
    ``send`` raised ``OSError``), every further send raises ``ClientDisconnect``, an
    ``OSError``: the app behaves like a spec 2.4 server would make it behave, on any server,
    and a response needs only one way of noticing that nobody is listening.
    """

    __slots__ = ("_send", "_channel", "started", "complete", "client_gone")

    def __init__(self, send: Send, channel: ReceiveChannel) -> None:
        self._send = send
        self._channel = channel
        self.started = False
        self.complete = False
        self.client_gone = False

    async def __call__(self, message: Message) -> None:
        if self.complete:
            raise RuntimeError(f"{message['type']!r} sent after the response was complete")
        if self.client_gone or self._channel.disconnected:
            self.client_gone = True
            raise ClientDisconnect("the client has disconnected")
        kind = message["type"]
        if kind == "http.response.start":
            if self.started:
                raise RuntimeError("http.response.start sent twice")
            self.started = True
        elif kind == "http.response.pathsend" or not message.get("more_body", False):
            self.complete = True
        try:
            await self._send(message)
        except OSError:
            self.client_gone = True  # spec 2.4+ servers raise once the client has gone
            raise
