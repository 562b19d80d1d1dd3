"""Targets discovered from route tables, with path parameters filled by type."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from _runs import run

from asgicheck.contract import Target
from asgicheck.discovery import MISSING_PATH, discover, fill, kind_of
from asgicheck.plugin import APP_OPTION

UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
ROOT = Path(__file__).parents[2]


def labels(targets: tuple[Target, ...]) -> list[str]:
    return [t.label for t in targets]


def templates(targets: tuple[Target, ...]) -> list[str | None]:
    """Each target's route template (what the fuzzing properties fill with generated values)."""
    return [t.template for t in targets]


@pytest.mark.parametrize("template, kinds, expected", [
    ("/items/{id:int}", {}, "/items/1"),
    ("/items/{id}", {"id": int}, "/items/1"),
    ("/files/{rest:path}", {}, "/files/a/b"),
    ("/u/{u}", {"u": uuid.UUID}, f"/u/{UUID}"),
    ("/price/{p:float}", {}, "/price/1.5"),
    ("/items/<int:id>/<name>", {}, "/items/1/x"),
    ("/pick/<any(red, blue):colour>", {}, "/pick/red"),
    ("/s/<slug:s>", {}, "/s/x"),
    ("/plain", {}, "/plain"),
])
def test_fill_gives_each_parameter_a_value_of_its_type(template: str, kinds: dict[str, Any],
                                                        expected: str) -> None:
    assert fill(template, kinds) == expected


def test_kind_of_reads_type_names_convertor_classes_and_python_types() -> None:
    class IntegerConvertor:
        pass

    class Code(int):
        pass

    declared = (int, Code, bool, "integer", IntegerConvertor(), None, "date-time")
    assert [kind_of(x) for x in declared] == ["int", "int", "bool", "int", "int", "str",
                                              "datetime"]


def starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route, Router, WebSocketRoute

    async def endpoint(request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def ws(websocket: Any) -> None:
        await websocket.accept()
        await websocket.close()

    api = Router([Route("/users/{user_id:uuid}", endpoint),
                  Route("/files/{rest:path}", endpoint, methods=["PUT"])])
    return Starlette(routes=[
        Route("/", endpoint),
        Route("/items/{item_id:int}", endpoint, methods=["GET", "POST"]),
        Mount("/api", app=api),
        WebSocketRoute("/ws", ws),
    ], middleware=[Middleware(GZipMiddleware)])


def test_starlette_routes_mounts_and_websockets() -> None:
    found = discover(starlette_app())
    assert found.source == "starlette routes"
    assert labels(found.targets) == [
        "GET /", "GET /items/1", "POST /items/1", f"GET /api/users/{UUID}",
        "PUT /api/files/a/b", "WS /ws"]
    assert templates(found.targets) == [
        "/", "/items/{item_id:int}", "/items/{item_id:int}", "/api/users/{user_id:uuid}",
        "/api/files/{rest:path}", "/ws"]


def test_routes_are_found_through_middleware_wrappers() -> None:
    from starlette.middleware.cors import CORSMiddleware

    wrapped = CORSMiddleware(CORSMiddleware(starlette_app(), allow_origins=["*"]))
    assert labels(discover(wrapped).targets)[:2] == ["GET /", "GET /items/1"]


def fastapi_app() -> Any:
    from fastapi import APIRouter, FastAPI, WebSocket

    app = FastAPI()
    users = APIRouter(prefix="/users")

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.post("/echo")
    async def echo(body: dict[str, Any]) -> dict[str, Any]:
        return body

    @users.get("/{user_id}/files/{name}")
    async def files(user_id: uuid.UUID, name: str) -> dict[str, str]:
        return {}

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()

    app.include_router(users, prefix="/v1")
    return app


def test_fastapi_routes_get_typed_values_and_docs_routes_are_left_out() -> None:
    found = discover(fastapi_app())
    assert found.source == "fastapi routes"
    assert labels(found.targets) == [
        "GET /items/1", "POST /echo", "WS /ws", f"GET /v1/users/{UUID}/files/x"]
    assert {t.source for t in found.targets} == {"fastapi"}
    assert templates(found.targets) == ["/items/{item_id}", "/echo", "/ws",
                                        "/v1/users/{user_id}/files/{name}"]
    # /openapi.json, /docs, /redoc, /docs/oauth2-redirect: FastAPI's, not the app's
    assert found.documentation == 4
    assert found.summary == ("4 target(s) from fastapi routes; 4 documentation route(s) left "
                             "out (declare one to check it)")


def test_an_openapi_document_the_app_serves_is_used_when_there_is_no_route_table() -> None:
    app = fastapi_app()

    async def opaque(scope: Any, receive: Any, send: Any) -> None:  # hides the route table
        await app(scope, receive, send)

    found = discover(opaque, opaque)
    assert found.source == "openapi.json"
    assert labels(found.targets) == ["GET /items/1", "POST /echo",
                                     f"GET /v1/users/{UUID}/files/x"]
    assert templates(found.targets) == ["/items/{item_id}", "/echo",
                                        "/v1/users/{user_id}/files/{name}"]


def test_without_routes_the_defaults_are_the_root_read_and_written_and_a_missing_path() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("serves nothing")

    found = discover(app, app, websocket_paths=["/ws"])
    assert labels(found.targets) == ["GET /", "POST /", "PUT /", f"GET {MISSING_PATH}",
                                     "WS /ws"]
    assert templates(found.targets) == [None] * 5  # no route table: nothing known


def test_declared_targets_replace_discovery_and_the_cap_applies() -> None:
    declared = [Target(path=f"/{n}", source="option") for n in range(5)]
    found = discover(starlette_app(), declared=declared, max_targets=3)
    assert labels(found.targets) == ["GET /0", "GET /1", "GET /2"]
    assert found.summary == "3 target(s) from declared targets, first 3 of 5 kept"


def test_discovery_imports_no_framework_the_app_does_not_use() -> None:
    code = ("import sys, asgicheck.discovery as d\n"
            "async def app(scope, receive, send): pass\n"
            "d.discover(app, app)\n"
            "print(sorted(m for m in ('starlette', 'fastapi', 'django', 'quart', 'litestar', "
            "'werkzeug') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_plugin_collects_one_item_per_discovered_target(project: pytest.Pytester) -> None:
    project.makepyfile(web="""
        from fastapi import FastAPI

        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @app.get("/items/{item_id}")
        async def item(item_id: int):
            return {"id": item_id}
    """)
    result = run(project, f"{APP_OPTION}=web:app", "--co", "-q")
    result.stdout.fnmatch_lines(["asgicheck: 1 target(s) from fastapi routes",
                                 "asgicheck::http/*GET /items/1*"])



def test_reference_app_trie_routes_in_tree_order(project: pytest.Pytester,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # A subprocess: tests/reference_app (a package) would shadow the real one in this process.
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    project.makepyfile(refapp="""
        from reference_app import App, PlainTextResponse

        app = App()

        async def handler(request, **params):
            return PlainTextResponse("ok")

        async def ws(websocket):
            await websocket.accept()

        app.add_route("/items/{item_id:int}", handler, methods=["GET", "DELETE"], name="a")
        app.add_route("/files/{rest:path}", handler, methods=["GET"], name="b")
        app.add_route("/users/{name}", handler, methods=["POST"], name="c")
        app.add_route("/", handler, methods=["GET"], name="d")
        app.add_websocket_route("/ws", ws)
    """)
    code = ("import refapp\nfrom asgicheck.discovery import discover\n"
            "found = discover(refapp.app)\nprint(found.source)\n"
            "print([t.label for t in found.targets])\n"
            "print([t.template for t in found.targets])\n")
    result = project.run(sys.executable, "-c", code)
    assert result.stdout.lines == [
        "reference_app routes",
        str(["GET /", "GET /files/a/b", "GET /items/1", "DELETE /items/1", "POST /users/x",
             "WS /ws"]),
        str(["/", "/files/{rest:path}", "/items/{item_id:int}", "/items/{item_id:int}",
             "/users/{name}", "/ws"])]


def test_werkzeug_url_maps_as_quart_has_them() -> None:
    class IntegerConverter:
        pass

    class Rule:
        def __init__(self, rule: str, methods: set[str], websocket: bool = False,
                     endpoint: str = "view", **converters: object) -> None:
            self.rule, self.methods, self.websocket, self.endpoint = rule, methods, websocket, \
                endpoint
            self._converters = converters

    class UrlMap:
        def iter_rules(self) -> list[Rule]:
            return [Rule("/items/<int:item_id>", {"GET", "HEAD", "OPTIONS"},
                         item_id=IntegerConverter()),
                    Rule("/static/<path:filename>", {"GET"}, endpoint="static"),
                    Rule("/ws", {"GET"}, websocket=True)]

    class Quart:
        url_map = UrlMap()

    found = discover(Quart()).targets
    assert labels(found) == ["GET /items/1", "WS /ws"]
    assert templates(found) == ["/items/<int:item_id>", "/ws"]


def test_django_url_patterns_read_from_the_loaded_resolver(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    class IntConverter:
        pass

    def pattern(route: str, **converters: object) -> Any:
        return types.SimpleNamespace(_route=route, converters=converters)

    def regex(text: str) -> Any:
        return types.SimpleNamespace(_regex=text)

    api = types.SimpleNamespace(pattern=pattern("api/"), url_patterns=[
        types.SimpleNamespace(pattern=pattern("items/<int:pk>/", pk=IntConverter())),
        types.SimpleNamespace(pattern=regex(r"^legacy/$")),
        types.SimpleNamespace(pattern=regex(r"^(?P<year>[0-9]{4})/$"))])
    resolver = types.SimpleNamespace(url_patterns=[
        types.SimpleNamespace(pattern=pattern("")), api])
    urls = types.ModuleType("django.urls")
    urls.get_resolver = lambda: resolver  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "django.urls", urls)
    handler = type("ASGIHandler", (), {"__module__": "django.core.handlers.asgi"})()
    found = discover(handler)
    assert found.source == "django routes"
    assert labels(found.targets) == ["GET /", "GET /api/items/1/", "GET /api/legacy/"]
    assert templates(found.targets) == ["/", "/api/items/<int:pk>/", "/api/legacy/"]


def test_litestar_style_route_lists_with_typed_templates() -> None:
    class HTTPRoute:
        def __init__(self, path: str, methods: set[str]) -> None:
            self.path, self.methods = path, methods

    class WebSocketRoute:
        path = "/chat/{room:str}"

    class Litestar:
        routes = [HTTPRoute("/items/{item_id:int}", {"GET", "HEAD", "OPTIONS"}),
                  HTTPRoute("/items", {"POST", "OPTIONS"}), WebSocketRoute()]

    found = discover(Litestar()).targets
    assert labels(found) == ["GET /items/1", "POST /items", "WS /chat/x"]
    assert templates(found) == ["/items/{item_id:int}", "/items", "/chat/{room:str}"]


def test_litestar_documentation_routes_are_left_out_whatever_their_order() -> None:
    # Litestar builds its OpenAPI routes in an order that follows the hash seed, under
    # openapi_config.path (default /schema when the path is None).
    class HTTPRoute:
        def __init__(self, path: str) -> None:
            self.path, self.methods = path, {"GET"}

    Litestar = type("Litestar", (), {"__module__": "litestar.app"})
    shuffled = ["/schema/openapi.yml", "/schema/swagger", "/items", "/schema/elements",
                "/schema", "/health", "/schema/openapi.json", "/schema/{path:str}"]
    app = Litestar()
    app.routes = [HTTPRoute(path) for path in shuffled]  # type: ignore[attr-defined]
    app.openapi_config = type("OpenAPIConfig", (), {"path": None})()  # type: ignore[attr-defined]
    found = discover(app, max_targets=20)
    assert found.source == "litestar routes"
    assert labels(found.targets) == ["GET /items", "GET /health"]
    assert found.documentation == 6
    # Without Litestar's OpenAPI settings, a route of the app's own at /schema is a target.
    del app.openapi_config  # type: ignore[attr-defined]
    assert len(discover(app).targets) == 8
