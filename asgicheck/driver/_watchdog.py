"""The thread the apps run in, and the watchdog that gives up on it.

asyncio cannot interrupt an app that blocks its event loop (``time.sleep``) or spins without
awaiting (``while True: pass``): the deadline timer never gets to run. So apps never run in the
caller's thread. A ``Runner`` owns one daemon thread and one event loop; the caller hands it a
job and waits for the answer until the job's ``Ticket`` says to give up. When the answer does not
come, the loop is wedged: the runner is *retired* and the next job gets a fresh thread and loop.
A retired thread whose app eventually unblocks notices and exits. One whose app spins is stopped
on the caller's first look at the wedge (``Wedged.stop()``, ``_stopping``): an exception raised
in the app's frames, which a spin cannot outlast; an app that swallows it, or sits in a call no
exception interrupts, is abandoned (a daemon thread, until its call returns or the process
exits: Python has no way to kill a thread).

One long-lived runner serves every exchange while nothing wedges it; lifespan and the requests
of one run share its loop (lifespan.rst: "lifespans and requests are run in the same event loop",
LS-SRV-008). A job is a plain function run in the loop's thread, outside any task: it starts
exchanges (whose first step runs synchronously, ``_hosts``) and turns the loop only while one of
them waits on something real (``Runner.wait``). Between jobs the loop does not run. The loop is
turned with ``BaseEventLoop._run_once``, the step ``run_forever`` repeats, as
``run_until_complete``'s per-call setup costs more than a whole trivial exchange; loops without it
(uvloop via an event-loop policy) use ``run_forever``.

Time limits cost nothing per exchange: a job moves its ticket's ``until`` on as it starts each
exchange (one store), and ``Heartbeat`` runs only while some exchange waits in the loop.
"""

from __future__ import annotations

import asyncio
import atexit
import queue
import sys
import threading
import time
from asyncio import events
from collections.abc import Callable
from typing import Any, TypeVar

from asgicheck.driver._hosts import Hosts
from asgicheck.driver._stopping import Interrupted, Stop, stop_thread

__all__ = ["Abandoned", "Heartbeat", "Runner", "Ticket", "Wedged", "shared_runner"]

T = TypeVar("T")
_now = time.perf_counter
_new = object.__new__
WAKE = 0.25  # the longest the caller's thread waits without looking for a signal (seconds)
_SimpleQueue = queue.SimpleQueue

class Wedged(Exception):
    """The runner's loop did not answer in time: the app blocked it or spins. ``runner``: the
    retired runner whose thread is wedged (None when it was lost earlier)."""

    def __init__(self, stalled: float, runner: Runner | None = None) -> None:
        super().__init__(f"the event loop has not run for {stalled:.2f} s")
        self.stalled = stalled
        self.runner = runner

    def stop(self) -> Stop | None:
        """Stop the wedged thread (once per runner, however many ask) and say how it went."""
        return self.runner.stop() if self.runner is not None else None


class Abandoned(Exception):
    """Raised inside a job whose runner was retired meanwhile: nobody waits for its answer."""


class Ticket:
    """One job's hand-off: where the answer goes, and when (``perf_counter`` seconds) the caller
    gives up on it. A job that starts exchanges one after another moves ``until`` on."""

    __slots__ = ("reply", "until")

    def __init__(self, until: float) -> None:
        self.until = until
        self.reply: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()


class Heartbeat:
    """A timer that fires every ``INTERVAL`` seconds while exchanges wait in the loop.

    Each tick records how late it fired (a lower bound on how long the loop was stalled, for
    OPS-APP-003) and expires the exchanges whose deadline has passed: one timer serves every
    exchange, and an exchange that never waits registers nothing (its whole run is one stall,
    which it measures itself). ``resume()`` marks the start of each job, so the time the loop
    sat idle between jobs never counts as a stall. ``alive`` (``perf_counter``) is the last
    moment the loop's thread was seen running.
    """

    INTERVAL = 0.01

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._active = 0
        self._handle: asyncio.TimerHandle | None = None
        self._expected = 0.0
        self._resumed = 0.0
        self._peaks: list[tuple[float, float]] = []  # (when, lag) for lags over 1 ms
        self._deadlines: dict[Any, float] = {}  # anything with .expire(kind) -> when
        self.alive = _now()

    def resume(self) -> None:
        self.alive = _now()
        if self._handle is not None:  # without a pending tick, nothing reads it before begin()
            self._resumed = self._loop.time()

    def begin(self, watcher: Any = None, deadline: float | None = None) -> float:
        """Start watching; ``deadline`` seconds from now, ``watcher.expire("deadline")``."""
        now = self._loop.time()
        self.alive = _now()
        self._active += 1
        if deadline is not None:
            self._deadlines[watcher] = now + deadline
        if self._handle is None:
            self._expected = now + self.INTERVAL
            self._handle = self._loop.call_at(self._expected, self._tick)
        return now

    def end(self, mark: float, watcher: Any = None) -> float:
        """The longest stall since ``mark``, including one the next tick has not seen yet."""
        now = self._loop.time()
        self._deadlines.pop(watcher, None)
        worst = now - max(self._expected, self._resumed) if self._handle is not None else 0.0
        for when, lag in self._peaks:
            if when >= mark and lag > worst:
                worst = lag
        self._active = max(self._active - 1, 0)
        if not self._active:
            self._peaks.clear()
        return max(worst, 0.0)

    def _tick(self) -> None:
        now = self._loop.time()
        self.alive = _now()
        lag = now - max(self._expected, self._resumed)
        if lag > 0.001:
            self._peaks.append((now, lag))
            del self._peaks[:-64]
        if self._deadlines:
            for watcher, at in list(self._deadlines.items()):
                if now >= at:
                    del self._deadlines[watcher]
                    watcher.expire("deadline")
        if self._active:
            self._expected = now + self.INTERVAL
            self._handle = self._loop.call_at(self._expected, self._tick)
        else:
            self._handle = None


