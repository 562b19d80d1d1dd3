"""Caller code run inside the app's thread, so that its exchanges need no hand-off.

A fuzzing property makes hundreds of exchanges of a few tens of microseconds each. Handed to the
app's thread one by one (``Runner.call``), each also pays for waking that thread and waiting
for its answer, the GIL changing hands twice: about twice what the exchange itself costs, and
more on a loaded machine, where the idle thread must find a core again each time.
``resident(body, runner)`` instead runs ``body`` (a whole Hypothesis run) as one job in the
runner's thread. Every ``Runner.call`` that code makes on that runner, through the usual entry
points (``run``, ``Server.run``, ``Context.exchange``), then runs its job inline: the same
synchronous first step, the same loop for an app that waits, with no queue in between.

Every exchange keeps its hard deadline. The caller's thread still watches the job's ticket: an
inline call sets ``ticket.until`` to its own limit, as ``Runner.call`` would, and back to a
generous allowance (``BETWEEN``) when it returns, while ``body``'s own code runs. Because the
limit can move earlier, the caller looks at it every ``POLL`` seconds instead of sleeping until
it. When an exchange wedges the loop (an app that blocks it or spins), the caller retires the
runner, as ``Runner.call`` does, and raises ``Stranded``: a ``Wedged`` that carries the records
of the exchanges the wedge cut short, closed from the caller's thread (``finish_wedged``). The
body's thread, if the app ever lets go of it, is *evicted*: its next call into the driver, or
the rest of the call it was in, raises ``Evicted``, a BaseException that Hypothesis does not
take for a failure, so nothing it does after the caller gave up reaches anyone.

Only the thread that owns the runner runs inline; a call from any other thread while a body is
resident waits for the body to finish, so a body must not wait for other threads' exchanges.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from asgicheck.driver._watchdog import Abandoned, Runner, Ticket, Wedged, _due, shared_runner
from asgicheck.transcript import Transcript

__all__ = ["BETWEEN", "POLL", "Evicted", "Resident", "Stranded", "resident"]

T = TypeVar("T")
_now = time.perf_counter
POLL = 0.05  # seconds between two looks of the caller at the ticket
BETWEEN = 60.0  # how long the body's own code may run between two exchanges


class Evicted(BaseException):
    """Raised in a resident body's thread once its caller has given up on it (a wedge)."""


class Stranded(Wedged):
    """An exchange of a resident body wedged the loop. ``transcripts``: the records of the
    exchanges it cut short (none when the body's own code was running)."""

    def __init__(self, stalled: float, transcripts: list[Transcript],
                 runner: Runner | None = None) -> None:
        super().__init__(stalled, runner)
        self.transcripts = transcripts


class Resident:
    """The job that runs a body in a runner's thread, and the inline calls it makes."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.thread = 0  # the runner thread's ident, once the body runs
        self.ticket: Ticket | None = None
        self.evicted = False

    def job(self, body: Callable[[], T]) -> Callable[[Ticket], T]:
        def run(ticket: Ticket) -> T:
            self.ticket, self.thread = ticket, threading.get_ident()
            ticket.until = _now() + BETWEEN
            self.runner.resident = self
            try:
                return body()
            finally:
                self.runner.resident = None
        return run

    def call(self, job: Callable[[Ticket], T], timeout: float) -> T:
        """``Runner.call(job, timeout)`` from inside the body: the job, run here and now."""
        runner, ticket = self.runner, self.ticket
        if self.evicted:
            raise Evicted
        if runner.retired:  # a job left it a task it could not cancel: as Runner.call says
            raise RuntimeError("this runner was retired; use shared_runner() for a fresh one")
        assert ticket is not None
        ticket.until = _now() + timeout
        loop, meter = runner.loop, runner.meter
        meter.alive = _now()  # what Runner._main does before each job
        if meter._handle is not None:
            meter._resumed = loop.time()
        if runner.fast and (loop._ready or loop._scheduled) and _due(loop):  # type: ignore[attr-defined]
            runner._leftovers(loop)
        try:
            return job(ticket)
        except Abandoned:
            if self.evicted:
                raise Evicted from None
            raise
        finally:
            if self.evicted:
                raise Evicted  # the call came back after the caller gave up: drop its answer
            if runner.retire_after_job:  # as Runner._main does after such a job: later calls
                runner.retired = True  # go to a fresh runner, in the usual way
            ticket.until = _now() + BETWEEN

    def stranded(self) -> Stranded:
        """Give up on the body (from the caller's thread): retire the runner, and close the
        records of the exchanges still running in it (not the lifespan call's: its server
        closes that one)."""
        runner = self.runner
        self.evicted = True
        runner.retire()
        stalled = _now() - runner.meter.alive
        running: dict[int, Any] = {}
        for owner in list(runner.owners.values()):
            if owner.final is None and owner.kind != "lifespan":
                running.setdefault(id(owner), owner)
        runner.stop()  # the body's own code may be what spins: stopped with or without records
        wedged = Wedged(stalled, runner)
        return Stranded(stalled, [conn.finish_wedged(wedged) for conn in running.values()],
                        runner)


def resident(body: Callable[[], T], runner: Runner | None = None) -> T:
    """``body()``, run in the thread of ``runner`` (the shared runner by default, where ``run``
    sends exchanges); its driver calls on that runner run inline (see the module). Raises
    ``Stranded`` when one of its exchanges wedges the loop, and whatever ``body`` raises."""
    if runner is None:
        runner = shared_runner()
    if runner.retired:
        raise RuntimeError("this runner was retired; use shared_runner() for a fresh one")
    host = Resident(runner)
    ticket = Ticket(_now() + BETWEEN)
    runner._jobs.put((host.job(body), ticket))
    get = ticket.reply.get
    try:
        while True:
            left = ticket.until - _now()
            if left <= 0.0:
                raise host.stranded()
            try:
                ok, value = get(True, min(left, POLL))
                break
            except queue.Empty:
                continue
    except BaseException as exc:  # noqa: B036 - a wedge, or a Ctrl-C: evict the body
        host.evicted = True
        if isinstance(exc, KeyboardInterrupt):  # as Runner.call: the shutdown that follows
            runner.retire()  # must not queue behind the body
        raise
    if ok:
        return value  # type: ignore[no-any-return]
    raise value
