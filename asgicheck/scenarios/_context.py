"""What the scenarios of one run share: the simulated server, baselines, and protocol probes.

Scenarios run independently (the plugin calls ``scenario.run(app, options)`` once per item, in
any order, perhaps in another process), so everything shared is computed lazily and cached per
``(app, options)``:

* the **session**: one ``Server`` on the shared loop, whose lifespan startup is sent once, on
  the first need. Its answer is L03's classification; when the app completes it, every HTTP and
  websocket exchange of the run goes through it, with a fresh copy of the lifespan state
  (LS-SRV-007/008). A real server starts an app once (lifespan.rst: "once per event loop"), and
  apps are entitled to set themselves up once per process (matrix CB-1: BlackSheep answers 500
  after a second startup). ``end_session()`` shuts it down (L01 judges that shutdown; the
  scenarios build_scenarios lists last call it), else ``close_sessions()`` does at the end. An
  exchange that still comes after ``end_session()`` starts the app again on a fresh loop, as a
  second server would, and its scenario's transcript says so;
* **baselines**: the plain exchange of a target, run twice, so comparison scenarios can tell a
  difference caused by the script from an app whose answers vary from call to call;
* **stall confirmation**: an exchange (or a set run at once) that shows an event-loop stall
  (OPS-APP-003) is run once more, and the stall is reported only if it shows again;
* the **circuit breaker** (``_breaker``): the targets that hung, so that the items after the
  first hang do not each wait out the deadline again.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from asgicheck.contract import RunOptions
from asgicheck.driver import Runner, Script, Server, run, run_concurrently
from asgicheck.scenarios._breaker import Breaker, hung
from asgicheck.transcript import Transcript

__all__ = ["RESTARTED", "Baseline", "Context", "SessionCycle", "close_sessions", "confirmed",
           "context_for"]

T = TypeVar("T")

RESTARTED = ("this ran in a second lifespan session: the run's session had already been shut "
             "down (lifespan/L01-full judges that), so the app was started again, on a fresh "
             "event loop, as a second server would (lifespan.rst: once per event loop)")


class Baseline:
    """A target's plain exchange, run twice: what "the same behaviour" means for this app."""

    __slots__ = ("first", "second")

    def __init__(self, first: Transcript, second: Transcript) -> None:
        self.first, self.second = first, second

    @property
    def hung(self) -> bool:
        return self.first.ended == "timeout"

    @property
    def stable_status(self) -> bool:
        return self.first.status == self.second.status

    @property
    def stable_body(self) -> bool:
        return self.first.body == self.second.body

    @property
    def stable_types(self) -> bool:
        return self.first.sent_types == self.second.sent_types

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(v.rule for v in self.first.violations)


class SessionCycle:
    """The session's whole lifespan: its startup, one request carrying the state, its end."""

    __slots__ = ("lifespan", "lost", "requests", "server", "startup")

    def __init__(self, server: Server, requests: list[Transcript], lost: bool) -> None:
        self.server, self.requests, self.lost = server, requests, lost
        self.startup = server.startup()
        self.lifespan = server.shutdown()


