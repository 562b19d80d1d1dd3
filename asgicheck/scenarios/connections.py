"""State across connections: C01 (HTTP) and C02 (websocket), through one app object.

One app object serves every connection of a server. What one connection leaves behind must not
reach the next: the half-read body of a request the client abandoned, a generator it left
half-consumed, or (in a registry of open connections) the connection itself, still sent to
after it is gone. A send after the client left is already judged within one connection
(HTTP-RECV-005, WS-RECV-005); here a ``Tap`` around the app records the sends made on a
connection *after its call returned*, which the server silently drops (hypercorn) or answers by
raising into whoever sent (uvicorn), and which connection's task made them.

The exchanges run through the tap on the shared loop with a copy of the lifespan session's
state, as the session's own exchanges do; each connection gets its own client address.
"""

from __future__ import annotations

import contextvars
import dataclasses
import inspect
from collections.abc import Sequence
from typing import Any

from asgicheck.contract import Target
from asgicheck.driver import Gate, Script, Step, run_concurrently, run_many
from asgicheck.rules import violation
from asgicheck.scenarios._base import Base, Result, difference
from asgicheck.scenarios._context import Context
from asgicheck.scenarios.http import HTTPScenario, request_script, with_body
from asgicheck.scenarios.websocket import WSScenario, ws_script
from asgicheck.transcript import Transcript

__all__ = ["LateSend", "Tap", "for_http", "for_websocket"]

MARKER = b"asgicheck-abandoned-request"
LATER = 0.03  # C02: the staying client speaks again this long after the other one left
_connection: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "asgicheck_connection", default=None)


@dataclasses.dataclass(frozen=True, slots=True)
class LateSend:
    """A send() on connection ``on`` after its app call had returned, made by ``by``."""

    on: int  # the connection's client port
    by: int | None  # the port of the connection whose task sent it; None: no connection's
    kind: str  # the message type


class Tap:
    """The app, with a record of every send() made on a connection after its call returned.

    Connections are told apart by their client port; the call's port is a context variable,
    so a send made by another connection's task (or a task started at lifespan startup) shows
    whose it was.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.ended: set[int] = set()
        self.late: list[LateSend] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        port = _port(scope)
        token = _connection.set(port)  # seen by the tasks the call starts, too

        async def tapped(message: Any) -> None:
            if port in self.ended:
                kind = message.get("type") if isinstance(message, dict) else message
                self.late.append(LateSend(on=port, by=_connection.get(), kind=str(kind)))
            await send(message)

        try:
            call = self.app(scope, receive, tapped)
            return (await call) if inspect.isawaitable(call) else call
        finally:
            self.ended.add(port)
            _connection.reset(token)


def _port(scope: dict[str, Any]) -> int:
    client = scope.get("client")
    return int(client[1]) if isinstance(client, list | tuple) and len(client) == 2 else 0


def _as_client(script: Script, port: int, state: dict[str, Any] | None) -> Script:
    """``script`` from client port ``port``, with a copy of the session's state."""
    scope = {**script.scope, "client": ["127.0.0.1", port]}
    if state is not None and "state" not in scope:
        scope["state"] = dict(state)
    return dataclasses.replace(script, scope=scope)


def _session_state(ctx: Context) -> dict[str, Any] | None:
    server = ctx.server()
    return server.state if server is not None else None


def _late_finding(late: Sequence[LateSend], names: dict[int, str]) -> list[Any]:
    if not late:
        return []
    first = late[0]
    by = "a task outside any connection (started at lifespan startup?)" if first.by is None \
        else f"connection {names.get(first.by, first.by)!r}"
    more = f" ({len(late)} such sends in all)" if len(late) > 1 else ""
    return [violation(
        "OPS-APP-006", f"{first.kind} was sent on connection {names.get(first.on, first.on)!r} "
        f"after its app call had returned, by {by}{more}: something keeps the dead "
        f"connection's send() (a registry of clients?) and sends to it; drop each connection "
        f"when its call ends (uvicorn raises from that send(), ending the sender's own "
        f"connection; hypercorn drops it and the registry grows)")]


