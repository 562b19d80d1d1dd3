"""The two sides of a middleware, watched: ``Outer`` above it and ``Recorder`` below it.

::

    driver (strict server) ──► Outer ──► middleware under test ──► Recorder ──► inner app
             outer Validator                                   inner Validator

The driver's own validator judges what the middleware sends *as an app*. ``Recorder`` wraps the
known-good inner app with a second ``Validator``: here the middleware is the *server*, so the
scope it passes on and the events its ``receive()`` hands out are judged by the server-side rules
(www.rst, lifespan.rst), and every server-party finding there is the middleware's. ``Outer``
keeps a deep snapshot of the scope the server passed in, to see whether the middleware changed it
(asgi.rst § Middleware, GEN-MW-001); ``Recorder`` snapshots the scope the inner app got, to see
whether the middleware changed it after handing it over (GEN-MW-002).

This module is sans-IO apart from the two wrappers' ``await``; it never starts a task.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from asgicheck.selection import Selection
from asgicheck.transcript import NOTE, RECEIVED, SENT, LogItem, Transcript
from asgicheck.validator import Validator

__all__ = ["Call", "InnerError", "Outer", "Recorder", "diff", "snapshot"]

MAX_LOG = 2000  # entries per inner call; an endless stream must not eat the memory
_SHARED = "state"  # scope["state"] is the lifespan namespace copy; apps may add keys to it

Behaviour = Callable[[dict[str, Any], Any, Any, dict[str, Any]], Awaitable[None]]


class InnerError(Exception):
    """What the raising inner apps raise: an exception the middleware did not cause."""


def snapshot(value: Any, depth: int = 0) -> Any:
    """A deep copy of plain data (dicts, lists, tuples, bytearrays); anything else by reference,
    so arbitrary objects (lifespan state, extension payloads) are compared by identity."""
    if depth > 16:
        return value
    if type(value) is dict:
        return {k: snapshot(v, depth + 1) for k, v in value.items()}
    if type(value) is list:
        return [snapshot(v, depth + 1) for v in value]
    if type(value) is tuple:
        return tuple(snapshot(v, depth + 1) for v in value)
    if type(value) is bytearray:
        return bytearray(value)
    return value


def diff(before: Any, after: Any, where: str = "scope", *, limit: int = 4) -> list[str]:
    """What changed between a snapshot and the live object, as ``scope['path']: '/' -> '/x'``.

    Changes inside ``scope['state']`` are not counted: apps may add keys to their copy of the
    lifespan namespace (lifespan.rst § Lifespan State).
    """
    found: list[str] = []
    _diff(before, after, where, found, limit)
    return found


def _diff(before: Any, after: Any, where: str, found: list[str], limit: int) -> None:
    if len(found) >= limit:
        return
    if type(before) is dict and type(after) is dict:
        for key in list(before) + [k for k in after if k not in before]:
            if where == "scope" and key == _SHARED and key in before and key in after:
                continue
            path = f"{where}[{key!r}]"
            if key not in after:
                found.append(f"{path} removed")
            elif key not in before:
                found.append(f"{path} added: {_short(after[key])}")
            else:
                _diff(before[key], after[key], path, found, limit)
            if len(found) >= limit:
                return
        return
    if type(before) in (list, tuple) and type(after) is type(before):
        if len(before) != len(after):
            found.append(f"{where}: {len(before)} items -> {len(after)} items")
            return
        for position, (old, new) in enumerate(zip(before, after, strict=True)):
            _diff(old, new, f"{where}[{position}]", found, limit)
        return
    plain = (str, bytes, int, float, bool, type(None), bytearray)
    same = before == after if type(before) in plain and type(after) is type(before) else \
        before is after
    if not same:
        found.append(f"{where}: {_short(before)} -> {_short(after)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 50 else text[:47] + "..."


@dataclass(eq=False)
class ScopeWatch:
    """One call of the middleware by the server: the scope, as it was and what changed."""

    scope: Any
    before: Any
    changes: list[str] = field(default_factory=list)


class Outer:
    """The app the driver runs: passes everything to the middleware, watching the scope."""

    def __init__(self, middleware: Any) -> None:
        self.middleware = middleware
        self.calls: list[ScopeWatch] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        watch = ScopeWatch(scope, snapshot(scope))
        self.calls.append(watch)
        try:
            return await self.middleware(scope, receive, send)
        finally:
            watch.changes = diff(watch.before, scope)


@dataclass(eq=False)
class Call:
    """One call of the inner app by the middleware, with both sides of it recorded."""

    scope: Any
    entry: Any  # snapshot of the scope as the inner app got it
    validator: Validator
    t0: float
    log: list[LogItem] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)  # what the inner app observed
    ended: str | None = None  # "returned" | "raised" | "cancelled"; None: still running
    exception: BaseException | None = None
    later_changes: list[str] = field(default_factory=list)  # GEN-MW-002
    waiting: int = 0  # receive() calls in progress
    stuck: bool = False  # it was cancelled while waiting in receive()

    @property
    def received(self) -> list[Any]:
        return [item[3] for item in self.log if item[0] == RECEIVED]

    @property
    def sent(self) -> list[Any]:
        return [item[3] for item in self.log if item[0] == SENT]

    def transcript(self, violations: tuple[Any, ...] = ()) -> Transcript:
        """The inner side as a ``Transcript``, for rendering next to the driver's."""
        if self.ended in ("returned", "raised"):
            ended, exception = self.ended, self.exception
        else:
            ended, exception = "cancelled", self.exception
        how = repr(exception) if exception is not None else (
            None if self.ended else "still running when the exchange ended")
        scope = self.scope if isinstance(self.scope, dict) else {"type": repr(self.scope)}
        return Transcript(scope=scope, log=tuple(self.log), ended=ended,  # type: ignore[arg-type]
                          violations=violations, exception=how,
                          duration=time.perf_counter() - self.t0,
                          name="middleware ↔ inner app")


