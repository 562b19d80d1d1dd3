"""Discovered routes that take a body get one their validation accepts, so their handlers run:
from the app's OpenAPI document (FastAPI, Litestar, or one it serves), from typed handler
signatures (Litestar without OpenAPI), and Django views get the methods they take."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import Counter
from typing import Any

import jsonschema
import pytest
from _runs import run

from asgicheck.contract import RunOptions, Target
from asgicheck.discovery import discover
from asgicheck.discovery._bodies import encode, minimal_instance, openapi_body
from asgicheck.plugin import APP_OPTION
from asgicheck.scenarios import build_scenarios, close_sessions

OPTIONS = RunOptions(deadline=2.0, block_threshold=0.5)


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Any:
    yield
    close_sessions()


SCHEMAS: list[tuple[dict[str, Any], Any]] = [
    ({"type": "object", "properties": {"name": {"type": "string"}, "price": {"type": "number"},
                                       "note": {"type": "string"}},
      "required": ["name", "price"]}, {"name": "x", "price": 1.0}),
    ({"type": "integer", "minimum": 5}, 5),
    ({"type": "integer", "exclusiveMaximum": 0}, -1),
    ({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.1}, 0.05),
    ({"type": "integer", "multipleOf": 7}, 7),
    ({"type": "string", "minLength": 3, "maxLength": 5}, "xxx"),
    ({"type": "string", "format": "email"}, "user@example.com"),
    ({"type": "string", "format": "date-time"}, "2024-01-02T03:04:05Z"),
    ({"enum": ["red", "blue"]}, "red"),
    ({"type": "string", "const": "v1"}, "v1"),
    ({"type": "integer", "default": 3}, 3),
    ({"type": "string", "examples": ["widget"]}, "widget"),
    ({"type": ["null", "boolean"]}, True),
    ({"anyOf": [{"type": "null"}, {"type": "integer"}]}, 1),
    ({"type": "array", "items": {"type": "integer"}, "minItems": 2}, [1, 1]),
    ({"type": "array", "prefixItems": [{"type": "string"}, {"type": "boolean"}]}, ["x", True]),
    ({"type": "object", "minProperties": 1, "properties": {"a": {"type": "boolean"}}},
     {"a": True}),
    ({"allOf": [{"$ref": "#/$defs/Named"},
                {"properties": {"size": {"type": "integer", "minimum": 10}},
                 "required": ["size"]}],
      "$defs": {"Named": {"type": "object", "properties": {"name": {"type": "string"}},
                          "required": ["name"]}}}, {"name": "x", "size": 10}),
    ({"type": "string", "pattern": "^[a-z]{3}-[0-9]+$"}, "aaa-0"),  # Hypothesis finds it
]


@pytest.mark.parametrize(("schema", "expected"), SCHEMAS,
                         ids=[json.dumps(s)[:40] for s, _ in SCHEMAS])
def test_the_minimal_instance_satisfies_its_schema(schema: dict[str, Any], expected: Any) -> None:
    instance = minimal_instance(schema)
    assert instance == expected
    jsonschema.Draft202012Validator(schema).validate(instance)


def test_the_minimal_instance_is_the_same_in_every_process() -> None:
    # xdist workers each discover the targets: their bodies must agree, patterns included.
    code = ("from asgicheck.discovery._bodies import minimal_instance\n"
            "print(minimal_instance({'type': 'object', 'required': ['code', 'n'], 'properties':"
            " {'code': {'pattern': '^[A-Z]{2}[0-9]{3}$'}, 'n': {'type': 'integer'}}}))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=120, check=True).stdout for _ in range(2)}
    assert outputs == {"{'code': 'AA000', 'n': 1}\n"}


def test_bodies_are_written_in_the_media_type_the_operation_takes() -> None:
    form = {"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["a", "b"], "properties": {
            "a": {"type": "string"}, "b": {"type": "array", "items": {"type": "integer"},
                                           "minItems": 2}}}}}}}
    assert openapi_body(form, {}) == (b"application/x-www-form-urlencoded", b"a=x&b=1&b=1")
    example = {"requestBody": {"$ref": "#/components/requestBodies/Item"}}
    document = {"components": {"requestBodies": {"Item": {"content": {
        "text/plain": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "object"},
                             "examples": {"one": {"value": {"name": "pen"}}}}}}}}}
    assert openapi_body(example, document) == (b"application/json", b'{"name":"pen"}')
    assert encode({"f": "x"}, "multipart/form-data", {"properties": {"f": {"format": "binary"}}}
                  ) == (b"multipart/form-data; boundary=asgicheck-boundary",
                        b'--asgicheck-boundary\r\nContent-Disposition: form-data; name="f"; '
                        b'filename="x.txt"\r\nContent-Type: text/plain\r\n\r\nx\r\n'
                        b"--asgicheck-boundary--\r\n")
    assert openapi_body({"requestBody": {"content": {"image/png": {}}}}, {}) is None


def _run(app: Any, targets: tuple[Target, ...]) -> dict[str, str]:
    """Every catalogue scenario against the targets; what S01 answered for each."""
    statuses = {}
    for scenario in build_scenarios(list(targets), OPTIONS):
        outcome = scenario.run(app, OPTIONS)
        if scenario.id.startswith("http/S01-plain["):
            statuses[scenario.id] = outcome.exchanges[0]["entries"][1]["text"].split()[0]
    return statuses


def test_fastapi_json_routes_get_a_body_their_models_accept() -> None:
    pytest.importorskip("fastapi")
    import body_apps

    calls: Counter[str] = Counter()
    app = body_apps.fastapi_app(calls)
    found = discover(app)
    assert [(t.label, t.body, t.headers) for t in found.targets] == [
        ("POST /items", b'{"name":"x","price":1.0,"code":"AA"}',
         ((b"content-type", b"application/json"),)),
        ("POST /points", b'{"x":1,"y":1}', ((b"content-type", b"application/json"),))]
    assert _run(app, found.targets) == {"http/S01-plain[POST /items]": "status=200",
                                        "http/S01-plain[POST /points]": "status=200"}
    assert calls["item"] > 5 and calls["point"] > 5  # was 0: a 422 every time


@pytest.mark.parametrize("openapi", [True, False], ids=["openapi-schema", "typed-signature"])
def test_litestar_routes_get_a_body_from_the_schema_or_the_handler_types(openapi: bool) -> None:
    pytest.importorskip("litestar")
    import body_apps

    calls: Counter[str] = Counter()
    app = body_apps.litestar_app(calls, openapi=openapi)
    found = discover(app)
    assert [(t.label, t.body) for t in found.targets] == [
        ("POST /points", b'{"x":1,"y":1}'), ("POST /items", b'{"name":"x","price":1.0}')]
    assert found.documentation == (10 if openapi else 0)  # /schema/*: Litestar's own
    assert set(_run(app, found.targets).values()) == {"status=201"}
    assert calls["item"] > 5 and calls["point"] > 5


def test_a_served_openapi_document_gives_bodies_too() -> None:
    pytest.importorskip("fastapi")
    import body_apps

    inner = body_apps.fastapi_app(Counter())

    async def opaque(scope: Any, receive: Any, send: Any) -> None:  # hides the route table
        await inner(scope, receive, send)

    found = discover(opaque, opaque)
    assert found.source == "openapi.json"
    assert [t.body for t in found.targets] == [b'{"name":"x","price":1.0,"code":"AA"}',
                                               b'{"x":1,"y":1}']


def test_a_declared_documentation_route_is_checked() -> None:
    pytest.importorskip("fastapi")
    import body_apps

    found = discover(body_apps.fastapi_app(Counter()),
                     declared=[Target(path="/docs", source="option")])
    assert [t.label for t in found.targets] == ["GET /docs"] and found.documentation == 0


DJANGO_APP = '''
import django
from django.conf import settings

settings.configure(DEBUG=False, SECRET_KEY="x", ROOT_URLCONF="djapp", ALLOWED_HOSTS=["*"],
                   MIDDLEWARE=[], INSTALLED_APPS=[])
django.setup()

from django.core.asgi import get_asgi_application
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

CALLS = {"submit": 0, "update": 0, "thing": 0}


def home(request):
    return HttpResponse("home")


@csrf_exempt
@require_POST
def submit(request):
    CALLS["submit"] += 1
    return JsonResponse({"got": len(request.body)})


@require_http_methods(["PUT", "DELETE"])
def update(request):
    CALLS["update"] += 1
    return HttpResponse("updated")


class Thing(View):
    def get(self, request):
        return HttpResponse("thing")

    def post(self, request):
        CALLS["thing"] += 1
        return HttpResponse("made")


urlpatterns = [path("", home), path("submit/", submit), path("update/", update),
               path("thing/", csrf_exempt(Thing.as_view()))]
app = get_asgi_application()


def pytest_unconfigure(config):
    print("CALLS", CALLS)
'''


def test_django_views_are_sent_the_methods_they_take(pytester: pytest.Pytester) -> None:
    pytest.importorskip("django")
    pytester.makepyfile(djapp=DJANGO_APP)
    result = run(pytester, "-p", "djapp", f"{APP_OPTION}=djapp:app", "-k", "S01", "-v")
    result.stdout.fnmatch_lines(["asgicheck: 6 target(s) from django routes"])
    for label in ("GET /", "POST /submit/", "PUT /update/", "DELETE /update/", "GET /thing/",
                  "POST /thing/"):
        result.stdout.fnmatch_lines([f"*asgicheck::http/S01-plain[[]{label}]*"])
    # Each view ran for each method it takes (before, they were sent GET only: 405). The six
    # items fail on Django's own header casing (HTTP-SEND-008), so every transcript is shown.
    # Counted in the failures section: under CI=true pytest repeats each failure's whole text
    # in the short test summary.
    failures = result.stdout.str().split("short test summary info")[0]
    assert failures.count("status=200") == 6
    assert "status=405" not in result.stdout.str()
    printed = next(line for line in result.outlines if line.startswith("CALLS "))
    calls = ast.literal_eval(printed.removeprefix("CALLS "))
    assert calls["submit"] >= 1 and calls["update"] >= 2 and calls["thing"] >= 1, calls
