"""The framework's own documentation routes: left out of the discovered targets.

FastAPI serves its schema and the Swagger and ReDoc pages (``openapi_url``, ``docs_url``,
``redoc_url``, ``swagger_ui_oauth2_redirect_url``); Litestar serves a dozen routes under
``openapi_config.path`` (default ``/schema``: ``/schema/swagger``, ``/schema/{path:str}``,
...). They are
the framework's code, not the app's, and they would take most of the ``max_targets`` cap and
the run's time. Declared targets are never left out: declare one to check it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from asgicheck.contract import Target

__all__ = ["Documentation", "documentation"]

_FASTAPI = ("openapi_url", "docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url")


@dataclass(frozen=True, slots=True)
class Documentation:
    paths: frozenset[str]  # served exactly there
    trees: frozenset[str]  # served there and below

    def covers(self, target: Target) -> bool:
        path = target.template or target.path
        return target.kind == "http" and (path in self.paths or any(
            path == tree or path.startswith(tree.rstrip("/") + "/") for tree in self.trees))


def documentation(apps: Iterable[object]) -> Documentation:
    """The documentation routes of ``apps`` (the app and what it wraps), read from their
    settings: a route of the app's own at ``/docs`` stays a target."""
    paths: set[str] = set()
    trees: set[str] = set()
    for app in apps:
        for name in _FASTAPI:
            value = _attribute(app, name)
            if isinstance(value, str) and value.startswith("/"):
                paths.add(value)
        config = _attribute(app, "openapi_config")
        if config is not None:  # Litestar: its path, its router's or controller's, or /schema
            tree = _attribute(config, "path") or _attribute(
                _attribute(config, "openapi_router"), "path") or _attribute(
                _attribute(config, "openapi_controller"), "path") or "/schema"
            if isinstance(tree, str) and tree.startswith("/"):
                trees.add(tree)
    return Documentation(frozenset(paths), frozenset(trees))


def _attribute(obj: object, name: str) -> object:
    try:
        return getattr(obj, name, None)
    except Exception:  # properties that raise are not settings
        return None
