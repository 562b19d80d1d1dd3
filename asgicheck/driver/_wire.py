"""The app's side of one simulated connection: the ``receive`` and ``send`` it is given.

Each call goes through the Validator first and is recorded, then acted on (style.md 7). The
rules the server side keeps here:

* ``receive()`` hands out the script's events in order, each once its gate is open. After the
  request body it *blocks* until the scripted disconnect; it never repeats ``http.request``
  (bug-classes.md §S: unit#1563, pyvoy 1.5.1). After the client has gone, every HTTP
  ``receive()`` returns ``http.disconnect`` (www.rst, asgiref#334). A websocket gets its
  ``websocket.disconnect`` once; a later ``receive()`` waits forever, as there is nothing more.
* ``send()`` after the client left mid-response raises ``ClientDisconnected`` at spec_version
  2.4+ and is a silent no-op before (www.rst § Disconnected Client - send exception, A3).
  Messages after the app itself completed the response are recorded and ignored (A8).
* A repeated ``receive()`` and every ``send()`` but the first once the connection is over
  yield to the loop, so an app that loops on them without awaiting anything else can still be
  cancelled, while the common case (one send that raises, and the app ends) takes no turn.

This is the hot path of every exchange: the common case (the next event is due, the message is
a dict and the response still open) takes a straight line through ``receive`` and ``send``,
flags are class-level defaults, and ``_advance`` runs only when something may be waiting on it.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from asgicheck.driver._progress import Progress
from asgicheck.driver._script import ClientDisconnected, Gate, Script, Step
from asgicheck.transcript import NOTE, RECEIVED, SENT, LogItem, Transcript
from asgicheck.types import Message
from asgicheck.violations import Party, Violation, ViolationError

if TYPE_CHECKING:
    from asgicheck.driver._watchdog import Runner
    from asgicheck.selection import Selection
    from asgicheck.validator import Validator

__all__ = ["MAX_ENTRIES", "Wire"]

MAX_ENTRIES = 5000  # per transcript; an app that streams forever must not eat the memory
_now = time.perf_counter
_shield = asyncio.shield
# Enum members read through EnumType's __getattr__ hook: look each up once.
_CALL, _IDLE, _ACCEPT = Gate.CALL, Gate.IDLE, Gate.ACCEPT
_STARTED, _STREAMING, _COMPLETE = Gate.STARTED, Gate.STREAMING, Gate.COMPLETE


class Wire(Progress):
    """``receive()`` and ``send()``; ``Connection`` adds calling the app and the record."""

    kind: object = None
    closes = False  # the app's close ends the connection (websocket)
    # Set by Connection.__init__.
    script: Script
    selection: Selection
    validator: Validator
    runner: Runner
    log: list[LogItem]
    # Defaults, overwritten per instance only when they change.
    t0 = 0.0
    pos = count = sends = dropped = waiting = 0
    sent_late = 0  # send() calls after the connection was over (the client left, or done)
    signalled = blocked = False
    gone = gone_open = told_gone = False  # the client left; while the response was open
    gone_event: dict[str, Any] | None = None
    waiter: asyncio.Future[None] | None = None
    final: Transcript | None = None
    ready_at: dict[int, float] | None = None
    watchers: list[asyncio.Future[None]] | None = None
    handles: list[asyncio.Handle] | None = None
    # During the app's first, synchronous step no timer can fire (the loop does not turn), and
    # most exchanges end within it: timers set meanwhile wait here, (when, callback, args),
    # for the connection to go slow (``_schedule_deferred``), and are dropped if it never does.
    stepping = False
    deferred: list[tuple[float, Any, tuple[Any, ...]]] | None = None

    # -- receive --------------------------------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self.runner.loop

    async def receive(self) -> Message:
        pos, script = self.pos, self.script
        if pos < script.plain and self.final is None and not self.gone and \
                not (self.finished and self.closes):
            original = script.steps[pos].event  # due at once: CALL gate, no delay
            self.pos = pos = pos + 1
            event = original.copy()
            index = self.count  # as _received(event, original)
            self.count = index + 1
            self.validator.app_received(event)
            log = self.log
            if len(log) < MAX_ENTRIES:
                log.append((RECEIVED, index, _now() - self.t0, original))
            else:
                self.dropped += 1
            # As in send(): _advance() only when it may have something to do (a disconnect
            # gated on the complete response cannot be due before the response is).
            if self.waiter is not None or self.watchers or (pos == script.disconnect_at and (
                    script.leave_gate is not _COMPLETE or self.finished)):
                self._advance()
            return event
        return await self._receive()

    async def _receive(self) -> Message:
        while True:
            if self.final is not None:
                return {"type": f"{self.kind}.disconnect"}
            if self.gone:
                return await self._disconnected()
            if self.closes and self.finished:
                self._leave(by_app=True)
                continue
            pos, script = self.pos, self.script
            if pos < len(script.steps):
                step = script.steps[pos]
                if (step.gate is _CALL or self._open(step, receiving=True)) and \
                        (not step.delay or self._due(step, pos)):
                    if pos == script.disconnect_at:
                        self._leave(step.event)
                        continue
                    self.pos = pos = pos + 1
                    event = dict(step.event)
                    self._received(event, step.event)
                    if self.waiter is not None or pos == script.disconnect_at:
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
        if self.closes and not self.told_gone and self.gone_event is not None:
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
        log = self.log
        if len(log) < MAX_ENTRIES:
            log.append((RECEIVED, index, _now() - self.t0, original))
        else:
            self.dropped += 1

    async def _wait(self) -> None:
        waiter = self.waiter
        if waiter is None or waiter.done():
            waiter = self.waiter = self.loop.create_future()
        self.waiting += 1
        try:
            # Shielded: every waiting receive() shares this future, and a task cancelled in
            # its await would cancel the future itself, ending the others' receive() too
            # (Request.is_disconnected() cancels its poll while StreamingResponse's listener
            # waits). A cancelled caller only leaves; it consumed nothing (that happens after).
            await _shield(waiter)
        finally:
            self.waiting -= 1

    def _open(self, step: Step, *, receiving: bool = False) -> bool:
        gate = step.gate
        if gate is _CALL:
            return True
        if gate is _IDLE:
            return receiving or self.waiting > 0
        if gate is _COMPLETE:
            return self.finished
        if gate is _STREAMING:
            return self.streaming or self.finished
        if gate is _STARTED:
            return self.started or self.finished
        if gate is _ACCEPT:
            return self.accepted
        return self.signalled

    def _due(self, step: Step, position: int) -> bool:
        now = self.loop.time()
        if self.ready_at is None:
            self.ready_at = {}
        ready_at = self.ready_at.get(position)
        if ready_at is None:
            ready_at = self.ready_at[position] = now + step.delay
            if self.handles is None:
                self.handles = []
            self.handles.append(self.loop.call_at(ready_at, self._advance))
        return now >= ready_at

    def _advance(self) -> None:
        """Re-check the steps: a due disconnect happens now, and waiters look again.

        A disconnect waits until the steps before it were delivered, unless its gate is the
        response's progress (STARTED, STREAMING, COMPLETE): a client that has its answer, or
        gives up on a stream, leaves whether or not the app read all of the request.
        """
        at = self.script.disconnect_at
        if at is not None and not self.gone:
            step = self.script.steps[at]
            gate = step.gate
            if (at == self.pos or gate is _COMPLETE or gate is _STARTED or gate is _STREAMING) \
                    and (self.finished if gate is _COMPLETE else self._open(step)) \
                    and (not step.delay or self._due(step, at)):
                self._end_connection(step.event)  # (without its _advance(): this is one)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        watchers = self.watchers
        if watchers:
            for watcher in watchers:
                if not watcher.done():
                    watcher.set_result(None)
            watchers.clear()

    def _leave(self, event: dict[str, Any] | None = None, *, by_app: bool = False) -> None:
        """The connection is over: the client went away, or the app closed the websocket."""
        if not self.gone:
            self._end_connection(event, by_app=by_app)
            self._advance()

    def _end_connection(self, event: dict[str, Any] | None = None, *, by_app: bool = False
                        ) -> None:
        """``_leave()`` but for waking whoever waits on the connection."""
        self.gone, self.gone_open = True, not self.finished
        if by_app or event is None:
            code = self.close_code
            event = {"type": "websocket.disconnect", "code": code}
            if self.script.spec_version >= (2, 5):
                event["reason"] = ""
            self._note(f"connection closed after the app's close (code {code})")
        elif len(self.log) < MAX_ENTRIES:  # _note(), inline: most exchanges end with this
            self.log.append((NOTE, _now() - self.t0, "client disconnected"))
        self.gone_event = event
        linger = self.script.linger
        if linger is not None and self.gone_open and self.final is None:
            self._later(linger, self.expire, "linger")

    # -- send -----------------------------------------------------------------------------------

    async def send(self, message: Message) -> None:
        if self.final is not None:
            return
        index = self.count
        self.count = index + 1
        found = self.validator.app_sent(message)
        if self.gone or self.finished or type(message) is not dict:
            return await self._send_other(message, index, found)
        log = self.log
        if len(log) < MAX_ENTRIES:
            log.append((SENT, index, _now() - self.t0, message.copy(), "ok"))
        else:
            self.dropped += 1
        script = self.script
        if found and script.raise_invalid:
            self._refuse(found)
        self.sends = sends = self.sends + 1
        if script.send_delay:
            await asyncio.sleep(script.send_delay)
        self.track(message)
        gate = script.leave_gate
        if self.waiter is not None or self.watchers or (
                gate is not None and not self.gone and (gate is not _COMPLETE or self.finished)):
            self._advance()
        if not sends & 63:
            await asyncio.sleep(0)  # an endless stream must not starve the event loop

    async def _send_other(self, message: Any, index: int, found: list[Violation]) -> None:
        """``send()`` of something other than a dict, or after the end of the connection."""
        result = "ok"
        if self.gone and self.gone_open:
            result = "raised" if self.script.raises else "ignored"
        elif self.finished:
            result = "ignored"
        is_dict = isinstance(message, dict)
        if len(self.log) < MAX_ENTRIES:
            self.log.append((SENT, index, _now() - self.t0, dict(message) if is_dict else message,
                             result))
        else:
            self.dropped += 1
        if found and self.script.raise_invalid:
            self._refuse(found)
        self.sends += 1
        if result == "ok":
            if self.script.send_delay:
                await asyncio.sleep(self.script.send_delay)
            if is_dict:
                self.track(message)
                self._advance()
            if not self.sends & 63:
                await asyncio.sleep(0)
            return
        self.sent_late = late = self.sent_late + 1
        if late > 1:  # the first late send() is an app's cleanup, the next ones a loop
            await asyncio.sleep(0)
        if result == "raised":
            kind = message.get("type") if is_dict else message
            exc = ClientDisconnected(f"the client disconnected; send({kind!r}) has nowhere to go")
            self.validator.send_failed(exc)
            raise exc

    def _refuse(self, found: list[Violation]) -> None:
        """GEN-SRV-001's server: ``send()`` raises for a message that breaks a failing rule."""
        failing = [v for v in found if v.party is Party.APP and self.selection.fails(v)]
        if failing:
            raise ViolationError(failing)

    # -- the record -----------------------------------------------------------------------------

    def _note(self, text: str) -> None:
        if len(self.log) < MAX_ENTRIES:
            self.log.append((NOTE, _now() - (self.t0 or _now()), text))

    def _later(self, delay: float, callback: Any, *args: Any) -> None:
        if self.stepping:
            if self.deferred is None:
                self.deferred = []
            self.deferred.append((self.loop.time() + delay, callback, args))
            return
        if self.handles is None:
            self.handles = []
        self.handles.append(self.loop.call_later(delay, callback, *args))

    def _schedule_deferred(self) -> None:
        """Set the timers the first step asked for, at the times it asked for them."""
        deferred, self.deferred = self.deferred, None
        if deferred:
            if self.handles is None:
                self.handles = []
            call_at = self.loop.call_at
            self.handles.extend(call_at(when, callback, *args) for when, callback, args in deferred)

    def expire(self, kind: str, why: str | None = None) -> None:
        raise NotImplementedError
