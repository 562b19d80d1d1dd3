"""Django: the URL patterns of the project's root URLconf.

Called only when the app is Django's ``ASGIHandler`` (so Django is already imported and set up);
``django.urls`` is read from ``sys.modules``, never imported here. Route patterns
(``items/<int:pk>/``) are filled by converter; regex patterns are used only when plain text.

Each view is sent the methods it takes: a class-based view's handlers (``post``, ``put``, ...,
among its ``http_method_names``), or the list ``require_http_methods`` (``require_POST``,
``require_GET``, ``require_safe``) keeps in its closure; any other function view gets GET.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

from asgicheck.contract import Target
from asgicheck.discovery._params import fill
from asgicheck.discovery._routes import order_methods

__all__ = ["django_targets"]

_PLAIN_REGEX = re.compile(r"\^?(?P<text>[\w/.-]*)\$?")


def django_targets(app: object) -> list[Target]:
    if not type(app).__module__.startswith("django.") or "django.urls" not in sys.modules:
        return []
    urls: Any = sys.modules["django.urls"]  # the app is Django's handler: already imported
    return list(_walk(urls.get_resolver().url_patterns, ""))


def _walk(patterns: Any, prefix: str, depth: int = 0) -> Iterator[Target]:
    if depth > 8:
        return
    for entry in patterns:
        text = _text(entry.pattern)
        if text is None:
            continue
        if hasattr(entry, "url_patterns"):  # URLResolver: include(...)
            yield from _walk(entry.url_patterns, prefix + text, depth + 1)
        else:
            converters = getattr(entry.pattern, "converters", {}) or {}
            template = "/" + (prefix + text).lstrip("/")
            path = "/" + fill(prefix + text, converters).lstrip("/")
            for method in order_methods(_methods(getattr(entry, "callback", None))):
                yield Target(method=method, path=path, source="django", template=template)


def _methods(view: Any) -> list[str]:
    """The methods ``view`` answers (see the module docstring); GET when it does not say."""
    view_class = getattr(view, "view_class", None)
    if isinstance(view_class, type):
        names = getattr(view_class, "http_method_names", ()) or ()
        found = [str(name).upper() for name in names if name != "options" and
                 callable(getattr(view_class, str(name), None))]
        return found or ["GET"]
    for _ in range(8):  # through the decorators' wrappers (functools.wraps: __wrapped__)
        allowed = _closure(view, "request_method_list")
        if isinstance(allowed, list | tuple | set) and allowed:
            return [str(method) for method in allowed]
        view = getattr(view, "__wrapped__", None)
        if view is None:
            break
    return ["GET"]


def _closure(function: Any, name: str) -> object:
    """The value of the free variable ``name`` of ``function``, if it has one."""
    code, cells = getattr(function, "__code__", None), getattr(function, "__closure__", None)
    names = getattr(code, "co_freevars", ())
    if not cells or name not in names:
        return None
    try:
        return cells[names.index(name)].cell_contents
    except ValueError:  # an empty cell
        return None


def _text(pattern: Any) -> str | None:
    route = getattr(pattern, "_route", None)
    if isinstance(route, str):
        return route
    regex = getattr(pattern, "_regex", None)
    if isinstance(regex, str):
        match = _PLAIN_REGEX.fullmatch(regex)
        return match["text"] if match else None
    return None
