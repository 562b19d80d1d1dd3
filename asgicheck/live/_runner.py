"""``LiveServer``: one real ASGI server serving one app on 127.0.0.1, in a daemon thread.

The socket is bound here, before the server starts, so the port is known at once and a port
that is taken fails with a clear message. The server runs on its own event loop in a thread
named ``asgicheck-live-<kind>-<port>``; ``start()`` waits (bounded) until it listens, and
``stop()`` asks it to exit, joins with a timeout, and cancels its main task if it will not go.
Use it as a context manager so the server stops even when the test fails::

    with Runner(app) as server:
        httpx.get(server.url + "/")

Subclasses (one module per server kind) implement ``_serve`` (build the server, run it on
``run_loop``, call ``self._started.set()`` once it listens) and ``_request_stop``.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, ClassVar

from asgicheck.live._logs import LogCapture

__all__ = ["HOST", "LiveServer", "LiveServerError", "bind_socket", "live_threads", "run_loop"]

HOST = "127.0.0.1"  # live mode never listens on, or connects to, anything else
THREAD_PREFIX = "asgicheck-live-"


class LiveServerError(Exception):
    """A live server could not be used: unknown, not installed, or it failed to start or stop.

    The message says what happened and, for a failed start, ends with the server's log tail.
    """


def live_threads() -> list[threading.Thread]:
    """Server threads of live mode that are still alive (there should be none after a run)."""
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX) and t.is_alive()]


def bind_socket(port: int = 0) -> socket.socket:
    """A listening TCP socket on 127.0.0.1 (port 0: a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        hint = " (the port is in use)" if exc.errno in (48, 98, 10048) else ""
        raise LiveServerError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}{hint}"
                              ) from None
    sock.set_inheritable(True)
    return sock


def run_loop(main: Callable[[], Coroutine[Any, Any, None]],
             loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None) -> None:
    """Run ``main()`` on a new event loop in this thread, then close the loop cleanly (what
    ``asyncio.run`` does, with a loop factory on Python 3.10 too)."""
    loop = loop_factory() if loop_factory is not None else asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main())
    finally:
        try:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


class LiveServer:
    """A real server of kind ``kind`` serving ``app`` on 127.0.0.1 until ``stop()``."""

    kind: ClassVar[str] = "?"
    loggers: ClassVar[tuple[str, ...]] = ()  # the server's own loggers, captured while it runs

    def __init__(self, app: Callable[..., Any], *, port: int = 0, startup_timeout: float = 5.0,
                 stop_timeout: float = 5.0) -> None:
        self.app = app
        self.requested_port = port
        self.port = port
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.thread: threading.Thread | None = None
        self.logs = LogCapture("", self.loggers)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._sock: socket.socket | None = None
        self._main_task: asyncio.Task[Any] | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._started.is_set() and self.thread is not None and self.thread.is_alive()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<{type(self).__name__} {self.kind} {HOST}:{self.port} {state}>"

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Bind, start the server thread and wait until it listens; LiveServerError if not."""
        if self.thread is not None:
            raise LiveServerError(f"{self!r} was already started")
        self._sock = bind_socket(self.requested_port)
        self.port = self._sock.getsockname()[1]
        name = f"{THREAD_PREFIX}{self.kind}-{self.port}"
        self.logs = LogCapture(name, self.loggers)
        self.logs.attach()
        self.thread = threading.Thread(target=self._thread_main, name=name, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + self.startup_timeout
        while not self._started.wait(0.02):  # bounded polling: started, died, or out of time
            if not self.thread.is_alive() or time.monotonic() >= deadline:
                break
        if self._started.is_set() and self.thread.is_alive():
            return
        error = self.failure("failed to start")
        self.stop()
        raise error

    def failure(self, what: str) -> LiveServerError:
        """An error saying the server ``what`` (e.g. "failed to start"), why, and its log."""
        return LiveServerError(f"{self.kind} {what} on {HOST}:{self.port}: {self._failure()}\n"
                               f"--- {self.kind} log (last lines) ---\n{self.logs.tail()}")

    def _failure(self) -> str:
        error = self._error
        if isinstance(error, SystemExit):
            return f"it exited with status {error.code!r} (e.g. the app sent " \
                   f"lifespan.startup.failed, or could not be loaded)"
        if error is not None:
            return f"{type(error).__name__}: {error}"
        if self._started.is_set():
            return "its thread ended without an error (was it stopped?)"
        return f"it did not start listening within {self.startup_timeout:g} s (does the app " \
               f"answer lifespan.startup?)"

    def stop(self) -> None:
        """Ask the server to exit, wait for its thread (bounded), release the socket."""
        thread = self.thread
        try:
            if thread is not None and thread.is_alive():
                if self._started.is_set():  # a graceful exit first, as on Ctrl+C
                    self._request_stop()
                    thread.join(self.stop_timeout)
                if thread.is_alive():  # stuck (e.g. in lifespan startup): cancel it
                    self._cancel_main()
                    thread.join(self.stop_timeout)
        finally:
            self.logs.detach()
            if self._sock is not None:
                self._sock.close()
        if thread is not None and thread.is_alive():
            raise LiveServerError(f"{self.kind} on {HOST}:{self.port} did not stop within "
                                  f"{2 * self.stop_timeout:g} s")

    def barrier(self, timeout: float = 1.0) -> bool:
        """Wait until the server's loop has run everything scheduled so far (e.g. the log
        line a server writes right after an app call ends). False if it did not in time."""
        loop = self.loop
        if loop is None or loop.is_closed() or not self.running:
            return False
        for _ in range(2):  # two turns: a callback scheduled now runs after the current one
            reached = threading.Event()
            try:
                loop.call_soon_threadsafe(reached.set)
            except RuntimeError:  # the loop closed meanwhile
                return False
            if not reached.wait(timeout):
                return False
        return True

    # -- the server thread ----------------------------------------------------------------------

    def _thread_main(self) -> None:
        assert self._sock is not None
        try:
            self._serve(self._sock)
        except BaseException as exc:  # noqa: B036 - SystemExit from a server's sys.exit()
            self._error = exc
        finally:
            self.loop = None

    async def _track(self, main: Coroutine[Any, Any, None]) -> None:
        """Run the server's main coroutine as a task this object can cancel."""
        self.loop = asyncio.get_running_loop()
        self._main_task = asyncio.ensure_future(main)
        await self._main_task

    def _cancel_main(self) -> None:
        loop, task = self.loop, self._main_task
        if loop is not None and task is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:
                pass

    def _serve(self, sock: socket.socket) -> None:
        raise NotImplementedError

    def _request_stop(self) -> None:
        raise NotImplementedError
