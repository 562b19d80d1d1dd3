"""Cost of ``asgicheck.validate()`` per HTTP exchange, against the same exchange without it.

Both sides pay what a server pays per request: a fresh scope dict (its parsed values new
objects, as a server's are: ``new_scope``), a receive() that hands over the request, a send()
that takes the messages. The only difference is the wrapper. This exchange
is plain, so validate() proves it clean in its fast lane (validator.wrapper.HttpLane), checking
every value of the fresh scope and messages each time; the only thing carried between requests is
the set of header names already proven lowercase. The "full path" line is the same wrapper
with the lane switched off: what a request costs from the first step the lane cannot vouch
for. The "checks nothing" line is a wrapper with validate()'s layers and no checks at all (an
async ``__call__``, a receive() coroutine that sees each event, a send() handing back the
server's awaitable): the floor any wrapper that watches both directions starts from, so the
target leaves the checks ``3 x bare - floor``.

The "asgion" line is ``asgion.inspect()`` (https://pypi.org/project/asgion/) around the same app
on the same exchange, measured in the same process, interleaved with the others (the response
names its charset: without one asgion reports SEM-013, an info finding, on every exchange, and
the comparison would be with a checker that finds something); the target is
validate()'s overhead (over the bare exchange) at most 1/15 of asgion's. asgion needs Python
3.12 or later: under an older Python, pass ``--asgion-python`` (or set ``ASGION_PYTHON``) to an
interpreter that has it, and the whole measurement runs again there, in one process, with
asgicheck imported from this checkout; without one the line says it was skipped, and why. Run:

    python bench/bench_validate.py            # targets: validated <= 3x bare; asgion >= 15x
    python bench/bench_validate.py --asgion-python ~/venv312/bin/python
    python bench/bench_validate.py --instructions [--counts 2000,12000] [--jobs 1]
                                   [--asgion-python PY] [--keep DIR]

``--instructions`` counts instead of timing (bench/callgrind.py): each line runs in its own
process under valgrind's callgrind (``PYTHONHASHSEED=0``) for ``--counts`` exchanges (2,000
and 12,000), and the difference of the two totals over 10,000 is its instructions per exchange,
start-up cancelling out. Wall clock on a shared machine moves these figures by 30% from run to
run; the counts move by well under 1%. The output names the Python and whether asgicheck's
compiled build ran (``asgicheck.validator.COMPILED``). When this Python has no asgion and
``--asgion-python`` names one that has, every line is counted again under that Python, so that
asgion's overhead is compared with validate()'s on the same interpreter. A count misses what
an instruction costs (cache misses: each costs more between a real server's requests), so it is
the measure of how much work each side does, and the ratio to asgion's, not of time.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import callgrind  # noqa: E402  (bench/callgrind.py)

import asgicheck.validator.wrapper  # noqa: E402
from asgicheck import validate  # noqa: E402
from asgicheck.validator import COMPILED  # noqa: E402

ASGION_TARGET = 15.0  # asgion's overhead over validate()'s, at least

async def hello(scope: Any, receive: Any, send: Any) -> None:
    # New message dicts and header list on every call, as a hand-written app builds them
    # (bench_rps.raw_app).
    await receive()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", b"13")]})
    await send({"type": "http.response.body", "body": b"Hello, world!"})


class ChecksNothing:
    """validate()'s layers around ``app``, with nothing checked."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def watched_receive() -> Any:
            return await receive()

        def watched_send(message: Any) -> Any:
            return send(message)

        await self.app(scope, watched_receive, watched_send)


# What a server parses from the request line and headers is a new object on every request
# (uvicorn 0.55 with h11: the method, http_version, path, raw_path and every header name and
# value); what it keeps is the same object each time (the type, the asgi versions, the scheme,
# the root_path). The client and server addresses are one pair of objects per connection, and
# under a load generator's keep-alive connections the requests take turns: each scope here
# comes from the next of CONNECTIONS connections, as wrk's 32 would. uvicorn also sends
# "state", a fresh shallow copy of the lifespan state, on every request. The scope is built the
# same way here, so that no check profits from a constant a real server would not hand it.
REQUEST_LINE = b"GET /hello HTTP/1.1"
HEADER_LINES = (b"host: 127.0.0.1:8000", b"user-agent: bench", b"accept: */*")
ASGI_VERSION, SPEC_VERSION = "3.0", "2.3"
CONNECTIONS = 32
# tuple([...]): a literal tuple of constants would be one shared object, not one per connection.
ADDRESSES = itertools.cycle([(("127.0.0.1", 50000 + i), tuple(["127.0.0.1", 8000]))
                             for i in range(CONNECTIONS)])
