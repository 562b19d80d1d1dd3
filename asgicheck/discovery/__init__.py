"""Which requests to send: targets the user declared, or routes discovered from the app.

Order of preference: targets declared by option, ini or ``[tool.asgicheck]``; routes read from
the app's own tables (Starlette, FastAPI, Litestar, reference_app, Quart/Werkzeug, Django,
Falcon), following ``.app`` and ``.router`` chains through middleware; an OpenAPI document the
app serves; and last ``GET /`` plus a path that does not exist. Declared WebSocket paths are always
added. Discovered routes that take a body get one from the app's OpenAPI document or its typed
handlers (``_openapi``, ``_bodies``, ``_signatures``); the framework's own documentation routes
are left out (``_docs``). The result is deterministic (xdist workers must collect the same
items) and capped at ``max_targets``.

Discovery never imports a framework the app does not use: route tables are read by attribute,
and Django's resolver is imported only when the app is Django's own handler.

Every call into the app goes through the driver's watchdog, as the scenarios' exchanges do:
the route tables are read in the app's thread under a hard limit (``driver.call_app_code``), the
served document is fetched with an ordinary exchange. A call that hangs, or raises SystemExit or
KeyboardInterrupt, is a ``Problem`` (``_problems``) the plugin reports as a failed item, and
discovery carries on without what that call would have told it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from asgicheck.contract import Target
from asgicheck.discovery._django import django_targets
from asgicheck.discovery._docs import Documentation, documentation
from asgicheck.discovery._falcon import falcon_targets
from asgicheck.discovery._openapi import (
    OPENAPI_PATH,
    app_document,
    openapi_targets,
    served_document,
    with_bodies,
)
from asgicheck.discovery._params import KIND_VALUES, fill, kind_of
from asgicheck.discovery._problems import DiscoveryCall, Problem, probe_problem
from asgicheck.discovery._quart import werkzeug_targets
from asgicheck.discovery._routes import walk_routes
from asgicheck.discovery._signatures import typed_document
from asgicheck.discovery._trie import trie_targets
from asgicheck.driver import AppCodeFailed, call_app_code
from asgicheck.rules import violation

__all__ = ["DEFAULT_TARGETS", "KIND_VALUES", "TABLES_AT_LEAST", "Discovery", "DiscoveryCall",
           "Problem", "discover", "fill", "kind_of"]

MISSING_PATH = "/asgicheck-no-such-path"
# With no routes known: "/" read and written (POST and PUT reach the code behind a body: the
# scenarios send them empty, with a small JSON body, and with that body in chunks), and a path
# that does not exist.
DEFAULT_TARGETS = (Target(path="/", source="default"),
                   Target(method="POST", path="/", source="default"),
                   Target(method="PUT", path="/", source="default"),
                   Target(path=MISSING_PATH, source="default"))
_CHAIN_ATTRIBUTES = ("app", "router", "application", "_app")
# Reading route tables is no exchange: a framework building its schema, or importing a Django
# urlconf, may take a while. It gets the run's deadline, but never less than this (seconds).
TABLES_AT_LEAST = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Discovery:
    targets: tuple[Target, ...]
    source: str  # "declared", "starlette routes", "openapi", "default", ...
    found: int  # how many distinct targets there were before the cap
    documentation: int = 0  # the framework's documentation routes left out
    problems: tuple[Problem, ...] = ()  # calls into the app that hung or raised SystemExit etc.

    @property
    def summary(self) -> str:
        capped = f", first {len(self.targets)} of {self.found} kept" \
            if self.found > len(self.targets) else ""
        docs = f"; {self.documentation} documentation route(s) left out (declare one to " \
            f"check it)" if self.documentation else ""
        return f"{len(self.targets)} target(s) from {self.source}{capped}{docs}"


def discover(app: object, served: Callable[..., Any] | None = None, *,
             declared: Sequence[Target] = (), websocket_paths: Sequence[str] = (),
             max_targets: int = 20, timeout: float = 2.0) -> Discovery:
    """Targets for ``app`` (the object the user named; ``served`` is its ASGI 3 form);
    ``timeout`` is the run's deadline for each call into the app."""
    extra = [Target(kind="websocket", path=p, source="config") for p in websocket_paths]
    left_out = 0
    problems: list[Problem] = []
    if declared:
        found, source = list(declared), "declared targets"
    else:
        found, source, docs = _read_tables(app, max(timeout, TABLES_AT_LEAST), problems)
        if not found and served is not None:
            probe = served_document(served, timeout)
            then = "no routes from it" if not problems else "no routes from it either"
            problem = probe_problem(probe.transcript, f"GET {OPENAPI_PATH}",
                                    f"{then}; the run goes on without them")
            if problem is not None:
                problems.append(problem)
            found, source = openapi_targets(probe.document), "openapi.json"
        # The framework's own schema and docs pages are not the app's code (docs/discovery).
        kept = [t for t in found if not docs.covers(t)]
        found, left_out = kept, len(found) - len(kept)
        if not found:
            found, source = list(DEFAULT_TARGETS), "defaults (no routes found)"
    unique = _unique([*found, *extra])
    return Discovery(targets=tuple(unique[:max_targets]), source=source, found=len(unique),
                     documentation=left_out, problems=tuple(problems))


