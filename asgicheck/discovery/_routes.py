"""Route tables that are lists of route objects: Starlette, FastAPI, Litestar, reference_app.

Nothing here imports a framework. Routes are read by their attributes, the way the frameworks
document them: ``path`` (a template), ``methods`` (a set, or None for "any"), ``routes`` on
mounts and routers, ``param_convertors`` (Starlette), the endpoint's path-parameter annotations
(FastAPI's ``dependant.path_params``), and FastAPI's included routers
(``original_router`` + ``include_context.prefix``). Litestar writes the type into the template
(``/items/{item_id:int}``), which ``fill`` reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from asgicheck.contract import Target
from asgicheck.discovery._params import fill

__all__ = ["order_methods", "walk_routes"]

_METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_MAX_DEPTH = 8


def order_methods(methods: Iterable[str] | None) -> list[str]:
    """Methods in a fixed order, without the HEAD and OPTIONS frameworks add by themselves."""
    found = {m.upper() for m in methods or ("GET",)}
    if "GET" in found:
        found.discard("HEAD")
    if len(found) > 1:
        found.discard("OPTIONS")
    return sorted(found, key=lambda m: (_METHOD_ORDER.index(m) if m in _METHOD_ORDER else 99, m))


def walk_routes(routes: Iterable[Any], source: str, prefix: str = "",
                depth: int = 0) -> Iterator[Target]:
    """Targets for every HTTP and WebSocket route, mounts and included routers followed."""
    if depth > _MAX_DEPTH:
        return
    for route in list(routes or ()):
        kind = type(route).__name__
        if kind == "Host":
            continue  # needs a Host header the scenarios do not send
        original = getattr(route, "original_router", None)
        if original is not None:  # FastAPI >= 0.13x: an included router kept as a branch
            context = getattr(route, "include_context", None)
            extra = str(getattr(context, "prefix", "") or "")
            yield from walk_routes(getattr(original, "routes", ()), source,
                                   prefix + extra, depth + 1)
            continue
        path = getattr(route, "path", None)
        if not isinstance(path, str):
            continue
        children = _children(route)
        if children is not None:
            yield from walk_routes(children, source, prefix + path.rstrip("/"), depth + 1)
            continue
        template = prefix + path or "/"
        full = fill(template, _declared_types(route)) or "/"
        if "websocket" in kind.lower():
            yield Target(kind="websocket", path=full, source=source, template=template)
            continue
        methods = getattr(route, "methods", None)
        if methods is None and "route" not in kind.lower():
            continue  # not a route this walker knows
        for method in order_methods(methods):
            yield Target(method=method, path=full, source=source, template=template)


def _children(route: Any) -> list[Any] | None:
    """Sub-routes of a Mount or Router; None for a leaf route."""
    if getattr(route, "methods", None) is not None or "websocket" in type(route).__name__.lower():
        return None
    if "Mount" not in type(route).__name__ and not hasattr(route, "app"):
        return None
    try:
        children = getattr(route, "routes", None)
    except Exception:  # a mounted app whose .routes property raises
        return None
    return list(children) if isinstance(children, list | tuple) else None


def _declared_types(route: Any) -> dict[str, object]:
    declared: dict[str, object] = dict(getattr(route, "param_convertors", None) or {})
    dependant = getattr(route, "dependant", None)
    for param in getattr(dependant, "path_params", None) or ():
        annotation = getattr(getattr(param, "field_info", None), "annotation", None)
        name = getattr(param, "alias", None) or getattr(param, "name", None)
        if name and annotation is not None:
            declared[name] = annotation
    return declared
