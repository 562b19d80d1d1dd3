"""Quart (and other Werkzeug-routed apps): the rules of ``app.url_map``.

Duck-typed: any app whose ``url_map`` has ``iter_rules()``. Rules look like
``/items/<int:item_id>``; ``rule.websocket`` marks WebSocket routes; the ``static`` endpoint is
left out.
"""

from __future__ import annotations

from typing import Any

from asgicheck.contract import Target
from asgicheck.discovery._params import fill
from asgicheck.discovery._routes import order_methods

__all__ = ["werkzeug_targets"]


def werkzeug_targets(app: object) -> list[Target]:
    url_map: Any = getattr(app, "url_map", None)
    if url_map is None or not callable(getattr(url_map, "iter_rules", None)):
        return []
    source = type(app).__module__.split(".")[0]
    targets = []
    for rule in url_map.iter_rules():
        if getattr(rule, "endpoint", None) == "static" or not isinstance(rule.rule, str):
            continue
        path = fill(rule.rule, getattr(rule, "_converters", None) or {})
        if getattr(rule, "websocket", False):
            targets.append(Target(kind="websocket", path=path, source=source,
                                  template=rule.rule))
            continue
        targets.extend(Target(method=m, path=path, source=source, template=rule.rule)
                       for m in order_methods(getattr(rule, "methods", None)))
    return targets
