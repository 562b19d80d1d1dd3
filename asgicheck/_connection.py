"""One simulated connection, inside the runner's event loop: the strict server side of a Script.

The app gets a wrapped ``receive`` and ``send``; each call goes through the Validator first and
is recorded, then acted on (style.md 7). The rules the server side keeps here:

* ``receive()`` hands out the script's events in order, each once its gate is open. After the
  request body it *blocks* until the scripted disconnect; it never repeats ``http.request``
  (bug-classes.md §S: unit#1563, pyvoy 1.5.1). After the client has gone, every HTTP
  ``receive()`` returns ``http.disconnect`` (www.rst, asgiref#334). A websocket gets its
  ``websocket.disconnect`` once; a later ``receive()`` waits forever, as there is nothing more.
* ``send()`` after the client left mid-response raises ``ClientDisconnected`` at spec_version
  2.4+ and is a silent no-op before (www.rst § Disconnected Client - send exception, A3).
  Messages after the app itself completed the response are recorded and ignored (A8).
* ``send()`` and a repeated ``receive()`` yield to the loop whenever the connection is over, so
  an app that loops on them without awaiting anything else can still be cancelled.

This is the hot path of every exchange, so it is written for speed: flags are class-level
defaults, and ``_advance`` runs only when something may be waiting on it.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Callable
from types import CoroutineType
from typing import Any

from asgicheck import _findings
from asgicheck._progress import Progress
from asgicheck._script import ClientDisconnected, Gate, Script, Step
from asgicheck._watchdog import start_task
from asgicheck.selection import Selection
from asgicheck.transcript import NOTE, RECEIVED, SENT, Ended, LogItem, Transcript
from asgicheck.types import Message
from asgicheck.validator import Validator
from asgicheck.violations import Party, Violation, ViolationError

__all__ = ["MAX_ENTRIES", "Connection", "grace_for"]

MAX_ENTRIES = 5000  # per transcript; an app that streams forever must not eat the memory
_RESPONSE_GATES = frozenset({Gate.STARTED, Gate.STREAMING, Gate.COMPLETE})
_MISSING = object()
_now = time.perf_counter


def grace_for(deadline: float) -> float:
    """How long a cancelled app gets to finish before the driver stops waiting for it."""
    return min(0.25, max(0.05, deadline / 4))


def _nothing() -> None:
    pass


class Connection:
    """The server side of one exchange; ``start()`` must be called in the loop's thread."""

    # Defaults, overwritten per instance only when they change.
    pos = count = sends = dropped = waiting = 0
    signalled = received_startup = blocked = False
    gone = gone_open = told_gone = False  # the client left; while the response was open
    gone_event: dict[str, Any] | None = None
    waiter: asyncio.Future[None] | None = None
    task: asyncio.Task[None] | None = None
    done: asyncio.Future[Transcript] | None = None
    final: Transcript | None = None
    timed_out: str | None = None
    expire_reason: str | None = None
    not_awaitable: object = _MISSING
    t0 = mark = 0.0

    def __init__(self, app: Any, script: Script, selection: Selection, *,
                 loop: asyncio.AbstractEventLoop, meter: Any,
                 taint: Callable[[], None] = _nothing) -> None:
        self.app, self.script, self.selection = app, script, selection
        self.loop, self.meter, self.taint = loop, meter, taint
        self.scope: dict[str, Any] = dict(script.scope)  # the app may change its own copy
        self.kind = self.scope.get("type")
        self.validator = Validator(self.scope, selection=selection)
        self.steps = script.steps
        self.disconnect_at = script.disconnect_at
        self.raises = script.spec_version >= (2, 4)
        self.log: list[LogItem] = []
        self.progress = Progress(self.kind)
        self.ready_at: dict[int, float] = {}
        self.watchers: list[asyncio.Future[None]] = []
        self.spawned: list[asyncio.Task[Any]] = []  # tasks the app started
        self.handles: list[asyncio.Handle] = []
        self._final_lock = threading.Lock()

    # -- running --------------------------------------------------------------------------------

    def start(self, deadline: float | None) -> asyncio.Future[Transcript]:
        """Call the app. ``deadline=None`` leaves ending it to the caller (lifespan phases)."""
        self.done = self.loop.create_future()
        self.mark = self.meter.begin(self, deadline)
        self.t0 = _now()
        self.task = start_task(self.loop, self._main(), self.spawned)
        if self.disconnect_at == 0:
            self._advance()
        return self.done

    async def _main(self) -> None:
        try:
            call = self.app(self.scope, self.receive, self.send)
            if type(call) is not CoroutineType and not inspect.isawaitable(call):
                self.not_awaitable = call
                self._finish("returned")
                return
            result = await call
        except asyncio.CancelledError as exc:
            self._finish("timeout" if self.timed_out else "cancelled", exc)
        except BaseException as exc:  # noqa: B036 - KeyboardInterrupt etc. must not kill the run
            self._finish("timeout" if self.timed_out else "raised", exc)
        else:
            self._finish("timeout" if self.timed_out else "returned", result=result)

    def expire(self, kind: str, why: str | None = None) -> None:
        """The deadline (or the linger time after a disconnect) has passed: cancel the app.
        ``why`` replaces the standard explanation in the OPS-APP-002 finding."""
        if self.final is not None or self.timed_out:
            return
        self.timed_out, self.expire_reason = kind, why
        self.blocked = self.waiting > 0
        self._note(f"{kind} passed; cancelling the app")
        assert self.task is not None
        self.task.cancel()
        self.handles.append(self.loop.call_later(grace_for(self.script.deadline), self._abandon))

    def _abandon(self) -> None:
        if self.final is None:  # it ignored the cancellation (or was cancelled unstarted)
            if not self.task or not self.task.done():
                self._note("the app ignored cancellation; it is left running")
                self.taint()
            self._finish("timeout")

    def cancel_spawned(self) -> None:
        """Cancel the tasks the app started and left running (an isolated exchange's end)."""
        for task in self.spawned:
            if not task.done():
                task.cancel()
        self.spawned.clear()

    def signal(self) -> None:
        """Open SIGNAL gates (the server decides to shut the lifespan down)."""
        self.signalled = True
        self._advance()

    async def until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` holds or the app ends; False if ``timeout`` passed first."""
        end = self.loop.time() + timeout
        while not predicate() and self.final is None:
            remaining = end - self.loop.time()
            if remaining <= 0:
                return False
            watcher: asyncio.Future[None] = self.loop.create_future()
            self.watchers.append(watcher)
            handle = self.loop.call_later(remaining, _resolve, watcher)
            await watcher
            handle.cancel()
        return predicate() or self.final is not None

    # -- receive --------------------------------------------------------------------------------

    async def receive(self) -> Message:
        while True:
            if self.final is not None:
                return {"type": f"{self.kind}.disconnect"}
            if self.gone:
                return await self._disconnected()
            if self.kind == "websocket" and self.progress.finished:
                self._leave(by_app=True)
                continue
            pos = self.pos
            if pos < len(self.steps):
                step = self.steps[pos]
                if (step.gate is Gate.CALL or self._open(step, receiving=True)) and \
                        (not step.delay or self._due(step, pos)):
                    if pos == self.disconnect_at:
                        self._leave(step.event)
                        continue
                    self.pos = pos + 1
                    event = dict(step.event)
                    self._received(event, step.event)
                    if self.waiter is not None or self.pos == self.disconnect_at:
                        self._advance()
                    return event
            await self._wait()

    async def _disconnected(self) -> Message:
        if self.kind == "http":
            if self.told_gone:
                await asyncio.sleep(0)  # a receive loop must not starve the event loop
            self.told_gone = True
            event = dict(self.gone_event or {"type": "http.disconnect"})
            self._received(event, self.gone_event or event)
            return event
        if self.kind == "websocket" and not self.told_gone and self.gone_event is not None:
            self.told_gone = True
            event = dict(self.gone_event)
            self._received(event, self.gone_event)
            return event
        self._note("receive() called again after the end of the connection: nothing more "
                   "will ever arrive")
        while True:
            await self._wait()

    def _received(self, event: dict[str, Any], original: dict[str, Any]) -> None:
        index = self.count
        self.count = index + 1
        self.validator.app_received(event)
        if self.kind == "lifespan" and original.get("type") == "lifespan.startup":
            self.received_startup = True
        if len(self.log) < MAX_ENTRIES:
            self.log.append((RECEIVED, index, _now() - self.t0, original))
        else:
            self.dropped += 1

    async def _wait(self) -> None:
        if self.waiter is None or self.waiter.done():
            self.waiter = self.loop.create_future()
        self.waiting += 1
        try:
            await self.waiter
        finally:
            self.waiting -= 1

    def _open(self, step: Step, *, receiving: bool = False) -> bool:
        gate, progress = step.gate, self.progress
        if gate is Gate.CALL:
            return True
        if gate is Gate.IDLE:
            return receiving or self.waiting > 0
        if gate is Gate.COMPLETE:
            return progress.finished
        if gate is Gate.STREAMING:
            return progress.streaming or progress.finished
        if gate is Gate.STARTED:
            return progress.started or progress.finished
        if gate is Gate.ACCEPT:
            return progress.accepted
        return self.signalled

    def _due(self, step: Step, position: int) -> bool:
        now = self.loop.time()
        ready_at = self.ready_at.get(position)
        if ready_at is None:
            ready_at = self.ready_at[position] = now + step.delay
            self.handles.append(self.loop.call_at(ready_at, self._advance))
        return now >= ready_at

    def _advance(self) -> None:
        """Re-check the steps: a due disconnect happens now, and waiters look again.

        A disconnect waits until the steps before it were delivered, unless its gate is the
        response's progress (STARTED, STREAMING, COMPLETE): a client that has its answer, or
        gives up on a stream, leaves whether or not the app read all of the request.
        """
        at = self.disconnect_at
        if at is not None and not self.gone:
            step = self.steps[at]
            if (at == self.pos or step.gate in _RESPONSE_GATES) and self._open(step) and \
                    (not step.delay or self._due(step, at)):
                self._leave(step.event)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if self.watchers:
            for watcher in self.watchers:
                _resolve(watcher)
            self.watchers.clear()

    def _leave(self, event: dict[str, Any] | None = None, *, by_app: bool = False) -> None:
        """The connection is over: the client went away, or the app closed the websocket."""
        if self.gone:
            return
        self.gone, self.gone_open = True, not self.progress.finished
        if by_app or event is None:
            code = self.progress.close_code
            event = {"type": "websocket.disconnect", "code": code}
            if self.script.spec_version >= (2, 5):
                event["reason"] = ""
            self._note(f"connection closed after the app's close (code {code})")
        else:
            self._note("client disconnected")
        self.gone_event = event
        linger = self.script.linger
        if linger is not None and self.gone_open and self.final is None:
            self.handles.append(self.loop.call_later(linger, self.expire, "linger"))
        self._advance()

    # -- send -----------------------------------------------------------------------------------

    async def send(self, message: Message) -> None:
        if self.final is not None:
            return
        index = self.count
        self.count = index + 1
        found = self.validator.app_sent(message)
        result = "ok"
        if self.gone and self.gone_open:
            result = "raised" if self.raises else "ignored"
        elif self.progress.finished and self.kind != "lifespan":
            result = "ignored"
        is_dict = isinstance(message, dict)
        if len(self.log) < MAX_ENTRIES:
            self.log.append((SENT, index, _now() - self.t0, dict(message) if is_dict else message,
                             result))
        else:
            self.dropped += 1
        if found and self.script.raise_invalid:
            failing = [v for v in found if v.party is Party.APP and self.selection.fails(v)]
            if failing:
                raise ViolationError(failing)
        self.sends += 1
        if result == "ok":
            if self.script.send_delay:
                await asyncio.sleep(self.script.send_delay)
            if is_dict:
                self.progress.track(message)  # type: ignore[arg-type]
                if self.waiter is not None or self.watchers or \
                        (self.disconnect_at is not None and not self.gone):
                    self._advance()
            if not self.sends & 63:
                await asyncio.sleep(0)  # an endless stream must not starve the event loop
            return
        await asyncio.sleep(0)
        if result == "raised":
            kind = message.get("type") if is_dict else message
            exc = ClientDisconnected(f"the client disconnected; send({kind!r}) has nowhere to go")
            self.validator.send_failed(exc)
            raise exc

    # -- the record -----------------------------------------------------------------------------

    def _note(self, text: str) -> None:
        if len(self.log) < MAX_ENTRIES:
            self.log.append((NOTE, _now() - (self.t0 or _now()), text))

    def _finish(self, ended: Ended, exc: BaseException | None = None, result: object = None,
                *, stalled: float = 0.0) -> None:
        """Close the record (once): end-of-call checks, the deadline and stall findings."""
        if not self._final_lock.acquire(blocking=False):
            return
        foreign = stalled > 0  # called from the caller's thread: the loop is wedged
        if not foreign:
            for handle in self.handles:
                handle.cancel()
        extra: list[Violation] = []
        if ended == "timeout":
            extra.append(_findings.hang(
                stalled=stalled, reason=self.expire_reason, kind=self.timed_out,
                deadline=self.script.deadline, linger=self.script.linger, blocked=self.blocked))
        elif self.not_awaitable is not _MISSING:
            extra.append(_findings.not_awaitable(self.not_awaitable))
        elif ended == "returned":
            self.validator.app_returned(result)
        elif exc is not None:
            self.validator.app_raised(exc)
        worst = stalled or self.meter.end(self.mark, self)
        if worst > self.script.block_threshold:
            extra.append(_findings.stall(worst, self.script.block_threshold))
        found = self.validator.violations
        expected = self.script.server_findings_expected
        if expected:
            found = [v for v in found if not (v.party is Party.SERVER and v.rule in expected)]
        if extra:
            found = [*found, *self.selection.keep(extra)]
        self.final = Transcript(
            scope=self.script.scope, log=tuple(self.log), ended=ended,
            violations=tuple(found), exception=None if exc is None else repr(exc),
            exception_types=() if exc is None else _findings.exception_chain(exc),
            returned=None if result is None else repr(result)[:200],
            timed_out=self.timed_out if ended == "timeout" else None,  # type: ignore[arg-type]
            duration=_now() - self.t0, max_stall=worst,
            scope_changes=_findings.changed_keys(self.script.scope, self.scope),
            dropped=self.dropped, blocked_in_receive=self.blocked, name=self.script.name)
        if not foreign:
            if self.done is not None and not self.done.done():
                self.done.set_result(self.final)
            if self.waiter is not None or self.watchers:
                self._advance()

    def finish_wedged(self, stalled: float) -> Transcript:
        """The loop never answered: close the record from the caller's thread."""
        self.timed_out = self.timed_out or "deadline"
        self._note(f"the event loop did not run for {stalled:.2f} s; its thread was abandoned")
        self._finish("timeout", stalled=max(stalled, 1e-6))
        assert self.final is not None
        return self.final


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
