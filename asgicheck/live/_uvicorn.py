"""uvicorn as a live server: ``uvicorn.Server`` on a pre-bound socket, in a thread.

Configured as ``uvicorn app`` runs by default (lifespan "auto", the protocol implementations
"auto" picks), except that uvicorn's logging setup is left alone (``log_config=None`` and no
``log_level``: live mode captures the ``uvicorn.error`` records instead) and the access log is
off. uvicorn empties the ``uvicorn.access`` logger for that; its handlers come back when the
last live uvicorn stops. Graceful shutdown is bounded so a stuck connection cannot hold a run.
"""

from __future__ import annotations

import logging
import socket
import threading

import uvicorn

from asgicheck.live._runner import LiveServer, run_loop

__all__ = ["Runner"]

_access = logging.getLogger("uvicorn.access")
_access_lock = threading.Lock()
_access_users = 0
_access_saved: tuple[list[logging.Handler], bool] = ([], True)


def _hold_access_logger() -> None:
    global _access_users, _access_saved
    with _access_lock:
        if _access_users == 0:
            _access_saved = (list(_access.handlers), _access.propagate)
        _access_users += 1


def _release_access_logger() -> None:
    global _access_users
    with _access_lock:
        _access_users -= 1
        if _access_users == 0:
            _access.handlers, _access.propagate = list(_access_saved[0]), _access_saved[1]


class _Server(uvicorn.Server):
    """uvicorn's server, saying when it listens (``started`` is only a flag upstream)."""

    def __init__(self, config: uvicorn.Config, listening: threading.Event) -> None:
        super().__init__(config)
        self._listening = listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._listening.set()


class Runner(LiveServer):
    kind = "uvicorn"
    loggers = ("uvicorn", "uvicorn.error", "uvicorn.asgi", "asyncio")

    _server: _Server | None = None
    _holds_access = False

    def start(self) -> None:
        _hold_access_logger()
        self._holds_access = True
        try:
            super().start()
        except BaseException:
            self._release()
            raise

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            self._release()

    def _release(self) -> None:
        if self._holds_access:
            self._holds_access = False
            _release_access_logger()

    def _serve(self, sock: socket.socket) -> None:
        config = uvicorn.Config(
            self.app, lifespan="auto", log_config=None, access_log=False,
            timeout_graceful_shutdown=1)
        server = self._server = _Server(config, self._started)
        run_loop(lambda: self._track(server.serve(sockets=[sock])), config.get_loop_factory())

    def _request_stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
