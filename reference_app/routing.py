"""A segment trie: find the handler for a path in O(number of path segments).

Many frameworks keep a list of compiled regexes and try them one by one, so the cost of a lookup
grows with the number of routes. Here the path ``/items/42/tags`` is split into segments
``["items", "42", "tags"]`` and we walk one trie node per segment, each step a dict lookup, so
the cost depends on the length of the path, not on how many routes exist. Shared prefixes
(``/items/...``) are stored once.

Each node has up to three kinds of children, tried in this order (most specific first):

1. ``static``: exact segment text, a dict keyed by the segment (``"items"``);
2. ``param``: one ``{name}`` / ``{name:int}`` child that matches any non-empty segment;
3. ``rest``: one ``{name:path}`` child that swallows every remaining segment.

If a branch dead-ends we back up and try the next kind, so ``/a/{x}/d`` still matches
``/a/b/d`` when a static ``/a/b/c`` exists. Each node sits at one depth, so a lookup visits a
node at most once. The *path* picks the node; only then does the *method* pick the route on it:
a node with routes for other methods answers 405 with an ``Allow`` header (``Match.PARTIAL``).

The module has three parts kept apart: building (``parse_template``, ``Router.add``, which
rejects conflicts), lookup (``Router.lookup``), and explaining (``Router.describe``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from reference_app.convertors import CONVERTORS, Convertor
from reference_app.exceptions import RouteConflictError

__all__ = ["Match", "Node", "RouteMatch", "Router", "Segment", "parse_template", "split_path"]

RouteT = TypeVar("RouteT")
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_]+))?\}")


class Match(enum.Enum):
    NONE = "none"  # no node for this path: 404
    PARTIAL = "partial"  # the path is known but not for this method: 405 + Allow
    FULL = "full"  # path and method both match


# Plain module constants: reading an Enum member through its class is slow on Python 3.11,
# and lookup runs on every request.
_NONE, _PARTIAL, _FULL = Match.NONE, Match.PARTIAL, Match.FULL


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment of a route template: static text, or a parameter with its convertor."""

    text: str  # the static text, or the parameter's name
    convertor: Convertor | None = None  # None means a static segment

    @property
    def is_param(self) -> bool:
        return self.convertor is not None

    def __str__(self) -> str:
        if self.convertor is None:
            return self.text
        return f"{{{self.text}:{self.convertor.name}}}"


def split_path(path: str) -> list[str]:
    """``"/items/42"`` -> ``["items", "42"]``; ``"/"`` -> ``[""]``; ``"/a/"`` -> ``["a", ""]``.

    Splitting after the leading slash keeps the root and trailing slashes as ordinary
    segments (an empty one), so they need no special cases anywhere.
    """
    return path[1:].split("/")


def parse_template(template: str) -> tuple[Segment, ...]:
    """Parse ``"/items/{item_id:int}"`` into segments, or raise ValueError explaining why not."""
    if not template.startswith("/"):
        raise ValueError(f"route template {template!r} must start with '/'")
    segments: list[Segment] = []
    names: set[str] = set()
    parts = split_path(template)
    for index, part in enumerate(parts):
        if "{" not in part and "}" not in part:
            segments.append(Segment(part))
            continue
        found = _PARAM.fullmatch(part)
        if found is None:
            raise ValueError(
                f"bad segment {part!r} in {template!r}: a parameter is a whole segment "
                "like {name} or {name:int}"
            )
        name, kind = found.group(1), found.group(2) or "str"
        if kind not in CONVERTORS:
            choices = ", ".join(sorted(CONVERTORS))
            raise ValueError(f"unknown convertor {kind!r} in {template!r}; use one of {choices}")
        if name in names:
            raise ValueError(f"parameter {name!r} appears twice in {template!r}")
        names.add(name)
        convertor = CONVERTORS[kind]
        if convertor.matches_rest and index != len(parts) - 1:
            raise ValueError(f"{{{name}:path}} must be the last segment of {template!r}")
        segments.append(Segment(name, convertor))
    return tuple(segments)


@dataclass(slots=True, eq=False)
class Node(Generic[RouteT]):
    """One position in the trie. ``routes`` maps an HTTP method to what handles it here."""

    static: dict[str, Node[RouteT]] = field(default_factory=dict)
    param: Node[RouteT] | None = None
    param_segment: Segment | None = None
    rest: Node[RouteT] | None = None
    rest_segment: Segment | None = None
    routes: dict[str, RouteT] = field(default_factory=dict)
    template: str = ""
    allow: tuple[str, ...] = ()  # sorted methods for the Allow header, HEAD implied by GET


@dataclass(slots=True)
class RouteMatch(Generic[RouteT]):
    """What ``lookup`` found. ``params`` are the raw (still unconverted) segment strings."""

    match: Match
    route: RouteT | None = None
    params: dict[str, str] = field(default_factory=dict)
    allowed: tuple[str, ...] = ()


