"""Targets from an OpenAPI document: one the app object builds (``app.openapi()``, FastAPI's
public method) or one it serves at ``GET /openapi.json``.

Path parameters get a value of their schema type (``integer`` → 1, ``string``/``uuid`` → a
UUID, ...), and operations with a ``requestBody`` a body that satisfies its schema
(``_bodies``). Targets read from a route table get their bodies from the document the app
object builds (``app_document``: FastAPI's ``openapi()``, Litestar's ``openapi_schema``).
The served document is fetched with one ordinary exchange through the driver (``served``): its
hard deadline and watchdog hold for an app that spins or blocks there, and the validator sees
it. Whatever goes wrong with it just means "no document" here; what no app should do there
(hang, raise SystemExit) is reported as a discovery problem (``_problems``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from asgicheck.contract import Target
from asgicheck.discovery._bodies import openapi_body
from asgicheck.discovery._params import fill
from asgicheck.discovery._routes import order_methods
from asgicheck.driver import http_scope, http_script, run
from asgicheck.transcript import Transcript

__all__ = ["OPENAPI_PATH", "Served", "app_document", "openapi_targets", "served_document",
           "with_bodies"]

OPENAPI_PATH = "/openapi.json"
_OPERATIONS = ("get", "post", "put", "patch", "delete", "options", "head")


def openapi_targets(document: object, source: str = "openapi") -> list[Target]:
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict):
        return []
    targets = []
    for template, item in paths.items():
        if not isinstance(template, str) or not template.startswith("/") or \
                not isinstance(item, dict):
            continue
        methods = [m.upper() for m in _OPERATIONS if isinstance(item.get(m), dict)]
        for method in order_methods(methods) if methods else ():
            kinds = _parameter_kinds(item.get("parameters"))
            kinds.update(_parameter_kinds(item[method.lower()].get("parameters")))
            targets.append(_with_body(
                Target(method=method, path=fill(template, kinds), source=source,
                       template=template), openapi_body(item[method.lower()], document)))
    return targets


def app_document(app: object) -> object:
    """The OpenAPI document the app object builds itself, or None: FastAPI's ``openapi()``,
    Litestar's ``openapi_schema.to_schema()`` (both public, both cached by the framework)."""
    try:
        openapi = getattr(app, "openapi", None)
        if callable(openapi):
            return openapi()
        to_schema = getattr(getattr(app, "openapi_schema", None), "to_schema", None)
        return to_schema() if callable(to_schema) else None
    except Exception:  # a schema the framework cannot build: no bodies from it
        return None


def with_bodies(targets: Iterable[Target], document: object) -> list[Target]:
    """The targets, each HTTP one with no body of its own given the body ``document``
    describes for its method and route template."""
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict):
        return list(targets)
    operations = {(method.upper(), _template_key(template)): operation
                  for template, item in paths.items() if isinstance(item, dict)
                  for method, operation in item.items() if isinstance(operation, dict)}
    found = []
    for target in targets:
        operation = operations.get((target.method, _template_key(target.template or "")))
        if target.kind == "http" and not target.body and operation is not None:
            target = _with_body(target, openapi_body(operation, document))
        found.append(target)
    return found


def _template_key(template: str) -> str:
    """``/items/{item_id:int}`` (Litestar, Starlette) → ``/items/{item_id}`` (OpenAPI)."""
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", template)


def _with_body(target: Target, body: tuple[bytes, bytes] | None) -> Target:
    if body is None:
        return target
    content_type, data = body
    headers = target.headers
    if not any(name.lower() == b"content-type" for name, _ in headers):
        headers = (*headers, (b"content-type", content_type))
    return dataclasses.replace(target, body=data, headers=headers)


@dataclasses.dataclass(frozen=True, slots=True)
class Served:
    """What ``GET /openapi.json`` gave: the document (None if no usable one), and the
    exchange."""

    document: object
    transcript: Transcript


def served_document(app: Callable[..., Any], timeout: float) -> Served:
    """The JSON the app answers to ``GET /openapi.json`` with status 200 (else None), fetched
    with one exchange under the driver's deadline of ``timeout`` seconds."""
    scope = http_scope("GET", OPENAPI_PATH, headers=[(b"accept", b"application/json")])
    transcript = run(app, http_script(scope, deadline=timeout, name="discovery"))
    document = None
    if transcript.ended == "returned" and transcript.status == 200:
        try:
            document = json.loads(transcript.body)
        except ValueError:  # not JSON: no document
            document = None
    return Served(document, transcript)


def _parameter_kinds(parameters: object) -> dict[str, object]:
    kinds: dict[str, object] = {}
    for parameter in parameters if isinstance(parameters, list) else ():
        if not isinstance(parameter, dict) or parameter.get("in") != "path":
            continue
        schema: dict[str, Any] = parameter["schema"] \
            if isinstance(parameter.get("schema"), dict) else {}
        kind = schema.get("format") if schema.get("format") in ("uuid", "date", "date-time") \
            else schema.get("type", "string")
        kinds[str(parameter.get("name"))] = str(kind)
    return kinds
