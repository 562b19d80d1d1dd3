"""``Request``: a lazy, read-only view over one HTTP scope and its body.

Nothing is parsed until asked for: a handler that never looks at the headers never pays for
them. The body arrives as a series of ``http.request`` events that the ``ReceiveChannel`` files;
``stream()`` hands them out chunk by chunk, ``body()`` joins them, ``json()`` parses them.

The tutorial names (``get_headers``, ``get_query_string_dict``, ``get_stream_body_bytes``,
``get_json_body``, ``get_background_tasks``) are kept as aliases of the shorter ones.
``Request`` is generic over what the route's query and body extractors return, so a handler can
annotate ``request: Request[SearchQuery, NewItem]`` and get typed ``get_query()``/``get_body()``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from reference_app import scopes
from reference_app.background import BackgroundTasks
from reference_app.channel import ReceiveChannel
from reference_app.datastructures import Headers, QueryParams
from reference_app.exceptions import ClientDisconnect, HTTPException
from reference_app.types import Receive, Scope

if TYPE_CHECKING:
    from reference_app.routes import Route

__all__ = ["Request"]

_UNPARSED = object()
QueryT = TypeVar("QueryT")
BodyT = TypeVar("BodyT")


class Request(Generic[QueryT, BodyT]):
    __slots__ = (
        "scope",
        "channel",
        "route",
        "path_params",
        "_background",
        "_app",
        "_headers",
        "_query_params",
        "_state",
        "_body",
        "_json",
        "_stream_started",
    )

    def __init__(
        self,
        scope: Scope,
        receive: ReceiveChannel | Receive,
        *,
        app: Any = None,
    ) -> None:
        self.scope = scope
        #: The one reader of ``receive()`` (a plain receive callable is wrapped in one).
        self.channel = receive if isinstance(receive, ReceiveChannel) else ReceiveChannel(receive)
        #: The matched Route (None until routing ran, and for 404/405 answers).
        self.route: Route | None = None
        #: Path parameters after conversion, e.g. ``{"item_id": 42}``.
        self.path_params: dict[str, Any] = {}
        self._background: BackgroundTasks | None = None  # created when first asked for
        self._app = app
        self._headers: Headers | None = None
        self._query_params: QueryParams | None = None
        self._state: dict[str, Any] | None = None
        self._body: bytes | None = None
        self._json: Any = _UNPARSED
        self._stream_started = False

    # -- the scope ---------------------------------------------------------------------
    @property
    def method(self) -> str:
        return cast(str, self.scope["method"])

    @property
    def path(self) -> str:
        """The full decoded path, ``root_path`` included (never decode it again)."""
        return cast(str, self.scope.get("path") or "/")

    @property
    def route_path(self) -> str:
        """The path the app routed on: ``path`` without ``root_path``."""
        return scopes.route_path(self.scope)

    @property
    def root_path(self) -> str:
        return cast(str, self.scope.get("root_path") or "")

    @property
    def scheme(self) -> str:
        return cast(str, self.scope.get("scheme") or "http")

    @property
    def client(self) -> tuple[str, int] | None:
        return scopes.client(self.scope)

    @property
    def server(self) -> tuple[str, int | None] | None:
        return scopes.server(self.scope)

    @property
    def headers(self) -> Headers:
        if self._headers is None:
            self._headers = Headers(self.scope.get("headers") or ())
        return self._headers

    def get_headers(self) -> Headers:
        return self.headers

    def get_header_value(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)

    @property
    def cookies(self) -> dict[str, str]:
        return self.headers.cookies()

    @property
    def query_string(self) -> bytes:
        """The raw, still percent-encoded query string (www.rst "query_string")."""
        return cast(bytes, self.scope.get("query_string") or b"")

    @property
    def query_params(self) -> QueryParams:
        if self._query_params is None:
            self._query_params = QueryParams(self.query_string)
        return self._query_params

    def get_query_string_dict(self) -> dict[str, str | list[str]]:
        return self.query_params.to_dict()

    def get_query(self) -> QueryT:
        """The route's query extractor applied to ``query_params`` (or the params themselves).

        An extractor signals a bad query by raising ValueError or HTTPException; ValueError
        becomes a 422 answer with its message.
        """
        extractor = self.route.query_extractor if self.route else None
        if extractor is None:
            return cast(QueryT, self.query_params)
        try:
            return cast(QueryT, extractor(self.query_params))
        except (ValueError, TypeError, KeyError) as exc:
            raise HTTPException(422, f"invalid query: {exc}") from exc

    @property
    def state(self) -> dict[str, Any]:
        """This request's copy of the lifespan state (lifespan.rst "Lifespan State").

        The server gives every request a *shallow copy* of what startup stored, so keys set
        here do not leak into other requests. A server without state support sends no
        ``state`` key; then this is an empty dict of the request's own.
        """
        if self._state is None:
            state = self.scope.get("state")
            self._state = state if isinstance(state, dict) else {}
        return self._state

    @property
    def spec_version(self) -> tuple[int, int]:
        return scopes.spec_version(self.scope)

    def url_for(self, name: str, **params: Any) -> str:
        """The path for route ``name``, prefixed with ``root_path`` so it works when mounted."""
        if self._app is None:
            raise RuntimeError("this request is not attached to an app")
        return self.root_path.rstrip("/") + cast(str, self._app.url_for(name, **params))

    # -- the body ----------------------------------------------------------------------
    async def stream(self) -> AsyncIterator[bytes]:
        """Yield the body chunk by chunk as the server delivers it.

        Honours ``more_body``, skips empty chunks, raises ``ClientDisconnect`` if
        ``http.disconnect`` arrives first and ``HTTPException(413)`` past the size limit.
        The stream can be read once; ``body()`` keeps a copy if you need it again.
        """
        if self._body is not None:
            if self._body:
                yield self._body
            return
        if self._stream_started:
            raise RuntimeError("the request body has already been streamed")
        self._stream_started = True
        self._check_content_length()
        channel = self.channel
        while True:
            if channel.too_large:
                raise HTTPException(413, "request body too large")
            chunk = channel.take_chunk()
            if chunk is not None:
                yield chunk
            elif channel.body_complete:
                return
            elif channel.disconnected:
                raise ClientDisconnect()
            else:
                await channel.receive()

    def get_stream_body_bytes(self) -> AsyncIterator[bytes]:
        return self.stream()

    async def body(self) -> bytes:
        """The whole body as bytes (read once, then kept)."""
        if self._body is None:
            self._body = b"".join([chunk async for chunk in self.stream()])
        return self._body

    async def json(self) -> Any:
        """The body parsed as JSON; invalid JSON or UTF-8 answers 400."""
        if self._json is _UNPARSED:
            raw = await self.body()
            try:
                self._json = json.loads(raw)
            except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                raise HTTPException(400, f"invalid JSON body: {exc}") from exc
        return self._json

    async def get_json_body(self) -> Any:
        return await self.json()

    async def get_body(self) -> BodyT:
        """The route's body extractor applied to the whole body (or the raw bytes)."""
        raw = await self.body()
        extractor = self.route.body_extractor if self.route else None
        if extractor is None:
            return cast(BodyT, raw)
        try:
            return cast(BodyT, extractor(raw))
        except (ValueError, TypeError, KeyError) as exc:
            raise HTTPException(422, f"invalid body: {exc}") from exc

    async def is_disconnected(self) -> bool:
        """True once the client has gone; checks with the server without blocking."""
        await self.channel.poll()
        return self.channel.disconnected

    @property
    def background(self) -> BackgroundTasks:
        """Work to run after the response has been sent; see background.py."""
        if self._background is None:
            self._background = BackgroundTasks()
        return self._background

    def get_background_tasks(self) -> BackgroundTasks:
        return self.background

    @property
    def has_background_tasks(self) -> bool:
        """Did the handler schedule anything? (Checked without creating the collection.)"""
        return self._background is not None and len(self._background) > 0

    def _check_content_length(self) -> None:
        # Refuse early, before reading anything, when the client announces too much.
        limit = self.channel.max_body_size
        declared = self.headers.get("content-length")
        if limit is not None and declared is not None and declared.isascii() and declared.isdigit():
            if int(declared) > limit:
                raise HTTPException(413, "request body too large")

    def __repr__(self) -> str:
        return f"<Request {self.scope.get('method')} {self.path!r}>"
