"""The driver's entry points: one exchange, a batch, several at once, a whole server run.

Every exchange has a hard deadline and never raises for anything the app does: an app that
hangs, blocks the loop, spins, raises ``KeyboardInterrupt`` or returns garbage ends as a
``Transcript`` whose ``ended`` and ``violations`` say what happened. Apps run in a worker thread
(``_watchdog``); one that spins without ever yielding (``while True: pass``) is stopped by an
exception raised in its frames (``_stopping``), and its record names where it spun.

Most of a trivial exchange's cost is the hand-off to that thread, so ``run_many`` sends a whole
batch in one. In the thread, an exchange whose app never has to wait runs to its end in one
synchronous step (``_connection``, ``_hosts``): no task, no loop turn, no timer; only an app
that awaits something real is carried on in the loop under the heartbeat.

``Server`` is a whole simulated server run: lifespan startup, then connections (each scope gets a
fresh shallow copy of the lifespan ``state``, LS-SRV-007), then shutdown, all on one event loop
(LS-SRV-008).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

from asgicheck.driver import _watchdog
from asgicheck.driver._connection import MARGIN, Connection, connection, grace_for, limit_for
from asgicheck.driver._script import (
    Script,
    http_scope,
    http_script,
    lifespan_scope,
    lifespan_script,
    websocket_scope,
    websocket_script,
)
from asgicheck.driver._watchdog import Abandoned, Runner, Ticket, Wedged, shared_runner
from asgicheck.selection import DEFAULT, Selection
from asgicheck.transcript import Transcript

__all__ = ["Server", "Startup", "exchange", "run", "run_concurrently", "run_many"]

def exchange(app: Any, method: str = "GET", path: str = "/", *, body: bytes = b"",
             chunks: Sequence[bytes] | None = None, headers: Sequence[tuple[bytes, bytes]] = (),
             query_string: bytes = b"", messages: Sequence[dict[str, Any]] = (),
             subprotocols: Sequence[str] = (), spec_version: str = "2.4", deadline: float = 5.0,
             lifespan: bool = False, selection: Selection = DEFAULT) -> Transcript:
    """One exchange said in a few words: an HTTP request, or a websocket session when
    ``method`` is ``"WS"`` (``messages`` are what the client sends). ``chunks`` splits the body
    as the client sends it (default: in one piece); ``lifespan=True`` runs the exchange inside
    a lifespan startup and shutdown. What the ``asgi_exchange`` pytest fixture runs."""
    if method.upper() in ("WS", "WEBSOCKET"):
        script = websocket_script(
            websocket_scope(path, query_string=query_string, headers=headers,
                            subprotocols=subprotocols, spec_version=spec_version),
            messages, deadline=deadline)
    else:
        script = http_script(
            http_scope(method, path, query_string=query_string, headers=headers, body=body,
                       spec_version=spec_version),
            chunks if chunks is not None else [body], deadline=deadline)
    if lifespan:
        with Server(app, selection=selection, deadline=deadline) as server:
            return server.run(script)
    return run(app, script, selection=selection)


def run(app: Any, script: Script, *, selection: Selection = DEFAULT) -> Transcript:
    """Run one exchange and return its transcript. Never raises for anything the app does."""
    runner = _watchdog._shared  # shared_runner(), without the call while it is alive
    if runner is None or runner.retired:
        runner = shared_runner()
    conn = connection(app, script, selection, runner)
    try:
        return runner.call(conn.run_alone, limit_for(script.deadline))
    except Wedged as wedged:
        return conn.finish_wedged(wedged)


def run_concurrently(app: Any, scripts: Sequence[Script], *,
                     selection: Selection = DEFAULT) -> list[Transcript]:
    """Run several exchanges at once through the same app object, on one loop (OPS-APP-005)."""
    return _run_on(shared_runner(), app, scripts, selection, state=None, isolate=True)


def run_many(app: Any, scripts: Sequence[Script], *,
             selection: Selection = DEFAULT) -> list[Transcript]:
    """Run exchanges one after another: the same transcripts as ``[run(app, s) for s in
    scripts]``, but the whole batch goes to the app's thread in one hand-off, which is most of
    the cost of a trivial exchange. An exchange that wedges the loop ends the batch there; the
    rest run on a fresh loop."""
    if not scripts:
        return []
    runner = shared_runner()
    results: list[Transcript] = []
    current: list[Connection | None] = [None]  # the one running (not the finished ones)

    def job(ticket: Ticket) -> list[Transcript]:
        wait = runner.wait
        for script in scripts:
            if runner.retired:
                raise Abandoned
            current[0] = conn = connection(app, script, selection, runner)
            conn.start(ticket, script.deadline)
            if conn.final is None:
                assert conn.done is not None
                wait(conn.done)
            if conn.spawned:
                conn.cancel_spawned()
            assert conn.final is not None
            results.append(conn.final)
        current[0] = None
        return results

    first = scripts[0].deadline
    try:
        return runner.call(job, first + grace_for(first) + MARGIN)
    except Wedged as wedged:
        finished = list(results)
        running = current[0]
        if running is not None and len(finished) < len(scripts):
            finished.append(running.finish_wedged(wedged))
        return finished + run_many(app, scripts[len(finished):], selection=selection)


def _run_on(runner: Runner, app: Any, scripts: Sequence[Script], selection: Selection, *,
            state: dict[str, Any] | None, isolate: bool) -> list[Transcript]:
    """Run ``scripts`` at once on ``runner``'s loop; ``isolate`` cancels what they leave."""
    connections = [connection(app, _with_state(s, state), selection, runner) for s in scripts]

    def job(ticket: Ticket) -> list[Transcript]:
        for conn in connections:
            conn.start(ticket, conn.script.deadline)
        for conn in connections:
            if conn.final is None:
                assert conn.done is not None
                runner.wait(conn.done)
        if isolate:
            # An isolated exchange leaves nothing behind: tasks the app started and did not
            # finish are cancelled, so they cannot run into later exchanges on this loop.
            for conn in connections:
                conn.cancel_spawned()
        return [conn.final for conn in connections]  # type: ignore[misc]

    timeout = max(s.deadline + grace_for(s.deadline) for s in scripts) + MARGIN
    try:
        return runner.call(job, timeout)
    except Wedged as wedged:
        return [c.finish_wedged(wedged) for c in connections]


