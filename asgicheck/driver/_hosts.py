"""Borrowed tasks: an exchange runs as the current task of a long-lived *host* task.

An exchange whose ``receive()`` and ``send()`` never have to wait (most of them) runs to the end
in one synchronous step, ``coro.send(None)``: no task is created, nothing is scheduled and the
event loop does not turn. That step still runs as a task would, with ``asyncio.current_task()``
set, as libraries such as anyio and sniffio need: the task is an idle host borrowed from a pool,
made current for the step with ``asyncio.tasks._enter_task``. When the app awaits something
real, the step yields the future it waits on, and the same host task carries the coroutine on
from there, ``_carry`` forwarding what it yields and what is thrown into it: to the app, and to
anything that looked at its current task, nothing changed hands. The host goes back to the pool
once its exchange has ended, unless a cancellation passed through it (a cancelled task is not
handed to the next app).

A host's own context is never the app's: every step of the app runs in the exchange's context.
"""

from __future__ import annotations

import asyncio
import contextvars
import operator
import types
from collections.abc import Callable, Coroutine, Generator
from typing import Any, Protocol

__all__ = ["Guest", "Host", "Hosts", "cancel_requested", "enter_task", "leave_task"]

# Private, but there from 3.7 to 3.13; None where an interpreter lacks them (then an exchange's
# first step is taken by its host task in the loop, as for any task).
enter_task: Callable[[asyncio.AbstractEventLoop, asyncio.Task[Any]], None] | None = getattr(
    asyncio.tasks, "_enter_task", None)
leave_task: Callable[[asyncio.AbstractEventLoop, asyncio.Task[Any]], None] | None = getattr(
    asyncio.tasks, "_leave_task", None)
# Whether cancel() was called on a task and not yet taken back (3.10: no count, only the flag).
cancel_requested: Callable[[asyncio.Task[Any]], Any] = getattr(
    asyncio.Task, "cancelling", operator.attrgetter("_must_cancel"))
POOL = 16  # idle hosts kept; after a burst of concurrent exchanges the rest end
_STARTING = object()  # adopt() before the coroutine took its first step


class Guest(Protocol):
    """What a host needs of the exchange it carries (``Connection``)."""

    context: contextvars.Context

    def ended(self, value: object, exc: BaseException | None) -> None:
        """The app's coroutine returned ``value`` or raised ``exc``."""


class Host:
    """One long-lived task that exchanges borrow; idle, it waits on ``idle``."""

    __slots__ = ("_guest", "_coro", "_pending", "_pool", "idle", "task")

    def __init__(self, pool: Hosts) -> None:
        self._pool = pool
        self._guest: Guest | None = None
        self._coro: Coroutine[Any, Any, Any] | None = None
        self._pending: Any = None
        self.idle: asyncio.Future[None] = pool.loop.create_future()
        self.task: asyncio.Task[None] = pool.loop.create_task(self._serve())

    def adopt(self, guest: Guest, coro: Coroutine[Any, Any, Any], pending: Any = _STARTING
              ) -> None:
        """Carry ``coro`` on from where its first step left it (``pending``: what it yielded)."""
        self._guest, self._coro, self._pending = guest, coro, pending
        if not self.idle.done():
            self.idle.set_result(None)
        # else: something cancelled this task during the first step; _serve delivers it.

    async def _serve(self) -> None:
        while True:
            cancelled = False
            try:
                await self.idle
            except asyncio.CancelledError:
                if self._guest is None:
                    return  # cancelled while idle: the loop is closing, or an app kept it
                cancelled = True
            guest, coro, pending = self._guest, self._coro, self._pending
            assert guest is not None and coro is not None
            self._coro = self._pending = None
            start, thrown = pending is _STARTING, None
            if start:
                pending = None
            if cancelled:  # as Task does for a cancel() while its coroutine runs
                if isinstance(pending, asyncio.Future):
                    pending.cancel()
                else:
                    thrown = asyncio.CancelledError()
            try:
                clean = await _carry(guest, coro, pending, thrown, start)
            except BaseException as exc:  # noqa: B036 - the driver's own bug: say so, stop
                self._pool.loop.call_exception_handler({"message": "host task failed",
                                                        "exception": exc})
                return
            finally:
                self._guest = None
            if cancelled or not clean or cancel_requested(self.task) or \
                    len(self._pool.idle) >= POOL:
                return
            self.idle = self._pool.loop.create_future()
            self._pool.idle.append(self)


class Hosts:
    """The pool of idle hosts of one event loop. An exchange borrows the last one for its first
    step; it is taken out of the pool only if the exchange goes on in the loop (``lend``)."""

    __slots__ = ("eager", "idle", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop, *, eager: bool = False) -> None:
        """``eager``: start each new host at once (``loop._ready`` is there to take its first
        step from), so that it is already waiting when an app first cancels it."""
        self.loop = loop
        self.eager = eager
        self.idle: list[Host] = []

    def borrow(self) -> Host:
        idle = self.idle
        while idle:
            host = idle[-1]
            if not host.idle.done():
                return host
            idle.pop()  # cancelled while idle (an app kept its task): it has ended
        host = Host(self)
        if self.eager:
            ready = self.loop._ready  # type: ignore[attr-defined]
            ready.pop()._run()  # the step create_task just scheduled: up to `await self.idle`
        idle.append(host)
        return host

    def lend(self, host: Host) -> None:
        """``host`` carries an exchange on in the loop; it comes back by itself."""
        self.drop(host)

    def drop(self, host: Host) -> None:
        idle = self.idle
        if idle and idle[-1] is host:
            idle.pop()
        elif host in idle:
            idle.remove(host)


@types.coroutine
def _carry(guest: Guest, coro: Coroutine[Any, Any, Any], pending: Any,
           thrown: BaseException | None, start: bool) -> Generator[Any, None, bool]:
    """Run ``coro`` to its end inside the current (host) task, each step in the guest's context:
    what it yields goes to the task, what the task throws in goes to it; its outcome goes to
    ``guest.ended``. False when a cancellation passed through (the host is not reused)."""
    run = guest.context.run
    send, throw = coro.send, coro.throw
    clean = thrown is None
    try:
        if thrown is not None:
            pending = run(throw, thrown)
        elif start:
            pending = run(send, None)
        while True:
            try:
                yield pending
            except GeneratorExit:  # the host task is being destroyed
                run(coro.close)
                raise
            except BaseException as exc:  # noqa: B036 - a cancellation, or a bad yield
                if isinstance(exc, asyncio.CancelledError):
                    clean = False
                pending = run(throw, exc)
            else:
                pending = run(send, None)
    except StopIteration as stop:
        guest.ended(stop.value, None)
    except GeneratorExit:
        raise
    except BaseException as exc:  # noqa: B036 - the app raised it: that is its outcome
        if isinstance(exc, asyncio.CancelledError):
            clean = False
        guest.ended(None, exc)
    return clean
