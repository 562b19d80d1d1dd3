"""Django: the URL patterns of the project's root URLconf.

Called only when the app is Django's ``ASGIHandler`` (so Django is already imported and set up);
``django.urls`` is read from ``sys.modules``, never imported here. Route patterns
(``items/<int:pk>/``) are filled by converter; regex patterns are used only when plain text.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

from asgicheck.contract import Target
from asgicheck.discovery._params import fill

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
            yield Target(path="/" + fill(prefix + text, converters).lstrip("/"),
                         source="django", template=template)


def _text(pattern: Any) -> str | None:
    route = getattr(pattern, "_route", None)
    if isinstance(route, str):
        return route
    regex = getattr(pattern, "_regex", None)
    if isinstance(regex, str):
        match = _PLAIN_REGEX.fullmatch(regex)
        return match["text"] if match else None
    return None
