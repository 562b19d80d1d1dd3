"""The driver: runs an ASGI app through scripted exchanges as a strict server, under a watchdog.

::

    from asgicheck.driver import http_scope, http_script, run

    transcript = run(app, http_script(http_scope("POST", "/echo", body=b"abcdef"),
                                      [b"abc", b"", b"def"]))
    print(transcript.render())

A ``Script`` (``_script``) is what the simulated client does; ``run``, ``run_many``,
``run_concurrently`` and ``Server`` (``_server``) play scripts against the app and return
``Transcript``s; ``resident`` (``_resident``) runs the caller's code (a Hypothesis run) in the
app's thread, where those entry points then need no hand-off; ``call_app_code`` (``_calls``)
runs app code that is no exchange (a route table) under the same watchdog. Inside:
``_connection`` is one exchange from the app's call to its end, ``_wire`` the receive() and
send() the app is given, ``_watchdog`` and ``_hosts`` the worker thread, its loop and the
heartbeat that enforces every deadline, ``_stopping`` what becomes of a thread an app wedged,
``_progress`` what the app has done so far (the gates steps wait on), ``_endings`` the findings
about how an app ended.
"""

from __future__ import annotations

from asgicheck.driver._calls import AppCodeFailed, call_app_code
from asgicheck.driver._resident import Evicted, Stranded, resident
from asgicheck.driver._script import (
    HTTP_EXTENSIONS,
    ClientDisconnected,
    Gate,
    Script,
    Step,
    http_scope,
    http_script,
    lifespan_scope,
    lifespan_script,
    websocket_scope,
    websocket_script,
)
from asgicheck.driver._server import Server, Startup, exchange, run, run_concurrently, run_many
from asgicheck.driver._watchdog import Runner
from asgicheck.transcript import Transcript

__all__ = [
    "HTTP_EXTENSIONS",
    "AppCodeFailed",
    "ClientDisconnected",
    "Evicted",
    "Gate",
    "Runner",
    "Script",
    "Server",
    "Startup",
    "Step",
    "Stranded",
    "Transcript",
    "call_app_code",
    "exchange",
    "http_scope",
    "http_script",
    "lifespan_scope",
    "lifespan_script",
    "resident",
    "run",
    "run_concurrently",
    "run_many",
    "websocket_scope",
    "websocket_script",
]
