"""The thread the apps run in, and the watchdog that gives up on it.

asyncio cannot interrupt an app that blocks its event loop (``time.sleep``) or spins without
awaiting (``while True: pass``): the deadline timer never gets to run. So apps never run in the
caller's thread. A ``Runner`` owns one daemon thread and one event loop; the caller hands it a
job and waits for the answer with a timeout of its own. When the answer does not come, the loop
is wedged: the runner is *retired* and the next job gets a fresh thread and loop. A retired
thread whose app eventually unblocks notices and exits; one whose app spins forever is leaked (a
daemon thread burning one core until the process exits: Python has no way to kill a thread).

One long-lived runner serves every exchange while nothing wedges it, which keeps a trivial
exchange cheap; lifespan and the requests of one run share its loop (lifespan.rst: "lifespans
and requests are run in the same event loop", LS-SRV-008).

Between jobs the loop does not run. Each job is driven with ``BaseEventLoop._run_once``, the
step ``run_forever`` repeats, because ``run_until_complete``'s per-call setup costs as much as a
whole trivial exchange. Loops without it (uvloop via an event-loop policy) use ``run_forever``.

``Heartbeat`` is the timer behind OPS-APP-003 and the deadlines: while a job runs, it fires
every ``INTERVAL`` seconds, records how late it ran, and expires overdue exchanges.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import queue
import sys
import threading
import time
from asyncio import events
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["SPAWNED", "Heartbeat", "Runner", "Wedged", "shared_runner", "start_task"]

T = TypeVar("T")
Job = Callable[[], "asyncio.Future[Any]"]
_Item = tuple[Job, "Callable[[], None] | None", "queue.SimpleQueue[Any]"]


# The tasks an exchange's app starts land in the list this variable holds in the exchange's
# context (tasks inherit their creator's context), so they can be cancelled afterwards without
# scanning every task in the process.
SPAWNED: contextvars.ContextVar[list[asyncio.Task[Any]] | None] = contextvars.ContextVar(
    "asgicheck_spawned", default=None)


def _tracking_factory(loop: asyncio.AbstractEventLoop, coro: Any, **options: Any
                      ) -> asyncio.Task[Any]:
    task: asyncio.Task[Any] = asyncio.Task(coro, loop=loop, **options)
    spawned = SPAWNED.get()
    if spawned is not None:
        spawned.append(task)
    return task


def start_task(loop: asyncio.AbstractEventLoop, coro: Any,
               spawned: list[asyncio.Task[Any]]) -> asyncio.Task[Any]:
    """Run ``coro`` as a task in a fresh, empty context (as a server gives each connection);
    the tasks it starts are collected in ``spawned``."""
    context = contextvars.Context()
    context.run(SPAWNED.set, spawned)
    if sys.version_info >= (3, 11):
        return loop.create_task(coro, context=context)
    return context.run(loop.create_task, coro)  # 3.10: a task copies its creator's context


class Wedged(Exception):
    """The runner's loop did not answer in time: the app blocked it or spins."""

    def __init__(self, stalled: float) -> None:
        super().__init__(f"the event loop has not run for {stalled:.2f} s")
        self.stalled = stalled


class Heartbeat:
    """A timer that fires every ``INTERVAL`` seconds while exchanges run on the loop.

    Each tick records how late it fired (a lower bound on how long the loop was stalled, for
    OPS-APP-003) and expires the exchanges whose deadline has passed: one timer serves every
    exchange, so a fast exchange schedules nothing. ``resume()`` marks the start of each job,
    so the time the loop sat idle between jobs never counts as a stall.
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
        self.alive = time.monotonic()  # the last moment the loop was seen running

    def resume(self) -> None:
        self._resumed = self.alive = self._loop.time()

    def begin(self, watcher: Any = None, deadline: float | None = None) -> float:
        now = self._loop.time()
        self.alive = now
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
        self.alive = now
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

    def __init__(self, *, portable: bool = False) -> None:
        """``portable`` drives the loop with ``run_forever`` even when ``_run_once`` exists."""
        self.portable = portable
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(self._on_loop_error)
        self.loop.set_task_factory(_tracking_factory)
        self.meter = Heartbeat(self.loop)
        self.retired = False
        self.retire_after_job = False  # set by a job that left a task it could not cancel
        self.loop_errors: list[str] = []  # what the loop's exception handler saw (bounded)
        self._jobs: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._main, name="asgicheck-app-runner",
                                        daemon=True)
        self._thread.start()

    def call(self, job: Job, timeout: float, after: Callable[[], None] | None = None) -> Any:
        """Run ``job()`` on the loop thread and return the result of the future it returns;
        ``after()`` runs in the loop thread once that future is done.

        Raises ``Wedged`` (and retires the runner) when no answer comes within ``timeout``.
        """
        if self.retired:
            raise RuntimeError("this runner was retired; use shared_runner() for a fresh one")
        reply: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._jobs.put((job, after, reply))
        try:
            ok, value = reply.get(timeout=timeout)
        except queue.Empty:
            self.retire()
            raise Wedged(time.monotonic() - self.meter.alive) from None
        if ok:
            return value
        raise value

    def retire(self) -> None:
        """Stop taking jobs; the thread exits (and closes its loop) as soon as it can."""
        self.retired = True
        self._jobs.put(None)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    # -- the loop thread ------------------------------------------------------------------------

    def _main(self) -> None:
        loop = self.loop
        fast = not self.portable and isinstance(loop, asyncio.BaseEventLoop) and \
            hasattr(loop, "_run_once")
        if fast:
            self._enter(loop)
        try:
            while not self.retired:
                item = self._jobs.get()
                if item is None:
                    break
                job, after, reply = item
                self.meter.resume()
                try:
                    future = job()
                    self._drive(loop, future, fast)
                    answer: tuple[bool, Any] = (True, future.result())
                    if after is not None:
                        after()
                except BaseException as exc:  # noqa: B036 - reported to the caller, never lost
                    answer = (False, exc)
                reply.put(answer)
                if self.retire_after_job:
                    self.retired = True
        finally:
            self._close(loop, fast)

    def _drive(self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any],
               fast: bool) -> None:
        if not fast:
            future.add_done_callback(lambda _: loop.stop())
        while not future.done() and not self.retired:
            try:
                if fast:
                    loop._run_once()  # type: ignore[attr-defined]
                else:
                    loop.run_forever()
            except BaseException as exc:  # noqa: B036 - a task the app spawned raised it
                self._note(f"{type(exc).__name__} escaped a task the app started: {exc!r}")

    @staticmethod
    def _enter(loop: asyncio.AbstractEventLoop) -> None:
        # What BaseEventLoop.run_forever sets up before its first _run_once (CPython 3.10-3.13).
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
            if fast:
                events._set_running_loop(None)
                loop._thread_id = None  # type: ignore[attr-defined]
            loop.close()

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self._note(str(context.get("exception") or context.get("message")))

    def _note(self, text: str) -> None:
        self.loop_errors.append(text)
        del self.loop_errors[:-32]


_lock = threading.Lock()
_shared: Runner | None = None


def shared_runner() -> Runner:
    """The long-lived runner, replaced by a fresh one when an app wedged or tainted it."""
    global _shared
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
