"""What the server hands the app: the scope (checked once per call) and each received event.

Every rule here binds the server (party "server"): these are the static ``SCOPE``/``EVT``
checks of the catalogue, for http, websocket and lifespan scopes, plus the ``tls`` extension
(``_tls``); the fields of http and websocket scopes are in ``_scope_fields``. Ordering between
events is the state machines' job.

Two promises. ``check_scope`` never raises, whatever it is given: a scope that is not a dict is
GEN-SCOPE-001, a field of the wrong type is that field's rule. And a valid scope costs a few
microseconds: the validator runs on every request, so the common path is straight-line exact
type tests, and messages are only formatted for values that fail. One-shot iterables (a server
may pass headers as any iterable, A18) are never iterated: checking them would empty them
before the app saw them.
"""

from __future__ import annotations

import math
from typing import Any

from asgicheck.rules import violation
from asgicheck.validator._scope_fields import (
    HTTP,
    MISSING,
    WS,
    check_www,
    is_extension_dict,
    kind_of,
    plain_http,
    plain_www,
    show,
    spec_version,
)
from asgicheck.validator._tls import check_tls
from asgicheck.violations import Violation

__all__ = ["check_event", "check_scope"]

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_MAX_DEPTH = 32
_NEAR_MISSES = {"https": "HTTP-SCOPE-001", "http": "HTTP-SCOPE-001", "ws": "WS-SCOPE-001",
                "wss": "WS-SCOPE-001", "websocket": "WS-SCOPE-001", "websockets": "WS-SCOPE-001",
                "lifespan": "LS-SCOPE-001"}
_EXPECTED_TYPE = {"HTTP-SCOPE-001": "http", "WS-SCOPE-001": "websocket",
                  "LS-SCOPE-001": "lifespan"}


def check_scope(scope: Any) -> list[Violation]:
    """The server-side static rules for one scope; never raises."""
    if type(scope) is dict and plain_http(scope):
        return []
    # asgi.rst "Applications": "scope must be a dict. The key scope["type"] will always be
    # present"; "Protocol Specifications": "In scopes, the type key must be a Unicode string".
    if not isinstance(scope, dict):
        return [violation("GEN-SCOPE-001", f"the scope is {kind_of(scope)} "
                          f"({show(scope)}), not a dict")]
    found: list[Violation] = []
    kind = scope.get("type", MISSING)
    if type(kind) is not str:
        what = "has no 'type' key" if kind is MISSING else \
            f"has type={show(kind)}, {kind_of(kind)}"
        found.append(violation("GEN-SCOPE-001", f"the scope {what}; the type is a str naming "
                               f"the protocol, and apps dispatch on it"))
    # asgi.rst "Applications": scope["asgi"] "will also be present as a dictionary containing a
    # scope["asgi"]["version"] key".
    asgi = scope.get("asgi", MISSING)
    if type(asgi) is not dict or type(asgi.get("version")) is not str:
        found.append(_asgi_problem(asgi))
        asgi = None
    # asgi.rst "Extensions": the entry is a dict, and each extension's value "should itself be
    # a dict".
    extensions = scope.get("extensions", MISSING)
    if extensions is not MISSING and not is_extension_dict(extensions):
        found.append(violation("GEN-SCOPE-003", f"scope['extensions']={show(extensions, 100)} "
                               f"is not a dict of extension name (str) to dict; apps look "
                               f"extensions up by name and read their settings from the dict"))
    if (kind == "http" or kind == "websocket") and type(kind) is str:
        fields = HTTP if kind == "http" else WS
        if found or not plain_www(scope, fields is HTTP):
            check_www(scope, asgi, fields, found)
            if type(extensions) is dict and type(extensions.get("tls")) is dict:
                found += check_tls(extensions["tls"], scope.get("scheme", fields.default_scheme))
    elif kind == "lifespan" and type(kind) is str:
        _check_lifespan(scope, asgi, found)
    elif type(kind) is str:
        rule = _NEAR_MISSES.get(kind.strip().lower())
        if rule is not None:
            # www.rst: "The HTTP protocol should be signified to ASGI applications with a type
            # value of http" (and websocket, lifespan likewise).
            found.append(violation(rule, f"scope type={kind!r} is not {_EXPECTED_TYPE[rule]!r}:"
                                   f" the protocol is named by exactly that string (the scheme "
                                   f"goes in scope['scheme']), so apps will not recognise it"))
    return found