class Router(Generic[RouteT]):
    """The trie plus a name -> template table for building URLs."""

    def __init__(self) -> None:
        self.root: Node[RouteT] = Node()
        self._names: dict[str, tuple[Segment, ...]] = {}

    # -- building ------------------------------------------------------------------------
    def add(
        self,
        template: str,
        methods: frozenset[str],
        route: RouteT,
        name: str = "",
        name_is_explicit: bool = True,
    ) -> None:
        """Store ``route`` under each method at the node for ``template``.

        Raises RouteConflictError when the template cannot coexist with what is there.
        Everything is checked before anything is changed, so a failed add leaves no trace.
        A name given explicitly must be unique; a default one (the handler's function name)
        is simply not registered again if another template already has it.
        """
        segments = parse_template(template)
        name_taken = name in self._names and self._names[name] != segments
        if name_taken and name_is_explicit:
            other = "/" + "/".join(str(s) for s in self._names[name])
            raise RouteConflictError(
                f"route name {name!r} is already used for {other!r}; give {template!r} another name"
            )
        existing: Node[RouteT] | None = self.root
        for segment in segments:  # first pass only checks, so a conflict changes nothing
            existing = self._child(existing, segment, template) if existing else None
        if existing is not None:
            taken = sorted(methods & existing.routes.keys())
            if taken:
                raise RouteConflictError(f"{', '.join(taken)} {template!r} is already registered")
        node = self.root
        for segment in segments:
            node = self._child(node, segment, template, create=True)  # type: ignore[assignment]
        for method in methods:
            node.routes[method] = route
        node.template = template
        allowed = set(node.routes) | ({"HEAD"} if "GET" in node.routes else set())
        node.allow = tuple(sorted(allowed))
        if name and not name_taken:
            self._names[name] = segments

    @staticmethod
    def _child(
        node: Node[RouteT], segment: Segment, template: str, create: bool = False
    ) -> Node[RouteT] | None:
        convertor = segment.convertor
        if convertor is None:
            child = node.static.get(segment.text)
            if child is None and create:
                child = node.static[segment.text] = Node()
            return child
        slot = "rest" if convertor.matches_rest else "param"
        existing: Segment | None = getattr(node, f"{slot}_segment")
        if existing is not None and existing != segment:
            raise RouteConflictError(
                f"{template!r} puts {segment} where another route already has {existing}; "
                "a position holds one parameter (its type converts values, it does not "
                "select routes)"
            )
        child = getattr(node, slot)
        if child is None and create:
            child = Node()
            setattr(node, slot, child)
            setattr(node, f"{slot}_segment", segment)
        return child

    # -- lookup --------------------------------------------------------------------------
    def lookup(self, path: str, method: str) -> RouteMatch[RouteT]:
        """Find the route for ``method`` on ``path`` (a path starting with '/')."""
        if not path.startswith("/"):
            return RouteMatch(_NONE)
        params: dict[str, str] = {}
        segments = split_path(path)
        node = _find(self.root, segments, 0, len(segments), params)
        if node is None:
            return RouteMatch(_NONE)
        route = node.routes.get(method)
        if route is None and method == "HEAD":
            route = node.routes.get("GET")  # HEAD is GET without the body (RFC 9110 9.3.2)
        if route is None:
            return RouteMatch(_PARTIAL, None, params, node.allow)
        return RouteMatch(_FULL, route, params, node.allow)

    # -- building URLs -------------------------------------------------------------------
    def url_for(self, name: str, params: Mapping[str, Any]) -> str:
        """The path for route ``name`` with ``params`` filled in and percent-encoded."""
        try:
            segments = self._names[name]
        except KeyError:
            raise KeyError(f"no route named {name!r}") from None
        wanted = {s.text for s in segments if s.is_param}
        if set(params) != wanted:
            raise ValueError(
                f"route {name!r} takes parameters {sorted(wanted)}, got {sorted(params)}"
            )
        parts = []
        for segment in segments:
            if segment.convertor is None:
                parts.append(quote(segment.text, safe=""))
            else:
                text = segment.convertor.to_string(params[segment.text])
                parts.append(quote(text, safe="/" if segment.convertor.matches_rest else ""))
        return "/" + "/".join(parts)

    # -- explaining ----------------------------------------------------------------------
    def describe(self) -> str:
        """The trie as an indented tree, e.g. for printing while learning how it works."""
        lines: list[str] = ["/"]

        def walk(node: Node[RouteT], depth: int) -> None:
            children = [(repr(k), c) for k, c in sorted(node.static.items())]
            if node.param is not None:
                children.append((str(node.param_segment), node.param))
            if node.rest is not None:
                children.append((str(node.rest_segment), node.rest))
            for label, child in children:
                methods = f"  [{', '.join(sorted(child.routes))}]" if child.routes else ""
                lines.append("  " * depth + label + methods)
                walk(child, depth + 1)

        walk(self.root, 1)
        return "\n".join(lines)


def _find(
    node: Node[RouteT], segments: list[str], index: int, end: int, params: dict[str, str]
) -> Node[RouteT] | None:
    """Depth-first walk: static child, then parameter, then catch-all; the first node with
    routes at the end of the path wins. ``params`` collects the parameter segments."""
    if index == end:
        return node if node.routes else None
    segment = segments[index]
    child = node.static.get(segment)
    if child is not None:
        found = _find(child, segments, index + 1, end, params)
        if found is not None:
            return found
    if node.param is not None and segment:  # a parameter never matches an empty segment
        found = _find(node.param, segments, index + 1, end, params)
        if found is not None:
            params[node.param_segment.text] = segment  # type: ignore[union-attr]
            return found
    if node.rest is not None and node.rest.routes:
        params[node.rest_segment.text] = "/".join(segments[index:])  # type: ignore[union-attr]
        return node.rest
    return None