class AfterAbort(HTTPScenario):
    name = "C01-after-abort"
    title = "a request the client abandons, then the plain request: one after the other, and " \
            "at once"
    rules = ("OPS-APP-005", "OPS-APP-006")

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.request = with_body(target)

    def abandoned(self, ctx: Context) -> Script:
        """The target's request, abandoned: mid-body (a distinct first chunk), or mid-stream."""
        target = self.request
        if target.body:
            body = MARKER + target.body  # the scope declares it all; only MARKER arrives
            target = dataclasses.replace(target, body=body)
            return request_script(target, ctx.options, [MARKER], name="abandoned mid-body",
                                  disconnect="mid_body")
        return request_script(target, ctx.options, name="abandoned mid-stream",
                              disconnect="mid_stream")

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        state = _session_state(ctx)
        selection = ctx.options.selection
        tap = Tap(ctx.app)
        plain = request_script(self.request, ctx.options, name="plain")
        names = {50101: "abandoned", 50102: "next", 50103: "abandoned", 50104: "at once"}
        first, after = run_many(tap, [_as_client(self.abandoned(ctx), 50101, state),
                                      _as_client(plain, 50102, state)], selection=selection)
        held = [_held(self.abandoned(ctx)), _held(plain)]
        both = run_concurrently(tap, [_as_client(held[0], 50103, state),
                                      _as_client(held[1], 50104, state)], selection=selection)
        result = Result(transcripts=[first, after, *both])
        # What the abandoned requests show on their own is S05's and S07's to report.
        result.suppress.update(v.rule for t in (first, both[0]) for v in t.violations)
        result.suppress.add("OPS-APP-003")  # stalls are the plain scenario's (confirmed there)
        for t, when in ((after, "right after"), (both[1], "at the same time as")):
            changed = self._leak(base.first, t) or difference(
                base, t, what="the same request alone")
            if changed:
                result.findings.append(violation(
                    "OPS-APP-005", f"{when} a request whose client left ({first.name}), the "
                    f"plain request: {changed}; what one connection leaves behind must not "
                    f"reach the next"))
                break
        result.findings += _late_finding(tap.late, names)
        return result

    def _leak(self, ref: Transcript, t: Transcript) -> str | None:
        if self.request.body and MARKER in t.body and MARKER not in ref.body:
            return (f"its response carries {MARKER!r}, the first chunk of the abandoned "
                    f"request's body")
        return None


def _held(script: Script) -> Script:
    """The first event 10 ms late, so both connections are in flight before either answers."""
    steps = list(script.steps)
    steps[0] = Step(event=steps[0].event, gate=steps[0].gate, delay=0.01)
    return dataclasses.replace(script, steps=tuple(steps))


class TwoClients(WSScenario):
    name = "C02-two-clients"
    title = "two websocket clients at once: one leaves early, the other keeps talking"
    rules = ("OPS-APP-006",)

    def check(self, ctx: Context) -> Result:
        self.accepting(ctx)
        assert self.target is not None
        opts = ctx.options
        state = _session_state(ctx)
        staying = ws_script(self.target, opts, [{"text": "asgicheck from the staying client"}],
                            name="staying")
        steps = list(staying.steps)
        again = Step(event={"type": "websocket.receive", "text": "asgicheck again, after the "
                            "other client left"}, gate=Gate.ACCEPT, delay=LATER)
        steps.insert(len(steps) - 1, again)
        staying = dataclasses.replace(staying, steps=tuple(steps))
        leaving = ws_script(self.target, opts, [{"text": "asgicheck from the leaving client"}],
                            name="leaving early")
        tap = Tap(ctx.app)
        found = run_concurrently(tap, [_as_client(staying, 50201, state),
                                       _as_client(leaving, 50202, state)],
                                 selection=opts.selection)
        result = Result(transcripts=found)
        result.suppress.add("OPS-APP-003")
        result.findings += _late_finding(tap.late, {50201: "staying", 50202: "leaving early"})
        return result


def for_http(target: Target) -> list[Base]:
    return [AfterAbort(target)]


def for_websocket(target: Target) -> list[Base]:
    return [TwoClients(target)]
