"""Strategies for requests around one target: the inputs fixed scenarios leave out.

They are the public ``asgicheck.strategies`` pointed at the target: ``http_requests`` around the
target's route (path parameters given values of their kind where the template is known, children
and siblings with non-ASCII, empty or odd segments and encoded slashes), starting from the
target's own query string, headers and body (repeated keys, valueless keys, ``+``, ``;``, escapes
that are not UTF-8; latin-1 header values and repeated names; a body for methods that carry one),
its content-type sometimes left out or another one, the body split into up to five chunks; and
``websocket_sessions`` for a websocket target. A fallback target (``DEFAULT_TARGETS``: discovery
found no routes) is sent as GET, POST and PUT too, with empty, JSON, form and arbitrary bodies.

Everything shrinks toward the target itself, and each interesting value toward one readable
representative: a non-ASCII path toward ``/é``, a non-UTF-8 query toward ``%FF``, a latin-1
header value toward ``é``, a split body toward two chunks, a disconnect toward ``"first"``. An
HTTP example is one choice for Hypothesis (its disconnect point a byte of the request program),
a websocket example two (see asgicheck.strategies for why that matters).
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from asgicheck import strategies as asgi
from asgicheck.contract import BODY_METHODS, Target
from asgicheck.discovery import DEFAULT_TARGETS, KIND_VALUES, kind_of
from asgicheck.fuzzing._examples import (
    WS_DISCONNECTS,
    HTTPExample,
    WebSocketExample,
    WsMessage,
)

__all__ = ["http_examples", "template_parts", "websocket_examples"]

# {name}, {name:type}, <name>, <type:name>, <any(a, b):name> (as asgicheck.discovery reads them)
_PARAM = re.compile(r"\{(?P<b_name>\w+)(?::(?P<b_type>[\w-]+))?\}"
                    r"|<(?:(?P<a_type>[\w-]+)(?:\([^)]*\))?:)?(?P<a_name>\w+)>")
_REVERSE_KINDS = {value: kind for kind, value in KIND_VALUES.items() if kind != "slug"}
# Set by the driver's http_scope (host, content-length) or meaning another protocol.
_FALLBACK_METHODS = ("GET", "POST", "PUT")
_RESERVED_HEADERS = (b"host", b"content-length", b"transfer-encoding", b"expect", b"connection",
                     b"upgrade")


def template_parts(template: str, path: str) -> list[str | tuple[str, str]]:
    """The template as literal text and ``(name, kind)`` parameters. A parameter's kind is its
    declared type, or else read back from the value discovery filled in (``/items/1``: int)."""
    filled = path.split("/")
    aligned = len(filled) == len(template.split("/"))
    parts: list[str | tuple[str, str]] = []
    position = 0
    for match in _PARAM.finditer(template):
        parts.append(template[position:match.start()])
        name = match["b_name"] or match["a_name"]
        declared = match["b_type"] or match["a_type"]
        kind = kind_of(declared) if declared else "str"
        if not declared and aligned:
            segment = template[:match.start()].count("/")
            kind = _REVERSE_KINDS.get(filled[segment], "str")
        parts.append((name, kind))
        position = match.end()
    parts.append(template[position:])
    return [p for p in parts if p != ""]


def route(target: Target) -> str:
    """The target as a route for ``asgi.paths()``: its template in ``{name:kind}`` form, or its
    path."""
    if not target.template:
        return target.path
    return "".join(p if isinstance(p, str) else f"{{{p[0]}:{p[1]}}}"
                   for p in template_parts(target.template, target.path))


def _example(request: tuple[Any, ...]) -> HTTPExample:
    scope, chunks, *where = request  # where the client leaves, with disconnects=True
    raw_path = scope["raw_path"]
    return HTTPExample(
        method=scope["method"], path=scope["path"],
        # Only where it says more than the path does: an encoded slash (A12).
        raw_path=raw_path if b"%2F" in raw_path else None,
        query_string=scope["query_string"], headers=tuple(map(tuple, scope["headers"])),
        body=b"".join(chunks), chunks=tuple(chunks),
        disconnect=where[0] if where else None)


def http_examples(target: Target, *, disconnect: bool = False) -> SearchStrategy[HTTPExample]:
    """Requests around an HTTP ``target`` (see the module): its method, a path around its route,
    a query string, headers and body starting from its own (its content-type sometimes left
    out, or another one), the body split into up to five chunks; with ``disconnect=True``, a
    point where the client goes away. A fallback target (one of discovery's guesses for an app
    without a route table) is sent as GET, POST and PUT too, with bodies of every shape.
    Shrinks toward the target's own request in one chunk (and ``"first"``).
    """
    if not isinstance(target, Target) or target.kind != "http":
        raise InvalidArgument(f"target={target!r} must be an http Target")
    method = target.method.upper()
    methods: tuple[str, ...] = (method,)
    if target in DEFAULT_TARGETS:  # nothing is known about it: other methods may reach more
        methods += tuple(m for m in _FALLBACK_METHODS if m != method)
    options: dict[str, Any] = {
        "methods": methods, "query_string": target.query_string, "headers": target.headers,
        "body": target.body, "max_body": 48 if target.body or set(methods) & BODY_METHODS else 0,
        "exclude_headers": _RESERVED_HEADERS, "host": None, "content_types": True}
    if disconnect:  # a byte of the same program, not a second choice (see strategies)
        return asgi.http_requests(route(target), disconnects=True, **options).map(_example)
    return asgi.http_requests(route(target), **options).map(_example)


def _message(event: dict[str, Any]) -> WsMessage:
    key = "text" if event.get("text") is not None else "bytes"
    return (key, event[key], ("bytes" if key == "text" else "text") in event)


_WS_DISCONNECTS = st.sampled_from(WS_DISCONNECTS)


@st.composite  # (not st.tuples(...).map(): see _with_disconnect)
def _session(draw: st.DrawFn,
             sessions: SearchStrategy[tuple[dict[str, Any], list[dict[str, Any]]]]
             ) -> WebSocketExample:
    scope, events = draw(sessions)
    where = draw(_WS_DISCONNECTS)
    *messages, gone = events
    return WebSocketExample(path=scope["path"], query_string=scope["query_string"],
                            subprotocols=tuple(scope["subprotocols"]),
                            messages=tuple(map(_message, messages)), close_code=gone["code"],
                            disconnect=where)


def websocket_examples(target: Target) -> SearchStrategy[WebSocketExample]:
    """Sessions with a websocket ``target``: its subprotocols or generated ones, up to four
    text or binary messages in every legal shape (empty frames often), a close code and the
    moment the client closes. Shrinks toward no messages, a 1000 close once the app waits for
    more."""
    if not isinstance(target, Target) or target.kind != "websocket":
        raise InvalidArgument(f"target={target!r} must be a websocket Target")
    sessions = asgi.websocket_sessions(target.path, query_string=target.query_string,
                                       subprotocols=target.subprotocols, max_messages=4)
    return _session(sessions)
