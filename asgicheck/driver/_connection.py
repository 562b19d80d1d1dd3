"""One simulated connection, inside the runner's event loop: the strict server side of a Script.

``start()`` calls the app and takes its first step synchronously, as the current task of a
borrowed host (``_hosts``), in a fresh ``contextvars.Context``. Most exchanges end within that
step, having scheduled nothing: their stall is their whole duration, measured directly. One
that awaits something real *goes slow*: its host task carries it on in the loop, and only then
is it registered with the heartbeat (its deadline, its stalls) and given a ``done`` future.
``receive`` and ``send`` are in ``_wire``; the end of the record is here.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import time
import types
from collections.abc import Callable, Coroutine, Generator
from types import CoroutineType
from typing import TYPE_CHECKING, Any

from asgicheck.driver import _endings, _progress
from asgicheck.driver._hosts import cancel_requested, enter_task, leave_task
from asgicheck.driver._script import Script
from asgicheck.driver._stopping import Interrupted
from asgicheck.driver._watchdog import Ticket, Wedged
from asgicheck.driver._wire import MAX_ENTRIES, Wire
from asgicheck.selection import Selection
from asgicheck.transcript import (
    RECEIVED,
    Ended,
    Transcript,
    app_frames,
    changed_keys,
    exception_chain,
)
from asgicheck.validator import Validator
from asgicheck.violations import Party, Violation

if TYPE_CHECKING:
    from asgicheck.driver._hosts import Host
    from asgicheck.driver._stopping import Stop
    from asgicheck.driver._watchdog import Runner

__all__ = ["MARGIN", "MAX_ENTRIES", "Connection", "connection", "grace_for", "limit_for"]

MARGIN = 0.3  # how much longer than the in-loop deadline the caller waits for a wedged loop
_MISSING = object()
_new, _set = object.__new__, object.__setattr__
_ENDED = object()  # the first step ended the exchange
_NOT_AWAITABLE = object()  # the result of an app call that gave nothing to await
_NONE: list[Violation] = []  # never appended to
_now = time.perf_counter


def grace_for(deadline: float) -> float:
    """How long a cancelled app gets to finish before the driver stops waiting for it."""
    return min(0.25, max(0.05, deadline / 4))


def _limit(deadline: float) -> float:
    """How long after an exchange's start its caller waits for the loop to answer."""
    limit = _LIMITS[deadline] = deadline + grace_for(deadline) + MARGIN
    return limit


def limit_for(deadline: float) -> float:
    """``_limit(deadline)``, remembered."""
    return _LIMITS.get(deadline) or _limit(deadline)


_LIMITS: dict[float, float] = {}
_Context = contextvars.Context


