"""Middleware mode: check an ASGI middleware by wrapping it around known-good inner apps.

More than half of the ASGI bugs real projects ship live in middleware (bug-classes.md). This
package runs a middleware factory, ``factory(app, **kwargs)`` (GZip, CORS, sessions, error
handling, ...), around a battery of inner apps of asgicheck's own, each written to the letter of
the spec, and blames the middleware for whatever reaches the server that the inner app did not
send, and for whatever reaches the inner app that the server did not send::

    from asgicheck.mwmode import build_middleware_scenarios, load_factory, parse_kwargs
    from asgicheck.contract import RunOptions

    factory = load_factory("starlette.middleware.gzip:GZipMiddleware")
    for scenario in build_middleware_scenarios(factory, kwargs=parse_kwargs("minimum_size=500"),
                                               options=RunOptions()):
        outcome = scenario.run(None, RunOptions())

``load_factory`` and ``parse_kwargs`` import neither the driver nor the scenarios.

Every exchange is judged by two validators: the driver's (server ↔ middleware: the middleware as
an app) and one around the inner app (middleware ↔ inner app: the middleware as a server, so
server-side rules apply to it). Outcomes render both transcripts. Scenario IDs are
``middleware/<name>``; ``run(app, options)`` ignores ``app``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asgicheck.contract import RunOptions, Scenario
from asgicheck.mwmode._factory import (
    FACTORY_FORMS,
    KWARGS_FORMS,
    Factory,
    MiddlewareConfigError,
    describe,
    load_factory,
    make_middleware,
    parse_kwargs,
)
from asgicheck.mwmode._probe import InnerError

__all__ = [
    "FACTORY_FORMS",
    "KWARGS_FORMS",
    "InnerError",
    "MiddlewareConfigError",
    "build_middleware_scenarios",
    "describe",
    "load_factory",
    "parse_kwargs",
]


async def _probe_app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
    raise RuntimeError("asgicheck's construction probe is never called")


def build_middleware_scenarios(factory: Factory, *, kwargs: Mapping[str, Any] | None = None,
                               options: RunOptions | None = None) -> list[Scenario]:
    """Every middleware scenario for ``factory(app, **kwargs)``, in a stable order.

    The factory is called once here, around a placeholder app, so that wrong keyword arguments
    or a factory that does not return an ASGI app fail now with ``MiddlewareConfigError``
    (whose message says how to fix it) rather than in every scenario. ``options`` is accepted
    for symmetry with ``build_scenarios``; each ``run`` takes its own.
    """
    # The driver (and its thread) come with the scenarios: imported only when they are built,
    # so that the plugin can load factories and parse options without them.
    from asgicheck.mwmode import _http, _lifespan, _streams, _websocket
    from asgicheck.mwmode._base import Shared

    del options  # every run gets its options; nothing here depends on them
    arguments = dict(kwargs or {})
    if not callable(factory):
        raise MiddlewareConfigError(f"the middleware factory {factory!r} is not callable; "
                                    f"give {FACTORY_FORMS}")
    make_middleware(factory, _probe_app, arguments)
    shared = Shared(factory, arguments)
    kinds = (*_http.SCENARIOS, *_streams.SCENARIOS, *_lifespan.SCENARIOS, *_websocket.SCENARIOS)
    scenarios = [kind(shared) for kind in kinds]
    plain = next(s for s in scenarios if isinstance(s, _http.Plain))
    shared.plain = plain.check
    return list(scenarios)
