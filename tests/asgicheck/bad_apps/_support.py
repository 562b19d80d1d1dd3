"""The registry of known-bad apps, and the correct app they fall back on (asgi_blocks)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgi_blocks import lifespan, read_body, websocket_echo
from asgi_blocks import respond as respond_with_length

from asgicheck.contract import Target

App = Callable[..., Any]
GET = Target()
POST = Target(method="POST", path="/echo")
JSON_POST = Target(method="POST", path="/echo", body=b'{"name": "x"}',
                   headers=((b"content-type", b"application/json"),))
WS = Target(kind="websocket", path="/ws")


@dataclass(frozen=True)
class BadApp:
    rule: str
    scenario: str  # the scenario name, e.g. "S05-disconnect-mid-body"
    target: Target | None
    app: App


BAD_APPS: dict[str, list[BadApp]] = {}
# The bad apps answer without a content-length, so a wrong body length breaks nothing more.
respond = functools.partial(respond_with_length, length=False)


def breaks(rule: str, scenario: str, target: Target | None = GET) -> Callable[[App], App]:
    def register(app: App) -> App:
        BAD_APPS.setdefault(rule, []).append(BadApp(rule, scenario, target, app))
        return app
    return register


# -- the correct behaviour the bad apps fall back on -----------------------------------------

async def good(scope: Any, receive: Any, send: Any) -> None:
    """The correct behaviour the bad apps fall back on."""
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
    elif scope["type"] == "websocket":
        await websocket_echo(receive, send)
    elif scope["type"] == "http":
        body = await read_body(receive)
        if body is not None:
            await respond(send, body if scope["method"] == "POST" else b"ok")
    else:
        raise ValueError(f"unknown scope type {scope['type']!r}")



