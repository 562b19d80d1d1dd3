"""Routes and the decorators that declare them: ``@app.get``, ``@router.post``, ...

A ``Route`` is a small frozen record: the handler plus everything the app must know to call it,
worked out once at registration (which convertor each path parameter uses, which parameters the
handler accepts as keywords). Serving a request then does no introspection at all.

``ApiRouter`` collects routes, usually one per module of a bigger app, under a common prefix;
``App.include_routes([...])`` copies them into the app's trie. Both share the decorators of
``RouteRegistrar``; the router also keeps its own trie so a conflict fails at the decorator
line that caused it, not later at include time.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from reference_app.convertors import Convertor, StringConvertor, convertor_for_annotation
from reference_app.datastructures import QueryParams
from reference_app.exceptions import HTTPException
from reference_app.routing import Router, parse_template

__all__ = ["ApiRouter", "Route", "RouteRegistrar", "make_route"]

Handler = Callable[..., Awaitable[Any]]
HandlerT = TypeVar("HandlerT", bound=Handler)
QueryExtractor = Callable[[QueryParams], Any]
BodyExtractor = Callable[[bytes], Any]

WEBSOCKET = "WEBSOCKET"  # the pseudo-method websocket routes are stored under
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


@dataclass(frozen=True, slots=True)
class Route:
    """One handler for one template and a set of methods."""

    template: str
    methods: frozenset[str]
    handler: Handler
    name: str
    #: Runs on ``request.get_query()``; e.g. a dataclass built from the QueryParams.
    query_extractor: QueryExtractor | None = None
    #: Runs on ``await request.get_body()``; receives the whole body as bytes.
    body_extractor: BodyExtractor | None = None
    #: Overrides the app's body size limit for this route (None: use the app's).
    max_body_size: int | None = None
    convertors: Mapping[str, Convertor] = field(default_factory=dict)
    #: Path parameters passed to the handler as keyword arguments.
    passed_params: frozenset[str] = frozenset()
    #: False when ``name`` is just the handler's function name.
    name_is_explicit: bool = True

    def convert_params(self, raw: Mapping[str, str]) -> dict[str, Any]:
        """Convert the matched path segments; a bad value is a 422 with a clear message."""
        converted: dict[str, Any] = {}
        if not raw:
            return converted
        for name, value in raw.items():
            convertor = self.convertors[name]
            try:
                converted[name] = convertor.convert(value)
            except ValueError:
                shown = value if len(value) <= 100 else value[:100] + "..."
                message = f"path parameter {name!r} must be {convertor.type_name}, got {shown!r}"
                raise HTTPException(422, message) from None
        return converted


def make_route(
    template: str,
    handler: Handler,
    methods: Iterable[str],
    *,
    name: str | None = None,
    query_extractor: QueryExtractor | None = None,
    body_extractor: BodyExtractor | None = None,
    max_body_size: int | None = None,
) -> Route:
    """Check the handler against the template and build its Route (TypeError/ValueError if bad)."""
    # An object whose ``__call__`` is ``async def`` is fine too.
    call_method = type(handler).__call__ if not inspect.isroutine(handler) else None
    if not (inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(call_method)):
        # A plain function would run on the event loop and block every other connection.
        raise TypeError(f"handler {handler!r} must be an async function (async def)")
    method_set = frozenset(m.upper() for m in methods)
    if not method_set:
        raise ValueError(f"route {template!r} needs at least one method")
    for method in method_set:
        if not _TOKEN.fullmatch(method):
            raise ValueError(f"{method!r} is not a valid HTTP method name")
    segments = parse_template(template)
    path_params = {s.text: s.convertor for s in segments if s.convertor is not None}

    signature = inspect.signature(handler)
    parameters = list(signature.parameters.values())[1:]  # the first one receives the request
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    accepted = {p.name: p for p in parameters if p.kind is not inspect.Parameter.VAR_POSITIONAL}
    for param in accepted.values():
        required = param.default is inspect.Parameter.empty
        if required and param.kind is not inspect.Parameter.VAR_KEYWORD:
            if param.name not in path_params:
                raise TypeError(
                    f"handler {handler.__name__}() requires {param.name!r}, "
                    f"which is not a parameter of {template!r}"
                )

    convertors: dict[str, Convertor] = {}
    for param_name, convertor in path_params.items():
        # The template's type wins; a plain {name} lets the annotation pick (item_id: int).
        if isinstance(convertor, StringConvertor) and param_name in accepted:
            convertor = convertor_for_annotation(accepted[param_name].annotation) or convertor
        convertors[param_name] = convertor
    passed = frozenset(path_params) if takes_any else frozenset(path_params) & accepted.keys()
    return Route(
        template=template,
        methods=method_set,
        handler=handler,
        name=name if name is not None else getattr(handler, "__name__", ""),
        query_extractor=query_extractor,
        body_extractor=body_extractor,
        max_body_size=max_body_size,
        convertors=convertors,
        passed_params=passed,
        name_is_explicit=name is not None,
    )


class RouteRegistrar:
    """The decorators; subclasses decide what registering a Route means."""

    def _register(self, route: Route, websocket: bool) -> None:
        raise NotImplementedError

    def add_route(
        self, path: str, handler: Handler, methods: Iterable[str] = ("GET",), **options: Any
    ) -> Route:
        """Register ``handler`` for ``methods`` on ``path``; options as for ``make_route``."""
        route = make_route(path, handler, methods, **options)
        self._register(route, websocket=False)
        return route

    def add_websocket_route(self, path: str, handler: Handler, *, name: str | None = None) -> Route:
        route = make_route(path, handler, (WEBSOCKET,), name=name)
        self._register(route, websocket=True)
        return route

    def multi_methods(
        self, path: str, methods: Iterable[str], **options: Any
    ) -> Callable[[HandlerT], HandlerT]:
        """One handler for several methods: ``@app.multi_methods("/x", ["GET", "POST"])``."""
        method_list = list(methods)

        def decorator(handler: HandlerT) -> HandlerT:
            self.add_route(path, handler, method_list, **options)
            return handler

        return decorator

    def get(self, path: str, **options: Any) -> Callable[[HandlerT], HandlerT]:
        return self.multi_methods(path, ["GET"], **options)

    def post(self, path: str, **options: Any) -> Callable[[HandlerT], HandlerT]:
        return self.multi_methods(path, ["POST"], **options)

    def put(self, path: str, **options: Any) -> Callable[[HandlerT], HandlerT]:
        return self.multi_methods(path, ["PUT"], **options)

    def patch(self, path: str, **options: Any) -> Callable[[HandlerT], HandlerT]:
        return self.multi_methods(path, ["PATCH"], **options)

    def delete(self, path: str, **options: Any) -> Callable[[HandlerT], HandlerT]:
        return self.multi_methods(path, ["DELETE"], **options)

    def options(self, path: str, **options: Any) -> Callable[[HandlerT], HandlerT]:
        return self.multi_methods(path, ["OPTIONS"], **options)

    def websocket(self, path: str, *, name: str | None = None) -> Callable[[HandlerT], HandlerT]:
        def decorator(handler: HandlerT) -> HandlerT:
            self.add_websocket_route(path, handler, name=name)
            return handler

        return decorator


class ApiRouter(RouteRegistrar):
    """A group of routes under a common ``prefix``, to be included into an App.

    >>> items = ApiRouter(prefix="/items")
    >>> @items.get("/{item_id:int}")
    ... async def read_item(request, item_id): ...
    >>> app.include_routes([items])            # doctest: +SKIP
    """

    def __init__(self, prefix: str = "") -> None:
        if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
            raise ValueError(f"prefix {prefix!r} must start with '/' and not end with '/'")
        self.prefix = prefix
        self.routes: list[Route] = []
        self.websocket_routes: list[Route] = []
        # Private tries, only to reject conflicts at the decorator that causes them.
        self._http_trie: Router[Route] = Router()
        self._websocket_trie: Router[Route] = Router()

    def add_route(
        self, path: str, handler: Handler, methods: Iterable[str] = ("GET",), **options: Any
    ) -> Route:
        return super().add_route(self.prefix + path, handler, methods, **options)

    def add_websocket_route(self, path: str, handler: Handler, *, name: str | None = None) -> Route:
        return super().add_websocket_route(self.prefix + path, handler, name=name)

    def _register(self, route: Route, websocket: bool) -> None:
        trie = self._websocket_trie if websocket else self._http_trie
        trie.add(route.template, route.methods, route, route.name, route.name_is_explicit)
        (self.websocket_routes if websocket else self.routes).append(route)
