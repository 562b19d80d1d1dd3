"""Bad apps: the ASGI callable as a whole (GEN, OPS)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bad_apps._support import breaks, good, read_body, respond


@breaks("GEN-APP-010", "S15-unknown-scope", None)
async def returns_on_unknown_scope(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] in ("http", "websocket", "lifespan"):
        await good(scope, receive, send)


@breaks("GEN-APP-012", "S11-extra-keys")
async def rejects_extra_event_keys(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        message = await receive()
        if set(message) - {"type", "body", "more_body"}:
            raise ValueError(f"unexpected keys in {message!r}")
        await respond(send)
    else:
        await good(scope, receive, send)


@breaks("GEN-APP-013", "S17-old-spec-versions")
async def needs_spec_version(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        version = scope["asgi"]["spec_version"]
        await read_body(receive)
        await respond(send, version.encode())
    else:
        await good(scope, receive, send)


@breaks("GEN-APP-014", "S10-minimal-scope")
async def needs_client(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        host = scope["client"][0]
        await read_body(receive)
        await respond(send, b"hello " + host.encode())
    else:
        await good(scope, receive, send)


@breaks("GEN-APP-014", "S10-minimal-scope")
async def decodes_raw_path(scope: Any, receive: Any, send: Any) -> None:
    """BlackSheep 2.6.4: raw_path is present but None (its documented default) and the app
    decodes it anyway."""
    if scope["type"] == "http":
        raw = scope.get("raw_path", scope["path"].encode())
        await read_body(receive)
        await respond(send, b"path " + raw.decode("ascii").encode())
    else:
        await good(scope, receive, send)


@breaks("GEN-MW-001", "S01-plain")
async def mutates_scope(scope: Any, receive: Any, send: Any) -> None:
    scope["app"] = mutates_scope
    await good(scope, receive, send)


@breaks("GEN-APP-001", "S01-plain")
def not_a_coroutine(scope: Any, receive: Any, send: Any) -> None:
    return None


@breaks("OPS-APP-002", "S01-plain")
async def never_answers(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await asyncio.Event().wait()
    await good(scope, receive, send)


@breaks("OPS-APP-003", "S01-plain")
async def blocks_the_loop(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        time.sleep(0.25)
    await good(scope, receive, send)


_shared: dict[str, Any] = {}


@breaks("OPS-APP-005", "concurrent-connections", None)
async def shares_send(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    _shared["send"] = send  # per-connection state on a shared object
    body = await read_body(receive)
    await _shared["send"]({"type": "http.response.start", "status": 200, "headers": []})
    await _shared["send"]({"type": "http.response.body", "body": scope["query_string"] +
                           (body or b"")})


