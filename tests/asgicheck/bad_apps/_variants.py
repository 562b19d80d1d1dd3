"""Bad apps: request variants (HEAD, V01-V06) and state across connections (C01, C02).

Each is ``good`` apart from the branch its variant wakes. The framework apps that make the same
mistakes in user code, and their conforming twins, are in test_scenarios_variants.py and
test_scenarios_connections.py.
"""

from __future__ import annotations

import gzip
from typing import Any

from bad_apps._support import POST, WS, breaks, good, read_body, respond


def _header(scope: Any, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value)
    return None


def _asks_gzip(scope: Any) -> bool:
    return scope["type"] == "http" and b"gzip" in (_header(scope, b"accept-encoding") or b"")


@breaks("X-HTTP-006", "head-request")
async def answers_head_with_the_body(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["method"] == "HEAD":
        await read_body(receive)
        await respond(send)  # the GET's answer, body and all
    else:
        await good(scope, receive, send)


@breaks("X-HTTP-007", "V01-accept-gzip")
async def says_gzip_sends_plain(scope: Any, receive: Any, send: Any) -> None:
    if not _asks_gzip(scope):
        return await good(scope, receive, send)
    await read_body(receive)
    await send({"type": "http.response.start", "status": 200,
                "headers": [[b"content-type", b"text/plain"], [b"content-encoding", b"gzip"]]})
    await send({"type": "http.response.body", "body": b"ok"})  # never compressed


@breaks("X-HTTP-001", "V01-accept-gzip")
async def compresses_keeps_the_length(scope: Any, receive: Any, send: Any) -> None:
    if not _asks_gzip(scope):
        return await good(scope, receive, send)
    await read_body(receive)
    await send({"type": "http.response.start", "status": 200,
                "headers": [[b"content-type", b"text/plain"], [b"content-encoding", b"gzip"],
                            [b"content-length", b"2"]]})  # the length of b"ok", uncompressed
    await send({"type": "http.response.body", "body": gzip.compress(b"ok")})


@breaks("X-HTTP-008", "V02-range")
async def range_as_200(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http" or _header(scope, b"range") is None:
        return await good(scope, receive, send)
    await read_body(receive)
    await respond(send, b"ok"[1:])  # the part, with the status of the whole


@breaks("X-HTTP-009", "V03-if-none-match")
async def not_modified_for_any_tag(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http" or _header(scope, b"if-none-match") is None:
        return await good(scope, receive, send)
    await read_body(receive)
    await send({"type": "http.response.start", "status": 304, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@breaks("X-HTTP-010", "V04-cors-preflight")
async def cors_headers_on_a_405(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http" or scope["method"] != "OPTIONS":
        return await good(scope, receive, send)
    await read_body(receive)  # the router has no OPTIONS; CORS headers are added after it
    await send({"type": "http.response.start", "status": 405,
                "headers": [[b"allow", b"GET"], [b"access-control-allow-origin", b"*"]]})
    await send({"type": "http.response.body", "body": b""})


@breaks("X-HTTP-011", "V05-expect-continue", POST)
async def refuses_expect(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http" or _header(scope, b"expect") is None:
        return await good(scope, receive, send)
    await respond(send, b"expectation failed", 417)


@breaks("HTTP-RECV-002", "V06-chunked-upload", POST)
async def reads_content_length_bytes(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    length = int(_header(scope, b"content-length") or b"0")
    body = b""
    while len(body) < length:  # no content-length: reads nothing at all
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body += message.get("body", b"")
    await respond(send, body)


class KeepsLeftovers:
    """Gathers the body in a buffer on the app object, emptied only when a request completes:
    a client that leaves mid-body leaves its bytes for the next request."""

    def __init__(self) -> None:
        self.buffer = b""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await good(scope, receive, send)
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            self.buffer += message.get("body", b"")
            if not message.get("more_body", False):
                break
        body, self.buffer = self.buffer, b""
        await respond(send, body)


breaks("OPS-APP-005", "C01-after-abort", POST)(KeepsLeftovers())


class Broadcaster:
    """A chat room that forgets to drop a client when it leaves: later broadcasts go to it."""

    def __init__(self) -> None:
        self.clients: list[Any] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return await good(scope, receive, send)
        if (await receive())["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        self.clients.append(send)
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return  # forgot self.clients.remove(send)
            for client in self.clients:
                await client({"type": "websocket.send", "text": message.get("text") or ""})


breaks("OPS-APP-006", "C02-two-clients", WS)(Broadcaster())


class Hub:
    """Tells every earlier client about each new one, by the send() it kept: the clients whose
    calls ended are never dropped."""

    def __init__(self) -> None:
        self.listeners: list[Any] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await good(scope, receive, send)
        if await read_body(receive) is None:
            return
        for listener in self.listeners:
            await listener({"type": "http.response.body", "body": b"a new client\n",
                            "more_body": True})
        self.listeners.append(send)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [[b"content-type", b"text/plain"]]})
        await send({"type": "http.response.body", "body": b"welcome\n", "more_body": True})
        await send({"type": "http.response.body", "body": b""})


breaks("OPS-APP-006", "C01-after-abort")(Hub())
