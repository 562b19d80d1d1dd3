"""Falcon: the URI templates of the app's ``CompiledRouter`` tree, with the responders they have.

Falcon keeps no list of routes: ``app._router._roots`` is a tree of ``CompiledRouterNode``, and a
node that ends a route has its ``uri_template``, ``resource`` and ``method_map`` (method ->
responder). Falcon fills that map for every method it knows: the methods the resource lacks get
its own 405 and OPTIONS responders (from ``falcon.responders``), or the resource's
``on_request`` fallback, which answers anything; neither is a target. ``WEBSOCKET`` maps to
``on_websocket``. Suffixed responders (``add_route(..., suffix="item")``) are already mapped by
Falcon. Fields (``{id:int}``, ``{d:dt("%Y-%m-%d")}``) get a value the app's own converter
accepts. Static routes and sinks are left out: they serve what is on disk or anything at all.

Falcon is never imported: the app is recognised by the modules of its classes and read by
attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from asgicheck.contract import Target
from asgicheck.discovery._params import KIND_VALUES, kind_of
from asgicheck.discovery._routes import order_methods

__all__ = ["falcon_targets"]

# Falcon's own field syntax: {name}, {name:converter}, {name:converter(arguments)}.
_FIELD = re.compile(r"\{(?P<name>[^}:]*)(?::(?P<converter>[^}(]*)(?:\((?P<args>[^}]*)\))?)?\}")
_KINDS = {"dt": "datetime"}  # Falcon's converter names that are not kind names
_MOMENT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def falcon_targets(app: object) -> list[Target]:
    if not any(c.__module__.split(".")[0] == "falcon" for c in type(app).__mro__):
        return []
    router: Any = getattr(app, "_router", None)
    roots = getattr(router, "_roots", None)
    if not isinstance(roots, list):
        return []  # a custom router: nothing known to read
    targets: list[Target] = []
    for node in _nodes(roots, 0):
        template, method_map = node.uri_template, node.method_map
        if not isinstance(template, str) or not isinstance(method_map, dict):
            continue
        path = _FIELD.sub(lambda field: _value(router, field), template)
        own = [m for m, responder in method_map.items() if _implemented(responder)]
        methods = [m for m in own if m != "WEBSOCKET"]
        if methods:
            targets.extend(Target(method=m, path=path, source="falcon", template=template)
                           for m in order_methods(methods))
        if "WEBSOCKET" in own:
            targets.append(Target(kind="websocket", path=path, source="falcon",
                                  template=template))
    return targets


def _nodes(nodes: list[Any], depth: int) -> Iterator[Any]:
    """The tree depth first, children in the order their routes were added."""
    if depth > 32:
        return
    for node in nodes:
        yield node
        yield from _nodes(getattr(node, "children", None) or [], depth + 1)


def _implemented(responder: object) -> bool:
    """A responder the resource wrote: not Falcon's 405/OPTIONS default, not ``on_request``."""
    name = getattr(responder, "__name__", "")
    return getattr(responder, "__module__", None) != "falcon.responders" \
        and not name.startswith("on_request")


def _value(router: Any, field: re.Match[str]) -> str:
    """A value for one field that the route's converter accepts (its arguments included)."""
    name = field["converter"]
    kind = _KINDS.get(name, kind_of(name))
    candidates = [KIND_VALUES[kind]]
    try:
        converter = router._instantiate_converter(router._converter_map[name], field["args"]) \
            if name else None
    except Exception:  # an unknown converter: take the kind's value untested
        return candidates[0]
    if converter is None or getattr(converter, "CONSUME_MULTIPLE_SEGMENTS", False):
        return candidates[0]
    if kind == "datetime":
        candidates.append(_MOMENT.strftime("%Y-%m-%dT%H:%M:%SZ"))
        fmt = getattr(converter, "_format_string", None)
        if isinstance(fmt, str):
            candidates.append(_MOMENT.strftime(fmt))
    elif kind == "int":
        low, digits = getattr(converter, "_min", None), getattr(converter, "_num_digits", None)
        candidates.append(str(low if isinstance(low, int) else 1).zfill(digits or 0))
    for candidate in candidates:
        try:
            if converter.convert(candidate) is not None:
                return candidate
        except Exception:  # a converter that raises on a value: try the next one
            continue
    return candidates[0]