LIFESPAN_STATE: dict[str, Any] = {}


def new_scope() -> dict[str, Any]:
    method, target, version = REQUEST_LINE.split(b" ")
    headers = []
    for line in HEADER_LINES:
        name, _, value = line.partition(b": ")
        headers.append((name, value))
    client, server = next(ADDRESSES)
    return {
        "type": "http", "asgi": {"version": ASGI_VERSION, "spec_version": SPEC_VERSION},
        "http_version": version[5:].decode("ascii"), "method": method.decode("ascii"),
        "scheme": "http", "path": target.decode("ascii"), "raw_path": target,
        "query_string": b"", "root_path": "", "headers": headers,
        "client": client, "server": server, "state": LIFESPAN_STATE.copy(),
    }


async def exchanges(app: Any, count: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}  # new, as uvicorn's

    async def send(message: Any) -> None:
        pass

    began = time.perf_counter()
    for _ in range(count):
        await app(new_scope(), receive, send)
    return (time.perf_counter() - began) / count


def asgion_app(app: Any) -> tuple[Any, Any] | str:
    """(the wrapped app, its inspector), or why asgion cannot be measured here."""
    try:
        import asgion
    except ImportError:
        return (f"not installed in this Python ({sys.version.split()[0]}); asgion needs "
                f"Python >= 3.12: pass --asgion-python (or ASGION_PYTHON) to one that has it")
    inspector = asgion.Inspector(app)
    return inspector.asgi_app, inspector


