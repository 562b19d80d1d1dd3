"""Apps whose routes take a typed JSON body, each handler counting its calls: FastAPI (a
pydantic model with a pattern, a dataclass) and Litestar (a dataclass, a msgspec Struct). The
body types live at module level, where the frameworks resolve the handlers' annotations.
Import this module only where the framework it builds is installed. No ``from __future__ import
annotations``: Litestar's body marker is imported inside ``litestar_app``, and its handlers'
annotations are evaluated there."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field


class Item(BaseModel):
    name: str
    price: float
    code: str = Field(pattern="^[A-Z]{2}$")
    tags: list[str] = []


@dataclass
class Point:
    x: int
    y: int


try:  # Litestar's dependency; FastAPI's tests run without it (CI installs [dev])
    import msgspec
except ImportError:
    pass
else:
    class Product(msgspec.Struct):
        name: str
        price: float


def fastapi_app(calls: "Counter[str]") -> Any:
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/items")
    async def create_item(item: Item) -> dict[str, str]:
        calls["item"] += 1
        return {"name": item.name}

    @app.post("/points")
    async def create_point(point: Point) -> dict[str, int]:
        calls["point"] += 1
        return {"x": point.x}

    return app


def litestar_app(calls: "Counter[str]", *, openapi: bool = True) -> Any:
    from litestar import Litestar, post
    from litestar.params import JSONBody

    @post("/points")
    async def create_point(data: JSONBody[Point]) -> dict[str, int]:
        calls["point"] += 1
        return {"x": data.x}

    @post("/items")
    async def create_item(data: JSONBody[Product]) -> dict[str, str]:
        calls["item"] += 1
        return {"name": data.name}

    handlers = [create_point, create_item]
    if openapi:
        return Litestar(route_handlers=handlers)
    return Litestar(route_handlers=handlers, openapi_config=None)
