"""A tiny, strict fake server: drive an ASGI app with raw message dicts and record what it sends.

``exchange(app, scope, *events)`` runs one connection to completion and returns the messages the
app sent. ``receive()`` hands out ``events`` in order; once they run out it *blocks* until the
response is complete (or the client has "left") and then returns a disconnect event on every
call, as real servers do. It never repeats ``http.request`` and never busy-returns, so an app
that waits for a body that will not come hangs and the timeout reports it.

``client_leaves_after=N`` simulates the client going away after the app sent N body messages:
from then on ``receive()`` returns a disconnect, and ``send()`` raises ``ClientGone`` (an
``OSError``) when the scope's spec_version is 2.4 or later, or silently drops the message before
that, which is exactly the difference between the two kinds of server.

``Conversation`` is the open-ended form (queues in, queues out) for lifespan tests where the test
decides when each event is delivered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]
TIMEOUT = 5.0


class ClientGone(OSError):
    """What a spec 2.4 server raises from send() once the client has disconnected."""


def http_scope(
    path: str = "/",
    method: str = "GET",
    *,
    query_string: bytes = b"",
    headers: Sequence[tuple[bytes, bytes]] | None = None,
    spec_version: str | None = "2.3",
    **extra: Any,
) -> dict[str, Any]:
    """A complete HTTP scope; ``extra`` overrides or adds keys (e.g. ``root_path``)."""
    asgi: dict[str, Any] = {"version": "3.0"}
    if spec_version is not None:
        asgi["spec_version"] = spec_version
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": asgi,
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8"),
        "query_string": query_string,
        "root_path": "",
        "headers": list(headers) if headers is not None else [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    scope.update(extra)
    return scope


def websocket_scope(
    path: str = "/ws",
    *,
    subprotocols: Sequence[str] = (),
    spec_version: str | None = "2.4",
    extensions: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    asgi: dict[str, Any] = {"version": "3.0"}
    if spec_version is not None:
        asgi["spec_version"] = spec_version
    scope: dict[str, Any] = {
        "type": "websocket",
        "asgi": asgi,
        "http_version": "1.1",
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode("utf-8"),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "subprotocols": list(subprotocols),
    }
    if extensions is not None:
        scope["extensions"] = extensions
    scope.update(extra)
    return scope


def request_event(body: bytes = b"", more_body: bool = False) -> Message:
    return {"type": "http.request", "body": body, "more_body": more_body}


@dataclass
class FakeServer:
    """The receive/send pair for one connection, with the behaviours described above."""

    scope: dict[str, Any]
    events: list[Message]
    client_leaves_after: int | None = None
    sent: list[Message] = field(default_factory=list)
    dropped: list[Message] = field(default_factory=list)
    receive_calls: int = 0
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    body_messages: int = 0

    @property
    def raises_on_closed_send(self) -> bool:
        version = (self.scope.get("asgi") or {}).get("spec_version") or "2.0"
        return tuple(int(x) for x in version.split(".")) >= (2, 4)

    async def receive(self) -> Message:
        self.receive_calls += 1
        if self.receive_calls > 10_000:
            raise AssertionError("the app keeps calling receive(): a busy loop")
        if self.events and not self._client_gone:
            await asyncio.sleep(0)  # a real server yields here
            return self.events.pop(0)
        await self.finished.wait()
        await asyncio.sleep(0)
        if self.scope["type"] == "websocket":
            return {"type": "websocket.disconnect", "code": 1006}
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self._client_gone:
            if self.raises_on_closed_send:
                raise ClientGone("the client has gone")
            self.dropped.append(message)
            return
        self.sent.append(message)
        kind = message["type"]
        if kind in ("http.response.body", "websocket.http.response.body"):
            self.body_messages += 1
            if not message.get("more_body", False):
                self.finished.set()
        elif kind in ("http.response.pathsend", "websocket.close"):
            self.finished.set()
        if self.client_leaves_after is not None:
            if self.body_messages >= self.client_leaves_after:
                self.finished.set()  # wakes a blocked receive(), which now reports the disconnect
        await asyncio.sleep(0)

    @property
    def _client_gone(self) -> bool:
        return self.client_leaves_after is not None and (
            self.body_messages >= self.client_leaves_after
        )


async def exchange_async(
    app: ASGIApp,
    scope: dict[str, Any],
    *events: Message,
    client_leaves_after: int | None = None,
    timeout: float = TIMEOUT,
) -> list[Message]:
    server = FakeServer(scope, list(events), client_leaves_after)
    try:
        await asyncio.wait_for(app(scope, server.receive, server.send), timeout)
    except asyncio.TimeoutError:
        message = f"the app did not finish in {timeout}s; it sent {server.sent!r}"
        raise AssertionError(message) from None
    return server.sent


def exchange(
    app: ASGIApp, scope: dict[str, Any], *events: Message, **options: Any
) -> list[Message]:
    """Run one connection to the end on a fresh event loop; return what the app sent."""
    return asyncio.run(exchange_async(app, scope, *events, **options))


def get(app: ASGIApp, path: str = "/", **scope_options: Any) -> HTTPResult:
    """GET (or ``method=...``) with an empty body; the result is checked against the rules."""
    scope = http_scope(path, **scope_options)
    return check_http(exchange(app, scope, request_event()), scope["method"])


@dataclass
class HTTPResult:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    messages: list[Message]

    def header(self, name: str) -> str | None:
        values = self.header_list(name)
        return values[0] if values else None

    def header_list(self, name: str) -> list[str]:
        wanted = name.encode("latin-1")
        return [v.decode("latin-1") for n, v in self.headers if n == wanted]

    def json(self) -> Any:
        import json

        return json.loads(self.body)


def check_http(sent: list[Message], method: str = "GET", complete: bool = True) -> HTTPResult:
    """Assert the HTTP response rules (www.rst "Response Start"/"Response Body") and summarise.

    One start first; int status; lowercase byte header names and byte values without CR/LF/NUL;
    body messages with bytes bodies; the last one ``more_body=False`` (when ``complete``);
    content-length equal to the bytes sent; no body for HEAD/1xx/204/304 and no
    content-length for 1xx/204/304.
    """
    assert sent, "the app sent nothing"
    start = sent[0]
    assert start["type"] == "http.response.start", sent
    assert [m["type"] for m in sent].count("http.response.start") == 1, sent
    status = start["status"]
    assert type(status) is int, status
    headers = [(n, v) for n, v in start.get("headers", [])]
    for name, value in headers:
        assert type(name) is bytes and type(value) is bytes, (name, value)
        assert name == name.lower(), name
        assert not any(c in value for c in b"\r\n\x00"), value
    body = b""
    rest = sent[1:]
    for index, message in enumerate(rest):
        assert message["type"] in ("http.response.body", "http.response.pathsend"), message
        if message["type"] == "http.response.pathsend":
            assert index == len(rest) - 1, "pathsend must be the last message"
            continue
        assert type(message.get("body", b"")) is bytes, message
        body += message.get("body", b"")
        final = not message.get("more_body", False)
        assert not final or index == len(rest) - 1, "a message was sent after the final body"
    if complete:
        assert rest, "no body message after the start"
        last = rest[-1]
        assert last["type"] == "http.response.pathsend" or not last.get("more_body", False)
    lengths = [v for n, v in headers if n == b"content-length"]
    assert len(lengths) <= 1, headers
    bodiless = status < 200 or status in (204, 304)
    if method == "HEAD" or bodiless:
        assert body == b"", f"body sent for {method} {status}: {body!r}"
    if bodiless:
        assert not lengths, f"content-length on a {status}"
    elif lengths and method != "HEAD" and complete and rest[-1]["type"] != "http.response.pathsend":
        assert int(lengths[0]) == len(body), (lengths, len(body))
    return HTTPResult(status, headers, body, sent)


class Conversation:
    """An app running as a task, fed and read through queues (for lifespan and interleavings)."""

    def __init__(self, app: ASGIApp, scope: dict[str, Any]) -> None:
        self.app = app
        self.scope = scope
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.outbox: asyncio.Queue[Message] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.ensure_future(self.app(self.scope, self.inbox.get, self.outbox.put))

    async def send_event(self, event: Message) -> None:
        await self.inbox.put(event)

    async def next_message(self, timeout: float = TIMEOUT) -> Message:
        assert self.task is not None
        getter = asyncio.ensure_future(self.outbox.get())
        done, _ = await asyncio.wait(
            {getter, self.task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if getter in done:
            return getter.result()
        getter.cancel()
        if self.task in done:
            self.task.result()  # re-raise the app's exception, if any
            raise AssertionError("the app returned without sending another message")
        raise AssertionError(f"no message from the app within {timeout}s")

    async def finished(self, timeout: float = TIMEOUT) -> None:
        assert self.task is not None
        await asyncio.wait_for(asyncio.shield(self.task), timeout)