class Context:
    def __init__(self, app: Any, options: RunOptions) -> None:
        self.app, self.options = app, options
        self._session: Server | None = None
        self._cycle: SessionCycle | None = None  # set once the session has been shut down
        self._second: Server | None = None  # the session started again after that
        self._runners: list[Runner] = []  # fresh loops this context started
        self.restarted_uses = 0  # exchanges run in the second session (Base.run notes them)
        self._baselines: dict[object, Baseline] = {}
        self._probes: dict[object, Any] = {}
        self.breaker = Breaker()  # the targets that hung, and the items that saw it
        self._lock = threading.RLock()

    # -- the lifespan session -------------------------------------------------------------------

    def new_server(self, *, state: bool = True, fresh: bool = False) -> Server:
        """A simulated server for this app; ``fresh`` gives it an event loop of its own."""
        opts = self.options
        runner = None
        if fresh:
            runner = Runner()
            self._runners.append(runner)
        return Server(self.app, selection=opts.selection, deadline=opts.deadline,
                      linger=min(opts.linger, opts.deadline),
                      block_threshold=opts.block_threshold, state=state, runner=runner)

    def session(self) -> Server:
        """The run's lifespan session, its startup sent on the first call (see the module)."""
        with self._lock:
            if self._session is None:
                self._session = self.new_server()
                self._session.startup()
            return self._session

    def server(self) -> Server | None:
        """Where exchanges run: the session when lifespan is on and the app completed startup,
        else None (they then run without lifespan)."""
        if not self.options.lifespan:
            return None
        with self._lock:
            server = self.session()
            if not server.started:
                return None  # the app declined, failed or hung: do not ask again
            if self._cycle is None:
                return server  # also when its lifespan call ended or its loop was lost
            if self._second is None:
                self._second = self.new_server(fresh=True)
                self._second.startup()
            self.restarted_uses += 1
            return self._second if self._second.started else None

    def end_session(self, request: Callable[[], Script | None]) -> SessionCycle:
        """Shut the session down, once, after one ``request()`` carrying its state (if the
        app completed startup, and ``request()`` gives one). ``lost``: an exchange had wedged
        the session's loop, and the lifespan call died with it, so its shutdown says nothing
        about the app."""
        with self._lock:
            if self._cycle is None:
                server = self.session()
                lost = server.runner.retired
                script = request() if server.started and not lost else None
                requests = [server.run(script)] if script is not None else []
                self._cycle = SessionCycle(server, requests, lost)
            return self._cycle

    @property
    def ended(self) -> SessionCycle | None:
        """The session's cycle, once it has been shut down."""
        return self._cycle

    # -- exchanges ------------------------------------------------------------------------------

    def exchange(self, script: Script, *, lifespan: bool = True) -> Transcript:
        """Run one exchange; a stall (OPS-APP-003) must show twice to count (``confirmed``)."""
        return confirmed(lambda: [self._once(script, lifespan)], list)[0]

    def _once(self, script: Script, lifespan: bool) -> Transcript:
        server = self.server() if lifespan else None
        if server is not None:
            return server.run(script)
        return run(self.app, script, selection=self.options.selection)

    def several(self, scripts: Sequence[Script]) -> list[Transcript]:
        """Independent exchanges of one scenario, one at a time until one hangs (its deadline
        passed, or it wedged the loop); the rest then go at once, so that N hangs cost two
        deadlines, not N. One at a time otherwise: run together, what the app shares between
        connections could change what each one shows (concurrent-connections' question)."""
        done: list[Transcript] = []
        for number, script in enumerate(scripts):
            done.append(self.exchange(script))
            if hung(done[-1]):
                rest = scripts[number + 1:]
                return done + (self.concurrently(rest) if rest else [])
        return done

    def concurrently(self, scripts: Sequence[Script]) -> list[Transcript]:
        """Run exchanges at the same time; a stall must show twice to count, as in exchange()."""
        return confirmed(lambda: self._at_once(scripts), list)

    def _at_once(self, scripts: Sequence[Script]) -> list[Transcript]:
        server = self.server()
        if server is not None:
            return server.run_concurrently(scripts)
        return run_concurrently(self.app, scripts, selection=self.options.selection)

    def baseline(self, key: object, make: Callable[[], Script]) -> Baseline:
        with self._lock:
            found = self._baselines.get(key)
            if found is None:
                first = self.exchange(make())
                second = first if first.ended == "timeout" else self.exchange(make())
                found = self._baselines[key] = Baseline(first, second)
            return found

    def probe(self, key: object, compute: Callable[[], Any]) -> Any:
        """A cached answer to a question about the app (e.g. does it support websockets)."""
        with self._lock:
            if key not in self._probes:
                self._probes[key] = compute()
            return self._probes[key]

    def close(self) -> None:
        """Shut down what still runs (lifespan.shutdown, then wait), and end the fresh loops."""
        with self._lock:
            servers = [s for s in (self._session, self._second) if s is not None]
            runners, self._runners = self._runners, []
            self._session = self._second = None
        for server in servers:
            if server.alive:
                server.shutdown()
        for runner in runners:
            runner.retire()


def confirmed(attempt: Callable[[], T], shown: Callable[[T], Sequence[Transcript]]) -> T:
    """What ``attempt()`` gives, taken again once when its transcripts (``shown``) show a stall
    (OPS-APP-003) and nothing hung: the second take counts unless it stalls too, when the first
    is kept. A loaded machine can deschedule the app's thread for longer than the threshold; a
    real blocking call blocks every time."""
    first = attempt()
    if any(t.ended == "timeout" for t in shown(first)) or not _stalled(shown(first)):
        return first
    second = attempt()
    return first if _stalled(shown(second)) else second


def _stalled(transcripts: Sequence[Transcript]) -> bool:
    return any(v.rule == "OPS-APP-003" for t in transcripts for v in t.violations)


_contexts: dict[tuple[int, object], tuple[Any, Context]] = {}
_contexts_lock = threading.Lock()


def context_for(app: Any, options: RunOptions) -> Context:
    """The shared context of ``app`` under ``options`` (the app is kept alive meanwhile)."""
    key = (id(app), options)
    with _contexts_lock:
        entry = _contexts.get(key)
        if entry is None or entry[0] is not app:
            entry = _contexts[key] = (app, Context(app, options))
        return entry[1]


@atexit.register
def close_sessions() -> None:
    """Shut down every lifespan session the scenarios started (lifespan.shutdown, then wait)."""
    with _contexts_lock:
        contexts = [context for _, context in _contexts.values()]
        _contexts.clear()
    for context in contexts:
        context.close()
