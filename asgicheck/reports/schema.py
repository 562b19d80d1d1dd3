"""The JSON report's schema (``schema_version`` 3), as JSON Schema, and a small checker for it.

``SCHEMA`` is the contract docs/json-report.md describes field by field; it is plain JSON Schema
(draft 2020-12), so other tools can validate reports with it. ``problems(document)`` checks a
report against it without any dependency: it understands the keywords ``SCHEMA`` uses (``type``,
``properties``, ``required``, ``additionalProperties``, ``items``, ``enum``, ``const`` and
``minimum``) and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SCHEMA", "problems"]

_COUNT = {"type": "integer", "minimum": 0}
_STATUS = {"enum": ["passed", "failed", "warned", "skipped"]}
_COUNTS_BY_STATUS = {"type": "object", "additionalProperties": _COUNT}
_NULLABLE_STRING = {"type": ["string", "null"]}


def _record(required: dict[str, Any], *, open_: bool = False) -> dict[str, Any]:
    """An object with exactly these keys (or at least these, when ``open_``)."""
    return {"type": "object", "properties": required, "required": list(required),
            "additionalProperties": open_}


_VIOLATION = _record({
    "rule": {"type": "string"},
    "severity": {"enum": ["error", "warning", "info"]},
    "level": {"enum": ["MUST", "SHOULD", "MAY", None]},
    "party": {"enum": ["app", "server"]},
    "spec": {"type": "string"},
    "message": {"type": "string"},
    "index": {"type": ["integer", "null"], "minimum": 0},
    "fails": {"type": "boolean"},
    "breaks": _NULLABLE_STRING,
})

_ENTRY = _record({
    "kind": {"enum": ["received", "sent", "note", "omitted", "finding", "text"]},
    "index": {"type": ["integer", "null"], "minimum": 0},
    "time": {"type": ["number", "null"], "minimum": 0},
    "type": _NULLABLE_STRING,
    "text": {"type": "string"},
    "send_result": {"enum": ["ok", "raised", "ignored", None]},
    "rules": {"type": "array", "items": {"type": "string"}},
})

_EXCHANGE = _record({
    "title": {"type": "string"},
    "entries": {"type": "array", "items": _ENTRY},
    "end": _NULLABLE_STRING,
})

_RESULT = _record({
    "scenario_id": {"type": "string"},
    "protocol": {"enum": ["http", "websocket", "lifespan", "general"]},
    "title": {"type": "string"},
    "status": _STATUS,
    "violations": {"type": "array", "items": _VIOLATION},
    "transcript": {"type": "string"},
    "skip_reason": _NULLABLE_STRING,
    "duration": {"type": "number", "minimum": 0},
    "details": {"type": "object"},
    "rules": {"type": "array", "items": {"type": "string"}},
    "exchanges": {"type": "array", "items": _EXCHANGE},
    "xfailed": {"type": "boolean"},
})

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "asgicheck JSON report",
    **_record({
        "schema_version": {"const": 4},
        "tool": _record({"name": {"const": "asgicheck"}, "version": {"type": "string"}}),
        "app": _record({
            "spec": {"type": "string"}, "source": {"type": "string"},
            "style": {"enum": ["asgi3", "asgi2", "not-asgi"]}, "description": {"type": "string"},
        }),
        "options": _record({
            "select": {"type": "array", "items": {"type": "string"}},
            "ignore": {"type": "array", "items": {"type": "string"}},
            "strict": {"type": "boolean"},
            "spec_version": {"type": "string"},
            "deadline": {"type": "number", "minimum": 0},
            "max_targets": {"type": "integer", "minimum": 1},
            "targets": {"type": "array", "items": {"type": "string"}},
            "websocket_paths": {"type": "array", "items": {"type": "string"}},
            "fuzz": {**_record({
                "max_examples": {"type": "integer", "minimum": 1},
                "max_total_examples": {"type": ["integer", "null"], "minimum": 1},
                "seed": {"type": ["integer", "null"]},
                "derandomized": {"type": "boolean"},
                "profile": _NULLABLE_STRING,
                "allow_5xx": {"type": "boolean"},
                "properties": {"type": "array", "items": {"enum": ["P1", "P2", "P3", "P4",
                                                                   "P5"]}},
            }), "type": ["object", "null"]},
        }),
        "targets": {"type": "array", "items": _record({
            "label": {"type": "string"}, "kind": {"enum": ["http", "websocket"]},
            "method": {"type": "string"}, "path": {"type": "string"},
            "source": {"type": "string"},
        })},
        "summary": _record({
            "total": _COUNTS_BY_STATUS,
            "by_protocol": {"type": "object", "additionalProperties": _COUNTS_BY_STATUS},
            "by_rule": {"type": "object", "additionalProperties": {
                "type": "object", "additionalProperties": _COUNT}},
            "failed": {"type": "boolean"},
        }),
        "results": {"type": "array", "items": _RESULT},
    }),
}

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
    "integer": (int,), "number": (int, float), "null": (type(None),),
}


def problems(document: Any, schema: Mapping[str, Any] = SCHEMA, path: str = "$") -> list[str]:
    """Where ``document`` breaks ``schema``, one line each (``$.results[3].status: ...``)."""
    found: list[str] = []
    if "const" in schema and document != schema["const"]:
        found.append(f"{path}: {document!r} is not {schema['const']!r}")
    if "enum" in schema and document not in schema["enum"]:
        found.append(f"{path}: {document!r} is not one of {schema['enum']!r}")
    if "type" in schema:
        names = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
        if not any(_is(document, name) for name in names):
            return [*found, f"{path}: {type(document).__name__} {document!r:.60} is not "
                            f"{' or '.join(names)}"]
    if "minimum" in schema and _is(document, "number") and document < schema["minimum"]:
        found.append(f"{path}: {document!r} is below {schema['minimum']}")
    if isinstance(document, dict):
        properties = schema.get("properties", {})
        found += [f"{path}: no {key!r}" for key in schema.get("required", ())
                  if key not in document]
        extra = schema.get("additionalProperties", True)
        for key, value in document.items():
            if key in properties:
                found += problems(value, properties[key], f"{path}.{key}")
            elif extra is False:
                found.append(f"{path}: unexpected key {key!r}")
            elif isinstance(extra, Mapping):
                found += problems(value, extra, f"{path}[{key!r}]")
    if isinstance(document, list) and "items" in schema:
        for position, value in enumerate(document):
            found += problems(value, schema["items"], f"{path}[{position}]")
    return found


def _is(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False  # JSON booleans are not numbers, though Python's are ints
    if name == "number" and isinstance(value, float):
        return True
    return isinstance(value, _TYPES[name])
