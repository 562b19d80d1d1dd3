"""Falcon discovery: targets read from the app's CompiledRouter tree.

Falcon is a matrix extra, not a dev dependency: the tests on a real Falcon app (sample_falcon.py)
skip without it; the one on a stand-in tree of the same shape runs everywhere.
"""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from _runs import run

from asgicheck.contract import Target
from asgicheck.discovery import discover
from asgicheck.plugin import APP_OPTION

HERE = Path(__file__).parent
UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

# (label, template) for every target of sample_falcon.app, in tree order: the HTTP methods the
# resource implements, then its WebSocket responder; the static route and the sink left out.
EXPECTED = [
    ("GET /", "/"),
    ("GET /items", "/items"),
    ("POST /items", "/items"),
    ("GET /items/1", "/items/{item_id:int}"),  # suffix="item": on_get_item, on_delete_item
    ("DELETE /items/1", "/items/{item_id:int}"),
    (f"GET /users/{UUID}", "/users/{user_id:uuid}"),
    (f"PUT /users/{UUID}", "/users/{user_id:uuid}"),
    ("GET /codes/005", "/codes/{code:int(3, min=5)}"),  # three digits, at least 5
    ("GET /prices/1.5", "/prices/{price:float}"),
    ("GET /log/2024-01-02T03:04:05Z", "/log/{at:dt}"),  # Falcon's default format: %z
    ("GET /days/2024-01-02", '/days/{day:dt("%Y-%m-%d")}'),
    ("GET /files/a/b", "/files/{rest:path}"),
    ("POST /upload", "/upload"),  # POST only: no GET from Falcon's 405 responder
    ("GET /live", "/live"),
    ("WS /live", "/live"),
    ("WS /ws", "/ws"),
]


def pairs(targets: tuple[Target, ...]) -> list[tuple[str, str | None]]:
    return [(t.label, t.template) for t in targets]


@pytest.fixture
def falcon_asgi() -> Any:
    pytest.importorskip("falcon", reason="falcon is not installed (pip install -e '.[matrix]')")
    import falcon.asgi

    return falcon.asgi


@pytest.fixture
def sample(falcon_asgi: Any) -> Any:
    import sample_falcon

    return sample_falcon.app


def test_a_tree_of_falcon_router_nodes_without_falcon_installed() -> None:
    def default(req: Any, resp: Any, **kwargs: Any) -> None:
        pass  # what falcon.responders makes for the methods a resource lacks

    default.__module__ = "falcon.responders"

    class Item:
        def on_get_one(self, req: Any, resp: Any, item_id: int) -> None:
            pass

        def on_websocket(self, req: Any, ws: Any) -> None:
            pass

        def on_request(self, req: Any, resp: Any) -> None:
            pass

    item = Item()

    def node(segment: str, template: str | None = None, children: tuple[Any, ...] = (),
             **methods: Any) -> Any:
        method_map = {"OPTIONS": default, "POST": default, **methods} if template else None
        return types.SimpleNamespace(raw_segment=segment, uri_template=template,
                                     method_map=method_map, children=list(children))

    router = types.SimpleNamespace(_roots=[
        node("items", children=(node("{item_id:int}", "/items/{item_id:int}",
                                     GET=item.on_get_one, PUT=item.on_request),)),
        node("ws", "/ws", WEBSOCKET=item.on_websocket),
        node("none", "/none")])  # only Falcon's defaults: no target
    App = type("App", (), {"__module__": "falcon.asgi.app"})
    app = App()
    app._router = router  # type: ignore[attr-defined]
    found = discover(app)
    assert found.source == "falcon routes"
    assert pairs(found.targets) == [("GET /items/1", "/items/{item_id:int}"), ("WS /ws", "/ws")]


def test_falcon_routes_with_typed_fields_suffixes_and_websockets(sample: Any) -> None:
    found = discover(sample, max_targets=50)
    assert found.source == "falcon routes"
    assert pairs(found.targets) == EXPECTED
    assert {t.source for t in found.targets} == {"falcon"}
    assert [t.kind for t in found.targets].count("websocket") == 2


def test_falcon_default_responders_and_on_request_are_not_targets(falcon_asgi: Any) -> None:
    class Fallback:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.media = {}

        async def on_request(self, req: Any, resp: Any) -> None:
            resp.media = {}

    app = falcon_asgi.App()
    app.router_options.default_to_on_request = True
    app.add_route("/only", Fallback())
    assert pairs(discover(app).targets) == [("GET /only", "/only")]


def test_falcon_apps_are_found_behind_middleware_and_custom_routers_fall_back(
        sample: Any, falcon_asgi: Any) -> None:
    class Wrapper:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await self.app(scope, receive, send)

    assert pairs(discover(Wrapper(sample), max_targets=50).targets) == EXPECTED

    class Router:  # a router of the app's own: Falcon keeps no table discovery can read
        def add_route(self, uri_template: str, resource: object, **kwargs: Any) -> None:
            pass

        def find(self, uri: str, req: Any = None) -> None:
            return None

    custom = falcon_asgi.App(router=Router())
    custom.add_route("/hidden", object())
    assert discover(custom).source == "defaults (no routes found)"


def test_discovery_does_not_import_falcon_for_other_apps() -> None:
    code = ("import sys, asgicheck.discovery as d\n"
            "async def app(scope, receive, send): pass\n"
            "d.discover(app, app)\n"
            "print('falcon' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_plugin_run_on_a_conforming_falcon_app_checks_the_discovered_routes(
        pytester: pytest.Pytester, falcon_asgi: Any) -> None:
    pytester.makepyfile(sample_falcon=(HERE / "sample_falcon.py").read_text(encoding="utf-8"))
    collected = run(pytester, f"{APP_OPTION}=sample_falcon:app", "--co", "-q")
    collected.stdout.fnmatch_lines([f"asgicheck: {len(EXPECTED)} target(s) from falcon routes",
                                    *(f"asgicheck::*[[]{label}[]]*" for label, _ in EXPECTED)])
    # Falcon 4.4 itself raises KeyError('query_string') for a websocket scope without it (an
    # optional key): a framework bug, expected here so the rest must pass.
    result = run(pytester, f"{APP_OPTION}=sample_falcon:app", "-o",
                 "asgicheck_xfail=websocket/W09-minimal-scope*: falcon needs query_string")
    assert result.ret == 0, result.stdout.str()[-3000:]
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] > 100 and "failed" not in outcomes
    result.stdout.fnmatch_lines([f"{len(EXPECTED)} target(s) from falcon routes",
                                 "websocket *", "total *"])
