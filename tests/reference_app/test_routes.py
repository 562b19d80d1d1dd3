"""Route declarations (reference_app/routes.py): decorators, ApiRouter, include_routes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from helpers import get

from reference_app import ApiRouter, App, JSONResponse, Request, Response, RouteConflictError
from reference_app.routes import make_route


async def handler(request: Any) -> Response:
    return JSONResponse(request.method)


def test_every_method_decorator_registers_its_method() -> None:
    app = App()
    for method in ("get", "post", "put", "patch", "delete", "options"):
        getattr(app, method)(f"/{method}")(handler)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        assert get(app, f"/{method.lower()}", method=method).json() == method


def test_api_router_prefix_and_include_routes() -> None:
    users = ApiRouter(prefix="/users")
    admin = ApiRouter(prefix="/admin")

    @users.get("/{user_id:uuid}")
    async def read_user(request: Request[Any, Any], user_id: uuid.UUID) -> Response:
        return JSONResponse({"id": str(user_id)})

    @users.multi_methods("", ["GET", "POST"], name="users")
    async def list_users(request: Request[Any, Any]) -> Response:
        return JSONResponse(request.method)

    @admin.get("/")
    async def admin_home(request: Request[Any, Any]) -> Response:
        return JSONResponse("admin")

    @admin.websocket("/live")
    async def live(websocket: Any) -> None:
        await websocket.close()

    app = App()
    app.include_routes([users, admin])
    user_id = uuid.uuid4()
    assert get(app, f"/users/{user_id}").json() == {"id": str(user_id)}
    assert get(app, "/users/not-a-uuid").status == 422
    assert get(app, "/users", method="POST").json() == "POST"
    assert get(app, "/admin/").json() == "admin"
    assert app.url_for("users") == "/users"
    assert app.url_for("live") == "/admin/live"


def test_conflicts_fail_at_the_decorator_and_at_include() -> None:
    router = ApiRouter(prefix="/a")
    router.get("/{x}")(handler)
    with pytest.raises(RouteConflictError):
        router.get("/{y}", name="other")(handler)
    app = App()
    app.get("/a/{z}", name="z")(handler)
    with pytest.raises(RouteConflictError):
        app.include_routes([router])


@pytest.mark.parametrize("prefix", ["api", "/api/"])
def test_bad_prefixes(prefix: str) -> None:
    with pytest.raises(ValueError):
        ApiRouter(prefix=prefix)


def test_make_route_checks_the_handler_against_the_template() -> None:
    async def needs_missing(request: Any, missing: int) -> Response:
        raise AssertionError

    with pytest.raises(TypeError, match="missing"):
        make_route("/x", needs_missing, ["GET"])
    with pytest.raises(ValueError):
        make_route("/x", handler, [])
    with pytest.raises(ValueError):
        make_route("/x", handler, ["BAD METHOD"])

    async def takes_all(request: Any, **params: Any) -> Response:
        raise AssertionError

    route = make_route("/{a}/{b:int}", takes_all, ["get"])
    assert route.passed_params == {"a", "b"} and route.methods == {"GET"}

    async def takes_some(request: Any, b: float, extra: str = "default") -> Response:
        raise AssertionError

    route = make_route("/{a}/{b}", takes_some, ["GET"])
    assert route.passed_params == {"b"}
    assert route.convertors["b"].name == "float" and route.convertors["a"].name == "str"


def test_template_type_wins_over_annotation() -> None:
    async def view(request: Any, item_id: str) -> Response:
        raise AssertionError

    route = make_route("/{item_id:int}", view, ["GET"])
    assert route.convertors["item_id"].name == "int"


def test_callable_objects_with_async_call_are_handlers() -> None:
    class View:
        async def __call__(self, request: Any) -> Response:
            return JSONResponse("object")

    app = App()
    app.add_route("/obj", View(), name="obj")
    assert get(app, "/obj").json() == "object"


def test_default_names_may_repeat_but_explicit_names_must_be_unique() -> None:
    app = App()
    app.get("/first")(handler)
    app.get("/second")(handler)  # same function, default name "handler": first one keeps it
    assert app.url_for("handler") == "/first"
    app.get("/third", name="third")(handler)
    with pytest.raises(RouteConflictError):
        app.get("/fourth", name="third")(handler)
