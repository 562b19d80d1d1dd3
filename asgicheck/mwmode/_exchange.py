"""Running a middleware through the driver: the one module that knows the driver's API.

Every exchange builds a fresh stack, ``Outer(factory(Recorder(inner), **kwargs))``, and hands
it to ``asgicheck.driver`` as the app, with the run's deadline, linger time and selection. The
driver is the strict server; nothing here awaits or schedules anything of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from asgicheck.contract import RunOptions
from asgicheck.driver import (
    Script,
    Server,
    Startup,
    http_scope,
    http_script,
    run,
    run_concurrently,
    websocket_scope,
    websocket_script,
)
from asgicheck.mwmode._factory import Factory, make_middleware
from asgicheck.mwmode._probe import Behaviour, Call, Outer, Recorder
from asgicheck.transcript import Transcript

__all__ = ["REQUEST_HEADERS", "Exchange", "Lifespan", "Stack", "client_left", "http_exchange",
           "http_exchanges", "lifespan_session", "websocket_exchange"]

# What a browser would send, so that content-negotiating (GZip) and origin-aware (CORS)
# middleware take their working paths rather than pass everything through untouched.
REQUEST_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"accept", b"*/*"),
    (b"accept-encoding", b"gzip, deflate"),
    (b"origin", b"http://example.org"),
    (b"user-agent", b"asgicheck"),
)

Disconnect = Literal["after_response", "first", "mid_stream"]


@dataclass(eq=False)
class Stack:
    """One middleware instance between the driver and a recorded inner app."""

    outer: Outer
    inner: Recorder

    @classmethod
    def build(cls, factory: Factory, kwargs: Mapping[str, Any], behaviour: Behaviour,
              options: RunOptions) -> Stack:
        inner = Recorder(behaviour, options.selection)
        return cls(outer=Outer(make_middleware(factory, inner, kwargs)), inner=inner)

    def calls(self, scope_type: str) -> list[Call]:
        return [c for c in self.inner.calls
                if isinstance(c.scope, dict) and c.scope.get("type") == scope_type]


@dataclass(eq=False)
class Exchange:
    """One exchange seen from both sides of the middleware."""

    stack: Stack
    outer: Transcript
    scope_type: str
    path: str | None = None  # tells this exchange's inner call apart when several ran at once

    @property
    def calls(self) -> list[Call]:
        calls = self.stack.calls(self.scope_type)
        if self.path is None:
            return calls
        return [c for c in calls if c.scope.get("path") == self.path]

    @property
    def call(self) -> Call | None:
        """The inner app's call for this exchange (its first, if the middleware made several)."""
        calls = self.calls
        return calls[0] if calls else None


def http_exchange(stack: Stack, options: RunOptions, *, method: str = "GET", path: str = "/",
                  body: bytes = b"", parts: Sequence[bytes] | None = None,
                  disconnect: Disconnect = "after_response", spec_version: str | None = None,
                  name: str = "server ↔ middleware") -> Exchange:
    """One HTTP request through the stack; ``parts`` splits the request body into chunks."""
    scope = http_scope(method, path, headers=REQUEST_HEADERS, body=body,
                       spec_version=spec_version or options.spec_version)
    script = http_script(scope, list(parts) if parts is not None else [body],
                         disconnect=disconnect, deadline=options.deadline,
                         linger=options.linger if disconnect != "after_response" else None,
                         block_threshold=options.block_threshold, name=name)
    return Exchange(stack=stack, outer=_run(stack, script, options), scope_type="http")


def http_exchanges(stack: Stack, options: RunOptions, paths: Sequence[str]) -> list[Exchange]:
    """Several POSTs at once through the same middleware instance (bug class O); request
    ``n`` carries the body ``b"body of request n"``."""
    scripts = []
    for number, path in enumerate(paths):
        body = b"body of request %d" % number
        scope = http_scope("POST", path, headers=REQUEST_HEADERS, body=body,
                           spec_version=options.spec_version)
        scripts.append(http_script(scope, [body], deadline=options.deadline,
                                   block_threshold=options.block_threshold,
                                   name=f"server ↔ middleware: {path}"))
    found = run_concurrently(stack.outer, scripts, selection=options.selection)
    return [Exchange(stack=stack, outer=t, scope_type="http", path=path)
            for t, path in zip(found, paths, strict=True)]


def websocket_exchange(stack: Stack, options: RunOptions,
                       messages: Sequence[dict[str, Any]]) -> Exchange:
    scope = websocket_scope("/ws", headers=REQUEST_HEADERS[2:],
                            spec_version=options.spec_version)
    script = websocket_script(scope, messages, deadline=options.deadline,
                              block_threshold=options.block_threshold,
                              name="server ↔ middleware")
    return Exchange(stack=stack, outer=_run(stack, script, options), scope_type="websocket")


def _run(stack: Stack, script: Script, options: RunOptions) -> Transcript:
    """One exchange through the stack. A stall (OPS-APP-003) must show twice to count, as in
    app mode (``scenarios._context``): a loaded machine can deschedule the loop's thread for
    longer than the threshold, and a real blocking call blocks every time. The inner app's
    record keeps only the calls of the run returned."""
    before = len(stack.inner.calls)
    first = run(stack.outer, script, selection=options.selection)
    if first.ended == "timeout" or not _stalled(first):
        return first
    used = len(stack.inner.calls)
    second = run(stack.outer, script, selection=options.selection)
    if _stalled(second):
        del stack.inner.calls[used:]
        return first
    del stack.inner.calls[before:used]
    return second


def _stalled(transcript: Transcript) -> bool:
    return any(v.rule == "OPS-APP-003" for v in transcript.violations)


@dataclass(eq=False)
class Lifespan:
    """A simulated server run: lifespan startup, one request if it started, shutdown."""

    stack: Stack
    startup: Startup
    lifespan: Transcript  # the lifespan call, from the server's side
    request: Exchange | None  # the request made while the server was up


def lifespan_session(stack: Stack, options: RunOptions) -> Lifespan:
    server = Server(stack.outer, selection=options.selection, deadline=options.deadline,
                    linger=min(options.linger, options.deadline),
                    block_threshold=options.block_threshold)
    startup = server.startup()
    request = None
    if startup.outcome == "complete":
        scope = http_scope("GET", "/", headers=REQUEST_HEADERS, spec_version=options.spec_version)
        t = server.run(http_script(scope, deadline=options.deadline,
                                   block_threshold=options.block_threshold,
                                   name="server ↔ middleware: a request while started"))
        request = Exchange(stack=stack, outer=t, scope_type="http")
    lifespan = server.shutdown()
    return Lifespan(stack=stack, startup=startup, lifespan=lifespan, request=request)


def client_left(t: Transcript) -> bool:
    """Whether a ``mid_stream`` client went away: it does once the middleware streamed a body
    chunk with ``more_body=True`` (``Gate.STREAMING``), or completed the response."""
    return any(isinstance(m, dict) and m.get("type") == "http.response.body" and
               bool(m.get("more_body")) for m in t.sent)
