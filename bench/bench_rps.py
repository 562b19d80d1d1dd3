"""Requests per second for a hello-world route under uvicorn, loaded with wrk.

Run: ``python bench/bench_rps.py [--duration 5] [--connections 32] [--rounds 4]
[--only 'raw ASGI,raw validated']``.
Not a test; it prints a table. Needs ``wrk`` (``apt-get install -y wrk``).

Four apps answer ``GET /`` with ``Hello, world!`` as text/plain: reference_app, Starlette,
FastAPI, and a raw ASGI function (the ceiling: two ``send`` calls and nothing else). Two more
rows are the raw function and reference_app wrapped in ``asgicheck.validate()`` (raise mode, so
a violation would turn into a 500 and stop the run): what leaving the validator on costs under a
real server, next to the same app without it. Each runs in its own uvicorn process (one worker,
127.0.0.1, a free port, ``--log-level warning``), is warmed up for a second, then loaded by
``wrk -t1``. With ``--rounds`` > 1 the apps are measured
in turn again and each keeps its best figure, which evens out noise from the machine (on a
shared, busy machine use more, shorter rounds, e.g. ``--duration 3 --rounds 6``).

Besides wall-clock req/s, the script reads the server process's CPU time (/proc) before and
after the run and reports CPU microseconds per request, a figure less sensitive than req/s to
other load on a shared machine (though not immune to it). Every server started here is stopped
before the script exits, also on errors and Ctrl+C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HELLO = b"Hello, world!"


# -- the four apps (uvicorn imports them from this module) ----------------------------------
async def raw_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"13")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": HELLO})


def _reference_app() -> Any:
    sys.path.insert(0, str(ROOT))
    from reference_app import App, PlainTextResponse, Request, Response

    app = App()

    @app.get("/")
    async def hello(request: Request[Any, Any]) -> Response:
        return PlainTextResponse(HELLO)

    return app


def _starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def hello(request: Any) -> Any:
        return PlainTextResponse(HELLO)

    return Starlette(routes=[Route("/", hello)])


def _fastapi_app() -> Any:
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse

    app = FastAPI()

    @app.get("/", response_class=PlainTextResponse)
    async def hello() -> Any:
        return PlainTextResponse(HELLO)

    return app


def _validated(app: Any) -> Any:
    sys.path.insert(0, str(ROOT))
    from asgicheck import validate

    return validate(app)


APPS = {
    "raw ASGI": "raw_app",
    "raw validated": "validated_raw_app",
    "reference_app": "reference_app",
    "ref. validated": "validated_reference_app",
    "starlette": "starlette_app",
    "fastapi": "fastapi_app",
}


def __getattr__(name: str) -> Any:  # built lazily, so each server imports only its own app
    builders = {
        "reference_app": _reference_app,
        "starlette_app": _starlette_app,
        "fastapi_app": _fastapi_app,
        "validated_raw_app": lambda: _validated(raw_app),
        "validated_reference_app": lambda: _validated(_reference_app()),
    }
    if name in builders:
        return builders[name]()
    raise AttributeError(name)


# -- running servers and wrk -----------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited early with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"uvicorn did not start listening on port {port}")


@contextlib.contextmanager
def uvicorn_server(attribute: str) -> Iterator[tuple[int, int]]:
    """Start ``uvicorn bench_rps:<attribute>``; always stop it again."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", f"bench_rps:{attribute}",
        "--app-dir", str(BENCH_DIR), "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning", "--workers", "1", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT)
    try:
        wait_until_listening(port, process)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_wrk(port: int, duration: float, connections: int) -> tuple[float, int]:
    """Run wrk; return (requests per second, number of requests)."""
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency",
        f"http://127.0.0.1:{port}/",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    count = re.search(r"(\d+) requests in", output)
    if rate is None or count is None:
        raise RuntimeError(f"could not read wrk output:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{errors.group(1)} error responses:\n{output}")
    return float(rate.group(1)), int(count.group(1))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by process ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(attribute: str, duration: float, connections: int) -> tuple[float, float]:
    """(req/s by the wall clock, server CPU microseconds per request)."""
    with uvicorn_server(attribute) as (port, pid):
        run_wrk(port, 1, connections)  # warm-up
        cpu_before = cpu_seconds(pid)
        rate, count = run_wrk(port, duration, connections)
        cpu_used = cpu_seconds(pid) - cpu_before
        return rate, cpu_used / max(count, 1) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--only", default="", help="comma-separated app labels, e.g. "
                        "'raw ASGI,raw validated' (default: all; 'raw ASGI' is always run)")
    options = parser.parse_args()
    chosen = {label.strip() for label in options.only.split(",") if label.strip()}
    unknown = chosen - set(APPS)
    if unknown:
        sys.exit(f"unknown app labels {sorted(unknown)}; choose from {sorted(APPS)}")
    apps = {label: attribute for label, attribute in APPS.items()
            if not chosen or label in chosen or label == "raw ASGI"}
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    best_rate: dict[str, float] = {}
    best_cpu: dict[str, float] = {}
    for round_number in range(1, options.rounds + 1):
        for label, attribute in apps.items():
            rate, cpu = measure(attribute, options.duration, options.connections)
            best_rate[label] = max(best_rate.get(label, 0.0), rate)
            best_cpu[label] = min(best_cpu.get(label, float("inf")), cpu)
            print(f"round {round_number}: {label:<14} {rate:>8,.0f} req/s {cpu:>7.1f} us CPU/req")
    raw_rate, raw_cpu = best_rate["raw ASGI"], best_cpu["raw ASGI"]
    print(f"\nwrk -t1 -c{options.connections} -d{options.duration:g}s, best of {options.rounds}")
    print("CPU/req is the uvicorn process's CPU time per request (less sensitive to other load);")
    print("req/s per core = 1e6 / CPU/req is what one fully available core would serve.\n")
    columns = [("req/s", 8), ("vs raw", 6), ("CPU/req", 9), ("req/s/core", 10), ("vs raw", 6)]
    header = f"{'app':<14} | " + " | ".join(f"{name:>{width}}" for name, width in columns)
    print(header)
    print("-" * len(header))
    for label in apps:
        rate, cpu = best_rate[label], best_cpu[label]
        print(
            f"{label:<14} | {rate:>8,.0f} | {rate / raw_rate:>5.2f}x | {cpu:>6.1f} us | "
            f"{1e6 / cpu:>10,.0f} | {raw_cpu / cpu:>5.2f}x"
        )


if __name__ == "__main__":
    main()
