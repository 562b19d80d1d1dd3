"""Request bodies from typed handler signatures, for an app that builds no OpenAPI document.

Litestar takes a route's body as the handler's ``data`` parameter (or ``JSONBody[T]``, the same
type with a marker), typed: a dataclass, a msgspec ``Struct``, a ``TypedDict``, a pydantic model.
With its OpenAPI schema turned off (``openapi_config=None``) that annotation is the only
description of the body. It is turned into JSON Schema the way the framework itself would
(pydantic's ``model_json_schema()``, or ``msgspec.json.schema``: msgspec is a dependency of
Litestar, read from ``sys.modules``) and laid out as a small OpenAPI-like document, which
``_openapi.with_bodies`` reads like any other.
"""

from __future__ import annotations

import sys
import typing
from typing import Any

__all__ = ["typed_document"]


def typed_document(app: object) -> dict[str, Any] | None:
    """``{"paths": {template: {method: {"requestBody": ...}}}, "$defs": {...}}`` for the
    routes of ``app`` whose handlers type a ``data`` parameter; None when there are none."""
    paths: dict[str, dict[str, Any]] = {}
    definitions: dict[str, Any] = {}
    for route in _list(getattr(app, "routes", None)):
        template = getattr(route, "path", None)
        for handler in _list(getattr(route, "route_handlers", None)):
            schema = _schema(_data_type(getattr(handler, "fn", None)))
            if not isinstance(template, str) or schema is None:
                continue
            definitions.update(schema.pop("$defs", {}))
            body = {"requestBody": {"content": {"application/json": {"schema": schema}}}}
            for method in getattr(handler, "http_methods", None) or ():
                paths.setdefault(template, {})[str(method).lower()] = body
    return {"paths": paths, "$defs": definitions} if paths else None


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _data_type(function: object) -> object:
    """The type of the ``data`` parameter, without its ``Annotated`` body marker (Litestar's
    ``JSONBody[T]`` is ``Annotated[T, BodyKwarg(...)]``)."""
    try:
        return typing.get_type_hints(function).get("data")  # Annotated[T, ...] comes as T
    except Exception:  # not a function, or annotations that do not resolve
        return None


def _schema(annotation: object) -> dict[str, Any] | None:
    if annotation is None:
        return None
    try:
        model_schema = getattr(annotation, "model_json_schema", None)
        if callable(model_schema):  # pydantic 2
            found = model_schema(ref_template="#/$defs/{model}")
            return dict(found) if isinstance(found, dict) else None
        msgspec = sys.modules.get("msgspec")
        if msgspec is not None:
            found = msgspec.json.schema(annotation)
            return dict(found) if isinstance(found, dict) else None
    except Exception:  # a type the schema builder does not know
        return None
    return None
