"""Which scenarios a run collects, and the objects they need loaded first.

Three suites can share one run. The in-process suite drives the app (``--asgicheck``) through the
strict simulated server: the fixed scenarios, then the fuzzing properties (``fuzz/P1``-``P5``,
unless ``--asgicheck-no-fuzz``). Live-server mode (``--asgicheck-server``) runs the same app
inside real servers on 127.0.0.1. Middleware mode (``--asgicheck-middleware``) wraps a
middleware factory around asgicheck's own known-good inner apps. The plugin only wires; this
module decides.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asgicheck.config import ConfigError, Settings, fuzz_settings
from asgicheck.contract import RunOptions, Scenario, Target
from asgicheck.loading import LoadedApp, load_app

if TYPE_CHECKING:
    from asgicheck.fuzzing import FuzzSettings

__all__ = ["Suite", "prepare"]


@dataclass(eq=False, kw_only=True)
class Suite:
    """What a run checks, loaded: the app, the middleware factory and the live servers."""

    loaded: LoadedApp | None
    factory: Callable[..., Any] | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    servers: tuple[str, ...] = ()
    middleware_spec: str | None = None
    fuzz: FuzzSettings | None = None  # None: no fuzzing items (off, or no app)

    @property
    def app(self) -> object:
        """The ASGI 3 callable the app scenarios run against (None in a middleware-only run)."""
        return self.loaded.app if self.loaded is not None else None

    def header_lines(self, settings: Settings) -> list[str]:
        lines = []
        if self.fuzz is not None:
            lines.append(f"asgicheck: {self.fuzz.describe()}")
        if self.servers:
            from asgicheck import live

            lines.append(f"asgicheck: live servers: {', '.join(self.servers)} "
                         f"(installed: {', '.join(live.SERVERS) or 'none'})")
        if self.factory is not None:
            from asgicheck import mwmode

            lines.append(f"asgicheck: middleware={self.middleware_spec}; built as "
                         f"{mwmode.describe(self.factory, self.kwargs)}")
        return lines

    def scenarios(self, targets: list[Target], options: RunOptions) -> list[Scenario]:
        """Every scenario of the run, in a stable order (xdist workers must agree)."""
        found: list[Scenario] = []
        if self.loaded is not None and not self.loaded.is_asgi:
            from asgicheck.scenarios.general import NotAnApp

            # Nothing else can run against it: it is the one finding of the run.
            return [NotAnApp(self.loaded.detected)]
        if self.loaded is not None:
            from asgicheck import scenarios

            fixed = scenarios.build_scenarios(targets, options)
            if self.fuzz is not None:
                # The properties share the fixed scenarios' lifespan session, so they run
                # before L01/L02 close it rather than starting the app a second time.
                fixed = scenarios.closing_last([*fixed, *_property_scenarios(
                    targets, options, self.fuzz)])
            found += fixed
            if self.servers:
                from asgicheck import live

                for server in self.servers:
                    found += live.build_live_scenarios(self.loaded.app, server, targets,
                                                       options)
        if self.factory is not None:
            from asgicheck import mwmode

            try:
                found += mwmode.build_middleware_scenarios(self.factory, kwargs=self.kwargs,
                                                           options=options)
            except mwmode.MiddlewareConfigError as exc:
                raise ConfigError(str(exc)) from None
        return found


    def plan(self, chosen: list[Scenario], workers: int) -> None:
        """The fuzzing items' shares of the run's time (or of a campaign's budget), once pytest
        has chosen the items this process may run (after ``-k``, ``--lf`` or a pytest-split
        group) and with this run's worker count."""
        if self.fuzz is not None:
            from asgicheck.fuzzing import PropertyScenario, plan_shares

            plan_shares([s for s in chosen if isinstance(s, PropertyScenario)], self.fuzz,
                        workers)


def prepare(settings: Settings) -> Suite:
    """Load what the settings name; bad names raise ConfigError or AppLoadError."""
    loaded = load_app(settings.app) if settings.app else None
    suite = Suite(loaded=loaded, middleware_spec=settings.middleware)
    if settings.servers:
        if loaded is None:
            raise ConfigError("--asgicheck-server runs an app inside real servers: name the app "
                              "with --asgicheck=MODULE:APP")
        from asgicheck import live

        try:
            for name in settings.servers:
                live.resolve_server(name)
            live.require_clients()  # httpx and websockets: the live extra
        except live.LiveServerError as exc:
            raise ConfigError(str(exc)) from None
        suite.servers = settings.servers
    if loaded is not None and loaded.is_asgi and settings.fuzz.enabled:
        try:
            suite.fuzz = fuzz_settings(settings.fuzz, loaded.spec)
        except ValueError as exc:  # FuzzSettings' own checks, or an unknown profile
            raise ConfigError(str(exc)) from None
    if settings.middleware:
        from asgicheck import mwmode

        try:
            suite.factory = mwmode.load_factory(settings.middleware)
            suite.kwargs = mwmode.parse_kwargs(settings.middleware_kwargs)
        except mwmode.MiddlewareConfigError as exc:
            raise ConfigError(str(exc)) from None
    elif settings.middleware_kwargs:
        raise ConfigError("--asgicheck-middleware-kwargs needs --asgicheck-middleware="
                          "MODULE:FACTORY")
    return suite


def _property_scenarios(targets: list[Target], options: RunOptions,
                        fuzz: FuzzSettings) -> list[Scenario]:
    """The fuzzing items. Their IDs and example budgets depend only on the targets and the
    settings, never on randomness, so xdist workers collect the same items."""
    from asgicheck.fuzzing import build_property_scenarios

    return build_property_scenarios(targets or [Target()], options, settings=fuzz)


def close() -> None:
    """End what the run started: the app's lifespan session and any live servers."""
    scenarios = sys.modules.get("asgicheck.scenarios")
    if scenarios is not None:
        scenarios.close_sessions()
    live = sys.modules.get("asgicheck.live")
    if live is not None:
        live.close_live_servers()