def _read_tables(app: object, limit: float, problems: list[Problem]
                 ) -> tuple[list[Target], str, Documentation]:
    """``_from_tables`` and the documentation routes, read in the app's thread under
    ``limit``; a hang or a BaseException there is a problem, and no tables."""
    def read() -> tuple[list[Target], str, Documentation]:
        return (*_from_tables(app), documentation(_chain(app)))

    try:
        return call_app_code(read, limit, what="reading the app's route tables")
    except AppCodeFailed as failed:
        then = "asgicheck carried on as if the app had none"
        found = () if failed.raised is not None else (violation(
            "OPS-APP-002", f"{failed}; a server's startup would hang the same way"),)
        problems.append(Problem(call="route tables", text=f"{failed}; {then}",
                                violations=found))
        return [], "", Documentation(frozenset(), frozenset())


def _from_tables(app: object) -> tuple[list[Target], str]:
    for candidate in _chain(app):
        framework = type(candidate).__module__.split(".")[0]
        routes = _attribute(candidate, "routes")
        targets = (_safely(trie_targets, candidate) or _safely(werkzeug_targets, candidate)
                   or _safely(django_targets, candidate) or _safely(falcon_targets, candidate)
                   or (_safely(_route_list, routes, framework)
                       if isinstance(routes, list | tuple) else []))
        if targets:  # bodies from the schema the app builds, or its handlers' types
            document = app_document(candidate) or typed_document(candidate)
            return with_bodies(targets, document), f"{framework} routes"
        targets = _safely(openapi_targets, app_document(candidate), framework)
        if targets:
            return targets, f"{framework} openapi()"
    return [], ""


def _route_list(routes: Any, source: str) -> list[Target]:
    return list(walk_routes(routes, source))


def _safely(finder: Callable[..., list[Target]], *args: Any) -> list[Target]:
    """A finder's targets; none when the app's objects are not what the finder expects."""
    try:
        return finder(*args)
    except Exception:  # an exotic object behind a familiar attribute name: not routes
        return []


def _chain(app: object) -> Iterator[object]:
    """The app, then what it wraps (middleware ``.app``, ``.router``), breadth first."""
    seen: set[int] = set()
    queue = [app]
    while queue and len(seen) < 16:
        obj = queue.pop(0)
        if id(obj) in seen or obj is None or isinstance(obj, type):
            continue
        seen.add(id(obj))
        yield obj
        queue.extend(_attribute(obj, name) for name in _CHAIN_ATTRIBUTES)


def _attribute(obj: object, name: str) -> Any:
    try:
        return getattr(obj, name, None)
    except Exception:  # properties that raise are not routes
        return None


def _unique(targets: list[Target]) -> list[Target]:
    seen: set[tuple[str, str, str, bytes]] = set()
    unique = []
    for target in targets:
        key = (target.kind, target.method, target.path, target.query_string)
        if key not in seen:
            seen.add(key)
            unique.append(target)
    return unique
