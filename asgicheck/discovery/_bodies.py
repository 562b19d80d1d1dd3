"""Request bodies from a JSON Schema: the smallest instance a validator accepts.

A route that takes a JSON body (FastAPI's pydantic models, Litestar's dataclasses) answers 422
or 400 to an empty or made-up body, and its handler never runs. Where the app's OpenAPI
document describes the body, the target carries one instance of that schema: the required
properties only, each the simplest value of its type within its bounds (``"x"``, ``1``,
``1.0``, ``true``, ``[]``), or the schema's own ``const``, ``enum``, example or default.

The instance is built deterministically (xdist workers must collect the same targets), from the
schema alone. A ``pattern`` needs a string that matches it: Hypothesis finds the simplest one
(``find`` with a fixed seed) when it is installed; otherwise ``"x"`` stands.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from asgicheck.discovery._params import KIND_VALUES

__all__ = ["encode", "minimal_instance", "openapi_body"]

_FORMATS: Mapping[str, str] = {
    "date-time": "2024-01-02T03:04:05Z", "date": "2024-01-02", "time": "03:04:05",
    "duration": "P1D", "email": "user@example.com", "idn-email": "user@example.com",
    "hostname": "example.com", "idn-hostname": "example.com", "ipv4": "127.0.0.1",
    "ipv6": "::1", "uri": "https://example.com/", "url": "https://example.com/",
    "iri": "https://example.com/", "uri-reference": "/", "iri-reference": "/",
    "uuid": KIND_VALUES["uuid"], "byte": "eA==", "json-pointer": "", "regex": "x",
}
_MAX_DEPTH = 16
_BOUNDARY = "asgicheck-boundary"


def minimal_instance(schema: object, root: object = None) -> Any:
    """The smallest instance of ``schema``; ``$ref``s resolve in ``root`` (default: itself)."""
    return _build(schema, root if root is not None else schema, 0)


def encode(instance: Any, content_type: str, schema: object = None,
           root: object = None) -> tuple[bytes, bytes] | None:
    """``(content-type header, body)`` for ``instance`` sent as ``content_type``; None for a
    media type asgicheck cannot write. ``schema`` says which multipart fields are files."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        return kind.encode(), json.dumps(instance, separators=(",", ":")).encode()
    if kind == "application/x-www-form-urlencoded":
        return kind.encode(), urlencode(_fields(instance), doseq=True).encode()
    if kind == "multipart/form-data":
        return (f"{kind}; boundary={_BOUNDARY}".encode(),
                _multipart(instance, _properties(schema, root)))
    if kind.startswith("text/"):
        return kind.encode(), (instance if isinstance(instance, str) else "x").encode()
    return None


def _build(schema: object, root: object, depth: int) -> Any:
    schema = _resolved(schema, root)
    if depth > _MAX_DEPTH or not isinstance(schema, dict):
        return {}  # true, {}, or a cycle too deep to follow: any JSON value will do
    for key in ("const", "default"):
        if key in schema:
            return copy.deepcopy(schema[key])
    for key in ("enum", "examples"):
        if isinstance(schema.get(key), list) and schema[key]:
            return copy.deepcopy(schema[key][0])
    if "example" in schema:  # OpenAPI 3.0's spelling
        return copy.deepcopy(schema["example"])
    if isinstance(schema.get("allOf"), list):
        return _build(_merged(schema, root), root, depth + 1)
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            branches = [_resolved(b, root) for b in schema[key]]
            chosen = next((b for b in branches if _type(b) != "null"), branches[0])
            return _build(chosen, root, depth + 1)
    kind = _type(schema)
    if kind == "object":
        return _object(schema, root, depth)
    if kind == "array":
        return _array(schema, root, depth)
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return {}


def _resolved(schema: object, root: object) -> object:
    """The schema a ``$ref`` ("#/components/schemas/Item") points at, followed to the end."""
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 32:
        target: object = root
        for part in schema["$ref"].lstrip("#").strip("/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        schema, seen = target, seen + 1
    return schema


def _type(schema: object) -> str | None:
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if isinstance(kind, list):  # ["string", "null"]: the one that is not null
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    if any(key in schema for key in ("minLength", "maxLength", "pattern", "format")):
        return "string"
    if any(key in schema for key in ("minimum", "maximum", "exclusiveMinimum", "multipleOf")):
        return "number"
    return None


def _merged(schema: dict[str, Any], root: object) -> dict[str, Any]:
    """allOf folded into one schema: properties and required joined, the rest laid over."""
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties = dict(merged.get("properties") or {})
    required = list(merged.get("required") or [])
    for item in schema["allOf"]:
        part = _resolved(item, root)
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("allOf"), list):
            part = _merged(part, root)
        properties.update(part.get("properties") or {})
        required += [name for name in part.get("required") or [] if name not in required]
        merged.update({k: v for k, v in part.items() if k not in ("properties", "required")})
    return {**merged, "properties": properties, "required": required}


def _object(schema: dict[str, Any], root: object, depth: int) -> dict[str, Any]:
    properties = _properties(schema, root)
    names = [n for n in schema.get("required") or [] if isinstance(n, str)]
    wanted = _count(schema, "minProperties", 0)
    names += [n for n in properties if n not in names][:max(0, wanted - len(names))]
    extra = schema.get("additionalProperties")
    return {name: _build(properties[name] if name in properties else
                         extra if isinstance(extra, dict) else {"type": "string"}, root,
                         depth + 1) for name in names}