class Recorder:
    """A known-good inner app (``behaviour``) behind a validator that judges the middleware.

    ``behaviour(scope, receive, send, notes)`` is the inner app itself; ``notes`` is where it
    writes what it observed (the request body it read, whether it learned of a disconnect).
    """

    def __init__(self, behaviour: Behaviour, selection: Selection) -> None:
        self.behaviour = behaviour
        self.selection = selection
        self.calls: list[Call] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        call = Call(scope=scope, entry=snapshot(scope),
                    validator=Validator(scope, selection=self.selection), t0=time.perf_counter())
        self.calls.append(call)

        async def checked_receive() -> Any:
            call.waiting += 1
            try:
                event = await receive()
            except asyncio.CancelledError:
                call.stuck = True
                raise
            finally:
                call.waiting -= 1
            index = call.validator.index
            call.validator.app_received(event)
            _log(call, (RECEIVED, index, time.perf_counter() - call.t0, snapshot(event)))
            return event

        async def checked_send(message: Any) -> None:
            index = call.validator.index
            call.validator.app_sent(message)
            at, copy = time.perf_counter() - call.t0, snapshot(message)
            position = len(call.log)
            _log(call, (SENT, index, at, copy, "ok"))
            try:
                await send(message)
            except OSError as exc:  # the server's "client disconnected", passed on
                if position < len(call.log):
                    call.log[position] = (SENT, index, at, copy, "raised")
                call.validator.send_failed(exc)
                raise

        try:
            await self.behaviour(scope, checked_receive, checked_send, call.notes)
        except asyncio.CancelledError as exc:
            call.ended, call.exception = "cancelled", exc
            raise
        except BaseException as exc:
            call.ended, call.exception = "raised", exc
            call.validator.app_raised(exc)
            raise
        else:
            call.ended = "returned"
            call.validator.app_returned(None)
        finally:
            call.later_changes = diff(call.entry, scope)

    def note(self, text: str) -> None:
        """Add a line to the last call's transcript (e.g. why it was judged as it was)."""
        if self.calls:
            call = self.calls[-1]
            _log(call, (NOTE, time.perf_counter() - call.t0, text))


def _log(call: Call, item: Any) -> None:
    if len(call.log) < MAX_LOG:
        call.log.append(item)
