"""How fast is a trivial exchange through asgicheck's driver, next to the usual test clients?

    python bench/bench_driver.py [--seconds 0.5] [--rounds 5] [--no-scenarios]

One run measures, interleaved round by round (the best round counts, so a busy machine hurts
every contender alike), exchanges per second on the same trivial app for:

  (a)  asgicheck.driver.run(app, script): validator on, hard deadline, worker thread
  (a') the same, building a fresh scope and script per exchange (as fuzzing does)
  (a'') asgicheck.driver.run_many(app, scripts): a batch of 100 per hand-off
  (b)  asgiref.testing.ApplicationCommunicator, inside one running event loop (validates
       nothing; its best case)
  (b') ApplicationCommunicator the way a synchronous test uses it: asyncio.run per exchange
  (c)  httpx.AsyncClient(transport=httpx.ASGITransport(app)), inside one running loop
  (d)  starlette.testclient.TestClient(app).get("/")

and prints a table with each one's ratio to (a). Targets, for the driver's exchanges per second:
faster than (b), >= 5x (c), >= 100x (d). They are judged for both ways of driving it: (a''), its
throughput, and (a), one call per exchange, which also pays a round trip to the app's thread
(about 45 µs on a 2-core VM, where waking a thread is slow; see the hand-off line below).
Then where (a)'s time goes: the thread hand-off, the validator, a whole exchange in a batch, and
the driver and the app alone (a validator that judges nothing), per call and in a batch.
Wall-clock figures on a shared VM swing by 2x between runs (the hand-off most of all); for
comparisons that must hold, count instructions, which callgrind gives exactly: ``--only KEY
--exchanges N`` runs just one contender or part (KEY from the tables: a, a'', b, c, d,
handoff, validator, a-alone, a''-alone), N exchanges after a warm-up, and prints nothing::

    PY=$(python -c 'import sys; print(sys.executable)')  # not a pyenv shim
    valgrind --tool=callgrind --callgrind-out-file=/dev/null $PY bench/bench_driver.py \
        --only a --exchanges 300     # then 1300: (difference) / 1000 per exchange

(Counts for contenders that hand off between threads vary by about 0.5k from run to run: how
often the GIL changes hands under valgrind depends on timing.)
Then it times the whole default conformance run on reference_app.demo:app, if that imports:
discovery, the fixed scenarios and the fuzzing properties, everything the plugin collects by
default, in one process.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from asgicheck.driver import http_scope, http_script, run, run_many  # noqa: E402


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await receive()
    await send({"type": "http.response.start", "status": 200,
                "headers": [[b"content-type", b"text/plain"], [b"content-length", b"2"]]})
    await send({"type": "http.response.body", "body": b"ok"})


SCRIPT = http_script(http_scope())
REQUEST = {"type": "http.request", "body": b"", "more_body": False}


def driver(n: int) -> None:
    for _ in range(n):
        run(app, SCRIPT)


def driver_fresh(n: int) -> None:
    for _ in range(n):
        run(app, http_script(http_scope("GET", "/")))


def driver_batch(n: int) -> None:
    for start in range(0, n, 100):
        run_many(app, [SCRIPT] * min(100, n - start))


def communicator_in_loop(n: int) -> None:
    from asgiref.testing import ApplicationCommunicator

    async def main() -> None:
        for _ in range(n):
            comm = ApplicationCommunicator(app, SCRIPT.scope)  # type: ignore[no-untyped-call]
            await comm.send_input(REQUEST)  # type: ignore[no-untyped-call]
            await comm.receive_output()  # type: ignore[no-untyped-call]
            await comm.receive_output()  # type: ignore[no-untyped-call]
            await comm.wait()  # type: ignore[no-untyped-call]
    asyncio.run(main())


def communicator_sync(n: int) -> None:
    from asgiref.testing import ApplicationCommunicator

    async def one() -> None:
        comm = ApplicationCommunicator(app, SCRIPT.scope)  # type: ignore[no-untyped-call]
        await comm.send_input(REQUEST)  # type: ignore[no-untyped-call]
        await comm.receive_output()  # type: ignore[no-untyped-call]
        await comm.receive_output()  # type: ignore[no-untyped-call]
        await comm.wait()  # type: ignore[no-untyped-call]
    for _ in range(n):
        asyncio.run(one())


def httpx_transport(n: int) -> None:
    import httpx

    async def main() -> None:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            for _ in range(n):
                await c.get("/")
    asyncio.run(main())


def starlette_testclient(n: int) -> None:
    from starlette.testclient import TestClient

    client = TestClient(app)  # type: ignore[arg-type]
    for _ in range(n):
        client.get("/")


CONTENDERS: list[tuple[str, str, Callable[[int], None]]] = [
    ("a", "asgicheck driver.run (validator + deadline)", driver),
    ("a'", "asgicheck driver.run, fresh script each time", driver_fresh),
    ("a''", "asgicheck driver.run_many, batches of 100", driver_batch),
    ("b", "asgiref ApplicationCommunicator, one loop", communicator_in_loop),
    ("b'", "asgiref ApplicationCommunicator, asyncio.run each", communicator_sync),
    ("c", "httpx.AsyncClient + ASGITransport", httpx_transport),
    ("d", "starlette TestClient", starlette_testclient),
]


def rate(fn: Callable[[int], None], seconds: float) -> tuple[float, float]:
    """(exchanges per wall-clock second, per CPU second of the whole process): calibrate a
    batch size, then time one batch of about ``seconds``. CPU time counts every thread (the
    driver's app thread, TestClient's portal) and is what a busy machine distorts least."""
    n = 1
    while True:
        started = time.perf_counter()
        fn(n)
        elapsed = time.perf_counter() - started
        if elapsed > seconds / 4 or n >= 1_000_000:
            break
        n *= 4
    n = max(1, int(n * seconds / max(elapsed, 1e-9)))
    started, cpu = time.perf_counter(), time.process_time()
    fn(n)
    return n / (time.perf_counter() - started), n / max(time.process_time() - cpu, 1e-9)


def exchanges(seconds: float, rounds: int) -> dict[str, tuple[float, float]]:
    best: dict[str, tuple[float, float]] = {}
    for number in range(rounds):
        for key, _, fn in CONTENDERS:
            try:
                wall, cpu = rate(fn, seconds)
            except ImportError as exc:
                print(f"  ({key}) skipped: {exc}")
                wall = cpu = float("nan")
            old = best.get(key, (0.0, 0.0))
            best[key] = (max(old[0], wall), max(old[1], cpu))
        print(f"  round {number + 1}/{rounds} done", file=sys.stderr)
    return best


def table(best: dict[str, tuple[float, float]]) -> None:
    base_wall, base_cpu = best["a"]
    print(f"\n{'':5} {'contender':50} {'exch/s':>8} {'µs':>7} {'(a) is':>7}   "
          f"{'CPU µs':>7} {'(a) is':>7}")
    for key, label, _ in CONTENDERS:
        wall, cpu = best[key]
        print(f"({key}){'':{3 - len(key)}} {label:50} {wall:8.0f} {1e6 / wall:7.1f} "
              f"{base_wall / wall:6.1f}x   {1e6 / cpu:7.1f} {base_cpu / cpu:6.1f}x")
    batch, single = "batch (a'')", "one call each (a)"
    print(f"\n  {'target':20} {batch:^36} {single:^36}")
    for name, other, factor in (("faster than (b)", "b", 1.0), (">= 5x (c)", "c", 5.0),
                                (">= 100x (d)", "d", 100.0)):
        verdicts = []
        for mine in ("a''", "a"):
            wall, cpu = (best[mine][side] / best[other][side] for side in (0, 1))
            verdicts.append(f"{_verdict(wall, factor)} wall, {_verdict(cpu, factor)} CPU")
        print(f"  {name:20} {verdicts[0]:^36} {verdicts[1]:^36}")


def _verdict(ratio: float, factor: float) -> str:
    return f"{ratio:.1f}x {'met' if ratio >= factor else 'NOT met'}"


def handoff(n: int) -> None:
    from asgicheck.driver._watchdog import shared_runner

    runner = shared_runner()
    for _ in range(n):
        runner.call(_nothing, 5)


START = {"type": "http.response.start", "status": 200,
         "headers": [[b"content-type", b"text/plain"], [b"content-length", b"2"]]}
BODY = {"type": "http.response.body", "body": b"ok"}


def validator(n: int) -> None:
    from asgicheck.validator import Validator

    for _ in range(n):
        v = Validator(dict(SCRIPT.scope))
        v.app_received(dict(REQUEST))
        v.app_sent(dict(START))
        v.app_sent(dict(BODY))
        v.app_returned(None)


def _alone(fn: Callable[[int], None]) -> Callable[[int], None]:
    """``fn`` with a validator that judges nothing: what is left is the driver and the app."""
    def without_validator(n: int) -> None:
        from asgicheck.driver import _connection

        real = _connection.Validator  # type: ignore[attr-defined]
        _connection.Validator = _NoValidator  # type: ignore[attr-defined,assignment]
        try:
            fn(n)
        finally:
            _connection.Validator = real  # type: ignore[attr-defined]
    return without_validator


PARTS: list[tuple[str, str, Callable[[int], None]]] = [
    ("handoff", "thread hand-off (an empty job)", handoff),
    ("validator", "the validator's calls for one exchange", validator),
    ("a''", "a whole exchange inside the loop (run_many)", driver_batch),
    ("a''-alone", "... of it, the driver and the app (no validator)", _alone(driver_batch)),
    ("a-alone", "driver.run, the driver and the app (no validator)", _alone(driver)),
]


def breakdown(seconds: float) -> None:
    """Where a trivial exchange's time goes: the thread hand-off, the validator, the rest."""
    print("\nwhere the time of (a) goes (best of 3, µs per exchange; (a) is about the hand-off "
          "plus a whole exchange):")
    for _, label, fn in PARTS:
        best = min(1e6 / rate(fn, seconds)[0] for _ in range(3))
        print(f"  {label:50} {best:7.1f}")