class Runner:
    """One daemon thread running one event loop, fed jobs by other threads."""

    resident: Any = None  # the body running in this thread, if any (``_resident``)

    def __init__(self, *, portable: bool = False) -> None:
        """``portable`` drives the loop with ``run_forever`` even when ``_run_once`` exists."""
        loop = self.loop = asyncio.new_event_loop()
        self.fast = not portable and isinstance(loop, asyncio.BaseEventLoop) and \
            hasattr(loop, "_run_once")
        loop.set_exception_handler(self._on_loop_error)
        loop.set_task_factory(self._spawn)
        self.meter = Heartbeat(loop)
        self.hosts = Hosts(loop, eager=self.fast)
        # task -> the exchange it belongs to: each running exchange's host task, and the tasks
        # its app started (and theirs), so they can be cancelled after the exchange.
        self.owners: dict[asyncio.Task[Any], Any] = {}
        self.retired = False
        self.retire_after_job = False  # set by a job that left a task it could not cancel
        self.loop_errors: list[str] = []  # what the loop's exception handler saw (bounded)
        self._stopped: Stop | None = None
        self._stopping = threading.Lock()
        self._jobs: queue.SimpleQueue[tuple[Callable[[Ticket], Any], Ticket] | None] = \
            queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="asgicheck-app-runner",
                                        daemon=True)
        self._thread.start()

    def call(self, job: Callable[[Ticket], T], timeout: float) -> T:
        """Run ``job(ticket)`` in the loop's thread and return what it returns.

        Raises ``Wedged`` (and retires the runner) when no answer comes by ``ticket.until``:
        ``timeout`` seconds from now, unless the job moves it on.
        """
        resident = self.resident
        if resident is not None and resident.thread == threading.get_ident():
            return resident.call(job, timeout)  # type: ignore[no-any-return]
        if self.retired:
            raise RuntimeError("this runner was retired; use shared_runner() for a fresh one")
        ticket = _new(Ticket)  # Ticket(until), without the __init__ call
        ticket.until = _now() + timeout
        ticket.reply = _SimpleQueue()
        self._jobs.put((job, ticket))
        get = ticket.reply.get
        left = timeout  # a job only ever moves ``until`` later
        try:
            while True:
                try:
                    # In slices: a SIGINT the OS hands to another thread does not wake this
                    # wait, and Python runs its handler (Ctrl-C's KeyboardInterrupt) only between.
                    ok, value = get(True, WAKE if left > WAKE else left if left > 0.0 else 0.0)
                    break
                except queue.Empty:
                    left = ticket.until - _now()
                    if left <= 0.0:
                        self.retire()
                        stalled = _now() - self.meter.alive
                        self.stop()  # before anyone closes the records: they say how it went
                        raise Wedged(stalled, self) from None
        except KeyboardInterrupt:  # a real Ctrl-C (the app's never gets here): nobody takes
            self.retire()  # this job's answer, and the shutdown that follows must not queue
            raise  # behind it
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    def wait(self, future: asyncio.Future[T]) -> T:
        """Turn the loop until ``future`` is done (in a job, in the loop's thread)."""
        loop = self.loop
        if self.fast:
            run_once = loop._run_once  # type: ignore[attr-defined]
            while not future.done():
                if self.retired:
                    raise Abandoned
                try:
                    run_once()
                except BaseException as exc:  # noqa: B036 - a task the app started raised it
                    self._escaped(exc)
            return future.result()
        future.add_done_callback(lambda _: loop.stop())
        events._set_running_loop(None)
        try:
            while not future.done():
                if self.retired:
                    raise Abandoned
                try:
                    loop.run_forever()
                except BaseException as exc:  # noqa: B036 - as above
                    self._escaped(exc)
        finally:
            events._set_running_loop(loop)
        return future.result()

    def _spawn(self, loop: asyncio.AbstractEventLoop, coro: Any, **options: Any
               ) -> asyncio.Task[Any]:
        """The loop's task factory: a task started by an exchange's app is recorded as that
        exchange's (``spawned_task``), and so are the tasks it starts in turn."""
        task: asyncio.Task[Any] = asyncio.Task(coro, loop=loop, **options)
        owners = self.owners
        if owners:
            owner = owners.get(asyncio.current_task(loop))  # type: ignore[arg-type]
            if owner is not None:
                owner.spawned_task(task)
                owners[task] = owner
                task.add_done_callback(self._forget)
        return task

    def _forget(self, task: asyncio.Task[Any]) -> None:
        self.owners.pop(task, None)

    def retire(self) -> None:
        """Stop taking jobs; the thread exits (and closes its loop) as soon as it can."""
        self.retired = True
        self._jobs.put(None)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def stop(self) -> Stop:
        """Stop the thread of this retired runner if an app wedged it (``_stopping``); the
        first call does it, later ones say how it went."""
        with self._stopping:
            if self._stopped is None:
                self._stopped = stop_thread(self._thread)
            return self._stopped

    # -- the loop thread ------------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            self._main()
        except Interrupted:  # the watchdog's exception, landing after the app let go: done
            pass

    def _main(self) -> None:
        loop, fast, meter, get = self.loop, self.fast, self.meter, self._jobs.get
        self._enter(loop, fast)
        try:
            while not self.retired:
                item = get()
                if item is None:
                    break
                job, ticket = item
                meter.alive = _now()  # meter.resume(), inline
                if meter._handle is not None:
                    meter._resumed = loop.time()
                try:
                    if fast and (loop._ready or loop._scheduled) and _due(loop):  # type: ignore[attr-defined]
                        self._leftovers(loop)
                    answer: tuple[bool, Any] = (True, job(ticket))
                except BaseException as exc:  # noqa: B036 - reported to the caller, never lost
                    answer = (False, exc)
                ticket.reply.put(answer)
                del answer, item, job, ticket
                if self.retire_after_job:
                    self.retired = True
        finally:
            self._close(loop, fast)

    def _leftovers(self, loop: asyncio.AbstractEventLoop) -> None:
        """One turn of the loop for what earlier jobs left due (cancelled tasks' cleanup, a
        lifespan's background work), as a server's loop runs between requests."""
        loop.call_soon(_nothing)  # so the turn never waits in select() for a later timer
        try:
            loop._run_once()  # type: ignore[attr-defined]
        except BaseException as exc:  # noqa: B036 - a task the app started raised it
            self._escaped(exc)

    @staticmethod
    def _enter(loop: asyncio.AbstractEventLoop, fast: bool) -> None:
        # What BaseEventLoop.run_forever sets up before its first _run_once (CPython 3.10-3.13).
        # A portable loop is marked running only while jobs run outside run_forever.
        if fast:
            loop._thread_id = threading.get_ident()  # type: ignore[attr-defined]
            sys.set_asyncgen_hooks(firstiter=loop._asyncgen_firstiter_hook,  # type: ignore
                                   finalizer=loop._asyncgen_finalizer_hook)  # type: ignore
        events._set_running_loop(loop)

    def _close(self, loop: asyncio.AbstractEventLoop, fast: bool) -> None:
        try:
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            if fast and tasks and not self.retire_after_job:
                # Let cancelled tasks run their cleanup, briefly: this thread is exiting anyway.
                give_up = time.monotonic() + 0.2
                while any(not t.done() for t in tasks) and time.monotonic() < give_up:
                    loop._run_once()  # type: ignore[attr-defined]
        except BaseException as exc:  # noqa: B036 - closing a loop an app broke
            self._note(f"cancelling leftover tasks failed: {exc!r}")
        finally:
            events._set_running_loop(None)
            if fast:
                loop._thread_id = None  # type: ignore[attr-defined]
            loop.close()

    def _escaped(self, exc: BaseException) -> None:
        self._note(f"{type(exc).__name__} escaped a task the app started: {exc!r}")

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self._note(str(context.get("exception") or context.get("message")))

    def _note(self, text: str) -> None:
        self.loop_errors.append(text)
        del self.loop_errors[:-32]


def _nothing() -> None:
    pass


def _due(loop: Any) -> bool:
    """Whether a turn of the loop has anything to run now (callbacks, or a timer that is due)."""
    if loop._ready:
        return True
    scheduled = loop._scheduled
    return bool(scheduled) and scheduled[0]._when <= loop.time()


_lock = threading.Lock()
_shared: Runner | None = None


def shared_runner() -> Runner:
    """The long-lived runner, replaced by a fresh one when an app wedged or tainted it."""
    global _shared
    runner = _shared
    if runner is not None and not runner.retired:
        return runner
    with _lock:
        if _shared is None or _shared.retired:
            _shared = Runner()
        return _shared


@atexit.register
def _shutdown() -> None:
    runner = _shared
    if runner is not None and not runner.retired:
        runner.retire()
        runner.join(1.0)