class Connection(Wire):
    """The server side of one exchange (build it with ``connection()``); ``start()`` must be
    called in the loop's thread, in a job (outside any task)."""

    done: asyncio.Future[Transcript] | None = None  # only once it went slow
    timed_out: str | None = None
    expire_reason: str | None = None
    not_awaitable: object = _MISSING
    mark = first_stall = 0.0
    host: Host | None = None
    interrupted = False  # it ended with the watchdog's Interrupted: the caller closes the record
    spawned: list[asyncio.Task[Any]] | None = None  # tasks the app started
    context: contextvars.Context

    def __init__(self, app: Any, script: Script, selection: Selection, runner: Runner) -> None:
        self.app, self.script, self.selection, self.runner = app, script, selection, runner
        self.scope = scope = script.scope.copy()  # the app may change its own copy
        self.validator = Validator(scope, selection=selection)
        self.log = []
        # What every exchange reads before it may set it. On 3.11 a read that falls through to
        # a class-level default is never specialised (about 300 instructions), one from the
        # instance is; but past 30 attributes an instance's dict stops sharing its keys and
        # every access slows down, so only these are set here and rarer flags stay defaults.
        self.final = self.waiter = self.watchers = self.handles = self.done = self.spawned = None
        self.gone = self.finished = self.started = False
        self.pos = self.count = self.sends = 0

    # -- running --------------------------------------------------------------------------------

    def start(self, ticket: Ticket | None, deadline: float | None) -> None:
        """Call the app and take its first step; if that does not end the exchange, its host
        task carries it on in the loop (wait for ``done``). ``ticket.until`` is moved on to this
        exchange's own limit. ``deadline=None`` leaves ending it to the caller (lifespan)."""
        runner = self.runner
        self.t0 = t0 = runner.meter.alive = _now()
        if ticket is not None and deadline is not None:
            until = t0 + (_LIMITS.get(deadline) or _limit(deadline))
            if until > ticket.until:
                ticket.until = until
        context = self.context = _Context()
        self.stepping = True
        if self.script.disconnect_at == 0:
            self._advance()
        hosts = runner.hosts
        idle = hosts.idle
        host = idle[-1] if idle else None
        if host is None or host.idle.done():
            host = hosts.borrow()
        self.host = host
        task = host.task
        runner.owners[task] = self  # the tasks the app starts are this exchange's
        if enter_task is None or leave_task is None:  # no synchronous first step here
            hosts.lend(host)
            self._go_slow(deadline, self._whole())
            return
        loop, call, pending, value, exc = runner.loop, None, _ENDED, None, None
        enter_task(loop, task)
        try:
            try:
                call = context.run(self.app, self.scope, self.receive, self.send)
            except BaseException as error:  # noqa: B036 - KeyboardInterrupt etc. must not kill
                exc = error  # the run
            else:
                if type(call) is not CoroutineType:
                    call = self._awaitable(call)
                if call is not None:
                    pending = context.run(call.send, None)
        except StopIteration as stop:
            value = stop.value
        except BaseException as error:  # noqa: B036 - as above
            exc = error
        finally:
            leave_task(loop, task)
            self.stepping = False
        if pending is not _ENDED:
            assert call is not None
            hosts.lend(host)
            self._go_slow(deadline, call, pending)
            return
        if self.final is None:  # (nothing can have timed out: the loop has not turned)
            if exc is None:
                self._finish("returned", None, value)
            else:
                self.ended(None, exc)
        if host.idle.done() or cancel_requested(task):  # the app cancelled its task
            hosts.drop(host)

    def _awaitable(self, call: object) -> Coroutine[Any, Any, Any] | None:
        """What to step for an app call that gave no coroutine: a generator awaiting it, or
        None when it cannot be awaited (the record is closed then, GEN-APP-001)."""
        if inspect.isawaitable(call):
            return _awaiting(call)  # a generator with send/throw, as good as a coroutine here
        self.not_awaitable = call
        self._finish("returned", None, _NOT_AWAITABLE)
        return None

    async def _whole(self) -> Any:
        """The app's whole call as one coroutine (where no first step can be taken outside
        the loop)."""
        call = self.app(self.scope, self.receive, self.send)
        if type(call) is not CoroutineType:
            call = self._awaitable(call)
        return None if call is None else await call

    def _go_slow(self, deadline: float | None, coro: Coroutine[Any, Any, Any],
                 *pending: Any) -> None:
        """The app awaits something real: hand it to its host task and watch it."""
        self.first_stall = _now() - self.t0
        remaining = None if deadline is None else deadline - self.first_stall
        self.mark = self.runner.meter.begin(self, remaining)
        self.done = self.runner.loop.create_future()
        self.stepping = False
        if self.deferred is not None:
            self._schedule_deferred()
        assert self.host is not None
        self.host.adopt(self, coro, *pending)

    def ended(self, value: object, exc: BaseException | None) -> None:
        """The app's coroutine returned ``value`` or raised ``exc``."""
        if self.final is not None:
            return
        if isinstance(exc, Interrupted):  # the watchdog stopped this thread: the caller's
            self.interrupted = True  # finish_wedged() closes the record; this one only ends it
            self._finish("timeout")
        elif self.timed_out:
            self._finish("timeout", exc, value)
        elif exc is None:
            self._finish("returned", None, value)
        elif isinstance(exc, asyncio.CancelledError):
            self._finish("cancelled", exc)
        else:
            self._finish("raised", exc)

    def expire(self, kind: str, why: str | None = None) -> None:
        """The deadline (or the linger time after a disconnect) has passed: cancel the app.
        ``why`` replaces the standard explanation in the OPS-APP-002 finding."""
        if self.final is not None or self.timed_out:
            return
        self.timed_out, self.expire_reason = kind, why
        self.blocked = self.waiting > 0
        self._note(f"{kind} passed; cancelling the app")
        assert self.host is not None
        self.host.task.cancel()
        self._later(grace_for(self.script.deadline), self._abandon)

    def _abandon(self) -> None:
        if self.final is None:  # it ignored the cancellation
            self._note("the app ignored cancellation; it is left running")
            self.runner.retire_after_job = True
            self._finish("timeout")

    @property
    def received_startup(self) -> bool:
        """Whether the app has received ``lifespan.startup`` (lifespan connections only)."""
        return False

    def spawned_task(self, task: asyncio.Task[Any]) -> None:
        if self.spawned is None:
            self.spawned = []
        self.spawned.append(task)

    def cancel_spawned(self) -> None:
        """Cancel the tasks the app started and left running (an isolated exchange's end)."""
        spawned = self.spawned
        if spawned:
            for task in spawned:
                if not task.done():
                    task.cancel()
            spawned.clear()

    def run_alone(self, ticket: Ticket) -> Transcript:
        """A job: this one exchange, isolated (what the app leaves running is cancelled)."""
        self.start(ticket, self.script.deadline)
        if self.final is None:
            assert self.done is not None
            self.runner.wait(self.done)
        if self.spawned:
            self.cancel_spawned()
        assert self.final is not None
        return self.final

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
            if self.watchers is None:
                self.watchers = []
            self.watchers.append(watcher)
            handle = self.loop.call_later(remaining, _resolve, watcher)
            await watcher
            handle.cancel()
        return predicate() or self.final is not None

    # -- the record -----------------------------------------------------------------------------

    def _finish(self, ended: Ended, exc: BaseException | None = None, result: object = None
                ) -> None:
        """Close the record (once): end-of-call checks, the deadline and stall findings."""
        if self.final is not None:
            return
        if self.handles:
            for handle in self.handles:
                handle.cancel()
        self.final = final = self._record(ended, exc, result, 0.0)
        host = self.host
        if host is not None:
            self.runner.owners.pop(host.task, None)
        if self.done is not None and not self.done.done():
            self.done.set_result(final)
        if self.waiter is not None or self.watchers:
            self._advance()

    def finish_wedged(self, wedged: Wedged) -> Transcript:
        """The loop never answered: close the record from the caller's thread, once the wedged
        thread has been stopped (or abandoned). The loop's thread may close it too, if the app
        lets go of it meanwhile: the caller keeps this one. A record the exchange closed before
        the wedge (it had ended) is kept."""
        final = self.final
        if final is not None and not self.interrupted:
            return final
        stop = wedged.stop()
        stalled = wedged.stalled
        self.t0 = self.t0 or _now()  # it may never have started (another exchange wedged it)
        self.timed_out = self.timed_out or "deadline"
        if stop is not None and stop.stack:
            self._note("the app's stack when the watchdog looked (outermost first):")
            for frame in stop.stack:
                self._note(f"  {frame}")
        fate = "stopped" if stop is not None and stop.outcome == "stopped" else "abandoned"
        self._note(f"the event loop did not run for {stalled:.2f} s; its thread was {fate}")
        self.final = final = self._record("timeout", None, None, max(stalled, 1e-6), stop)
        return final

    def _record(self, ended: Ended, exc: BaseException | None, result: object,
                stalled: float, stop: Stop | None = None) -> Transcript:
        """The transcript; ``stalled`` (from the caller's thread) is how long the loop was
        wedged, ``stop`` how stopping its thread went."""
        duration = _now() - self.t0
        script = self.script
        extra: list[Violation] = _NONE  # the driver's own findings (rarely any)
        if ended == "returned":
            if result is _NOT_AWAITABLE:
                extra = [_endings.not_awaitable(self.not_awaitable)]
                result = None
            else:
                self.validator.app_returned(result)
        elif ended == "timeout":
            extra = [_endings.hang(
                stalled=stalled, reason=self.expire_reason, kind=self.timed_out,
                deadline=script.deadline, linger=script.linger, blocked=self.blocked,
                stop=stop)]
        elif exc is not None:
            if not isinstance(exc, Exception):  # SystemExit, KeyboardInterrupt, ...: say where
                self._note(_endings.base_exception(exc))
            self.validator.app_raised(exc)
        if stalled:
            worst = stalled
        elif self.done is not None:  # it went slow; its first step was a stall too
            worst = max(self.first_stall, self.runner.meter.end(self.mark, self))
        else:  # it never waited: the whole exchange was one step of the loop
            worst = duration
        if worst > script.block_threshold:
            extra = [*extra, _endings.stall(worst, script.block_threshold)]
        found = self.validator.violations
        expected = script.server_findings_expected
        if expected:
            found = [v for v in found if not (v.party is Party.SERVER and v.rule in expected)]
        if extra:
            found = [*found, *self.selection.keep(extra)]
        scope = script.scope
        # The rest of the fields only where they differ from the defaults.
        fields: dict[str, Any] = {"scope": scope, "log": tuple(self.log), "ended": ended,
                                  "duration": duration, "max_stall": worst}
        if found:
            fields["violations"] = tuple(found)
        if exc is not None:
            fields["exception"] = repr(exc)
            fields["exception_types"] = exception_chain(exc)
            if ended == "raised":
                fields["raised_at"] = app_frames(exc)
        if result is not None:
            fields["returned"] = repr(result)[:200]
        if ended == "timeout":
            fields["timed_out"] = self.timed_out
        if scope != self.scope:
            fields["scope_changes"] = changed_keys(scope, self.scope)
        if len(self.log) >= MAX_ENTRIES and self.dropped:
            fields["dropped"] = self.dropped
        if ended == "timeout" and self.blocked:
            fields["blocked_in_receive"] = True
        if stop is not None and stop.outcome == "stopped":
            fields["stopped"] = True
        if script.name:
            fields["name"] = script.name
        final = _new(Transcript)
        _set(final, "__dict__", fields)  # Transcript._make(fields), without the call
        return final


