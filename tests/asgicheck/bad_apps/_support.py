"""The registry of known-bad apps, and the correct building blocks they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgicheck.contract import Target

App = Callable[..., Any]
GET = Target()
POST = Target(method="POST", path="/echo")
WS = Target(kind="websocket", path="/ws")


@dataclass(frozen=True)
class BadApp:
    rule: str
    scenario: str  # the scenario name, e.g. "S05-disconnect-mid-body"
    target: Target | None
    app: App


BAD_APPS: dict[str, list[BadApp]] = {}


def breaks(rule: str, scenario: str, target: Target | None = GET) -> Callable[[App], App]:
    def register(app: App) -> App:
        BAD_APPS.setdefault(rule, []).append(BadApp(rule, scenario, target, app))
        return app
    return register


# -- correct building blocks ------------------------------------------------------------------

async def read_body(receive: Any) -> bytes | None:
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return body


async def respond(send: Any, body: bytes = b"ok", status: int = 200) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [[b"content-type", b"text/plain"]]})
    await send({"type": "http.response.body", "body": body})


async def lifespan(scope: Any, receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        else:
            await send({"type": "lifespan.shutdown.complete"})
            return


async def ws_echo(scope: Any, receive: Any, send: Any, *, accept: dict[str, Any] | None = None
                  ) -> None:
    await receive()
    await send(accept or {"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await send({"type": "websocket.send", "text": message["text"]})
        else:
            await send({"type": "websocket.send", "bytes": message.get("bytes")})


async def good(scope: Any, receive: Any, send: Any) -> None:
    """The correct behaviour the bad apps fall back on."""
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
    elif scope["type"] == "websocket":
        await ws_echo(scope, receive, send)
    elif scope["type"] == "http":
        body = await read_body(receive)
        if body is not None:
            await respond(send, body if scope["method"] == "POST" else b"ok")
    else:
        raise ValueError(f"unknown scope type {scope['type']!r}")


