"""Hypercorn as a live server: ``hypercorn.asyncio.serve`` on a pre-bound socket, in a thread.

Hypercorn's own defaults apply, except: the socket is the one live mode bound (handed over by
``create_sockets``), the error log goes to the ``hypercorn.error`` logger that live mode
captures (not to a stream handler Hypercorn would install), there is no access log, and the
lifespan and graceful-shutdown timeouts are bounded. ``shutdown_trigger`` is awaited only
once the server listens, so its first call is the "started" signal.
"""

from __future__ import annotations

import asyncio
import logging
import socket

from hypercorn.asyncio import serve
from hypercorn.config import Config, Sockets

from asgicheck.live._runner import LiveServer, run_loop

__all__ = ["Runner"]


class _Config(Config):
    """Hypercorn's config, serving on a socket bound beforehand."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock

    def create_sockets(self) -> Sockets:
        return Sockets(secure_sockets=[], insecure_sockets=[self._sock], quic_sockets=[])


class Runner(LiveServer):
    kind = "hypercorn"
    loggers = ("hypercorn.error", "asyncio")

    _stop: asyncio.Event | None = None

    def _serve(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        config = _Config(sock)
        config.errorlog = logging.getLogger("hypercorn.error")
        config.accesslog = None
        config.startup_timeout = self.startup_timeout
        config.shutdown_timeout = self.stop_timeout / 2
        config.graceful_timeout = min(1.0, self.stop_timeout / 2)

        async def shutdown_trigger() -> None:
            self._stop = asyncio.Event()
            self._started.set()
            await self._stop.wait()

        async def main() -> None:
            await serve(self.app, config, shutdown_trigger=shutdown_trigger)

        run_loop(lambda: self._track(main()))

    def _request_stop(self) -> None:
        loop, stop = self.loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:
                pass
        else:
            self._cancel_main()
