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

``--instructions [--counts 1000,6000] [--only ...]`` counts instead (bench/callgrind.py): each
app's uvicorn process runs under valgrind's callgrind (``PYTHONHASHSEED=0``) twice, loaded by
a small keep-alive client here (``load``: exactly N GETs over ``--connections`` connections,
one in flight on each, as wrk's; wrk itself runs for a time, not a count), and the difference
of the two totals over the difference of the requests is the server's instructions per
request, start-up and the connections' set-up cancelling out. It prints the raw app's over the
validated raw app's against the 0.90x target. Needs valgrind, not wrk.
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
def uvicorn_server(attribute: str, prefix: tuple[str, ...] = (), stderr: Any = None,
                   start_timeout: float = 15, stop_timeout: float = 10,
                   env: dict[str, str] | None = None) -> Iterator[tuple[int, int]]:
    """Start ``uvicorn bench_rps:<attribute>`` (after ``prefix``: valgrind); always stop it."""
    port = free_port()
    command = [*prefix,
        sys.executable, "-m", "uvicorn", f"bench_rps:{attribute}",
        "--app-dir", str(BENCH_DIR), "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning", "--workers", "1", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stderr=stderr, env=env)
    try:
        wait_until_listening(port, process, start_timeout)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=stop_timeout)
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


# -- --instructions ---------------------------------------------------------------------------
TARGET = 0.90  # the raw app's requests per second kept with validate() on


def responses(buffer: bytearray) -> list[int]:
    """The statuses of the complete HTTP/1.1 responses at the start of ``buffer``, removed from
    it (a response is complete with its ``content-length`` bytes of body)."""
    statuses = []
    while (end := buffer.find(b"\r\n\r\n")) >= 0:
        head = bytes(buffer[:end]).split(b"\r\n")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if len(buffer) < end + 4 + length:
            break
        statuses.append(int(head[0].split()[1]))
        del buffer[: end + 4 + length]
    return statuses


def load(port: int, connections: int, total: int, timeout: float) -> None:
    """Exactly ``total`` GET / over ``connections`` keep-alive connections, one in flight on
    each; every answer must be a 200 (a violation in raise mode is a 500)."""
    import selectors

    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    deadline = time.monotonic() + timeout
    sent = done = 0
    with selectors.DefaultSelector() as selector:
        sockets = [socket.create_connection(("127.0.0.1", port), timeout)
                   for _ in range(min(connections, total))]
        try:
            for sock in sockets:
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ, bytearray())
                sock.sendall(request)
                sent += 1
            while done < total:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{done} of {total} responses in {timeout:g} s")
                for key, _ in selector.select(1):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        raise RuntimeError(f"the server closed a connection after {done}")
                    buffer = key.data
                    buffer += data  # in place: the key is a namedtuple
                    for status in responses(buffer):
                        if status != 200:
                            raise RuntimeError(f"status {status} after {done} responses")
                        done += 1
                        if sent < total:
                            key.fileobj.setblocking(True)  # type: ignore[union-attr]
                            key.fileobj.sendall(request)  # type: ignore[union-attr]
                            key.fileobj.setblocking(False)  # type: ignore[union-attr]
                            sent += 1
        finally:
            for sock in sockets:
                sock.close()


def count_server(attribute: str, requests: int, connections: int,
                 timeout: float) -> int:
    """The uvicorn process's instructions for ``requests`` GETs, counted by callgrind."""
    import tempfile

    import callgrind

    with tempfile.TemporaryFile("w+") as errors:
        with uvicorn_server(attribute, tuple(callgrind.command([])), errors,
                            start_timeout=timeout, stop_timeout=timeout,
                            env=callgrind.environment()) as (port, _):
            load(port, connections, requests, timeout)
        errors.seek(0)
        text = errors.read()
    total = callgrind.collected(text)
    if total is None:
        raise RuntimeError(f"{attribute}: no callgrind total\n{text[-3000:]}")
    return total


def instructions(apps: dict[str, str], counts: tuple[int, int], connections: int,
                 rounds: int, timeout: float) -> None:
    import callgrind

    why = callgrind.missing()
    if why:
        sys.exit(why)
    sys.path.insert(0, str(ROOT))
    from asgicheck.validator import COMPILED  # the build the servers import from ROOT

    low, high = counts
    started = time.perf_counter()
    per: dict[str, list[float]] = {label: [] for label in apps}
    for round_number in range(1, rounds + 1):
        for label, attribute in apps.items():
            a, b = (count_server(attribute, n, connections, timeout) for n in counts)
            per[label].append(callgrind.per_unit((a, low), (b, high)))
            print(f"round {round_number}: {label:<14} {per[label][-1] / 1000:8.1f}k "
                  f"instructions/request", file=sys.stderr)
    print(f"\nPython {sys.version.split()[0]}, asgicheck {'compiled' if COMPILED else 'pure'} "
          f"build (asgicheck.validator.COMPILED = {COMPILED}); the uvicorn process's "
          f"instructions per request under callgrind: ({high:,} less {low:,} GETs over "
          f"{connections} keep-alive connections) / {high - low:,}, PYTHONHASHSEED=0; "
          f"{rounds} round(s), {rounds * len(apps) * 2} runs in "
          f"{time.perf_counter() - started:.0f} s\n")
    raw = min(per["raw ASGI"])
    for label in apps:
        low_k, high_k = min(per[label]) / 1000, max(per[label]) / 1000
        spread = f"{low_k:8.1f}k" if rounds == 1 else f"{low_k:8.1f}k-{high_k:.1f}k"
        extra = "" if label == "raw ASGI" else (
            f"  {(min(per[label]) - raw) / 1000:+7.1f}k over raw ({raw / min(per[label]):.2f}x)")
        print(f"{label:<14} {spread}{extra}")
    if "raw validated" in per:
        ratio = raw / min(per["raw validated"])
        print(f"\nraw / validated {ratio:.2f}x instructions per request (target >= {TARGET:.2f}x: "
              f"{'met' if ratio >= TARGET else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds (default: 4; 1 with --instructions)")
    parser.add_argument("--instructions", action="store_true",
                        help="count the server's instructions per request under callgrind")
    parser.add_argument("--counts", default="1000,6000",
                        help="--instructions: the two request counts (their difference counts)")
    parser.add_argument("--timeout", type=float, default=600, help="--instructions: the "
                        "longest a server may take to start, serve a count, or stop")
    parser.add_argument("--only", default="", help="comma-separated app labels, e.g. "
                        "'raw ASGI,raw validated' (default: all; 'raw ASGI' is always run)")
    options = parser.parse_args()
    chosen = {label.strip() for label in options.only.split(",") if label.strip()}
    unknown = chosen - set(APPS)
    if unknown:
        sys.exit(f"unknown app labels {sorted(unknown)}; choose from {sorted(APPS)}")
    apps = {label: attribute for label, attribute in APPS.items()
            if not chosen or label in chosen or label == "raw ASGI"}
    if options.instructions:
        if options.only == "":
            apps = {label: APPS[label] for label in ("raw ASGI", "raw validated")}
        import callgrind

        instructions(apps, callgrind.counts(options.counts), options.connections,
                     options.rounds or 1,
                     options.timeout)
        return
    options.rounds = options.rounds or 4
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
