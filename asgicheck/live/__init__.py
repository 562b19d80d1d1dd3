"""Live-server mode: run an ASGI app inside a real server and check it over real connections.

``--asgicheck-server=uvicorn`` (or ``hypercorn``) starts that server on 127.0.0.1, on a free
port, in a thread of the test process, serving the app with ``validate(app, mode="record")``
around it, and drives it with httpx and the ``websockets`` client. Two kinds of scenario come
out, with IDs such as ``live-uvicorn/http-get[GET /]``:

* **app** scenarios send the app's targets (plain request, HEAD, leaving mid-stream, chunked
  upload, websocket session, and the lifespan startup the server ran); findings are the
  validator's, by party;
* **server** scenarios (``live-uvicorn/server-*``) drive asgicheck's own probe app to judge
  the server on the rules only a real server can break (header order, keep-alive scopes,
  chunked decoding, what happens after a disconnect, websocket close codes and denial); their
  findings are the server's.

Each server kind is started once per app and reused by every scenario; ``close_live_servers()``
stops them all (the plugin calls it at the end of the session; it also runs at exit). Nothing
here imports a server until a scenario runs.

Public API: ``SERVERS`` (installed servers, found without importing them), ``resolve_server``
(check a name early), ``require_clients`` (the ``live`` extra: httpx and websockets, checked
early too), ``build_live_scenarios``, ``close_live_servers``, ``LiveServerError``,
``serve``/``LiveServer`` (a real server around any ASGI app) and ``live_threads``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from asgicheck.contract import BODY_METHODS, RunOptions, Scenario, Target
from asgicheck.live._registry import KNOWN, SERVERS, available, require_clients
from asgicheck.live._registry import resolve as resolve_server
from asgicheck.live._runner import HOST, LiveServer, LiveServerError, live_threads

__all__ = ["HOST", "KNOWN", "SERVERS", "LiveServer", "LiveServerError", "available",
           "build_live_scenarios", "close_live_servers", "live_threads", "require_clients",
           "resolve_server", "serve"]


def build_live_scenarios(app: object, server: str, targets: list[Target],
                         options: RunOptions) -> list[Scenario]:
    """Every live scenario for ``app`` under ``server``, in a stable order with unique IDs.

    Raises ``LiveServerError`` at once for an unknown or uninstalled server; the server itself
    starts when the first scenario runs (a failed start raises ``LiveServerError`` from
    ``Scenario.run``, the same error for every scenario of that server). ``app`` is what the
    scenarios will be run with; ``options`` is accepted for symmetry with ``build_scenarios``.
    """
    kind = resolve_server(server)
    require_clients()  # before the scenario modules import them
    from asgicheck.live import _app_checks, _server_http, _server_ws

    unique: dict[tuple[str, str], Target] = {}
    for target in targets:
        unique.setdefault((target.kind, target.label), target)
    chosen = list(unique.values()) or [Target()]
    found: list[Scenario] = [_app_checks.LifespanStartup(kind)]
    for target in chosen:
        if target.kind == "websocket":
            found.append(_app_checks.WebSocketSession(kind, target))
            continue
        found.append(_app_checks.HttpRequest(kind, target))
        if target.method.upper() == "GET":
            found.append(_app_checks.HeadRequest(kind, target))
            found.append(_app_checks.MidStreamDisconnect(kind, target))
        if target.method.upper() in BODY_METHODS:
            found.append(_app_checks.ChunkedUpload(kind, target))
    found += [check(kind) for check in (*_server_http.SCENARIOS, *_server_ws.SCENARIOS)]
    return found


def close_live_servers() -> None:
    """Stop every server the live scenarios started; LiveServerError if one would not stop.

    Nothing to stop when no scenario ever hosted a server (the hosting module, and the client
    libraries it needs, were never imported)."""
    hosting = sys.modules.get("asgicheck.live._hosting")
    if hosting is not None:
        hosting.close_all()


def serve(app: Callable[..., Any], server: str = "uvicorn", *, port: int = 0,
          startup_timeout: float = 5.0, stop_timeout: float = 5.0) -> LiveServer:
    """A ``LiveServer`` for ``app`` (not started): use it as a context manager::

        with asgicheck.live.serve(app, "hypercorn") as live:
            httpx.get(live.url + "/")
    """
    from asgicheck.live._registry import runner_class

    return runner_class(server)(app, port=port, startup_timeout=startup_timeout,
                                stop_timeout=stop_timeout)