class _HTTP(Connection, _progress.HTTP):
    kind = "http"


class _WebSocket(Connection, _progress.WebSocket):
    kind = "websocket"
    closes = True


class _Lifespan(Connection, _progress.Lifespan):
    kind = "lifespan"

    @property
    def received_startup(self) -> bool:
        """Whether the app has received ``lifespan.startup``."""
        return any(item[0] == RECEIVED and item[3].get("type") == "lifespan.startup"
                   for item in self.log)


class _Other(Connection):
    """A scope type asgicheck has no spec for: no progress to follow."""

    def __init__(self, app: Any, script: Script, selection: Selection, runner: Runner) -> None:
        super().__init__(app, script, selection, runner)
        self.kind = self.scope.get("type")


_KINDS: dict[str, type[Connection]] = {"http": _HTTP, "websocket": _WebSocket,
                                       "lifespan": _Lifespan}


def connection(app: Any, script: Script, selection: Selection, runner: Runner) -> Connection:
    """The server side of one exchange of ``script``, for its scope type."""
    kind = script.scope.get("type")
    cls = _KINDS.get(kind, _Other) if type(kind) is str else _Other
    return cls(app, script, selection, runner)


@types.coroutine
def _awaiting(awaitable: Any) -> Generator[Any, None, Any]:
    """``await awaitable`` as a generator, for an awaitable that is not a coroutine."""
    return (yield from awaitable.__await__())


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