def _with_state(script: Script, state: dict[str, Any] | None) -> Script:
    scope = script.scope
    if state is None or "state" in scope or scope.get("type") not in ("http", "websocket"):
        return script
    return dataclasses.replace(script, scope={**scope, "state": dict(state)})


T = TypeVar("T")
StartupOutcome = Literal["complete", "failed", "raised", "returned", "hung"]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Startup:
    """How the app answered ``lifespan.startup`` (the L03 classification).

    ``complete``/``failed``: it supports lifespan. ``raised``: it declines (or, when ``received``
    is true, it crashed in its startup code). ``returned``: it returned without answering.
    ``hung``: no answer within the deadline.
    """

    outcome: StartupOutcome
    message: str | None = None  # the startup.failed message, or the exception's repr
    received: bool = False  # whether the app had received lifespan.startup
    transcript: Transcript | None = None  # set when the lifespan call has already ended

    @property
    def supported(self) -> bool:
        return self.outcome in ("complete", "failed")


class Server:
    """A simulated server run: lifespan, then connections on the same loop, then shutdown.

    ``with Server(app) as server: server.run(script)``. When the app does not complete startup
    the server carries on without lifespan, as lifespan.rst requires after a raise
    (LS-SRV-001): requests then get no ``state``. ``state=False`` runs a server that does not
    support lifespan state at all (L02); ``runner`` runs it on that runner's loop instead of
    the shared one.
    """

    def __init__(self, app: Any, *, selection: Selection = DEFAULT, deadline: float = 5.0,
                 linger: float = 1.0, block_threshold: float = 0.1, state: bool = True,
                 spec_version: str | None = "2.0", runner: Runner | None = None) -> None:
        self.app, self.selection = app, selection
        self.deadline, self.linger = deadline, linger
        self.runner = runner or shared_runner()
        self.lifespan_state: dict[str, Any] | None = {} if state else None
        script = lifespan_script(lifespan_scope(state=self.lifespan_state,
                                                spec_version=spec_version),
                                 deadline=deadline, block_threshold=block_threshold)
        self._conn = connection(app, script, selection, self.runner)
        self.startup_result: Startup | None = None
        self.transcript: Transcript | None = None

    @property
    def started(self) -> bool:
        """Whether the app completed lifespan startup."""
        return self.startup_result is not None and self.startup_result.outcome == "complete"

    @property
    def state(self) -> dict[str, Any] | None:
        """The namespace requests get copies of: only after a completed startup."""
        return self.lifespan_state if self.started else None

    @property
    def alive(self) -> bool:
        return not self.runner.retired and self._conn.final is None

    def startup(self) -> Startup:
        if self.startup_result is None:
            self.startup_result = self._phase(
                self._begin, lambda final: Startup(outcome="hung", transcript=final))
        return self.startup_result

    def run(self, script: Script) -> Transcript:
        return self.run_concurrently([script])[0]

    def run_concurrently(self, scripts: Sequence[Script]) -> list[Transcript]:
        if self.runner.retired:  # a request wedged the loop: lifespan died with it
            return _run_on(shared_runner(), self.app, scripts, self.selection,
                           state=self.state, isolate=True)
        return _run_on(self.runner, self.app, scripts, self.selection, state=self.state,
                       isolate=False)

    def shutdown(self) -> Transcript:
        """Send ``lifespan.shutdown`` (after a completed startup) and wait for the app to end."""
        if self.transcript is None:
            self.startup()
            self.transcript = self._phase(self._end, lambda final: final)
        return self.transcript

    def __enter__(self) -> Server:
        self.startup()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def _phase(self, job: Callable[[Ticket], T], wedged: Callable[[Transcript], T]) -> T:
        """Run one lifespan phase on the loop; ``wedged(transcript)`` is the answer when the
        loop stops answering (or had already been lost)."""
        conn = self._conn
        if self.runner.retired:
            return wedged(conn.finish_wedged(Wedged(self.deadline)))
        timeout = self.deadline + self.linger + grace_for(self.deadline) + MARGIN
        try:
            return self.runner.call(job, timeout)
        except Wedged as exc:
            return wedged(conn.finish_wedged(exc))

    def _begin(self, ticket: Ticket) -> Startup:
        self._conn.start(None, None)  # in the job, outside any task: its first step runs now
        return self.runner.wait(self.runner.loop.create_task(self._startup()))

    def _end(self, ticket: Ticket) -> Transcript:
        return self.runner.wait(self.runner.loop.create_task(self._shutdown()))

    async def _startup(self) -> Startup:
        conn = self._conn
        answered = await conn.until(lambda: conn.startup_answer is not None, self.deadline)
        if not answered:
            conn.expire("deadline", f"the app did not answer lifespan.startup within "
                                    f"{self.deadline:g} s")
            return Startup(outcome="hung", received=conn.received_startup,
                           transcript=await _done(conn))
        answer, final = conn.startup_answer, conn.final
        if answer is not None:
            kind = str(answer.get("type"))
            outcome: StartupOutcome = "complete" if kind.endswith(".complete") else "failed"
            message = answer.get("message") if outcome == "failed" else None
            return Startup(outcome=outcome, message=message if isinstance(message, str) else None,
                           received=True, transcript=final)
        assert final is not None
        return Startup(outcome="returned" if final.ended == "returned" else "raised",
                       message=final.exception, received=conn.received_startup,
                       transcript=final)

    async def _shutdown(self) -> Transcript:
        conn = self._conn
        if conn.final is None:
            if self.started:
                conn.signal()
                if not await conn.until(lambda: conn.shutdown_answer is not None,
                                        self.deadline):
                    conn.expire("deadline", f"the app did not answer lifespan.shutdown within "
                                            f"{self.deadline:g} s")
            if not await conn.until(lambda: False, self.linger):
                conn.expire("linger", f"the lifespan call was still running {self.linger:g} s "
                                      f"after the server stopped needing it")
        return await _done(conn)


async def _done(conn: Connection) -> Transcript:
    if conn.final is not None:  # it ended in its first step
        return conn.final
    assert conn.done is not None
    return await conn.done