def _asgi_problem(asgi: object) -> Violation:
    if asgi is MISSING:
        what = "the scope has no 'asgi' key"
    elif type(asgi) is not dict:
        what = f"scope['asgi']={show(asgi)} is {kind_of(asgi)}, not a dict"
    elif "version" not in asgi:
        what = "scope['asgi'] has no 'version' key"
    else:
        what = f"scope['asgi']['version']={show(asgi['version'])} is not a str"
    return violation("GEN-SCOPE-002", f"{what}; apps read the ASGI version there (\"3.0\")")


def _check_lifespan(scope: dict[str, Any], asgi: dict[str, Any] | None,
                    found: list[Violation]) -> None:
    # lifespan.rst "Scope": spec_version "Optional; if missing defaults to "1.0"" (now 2.0).
    spec_version(asgi, "LS-SCOPE-001", (1, 2), (1, 0), found)
    # state: "An empty namespace where the application can persist state".
    state = scope.get("state", MISSING)
    if state is not MISSING and (type(state) is not dict or state):
        found.append(violation("LS-SCOPE-002", f"lifespan scope state={show(state)} is not an "
                               f"empty dict; the app fills it, and each request gets a copy"))


def check_event(event: Any, index: int) -> list[Violation]:
    """GEN-EVT-001 and the static part of HTTP-EVT-001 for one event receive() returned."""
    # asgi.rst "Events": "Each event is a dict with a top-level type key that contains a Unicode
    # string"; values are "only allowed to contain" bytes, str, int, float, list, dict, bool,
    # None; "Dicts (keys must be Unicode strings)".
    if not isinstance(event, dict):
        return [violation("GEN-EVT-001", f"receive() returned {kind_of(event)} "
                          f"({show(event)}), not an event dict", index=index)]
    kind = event.get("type", MISSING)
    if not isinstance(kind, str):
        what = "has no 'type' key" if kind is MISSING else f"has type={show(kind)}, not a str"
        return [violation("GEN-EVT-001", f"receive() returned an event that {what}: "
                          f"{show(event, 100)}", index=index)]
    for key, value in event.items():
        if type(key) is not str:
            return [violation("GEN-EVT-001", f"receive() returned {kind!r} with the key "
                              f"{show(key)}, {kind_of(key)}: event keys are str", index=index)]
        problem = _unserializable(value, 0)
        if problem is not None:
            return [violation("GEN-EVT-001", f"receive() returned {kind!r} whose [{key!r}] "
                              f"{problem}: events hold only bytes, str, int, float, bool, None, "
                              f"lists and str-keyed dicts", index=index)]
    if kind == "http.request":
        # www.rst "Request - receive event": body (byte string), more_body (bool).
        body, more = event.get("body", b""), event.get("more_body", False)
        if type(body) is not bytes:
            return [violation("HTTP-EVT-001", f"http.request body={show(body)} is "
                              f"{kind_of(body)}, not bytes: apps concatenate the chunks as "
                              f"bytes", index=index)]
        if type(more) is not bool:
            return [violation("HTTP-EVT-001", f"http.request more_body={show(more)} is "
                              f"{kind_of(more)}, not a bool: apps test it to know whether "
                              f"more body follows", index=index)]
    return []


_SCALARS = frozenset({str, bytes, bool, type(None)})


def _unserializable(value: Any, depth: int) -> str | None:
    kind = type(value)
    if kind in _SCALARS:
        return None
    if kind is int or (isinstance(value, int) and not isinstance(value, bool)):
        return None if _INT64_MIN <= value <= _INT64_MAX else \
            f"holds {value!r}, outside the signed 64-bit range"
    if kind is float:
        return None if math.isfinite(value) else f"holds {value!r}, not a finite float"
    if depth >= _MAX_DEPTH and (kind is list or kind is tuple or kind is dict):
        return f"nests more than {_MAX_DEPTH} levels deep (a cycle?)"
    if kind is list or kind is tuple:
        for item in value:
            problem = _unserializable(item, depth + 1)
            if problem is not None:
                return problem
        return None
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return f"has the dict key {show(key)}, {kind_of(key)}, not a str"
            problem = _unserializable(item, depth + 1)
            if problem is not None:
                return problem
        return None
    if isinstance(value, (str, bytes)):
        return None
    return f"holds {show(value)}, {kind_of(value)}"
