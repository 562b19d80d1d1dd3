"""Path templates to concrete paths: each parameter gets a value of its declared type.

Every framework writes templates its own way (``{id}``, ``{id:int}``, ``<int:id>``, ``<id>``) and
names its types its own way (``IntegerConvertor``, ``IntConverter``, ``int``, ``integer``). They
all come down to the few kinds below, each with one value the framework's matcher accepts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["KIND_VALUES", "fill", "kind_of"]

KIND_VALUES: Mapping[str, str] = {
    "int": "1",
    "float": "1.5",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "path": "a/b",
    "str": "x",
    "slug": "x",
    "date": "2024-01-02",
    "datetime": "2024-01-02T03:04:05",
    "time": "03:04:05",
    "bool": "true",
}

_ALIASES = {
    "int": "int", "integer": "int", "integerconvertor": "int", "intconverter": "int",
    "integerconverter": "int", "float": "float", "number": "float", "decimal": "float",
    "floatconvertor": "float", "floatconverter": "float", "uuid": "uuid", "uuidconvertor": "uuid",
    "uuidconverter": "uuid", "path": "path", "pathconvertor": "path", "pathconverter": "path",
    "slug": "slug", "slugconverter": "slug", "str": "str", "string": "str",
    "stringconvertor": "str", "stringconverter": "str", "unicodeconverter": "str",
    "date": "date", "datetime": "datetime", "date-time": "datetime", "time": "time",
    "bool": "bool", "boolean": "bool",
}

# {name}, {name:type}, <name>, <type:name>, <any(a, b):name>
_PARAM = re.compile(r"\{(?P<b_name>\w+)(?::(?P<b_type>[\w-]+))?\}"
                    r"|<(?:(?P<a_type>[\w-]+)(?P<args>\([^)]*\))?:)?(?P<a_name>\w+)>")


def kind_of(declared: object) -> str:
    """The kind for a type name, convertor class or instance, or Python type."""
    if declared is None:
        return "str"
    if isinstance(declared, str):
        name = declared
    elif isinstance(declared, type):
        name = "uuid" if declared.__name__ == "UUID" else declared.__name__
        if name not in _ALIASES and issubclass(declared, (int, float, str)):
            name = next(b.__name__ for b in declared.__mro__ if b in (int, float, str))
    else:
        name = type(declared).__name__
    return _ALIASES.get(name.lower(), "str")


def fill(template: str, kinds: Mapping[str, object] | None = None) -> str:
    """``"/items/{id:int}"`` → ``"/items/1"``; ``kinds`` (name → type) overrides the template."""
    kinds = kinds or {}

    def value(match: re.Match[str]) -> str:
        name = match["b_name"] or match["a_name"]
        declared = kinds.get(name) or match["b_type"] or match["a_type"]
        if match["a_type"] == "any" and match["args"]:
            return match["args"].strip("()").split(",")[0].strip().strip("'\"") or "x"
        return KIND_VALUES[kind_of(declared)]

    return _PARAM.sub(value, template)
