"""Reading the scope defensively: every optional key, with the default the spec gives it.

A server may leave out any key the spec marks "Optional", and may set ``client`` or ``server`` to
``None`` (a unix socket has no port). Code that does ``scope["client"][0]`` works under one
server and crashes under another (bug class N in the bug list). Keeping these reads in one
place means the rest of the framework never indexes an optional key directly.
"""

from __future__ import annotations

from typing import Any

from reference_app.types import Scope

__all__ = ["client", "extensions", "route_path", "server", "spec_version"]


def spec_version(scope: Scope) -> tuple[int, int]:
    """``asgi["spec_version"]`` as ``(major, minor)``; missing means ``"2.0"`` (www.rst).

    Features depend on it: WebSocket accept ``headers`` need 2.1, close ``reason`` 2.3, and
    only from 2.4 on does ``send()`` raise once the client has gone.
    """
    asgi = scope.get("asgi") or {}
    version = asgi.get("spec_version") or "2.0"
    try:
        major, minor = str(version).split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return (2, 0)


def extensions(scope: Scope) -> dict[str, Any]:
    """``scope["extensions"]``: missing, None and ``{}`` all mean "no extensions"."""
    return scope.get("extensions") or {}


def route_path(scope: Scope) -> str:
    """The part of ``path`` the app routes on: ``path`` minus ``root_path``.

    The spec says ``path`` *includes* ``root_path`` (root_path is WSGI's SCRIPT_NAME, and
    "PATH_INFO can be derived by stripping root_path from path"), so an app mounted at ``/mnt``
    sees ``path="/mnt/items"`` and must route on ``/items``. Some older servers pass the path
    without the prefix; then it does not start with root_path and is used as it is.
    """
    path: str = scope.get("path") or "/"
    root = (scope.get("root_path") or "").rstrip("/")
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root) :] or "/"
    return path


def client(scope: Scope) -> tuple[str, int] | None:
    """``(host, port)`` of the remote end, or None when the server does not know it."""
    value = scope.get("client")
    return (value[0], value[1]) if value else None


def server(scope: Scope) -> tuple[str, int | None] | None:
    """``(host, port)`` or ``(unix_socket_path, None)`` (spec 2.2), or None."""
    value = scope.get("server")
    return (value[0], value[1]) if value else None