def measure(count: int, rounds: int, with_asgion: bool) -> dict[str, Any]:
    validated = validate(hello, mode="record")
    floor_app = ChecksNothing(hello)
    wrapped = asgion_app(hello) if with_asgion else "not asked for"
    times: dict[str, list[float]] = {"bare": [], "floor": [], "validated": [], "full": [],
                                     "asgion": []}
    for _ in range(rounds):  # interleaved, so noise hits every side alike
        times["bare"].append(asyncio.run(exchanges(hello, count)))
        times["floor"].append(asyncio.run(exchanges(floor_app, count)))
        times["validated"].append(asyncio.run(exchanges(validated, count)))
        if not isinstance(wrapped, str):
            times["asgion"].append(asyncio.run(exchanges(wrapped[0], count)))
        asgicheck.validator.wrapper.FAST_LANE = False
        try:
            times["full"].append(asyncio.run(exchanges(validated, count // 4)))
        finally:
            asgicheck.validator.wrapper.FAST_LANE = True
    assert not validated.violations, list(validated.violations)[:3]
    result: dict[str, Any] = {key: statistics.median(ts) * 1e6 for key, ts in times.items()
                              if ts}
    result["python"] = sys.version.split()[0]
    if isinstance(wrapped, str):
        result["asgion_skipped"] = wrapped
    else:
        import asgion

        result["asgion_version"] = asgion.__version__
        result["asgion_violations"] = len(wrapped[1].violations)
    return result


def report(r: dict[str, Any]) -> None:
    bare, floor, checked, full = r["bare"], r["floor"], r["validated"], r["full"]
    print(f"Python {r['python']}")
    print(f"bare exchange       {bare:8.2f} µs")
    print(f"checks nothing      {floor:8.2f} µs  ({floor / bare:.2f}x: the floor of any "
          f"wrapper; 3x leaves {3 * bare - floor:.2f} µs for the checks)")
    print(f"validate() exchange {checked:8.2f} µs  (+{checked - bare:.2f} µs)")
    print(f"ratio               {checked / bare:8.2f}x  (target <= 3x)")
    print(f"full path (no lane) {full:8.2f} µs  ({full / bare:.2f}x)")
    if "asgion" in r:
        mine, theirs = checked - bare, r["asgion"] - bare
        times = theirs / mine if mine > 0 else float("inf")
        print(f"asgion.inspect()    {r['asgion']:8.2f} µs  (+{theirs:.2f} µs; asgion "
              f"{r['asgion_version']}, {r['asgion_violations']} violations reported)")
        print(f"asgion / validate() {times:8.1f}x  overhead over the bare exchange (target >= "
              f"{ASGION_TARGET:g}x: {'met' if times >= ASGION_TARGET else 'NOT met'})")
    else:
        print(f"asgion.inspect()    skipped: {r.get('asgion_skipped', 'not measured')}")


# -- --instructions: every line counted under callgrind (see the module) --------------------
VARIANTS = {  # as measure() builds them
    "bare": "bare exchange",
    "floor": "checks nothing",
    "validated": "validate() exchange",
    "full": "full path (no lane)",
    "asgion": "asgion.inspect()",
}


def run_child(variant: str, count: int) -> None:
    """``--child``: ``count`` exchanges of one line, then what ran, as JSON on stdout."""
    info: dict[str, Any] = {"exchanges": count, "python": sys.version.split()[0],
                            "compiled": COMPILED}
    if variant == "asgion":
        wrapped = asgion_app(hello)
        if isinstance(wrapped, str):
            raise SystemExit(f"asgion: {wrapped}")
        app, inspector = wrapped
    else:
        app = {"bare": hello, "floor": ChecksNothing(hello)}.get(variant)
        if app is None:
            app = validate(hello, mode="record")
    asgicheck.validator.wrapper.FAST_LANE = variant != "full"
    asyncio.run(exchanges(app, count))
    if variant in ("validated", "full") and app.violations:  # a clean exchange, or no figure
        raise SystemExit(f"{variant}: {list(app.violations)[:3]}")
    if variant == "asgion":
        import asgion

        info["asgion"], info["asgion_violations"] = asgion.__version__, len(inspector.violations)
    print(json.dumps(info))


def count_variant(python: str, variant: str, count: int, keep: str | None,
                  timeout: float) -> tuple[int, int, dict[str, Any]]:
    """(instructions, exchanges, what ran) of one line run ``count`` times under callgrind."""
    out = None if keep is None else os.path.join(
        keep, f"callgrind.{os.path.basename(python)}.{variant}.{count}")
    total, stdout = callgrind.count(
        [python, os.path.abspath(__file__), "--child", variant, "--count", str(count)],
        timeout, out, what=f"{variant} x {count} under {python}")
    info = json.loads(stdout.strip().splitlines()[-1])
    return total, int(info["exchanges"]), info


def count_block(python: str, variants: list[str], counts: tuple[int, int], jobs: int,
                keep: str | None, timeout: float) -> dict[str, Any]:
    """Instructions per exchange of each of ``variants`` under ``python``."""
    started = time.perf_counter()
    counted = callgrind.run_all(
        {(v, n): functools.partial(count_variant, python, v, n, keep, timeout)
         for v in variants for n in counts}, jobs)
    low, high = counts
    block: dict[str, Any] = {
        v: callgrind.per_unit(counted[v, low][:2], counted[v, high][:2]) for v in variants}
    first = counted[variants[0], low][2]
    block.update(interpreter=python, python=first["python"], compiled=first["compiled"],
                 runs=len(counted), seconds=time.perf_counter() - started)
    if "asgion" in variants:
        block["asgion_version"] = counted["asgion", high][2]["asgion"]
        block["asgion_violations"] = counted["asgion", high][2]["asgion_violations"]
    return block


def asgion_in(python: str) -> str | None:
    """None if ``python`` runs and imports asgion, else why not."""
    try:
        subprocess.run([python, "-c", "import asgion"], capture_output=True, text=True,
                       timeout=120, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = str(getattr(exc, "stderr", "") or exc).strip()
        return f"{python} cannot import asgion: {detail.splitlines()[-1] if detail else exc!r}"
    return None


def report_instructions(block: dict[str, Any], counts: tuple[int, int]) -> None:
    build = "compiled" if block["compiled"] else "pure"
    print(f"Python {block['python']} ({block['interpreter']}), asgicheck {build} build "
          f"(asgicheck.validator.COMPILED = {block['compiled']}); instructions per exchange "
          f"under callgrind: ({counts[1]:,} less {counts[0]:,} exchanges) / "
          f"{counts[1] - counts[0]:,}, PYTHONHASHSEED=0; {block['runs']} runs in "
          f"{block['seconds']:.0f} s")
    bare = block["bare"]
    for variant, label in VARIANTS.items():
        if variant not in block:
            continue
        over = "" if variant == "bare" else (f"  {(block[variant] - bare) / 1000:+7.1f}k over "
                                             f"bare ({block[variant] / bare:.2f}x)")
        print(f"{label:20}{block[variant] / 1000:8.1f}k{over}")
    if "asgion" not in block:
        print(f"{VARIANTS['asgion']:20}skipped: {block.get('asgion_skipped', 'not measured')}")
        return
    mine, theirs = block["validated"] - bare, block["asgion"] - bare
    times = theirs / mine if mine > 0 else float("inf")
    print(f"{'':20}(asgion {block['asgion_version']}, {block['asgion_violations']} violations "
          f"reported)")
    print(f"asgion / validate() {times:8.1f}x  overhead over the bare exchange (target >= "
          f"{ASGION_TARGET:g}x: {'met' if times >= ASGION_TARGET else 'NOT met'})")


def instructions(counts_text: str, jobs: int, asgion_python: str | None, keep: str | None,
                 timeout: float, as_json: bool) -> dict[str, Any]:
    """``--instructions``: see the module."""
    why = callgrind.missing()
    if why:
        raise SystemExit(why)
    low, high = callgrind.counts(counts_text)
    if keep:
        os.makedirs(keep, exist_ok=True)
    here = [v for v in VARIANTS if v != "asgion"]
    skipped = asgion_app(hello)
    if not isinstance(skipped, str):
        here.append("asgion")
    result = {"here": count_block(sys.executable, here, (low, high), jobs, keep, timeout)}
    if isinstance(skipped, str):
        result["here"]["asgion_skipped"] = skipped
        if asgion_python:
            why_not = asgion_in(asgion_python)
            if why_not is None:
                result["there"] = count_block(asgion_python, list(VARIANTS), (low, high), jobs,
                                              keep, timeout)
            else:
                result["here"]["asgion_skipped"] = why_not
    if as_json:
        print(json.dumps(result))
        return result
    report_instructions(result["here"], (low, high))
    if "there" in result:
        print(f"\nthe same, side by side with asgion, under {asgion_python}:")
        report_instructions(result["there"], (low, high))
    return result


def main(count: int = 20_000, rounds: int = 7, asgion_python: str | None = None,
         as_json: bool = False) -> dict[str, Any]:
    result = measure(count, rounds, with_asgion=True)
    if as_json:
        print(json.dumps(result))
        return result
    report(result)
    if "asgion" not in result and asgion_python:
        print(f"\nthe same, side by side with asgion, under {asgion_python}:")
        try:
            done = subprocess.run([asgion_python, os.path.abspath(__file__), "--json",
                                   "--count", str(count), "--rounds", str(rounds)],
                                  capture_output=True, text=True, timeout=600, check=True)
            other = json.loads(done.stdout.strip().splitlines()[-1])
        except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
            detail = getattr(exc, "stderr", None) or exc
            print(f"asgion.inspect()    skipped: {asgion_python} could not run the bench: "
                  f"{str(detail).strip().splitlines()[-1] if str(detail).strip() else exc!r}")
        else:
            report(other)
            result["other_python"] = other
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--asgion-python", default=os.environ.get("ASGION_PYTHON"),
                        help="an interpreter with asgion installed (Python >= 3.12)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    callgrind.add_options(parser, "exchange", "2000,12000")
    parser.add_argument("--child", choices=VARIANTS, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        run_child(args.child, args.count)
    elif args.instructions:
        instructions(args.counts, args.jobs, args.asgion_python, args.keep, args.child_timeout,
                     args.json)
    else:
        main(args.count, args.rounds, args.asgion_python, args.json)
