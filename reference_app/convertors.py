"""Path-parameter convertors: how ``{item_id:int}`` turns ``"42"`` into ``42`` and back.

A convertor does two jobs. ``convert`` runs on every matching request and turns the path
segment (already percent-decoded by the server, see www.rst "path") into a Python value, raising
``ValueError`` on a bad one; the app answers 422 with a JSON message instead of a 404, because
the path *did* name a resource, just with a malformed id. ``to_string`` runs in ``url_for`` and
is the exact inverse.

A convertor does not decide whether a route matches: the trie matches on the *shape* of the path
(static segment, one parameter, or the rest of the path), which keeps lookup independent of the
number of routes. That is why ``/items/{a:int}`` and ``/items/{b:str}`` conflict.
"""

from __future__ import annotations

import math
import re
import uuid
from typing import Any

__all__ = [
    "CONVERTORS",
    "Convertor",
    "FloatConvertor",
    "IntegerConvertor",
    "PathConvertor",
    "StringConvertor",
    "UUIDConvertor",
    "convertor_for_annotation",
]

# Only ASCII digits: int() would also accept " 42", "4_2" and Arabic-Indic digits.
_INTEGER = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class Convertor:
    """Base class; the default behaviour is the ``str`` convertor."""

    name = "str"
    type_name = "a non-empty string"
    #: True only for ``path``: it swallows every remaining segment, slashes included.
    matches_rest = False

    def convert(self, value: str) -> Any:
        return value

    def to_string(self, value: Any) -> str:
        text = str(value)
        if not text or "/" in text:
            # The server decodes %2F to "/" in scope["path"], so such a value could never be
            # routed back to this parameter.
            raise ValueError(f"a {self.name!r} path parameter cannot be empty or contain '/'")
        return text

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class StringConvertor(Convertor):
    pass


class IntegerConvertor(Convertor):
    name = "int"
    type_name = "an integer"

    def convert(self, value: str) -> int:
        if not _INTEGER.fullmatch(value):
            raise ValueError(value)
        return int(value)  # may itself raise ValueError for absurdly long digit strings

    def to_string(self, value: Any) -> str:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"expected an int, got {value!r}")
        return str(value)


class FloatConvertor(Convertor):
    name = "float"
    type_name = "a decimal number"

    def convert(self, value: str) -> float:
        if not _FLOAT.fullmatch(value):
            raise ValueError(value)
        return float(value)

    def to_string(self, value: Any) -> str:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"expected a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError("nan and infinity have no path form")
        text = repr(float(value))
        if "e" in text:
            raise ValueError(f"{value!r} needs an exponent, which the path form does not allow")
        return text


class UUIDConvertor(Convertor):
    name = "uuid"
    type_name = "a UUID"

    def convert(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_string(self, value: Any) -> str:
        return str(uuid.UUID(str(value)))


class PathConvertor(Convertor):
    """``{rest:path}``: the rest of the path, slashes included; must be the last segment."""

    name = "path"
    type_name = "a path"
    matches_rest = True

    def to_string(self, value: Any) -> str:
        return str(value)


CONVERTORS: dict[str, Convertor] = {
    c.name: c
    for c in (
        StringConvertor(),
        IntegerConvertor(),
        FloatConvertor(),
        UUIDConvertor(),
        PathConvertor(),
    )
}

_BY_ANNOTATION: dict[Any, str] = {
    str: "str",
    int: "int",
    float: "float",
    uuid.UUID: "uuid",
    "str": "str",  # annotations stay strings under ``from __future__ import annotations``
    "int": "int",
    "float": "float",
    "uuid.UUID": "uuid",
    "UUID": "uuid",
}


def convertor_for_annotation(annotation: Any) -> Convertor | None:
    """The convertor matching a handler parameter's annotation, or None if there is none."""
    try:
        name = _BY_ANNOTATION.get(annotation)
    except TypeError:  # unhashable annotation objects
        return None
    return CONVERTORS[name] if name else None