def _array(schema: dict[str, Any], root: object, depth: int) -> list[Any]:
    items = [_build(item, root, depth + 1) for item in schema.get("prefixItems") or []]
    wanted = _count(schema, "minItems", 0)
    if len(items) < wanted:
        item = _build(schema.get("items", {}), root, depth + 1)
        items += [copy.deepcopy(item) for _ in range(wanted - len(items))]
    return items


def _string(schema: dict[str, Any]) -> str:
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and (found := _matching(pattern)) is not None:
        return found
    text = _FORMATS.get(str(schema.get("format")), "x")
    shortest = _count(schema, "minLength", 0)
    if len(text) < shortest:
        text += "x" * (shortest - len(text))
    return text[:_count(schema, "maxLength", len(text))]


def _count(schema: dict[str, Any], key: str, default: int) -> int:
    value = schema.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _number(schema: dict[str, Any], *, integer: bool) -> int | float:
    """1 when the bounds allow it, else the bound nearest to it (a step inside an exclusive
    one), rounded up to ``multipleOf``."""
    low = _bound(schema, "minimum", "exclusiveMinimum")
    high = _bound(schema, "maximum", "exclusiveMaximum")
    step = 1 if integer else 0.5
    value = 1.0
    if low is not None:
        value = max(value, low[0] + (step if low[1] else 0))
    if high is not None and value > high[0] - (step if high[1] else 0):
        value = high[0] - (step if high[1] else 0)
        if low is not None and value <= low[0]:  # a narrow range: its middle
            value = (low[0] + high[0]) / 2
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int | float) and multiple > 0:
        value = math.ceil(value / multiple) * multiple
    return int(math.ceil(value)) if integer else float(value)


def _bound(schema: dict[str, Any], inclusive: str, exclusive: str) -> tuple[float, bool] | None:
    """The bound and whether it is exclusive (draft 2020-12 numbers, or OpenAPI 3.0's flag)."""
    flag = schema.get(exclusive)
    if isinstance(flag, int | float) and not isinstance(flag, bool):
        return float(flag), True
    value = schema.get(inclusive)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), flag is True
    return None


@functools.cache
def _matching(pattern: str) -> str | None:
    """The simplest string matching ``pattern``, found by Hypothesis with a fixed seed."""
    try:
        from hypothesis import find, settings, strategies
    except ImportError:
        return None
    try:
        found: str = find(strategies.from_regex(pattern, fullmatch=True), lambda _: True,
                          settings=settings(database=None, derandomize=True, max_examples=20,
                                            deadline=None))
    except Exception:  # a pattern Python's re cannot read (ECMA syntax), or none found
        return None
    return found


def _fields(instance: Any) -> list[tuple[str, str]]:
    if not isinstance(instance, dict):
        return []
    fields: list[tuple[str, str]] = []
    for name, value in instance.items():
        for item in value if isinstance(value, list) else [value]:
            fields.append((str(name), _text(item)))
    return fields


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _properties(schema: object, root: object) -> dict[str, Any]:
    schema = _resolved(schema, root if root is not None else schema)
    found = schema.get("properties") if isinstance(schema, dict) else None
    return found if isinstance(found, dict) else {}


def _multipart(instance: Any, properties: dict[str, Any]) -> bytes:
    parts = []
    for name, value in _fields(instance):
        binary = isinstance(properties.get(name), dict) and \
            properties[name].get("format") == "binary"
        disposition = f'form-data; name="{name}"' + ('; filename="x.txt"' if binary else "")
        parts.append(f"--{_BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
                     + ("Content-Type: text/plain\r\n" if binary else "") + f"\r\n{value}\r\n")
    return ("".join(parts) + f"--{_BOUNDARY}--\r\n").encode()


# The media types asgicheck writes, most useful first.
_MEDIA_ORDER = ("json", "application/x-www-form-urlencoded", "multipart/form-data", "text/")


def openapi_body(operation: object, document: object) -> tuple[bytes, bytes] | None:
    """``(content-type, body)`` for an OpenAPI operation's ``requestBody``: its example, or the
    minimal instance of its schema, in the first media type asgicheck can write."""
    request = _resolved(operation.get("requestBody") if isinstance(operation, dict) else None,
                        document)
    content = request.get("content") if isinstance(request, dict) else None
    if not isinstance(content, dict):
        return None
    for wanted in _MEDIA_ORDER:
        for media_type, media in content.items():
            if not isinstance(media, dict) or wanted not in str(media_type).lower():
                continue
            instance = _media_example(media, document)
            if instance is _NONE:
                instance = minimal_instance(media.get("schema", {}), document)
            encoded = encode(instance, str(media_type), media.get("schema"), document)
            if encoded is not None:
                return encoded
    return None


_NONE = object()


def _media_example(media: dict[str, Any], document: object) -> Any:
    """The media type's own ``example``, or the value of its first ``examples`` entry."""
    if "example" in media:
        return copy.deepcopy(media["example"])
    examples = media.get("examples")
    if isinstance(examples, dict):
        for example in examples.values():
            example = _resolved(example, document)
            if isinstance(example, dict) and "value" in example:
                return copy.deepcopy(example["value"])
    return _NONE
