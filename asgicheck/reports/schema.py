"""The JSON report's schema (``schema_version`` 7), as JSON Schema.

``SCHEMA`` is the contract docs/json-report.md describes field by field. It is plain JSON Schema
(draft 2020-12): validate a report with any validator, e.g. ``jsonschema.validate(document,
SCHEMA)`` (the test suite does; asgicheck itself needs no validator at run time).
"""

from __future__ import annotations

from typing import Any

__all__ = ["SCHEMA"]

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
    "ended": {"enum": ["returned", "raised", "timeout", "cancelled", "running", None]},
    "raised_at": {"type": "array", "items": _record({
        "file": {"type": "string"}, "line": {"type": "integer", "minimum": 0},
        "function": {"type": "string"}, "code": {"type": "string"},
    })},
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
        "schema_version": {"const": 7},
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
                "max_total_time": {"type": ["number", "null"], "exclusiveMinimum": 0},
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