def _nothing(ticket: Any) -> None:
    pass


class _NoValidator:
    """A validator that judges nothing: what is left is the driver's own cost."""

    violations: list[Any] = []

    def __init__(self, scope: Any, *, selection: Any = None) -> None:
        pass

    def app_received(self, event: Any) -> list[Any]:
        return []

    def app_sent(self, message: Any) -> list[Any]:
        return []

    def send_failed(self, exc: Any) -> None:
        pass

    def app_returned(self, result: Any) -> list[Any]:
        return []

    def app_raised(self, exc: Any) -> list[Any]:
        return []


def conformance_run() -> None:
    try:
        module = importlib.import_module("reference_app.demo")
    except ImportError as exc:
        print(f"\nreference_app.demo does not import ({exc}); no conformance timing")
        return
    from asgicheck.contract import RunOptions
    from asgicheck.discovery import discover
    from asgicheck.fuzzing import FuzzSettings, build_property_scenarios
    from asgicheck.scenarios import build_scenarios, close_sessions, closing_last

    target_app = module.app
    options = RunOptions()
    # What `pytest --asgicheck=reference_app.demo:app` collects by default: the fixed scenarios
    # and the fuzzing properties (their default budget; no example database written here).
    fuzz = FuzzSettings(database=None, app_spec="reference_app.demo:app")
    logging.disable(logging.CRITICAL)  # L02's expected startup failure logs a traceback
    try:
        started = time.perf_counter()
        targets = list(discover(target_app, target_app).targets)
        scenarios = closing_last([*build_scenarios(targets, options),
                                  *build_property_scenarios(targets, options, settings=fuzz)])
        outcomes = [s.run(target_app, options) for s in scenarios]
        close_sessions()
        elapsed = time.perf_counter() - started
    finally:
        logging.disable(logging.NOTSET)
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    slowest = sorted(outcomes, key=lambda o: o.duration)[-3:]
    print(f"\nconformance run on reference_app.demo:app: {len(targets)} targets, "
          f"{len(scenarios)} scenarios in {elapsed:.2f} s (one process) {counts}")
    print("  slowest: " + ", ".join(f"{o.scenario_id} {o.duration:.2f} s" for o in slowest))
    print(f"  ({sum(o.duration for o in outcomes):.2f} s of it in scenarios; the hold-back "
          f"delays of S09/W06 are {options.hold_back:g} s each)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-scenarios", action="store_true")
    parser.add_argument("--only", metavar="KEY", help="run only this contender or part "
                        "(for callgrind), --exchanges times, and print nothing")
    parser.add_argument("--exchanges", type=int, default=1000)
    args = parser.parse_args()
    if args.only:
        fn = {key: fn for key, _, fn in CONTENDERS + PARTS}[args.only]
        fn(50)  # imports, caches, the runner's thread
        fn(args.exchanges)
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    table(exchanges(args.seconds, args.rounds))
    breakdown(args.seconds)
    if not args.no_scenarios:
        conformance_run()


if __name__ == "__main__":
    main()
