"""The servers a run keeps: each server kind started once per app, reused by every scenario.

``hosted(kind, app, selection)`` returns a running ``Hosted``: the real server, serving
``Tracker(validate(app, mode="record"))``. The first call starts it; a start that fails, or a
server that dies during the run, is remembered, so every later scenario gets the same
``LiveServerError`` at once instead of trying again. ``close_all()`` stops every server (the
plugin calls it at the end of the session; it is also registered with ``atexit``).

A scenario talks to a server in ``step``s, one at a time per server: a step notes where the
tracker, the validator and the log stand, lets the client do its exchange, then waits (bounded)
for the app calls the exchange caused to end and collects what they left. Steps of one server
never overlap, so every finding of a step belongs to its exchange.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from asgicheck.live._client import CLIENT_ERRORS
from asgicheck.live._logs import LogLine
from asgicheck.live._registry import runner_class
from asgicheck.live._runner import LiveServer, LiveServerError
from asgicheck.live._tracker import Call, Tracker
from asgicheck.selection import Selection
from asgicheck.validator import ValidatedApp, validate
from asgicheck.violations import Violation

__all__ = ["Hosted", "Step", "close_all", "hosted"]


@dataclass(eq=False, kw_only=True)
class Step:
    """What one exchange left behind on the server side."""

    calls: list[Call] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    logs: list[LogLine] = field(default_factory=list)
    ended: bool = True  # every app call of the step returned or raised in time
    client: list[str] = field(default_factory=list)  # what the client saw, line by line
    error: BaseException | None = None  # what the client raised, if the exchange broke off

    def saw(self, line: str) -> None:
        self.client.append(line)


class Hosted:
    """A running server and the app it serves, with its recorders."""

    def __init__(self, server: LiveServer, tracker: Tracker, validated: ValidatedApp) -> None:
        self.server = server
        self.tracker = tracker
        self.validated = validated
        self.startup_violations: list[Violation] = []
        self.startup_logs: list[LogLine] = []
        self._lock = threading.Lock()

    @property
    def kind(self) -> str:
        return self.server.kind

    @contextlib.contextmanager
    def step(self, wait: float) -> Iterator[Step]:
        """One exchange; afterwards wait at most ``wait`` s for the app calls to end.

        A client error inside the block (a refused connection, a timeout, a closed socket)
        ends the block and is kept in ``step.error``: it is evidence, not a crash.
        """
        with self._lock:
            self.validated.clear()
            self.tracker.release()
            calls_mark, log_mark = self.tracker.mark, self.server.logs.mark
            step = Step()
            try:
                yield step
            except CLIENT_ERRORS as exc:
                step.error = exc
                step.saw(f"the exchange broke off: {type(exc).__name__}: {exc}")
            finally:
                step.ended = self.tracker.wait_ended(calls_mark, wait)
                self.server.barrier(wait)  # the server's own log lines after the call
                step.calls = self.tracker.calls_since(calls_mark)
                step.violations = list(self.validated.violations)
                step.logs = self.server.logs.since(log_mark)

    def stop(self) -> None:
        self.server.stop()


_hosted: dict[tuple[str, int, Selection], tuple[object, Hosted | LiveServerError]] = {}
_lock = threading.Lock()


def hosted(kind: str, app: object, selection: Selection, *,
           startup_timeout: float = 5.0) -> Hosted:
    """The running server of ``kind`` for ``app``: started on first use, then reused."""
    key = (kind, id(app), selection)
    with _lock:
        entry = _hosted.get(key)
        if entry is not None and entry[0] is app:
            found = entry[1]
            if isinstance(found, LiveServerError):
                raise found
            if found.server.running:
                return found
            died = found.server.failure("stopped while the run still needed it")
            _hosted[key] = (app, died)
            with contextlib.suppress(LiveServerError):
                found.stop()
            raise died
        validated = validate(app, mode="record", selection=selection)
        tracker = Tracker(validated)
        server = runner_class(kind)(tracker, startup_timeout=startup_timeout)
        try:
            server.start()
        except LiveServerError as exc:
            _hosted[key] = (app, exc)
            raise
        result = Hosted(server, tracker, validated)
        result.startup_violations = list(validated.violations)
        result.startup_logs = server.logs.since(0)
        _hosted[key] = (app, result)
        return result


def close_all() -> None:
    """Stop every server started through ``hosted``; raises the first failure to stop."""
    with _lock:
        entries = [entry for _, entry in _hosted.values()]
        _hosted.clear()
    failures: list[LiveServerError] = []
    for entry in entries:
        if isinstance(entry, Hosted):
            try:
                entry.stop()
            except LiveServerError as exc:
                failures.append(exc)
    if failures:
        raise failures[0]


@atexit.register
def _close_at_exit() -> None:
    with contextlib.suppress(LiveServerError):
        close_all()
