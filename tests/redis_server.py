"""A real Redis server for the tests that share an example database: Debian's ``redis-server``
on a free loopback port, without persistence, stopped (and waited for) at the end.

``redis_server(directory)`` skips the test, naming the package, only when ``redis-server`` is not
installed (``.ci/run`` installs it, so in CI these tests run). Readiness is the server's own
"Ready to accept connections" line on its output, read under a deadline: no sleeping.
"""

from __future__ import annotations

import selectors
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server")
START_TIMEOUT = 10.0
_READY = b"Ready to accept connections"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """A running server; yields its URL (``redis://127.0.0.1:PORT/0``)."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run "
                    "installs it)")
    directory.mkdir(parents=True, exist_ok=True)
    for _ in range(3):  # another process may take the free port before the server binds it
        port = free_port()
        process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(directory), "--loglevel", "notice"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            output = _wait_until_ready(process)
            if output is None:
                yield f"redis://127.0.0.1:{port}/0"
                return
        finally:
            stop(process)
        if b"Address already in use" not in output:
            raise RuntimeError(f"redis-server did not start:\n{output.decode(errors='replace')}")
    raise RuntimeError("redis-server found no free port in three tries")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


def _wait_until_ready(process: subprocess.Popen[bytes]) -> bytes | None:
    """None once the server says it is ready; its output if it exits (or stays silent)."""
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + START_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(timeout=left):
                break
            chunk = process.stdout.read1(4096)
            if not chunk:  # the server exited
                return seen
            seen += chunk
            if _READY in seen:
                return None
    return seen + b"\n(no 'Ready to accept connections' within the deadline)"
