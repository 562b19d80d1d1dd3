"""Segment-trie routers (reference_app's ``Router``): walk the nodes, one target per route.

Duck-typed: an app with ``http_router``/``websocket_router`` (or a router itself) whose ``root``
node has ``static`` (a dict of children), ``param`` and ``rest`` (one child each), ``routes``
(method -> route) and ``template``. A route's ``convertors`` (name -> convertor) give the types.
Children are visited in ``Router.describe`` order (static sorted, then param, then rest), so the
result is the same on every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from asgicheck.contract import Target
from asgicheck.discovery._params import fill
from asgicheck.discovery._routes import order_methods

__all__ = ["trie_targets"]


def trie_targets(app: object) -> list[Target]:
    source = type(app).__module__.split(".")[0]
    targets: list[Target] = []
    for attribute, kind in (("http_router", "http"), ("websocket_router", "websocket")):
        root = getattr(getattr(app, attribute, None), "root", None)
        if root is None or not isinstance(getattr(root, "static", None), dict):
            continue
        for node in _nodes(root, 0):
            routes: dict[str, Any] = getattr(node, "routes", None) or {}
            template = getattr(node, "template", "")
            if not routes or not isinstance(template, str) or not template.startswith("/"):
                continue
            first = next(iter(routes.values()))
            path = fill(template, dict(getattr(first, "convertors", None) or {}))
            if kind == "websocket":
                targets.append(Target(kind="websocket", path=path, source=source,
                                      template=template))
            else:
                targets.extend(Target(method=m, path=path, source=source, template=template)
                               for m in order_methods(routes))
    return targets


def _nodes(node: Any, depth: int) -> Iterator[Any]:
    if depth > 32:
        return
    yield node
    for _, child in sorted(node.static.items()):
        yield from _nodes(child, depth + 1)
    for slot in ("param", "rest"):
        child = getattr(node, slot, None)
        if child is not None:
            yield from _nodes(child, depth + 1)
