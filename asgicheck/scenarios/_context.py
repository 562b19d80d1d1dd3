"""What the scenarios of one run share: the simulated server, baselines, and protocol probes.

Scenarios run independently (the plugin calls ``scenario.run(app, options)`` once per item, in
any order, perhaps in another process), so everything shared is computed lazily and cached per
``(app, options)``:

* the **server**: when the app supports lifespan, one ``Server`` (startup once, then every
  HTTP and websocket exchange of the run on its loop, with a fresh copy of the lifespan state;
  LS-SRV-007/008). Frameworks that open resources at startup need this to answer requests at
  all. It is shut down by ``close_sessions()`` (the plugin calls it at the end of the session)
  or at interpreter exit;
* **baselines**: the plain exchange of a target, run twice, so comparison scenarios can tell a
  difference caused by the script from an app whose answers vary from call to call;
* **stall confirmation**: an exchange that shows an event-loop stall (OPS-APP-003) is run once
  more, and the stall is reported only if it shows again;
* the **lifespan probe** (L03's classification), used to skip L01/L02 for apps that decline.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable, Sequence
from typing import Any

from asgicheck.driver import Script, Server, Startup, run, run_concurrently
from asgicheck.scenarios import RunOptions
from asgicheck.transcript import Transcript

__all__ = ["Baseline", "Context", "close_sessions", "context_for"]


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


class Context:
    def __init__(self, app: Any, options: RunOptions) -> None:
        self.app, self.options = app, options
        self._server: Server | None = None
        self._baselines: dict[object, Baseline] = {}
        self._probes: dict[object, Any] = {}
        self._lock = threading.RLock()

    # -- exchanges ------------------------------------------------------------------------------

    def server(self) -> Server | None:
        """The run's lifespan session, or None when lifespan is off or the app declines it."""
        if not self.options.lifespan:
            return None
        with self._lock:
            server = self._server
            if server is not None and server.alive:
                return server if server.started else None
            if server is not None and not server.started:
                return None  # the app does not support lifespan: do not ask again
            server = Server(self.app, selection=self.options.selection,
                            deadline=self.options.deadline,
                            linger=self.options.linger,
                            block_threshold=self.options.block_threshold)
            server.startup()
            self._server = server
            return server if server.started else None

    def exchange(self, script: Script, *, lifespan: bool = True) -> Transcript:
        """Run one exchange. A stall (OPS-APP-003) must show twice to count: a loaded machine
        can deschedule the app's thread for longer than the threshold, and a real blocking
        call blocks every time."""
        first = self._once(script, lifespan)
        if first.ended == "timeout" or not any(v.rule == "OPS-APP-003"
                                               for v in first.violations):
            return first
        second = self._once(script, lifespan)
        return first if any(v.rule == "OPS-APP-003" for v in second.violations) else second

    def _once(self, script: Script, lifespan: bool) -> Transcript:
        server = self.server() if lifespan else None
        if server is not None:
            return server.run(script)
        return run(self.app, script, selection=self.options.selection)

    def concurrently(self, scripts: Sequence[Script]) -> list[Transcript]:
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

    def lifespan_startup(self) -> Startup:
        """How the app answers lifespan.startup (a fresh probe, shut down again at once)."""
        def compute() -> Startup:
            with Server(self.app, selection=self.options.selection,
                        deadline=self.options.deadline,
                        linger=self.options.linger) as server:
                return server.startup()
        result: Startup = self.probe("lifespan-startup", compute)
        return result

    def close(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None and server.alive:
            server.shutdown()


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
