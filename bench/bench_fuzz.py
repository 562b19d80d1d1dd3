"""Fuzzing throughput: every strategy and property against the floor, an empty ``@given`` test.

    python bench/bench_fuzz.py [--examples 300] [--rounds 3] [--app trivial|demo]
                               [--only SUBSTRING] [--json FILE]
    python bench/bench_fuzz.py --instructions [--counts 100,300] [--jobs 1] [--keep DIR]
                               [--app trivial|demo] [--only SUBSTRING] [--json FILE]

The floor is what Hypothesis itself costs per example: ``@given(st.binary())`` with an empty
body, the same ``max_examples``, no database, the generate phase only. Every other row is
measured the same way, interleaved round by round (the best round counts, so a busy machine
hurts every contender alike), and printed as examples per second, milliseconds per example, its
ratio to the floor (wall clock and CPU time), its ratio to its own bare row where it has one
(generation alone), and the milliseconds per example spent in the test body (the driver, the
validator and the property's judgement: what asgicheck adds on top of generation).

Rows:

* the public strategies of ``asgicheck.strategies``, each alone with an empty body;
* the public strategies end to end: ``http_requests()`` (and ``http_scopes() +
  chunkings(bodies())``) and ``websocket_sessions()``, each example one validated exchange
  through the driver (``Context.exchange``), the ``@given`` test run inside the app's thread
  (``driver.resident``), as the property items run; one row hands each exchange to that
  thread instead (``hand-off``), to show what that costs;
* the fuzzing properties P1-P5 (``asgicheck.fuzzing``): ``@given`` of the property's own
  examples, bare and with the property's check (P1: one validated exchange; P3: three; P4: one
  with a disconnect; P5: one websocket session), resident as the items run them;
* the property items as the plugin runs them (``PropertyScenario.run``: every phase Hypothesis
  runs by default, the item's settings, a fixed seed), examples over the item's duration.

Target (the issue): every public strategy, and P1 end to end on the trivial app, at >= 0.5x the
floor. Hypothesis's engine adapts to how long a test takes, so a ratio to a bare row can come
out above 1; the time in the body is the direct measure of asgicheck's own cost. A strategy
with few distinct values (``disconnect_points``) runs out of examples early: the ``n`` column
says how many ran.

``--instructions`` counts instead of timing. On this shared 2-core machine a row's ratio moves by
0.1-0.25x between runs under another process's load (P4 0.53x quiet, 0.41x loaded), as much as
the gap to the target, so wall clock cannot say whether a row is over 0.5x or a change made it
faster. Instructions do not move with load: each row runs in a subprocess under valgrind's
callgrind (``PYTHONHASHSEED=0``, ``@seed(1)``, no database) twice, for ``--counts`` examples
(100 and 300), and the difference of the two totals over the difference of the examples is its
cost per example, start-up (imports, building the strategies, the first calls) cancelling out.
Hypothesis adapts how many examples it runs, and how (the first ``max_examples // 10`` (at most
50) are kept small), to ``max_examples``: both runs of every row use ``max_examples=1000`` and
end after exactly that many examples (a BaseException, ``Enough``, which Hypothesis lets
through at once): test calls for the ``@given`` rows, examples judged (the distinct ones, as
``n`` above) for the items. The ``n`` column prints the difference; a row that ran out early
says so. Rows whose code did not change move by at most 0.4% between runs. The ratio to the
floor is then the floor's instructions per example over the row's: what the CPU does, with
every thread counted.
What it does not capture is waiting: the time a thread hand-off, the GIL or a timer spends with
nothing running (the ``P1-h`` row's hand-offs cost little in instructions and much in wall
clock), and an instruction's cost varies (cache misses), so it is the measure of asgicheck's
own work, and wall clock stays the measure of throughput. A full run (``--only P``: 15 rows,
30 callgrind runs of 15-25 s each, most of it start-up) takes about 9 minutes with ``--jobs
1``; ``--jobs 2`` takes about 5 without changing a count, but loads the machine for anyone
timing.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import callgrind  # noqa: E402  (bench/callgrind.py: shared with the other benches)
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from asgicheck import strategies as asgi  # noqa: E402
from asgicheck.contract import RunOptions, Target  # noqa: E402
from asgicheck.driver import http_script, resident, websocket_script  # noqa: E402
from asgicheck.fuzzing import (  # noqa: E402
    PROPERTIES,
    FuzzSettings,
    PropertyScenario,
    http_examples,
    websocket_examples,
)
from asgicheck.scenarios import close_sessions, context_for  # noqa: E402

FLOOR = "floor"
TARGET_RATIO = 0.5


async def trivial(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """200 "ok" to any request after reading the body; a websocket echo-nothing session."""
    if scope["type"] == "http":
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200,
                    "headers": [[b"content-type", b"text/plain"], [b"content-length", b"2"]]})
        await send({"type": "http.response.body", "body": b"ok"})
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while (await receive())["type"] != "websocket.disconnect":
            pass
    else:
        raise ValueError("no lifespan")  # declines lifespan, as a minimal app does


@dataclass
class Row:
    key: str
    label: str
    strategies: tuple[Any, ...] = ()
    body: Callable[..., Any] | None = None  # None: an empty body
    bare: str | None = None  # the row that generates the same inputs with an empty body
    item: Callable[..., tuple[int, float, float]] | None = None  # a property item
    hand_off: bool = False  # run @given in this thread, each exchange handed to the app's


class Enough(BaseException):
    """Raised in a test once it has run its ``stop_after`` examples (``--instructions``): a
    BaseException, which Hypothesis lets through at once, as the items' own _OutOfTime."""


def measure(strategies: tuple[Any, ...], body: Callable[..., Any] | None, examples: int,
            round_: int, hand_off: bool = False, stop_after: int | None = None
            ) -> tuple[int, float, float, float]:
    """(examples run, wall seconds, CPU seconds, seconds inside the body). With
    ``stop_after``, the run ends (``Enough``) when the next example comes after that many."""
    count, inside = [0], [0.0]
    limit = stop_after if stop_after is not None else examples + 1
    if body is None:
        def test(*args: Any) -> None:
            if count[0] >= limit:
                raise Enough
            count[0] += 1
    else:
        def test(*args: Any) -> None:
            if count[0] >= limit:
                raise Enough
            count[0] += 1
            started = time.perf_counter()
            body(*args)
            inside[0] += time.perf_counter() - started

    names = [f"a{n}" for n in range(len(strategies))]
    namespace: dict[str, Any] = {"test": test}
    exec(f"def inner({', '.join(names)}):\n    test({', '.join(names)})", namespace)
    wrapped = settings(max_examples=examples, database=None, deadline=None,
                       phases=[Phase.generate], suppress_health_check=list(HealthCheck))(
        seed(round_)(given(*strategies)(namespace["inner"])))
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        if body is None or hand_off:
            wrapped()
        else:
            resident(wrapped)  # where the exchanges run: as the property items do
    except Enough:
        pass
    return (count[0], time.perf_counter() - wall, time.process_time() - cpu, inside[0])


def rows_for(app: Any, options: RunOptions) -> list[Row]:
    ctx = context_for(app, options)
    ctx.server()  # the lifespan session (if any) starts before the clock does
    fuzz = FuzzSettings(max_total_examples=None, database=None)
    http_target = Target(method="POST", path="/echo")
    ws_target = Target(kind="websocket", path="/ws")

    def prop(number: str) -> Callable[[Any], Any]:
        check = PROPERTIES[number].check
        return lambda example: check(ctx.exchange, example, options, fuzz)

    def item(number: str, target: Target) -> Callable[..., tuple[int, float, float]]:
        def run(examples: int, round_: int, stop_after: int | None = None
                ) -> tuple[int, float, float]:
            settings_ = FuzzSettings(max_examples=examples, max_total_examples=None,
                                     database=None, seed=round_)
            prop = PROPERTIES[number]
            judged = [0]
            if stop_after is not None:  # the item's own run, ended after that many examples
                judge = prop.judge

                def counted(*args: Any) -> Any:
                    if judged[0] >= stop_after:
                        raise Enough
                    judged[0] += 1
                    return judge(*args)
                prop = dataclasses.replace(prop, judge=counted)
            scenario = PropertyScenario(prop, target, settings_, examples)
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                outcome = scenario.run(app, options)
            except Enough:
                return judged[0], time.perf_counter() - wall, time.process_time() - cpu
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            assert outcome.status == "passed", (number, outcome.status, outcome.transcript)
            return int(outcome.details["examples"]), wall, cpu  # type: ignore[call-overload]
        return run

    def http_exchange(scope: dict[str, Any], chunks: list[bytes]) -> None:
        ctx.exchange(http_script(scope, chunks))

    def ws_exchange(scope: dict[str, Any], events: list[dict[str, Any]]) -> None:
        *messages, gone = events
        ctx.exchange(websocket_script(scope, messages, code=gone["code"]))

    def request_exchange(request: tuple[dict[str, Any], list[bytes]]) -> None:
        http_exchange(*request)

    def session_exchange(session: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
        ws_exchange(*session)

    public_http = (asgi.http_scopes(), asgi.chunkings(asgi.bodies()))
    public_ws = (asgi.websocket_scopes(), asgi.websocket_message_sequences())
    requests = (asgi.http_requests(methods=("POST",)),)
    sessions_ = (asgi.websocket_sessions(),)
    examples = http_examples(http_target)
    with_disconnect = http_examples(http_target, disconnect=True)
    sessions = websocket_examples(ws_target)
    return [
        Row(FLOOR, "empty @given(st.binary())", (st.binary(),)),
        # -- the public strategies, generation alone
        Row("paths", "paths()", (asgi.paths(),)),
        Row("query", "query_strings()", (asgi.query_strings(),)),
        Row("headers", "header_lists()", (asgi.header_lists(),)),
        Row("bodies", "bodies()", (asgi.bodies(),)),
        Row("chunks", "chunkings(bodies())", (asgi.chunkings(asgi.bodies()),)),
        Row("disc", "disconnect_points()", (asgi.disconnect_points(),)),
        Row("scopes", "http_scopes()", (asgi.http_scopes(),)),
        Row("http", "http_scopes(), chunkings(bodies())", public_http),
        Row("ws-scopes", "websocket_scopes()", (asgi.websocket_scopes(),)),
        Row("ws-msgs", "websocket_message_sequences()", (asgi.websocket_message_sequences(),)),
        Row("ws", "websocket_scopes(), websocket_message_sequences()", public_ws),
        Row("req", "http_requests(methods=('POST',))", requests),
        Row("sess", "websocket_sessions()", sessions_),
        # -- the public strategies end to end
        Row("http+x", "  http + one validated exchange (driver)", public_http, http_exchange,
            "http"),
        Row("req+x", "  req + one validated exchange (driver)", requests, request_exchange,
            "req"),
        Row("req+h", "  req + one exchange, handed off to the app's thread", requests,
            request_exchange, "req", hand_off=True),
        Row("ws+x", "  ws + one validated websocket session", public_ws, ws_exchange, "ws"),
        Row("sess+x", "  sess + one validated websocket session", sessions_, session_exchange,
            "sess"),
        # -- the fuzzing properties
        Row("ex", "@given(http_examples(POST /echo))", (examples,)),
        Row("P1", "  P1: + one validated exchange", (examples,), prop("P1"), "ex"),
        Row("P1-h", "  P1, each exchange handed off to the app's thread", (examples,),
            prop("P1"), "ex", hand_off=True),
        Row("P2", "  P2: + one exchange, crash/5xx judged", (examples,), prop("P2"), "ex"),
        Row("P3", "  P3: + three exchanges", (examples,), prop("P3"), "ex"),
        Row("ex-d", "@given(http_examples(..., disconnect=True))", (with_disconnect,)),
        Row("P4", "  P4: + one exchange with a disconnect", (with_disconnect,), prop("P4"),
            "ex-d"),
        Row("ex-ws", "@given(websocket_examples(WS /ws))", (sessions,)),
        Row("P5", "  P5: + one websocket session", (sessions,), prop("P5"), "ex-ws"),
        # -- the property items as the plugin runs them
        *(Row(f"item-{n}", f"PropertyScenario {n}.run (all phases)",
              item=item(n, ws_target if n == "P5" else http_target))
          for n in ("P1", "P2", "P3", "P4", "P5")),
    ]


INSTRUCTION_MAX = 1000  # max_examples in --instructions: see the module
INSTRUCTION_SEED = 1


def run_child(row: Row, application: Any, stop_after: int) -> None:
    """``--child``: run one row for exactly ``stop_after`` examples, print how many ran."""
    if row.item is not None:
        n, _, _ = row.item(INSTRUCTION_MAX, INSTRUCTION_SEED, stop_after)
    else:
        n, _, _, _ = measure(row.strategies, row.body, INSTRUCTION_MAX, INSTRUCTION_SEED,
                             row.hand_off, stop_after)
    close_sessions()
    print(json.dumps({"examples": n}))


def count_instructions(key: str, app: str, stop_after: int, keep: str | None,
                       timeout: float) -> tuple[int, int]:
    """(instructions, examples) of one row run ``stop_after`` examples under callgrind."""
    out = None if keep is None else os.path.join(keep, f"callgrind.{key}.{stop_after}")
    total, stdout = callgrind.count(
        [sys.executable, os.path.abspath(__file__), "--app", app, "--child", key,
         "--stop-after", str(stop_after)], timeout, out, what=f"{key} at {stop_after}")
    return total, int(json.loads(stdout.splitlines()[-1])["examples"])


def instructions(rows: list[Row], args: argparse.Namespace) -> None:
    """``--instructions``: every row's instructions per example (see the module)."""
    low, high = callgrind.counts(args.counts, most=INSTRUCTION_MAX)
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    started = time.perf_counter()
    counted = callgrind.run_all(
        {(row.key, n): functools.partial(count_instructions, row.key, args.app, n, args.keep,
                                         args.child_timeout)
         for row in rows for n in (low, high)}, args.jobs)
    elapsed = time.perf_counter() - started
    per: dict[str, float] = {}
    ran: dict[str, int] = {}
    for row in rows:
        ran[row.key] = counted[row.key, high][1] - counted[row.key, low][1]
        per[row.key] = callgrind.per_unit(counted[row.key, low], counted[row.key, high])
    print(f"\napp: {args.app}, instructions per example under callgrind: the difference "
          f"between {low} and {high} examples (max_examples={INSTRUCTION_MAX}, seed "
          f"{INSTRUCTION_SEED}, PYTHONHASHSEED=0, no database), Python "
          f"{sys.version.split()[0]}; {len(rows) * 2} runs in {elapsed:.0f} s\n")
    print(f"{'':10}{'contender':52}{'n':>5}{'k instr':>9}{'floor':>7}{'bare':>7}{'over bare':>11}")
    figures: dict[str, dict[str, float]] = {}
    for row in rows:
        bare = over = ""
        if row.bare is not None:
            bare = f"{per[row.bare] / per[row.key]:.2f}x"
            over = f"{(per[row.key] - per[row.bare]) / 1000:+10.1f}k"
        ratio = per[FLOOR] / per[row.key]
        short = "" if ran[row.key] == high - low else "  (ran short of the counts)"
        print(f"{row.key:10}{row.label:52}{ran[row.key]:5}{per[row.key] / 1000:9.1f}"
              f"{ratio:6.2f}x{bare:>7}{over:>11}{short}")
        figures[row.key] = {"examples": ran[row.key], "instructions": per[row.key],
                            "vs_floor": ratio}
    below = [r.key for r in rows if r.key not in (FLOOR, "disc") and not r.hand_off
             and figures[r.key]["vs_floor"] < TARGET_RATIO]
    print(f"\n  target: >= {TARGET_RATIO}x the floor ({per[FLOOR] / 1000:.1f}k instructions "
          f"an example). Below it: {', '.join(below) if below else 'none'}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"app": args.app, "counts": [low, high], "max_examples": INSTRUCTION_MAX,
                       "python": sys.version.split()[0], "rows": figures}, out, indent=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--app", choices=("trivial", "demo"), default="trivial")
    parser.add_argument("--only", default=None,
                        help="only rows whose key contains this (the floor always runs)")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    callgrind.add_options(parser, "example", "100,300")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--stop-after", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.app == "demo":
        from reference_app.demo import app as application
    else:
        application = trivial
    options = RunOptions()
    rows = rows_for(application, options)
    if args.child is not None:
        run_child(next(r for r in rows if r.key == args.child), application, args.stop_after)
        return
    if args.only:
        wanted = {r.key for r in rows if args.only in r.key}
        wanted |= {r.bare for r in rows if r.key in wanted and r.bare} | {FLOOR}
        rows = [r for r in rows if r.key in wanted]
    if args.instructions:
        close_sessions()
        instructions(rows, args)
        return
    warm = min(args.examples, 30)
    for row in rows:  # warm: imports, strategy caches, the app's first requests
        if row.item is not None:
            row.item(warm, 0)
        else:
            measure(row.strategies, row.body, warm, 0, row.hand_off)
    best: dict[str, tuple[int, float, float, float]] = {}
    for round_ in range(args.rounds):
        for row in rows:
            if row.item is not None:
                n, wall, cpu = row.item(args.examples, round_ + 1)
                result = (n, wall, cpu, 0.0)
            else:
                result = measure(row.strategies, row.body, args.examples, round_ + 1,
                                 row.hand_off)
            if row.key not in best or result[0] / result[1] > best[row.key][0] / best[row.key][1]:
                best[row.key] = result
        print(f"  round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    close_sessions()

    floor_n, floor_wall, floor_cpu, _ = best[FLOOR]
    floor_rate, floor_cpu_rate = floor_n / floor_wall, floor_n / floor_cpu
    print(f"\napp: {args.app}, {args.examples} examples a round, best of {args.rounds}, "
          f"Python {sys.version.split()[0]}\n")
    print(f"{'':10}{'contender':52}{'n':>5}{'ex/s':>7}{'ms':>7}{'floor':>7}{'CPU':>7}"
          f"{'bare':>7}{'body ms':>9}")
    figures: dict[str, dict[str, float]] = {}
    for row in rows:
        n, wall, cpu, inside = best[row.key]
        rate = n / wall
        bare = ""
        if row.bare is not None:
            b_n, b_wall, _, _ = best[row.bare]
            bare = f"{rate / (b_n / b_wall):.2f}x"
        ratio, cpu_ratio = rate / floor_rate, (n / cpu) / floor_cpu_rate
        body = f"{inside * 1000 / max(n, 1):9.3f}" if row.body is not None else f"{'':9}"
        print(f"{row.key:10}{row.label:52}{n:5}{rate:7.0f}{1000 / rate:7.2f}{ratio:6.2f}x"
              f"{cpu_ratio:6.2f}x{bare:>7}{body}")
        figures[row.key] = {"examples": n, "per_s": rate, "vs_floor": ratio,
                            "cpu_vs_floor": cpu_ratio, "body_ms": inside * 1000 / max(n, 1)}
    below = [r.key for r in rows if r.key != FLOOR and r.item is None and r.key != "disc"
             and not r.hand_off and figures[r.key]["vs_floor"] < TARGET_RATIO]
    print(f"\n  target: >= {TARGET_RATIO}x the floor ({floor_rate:.0f} ex/s). Below it: "
          f"{', '.join(below) if below else 'none'}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"app": args.app, "examples": args.examples, "rounds": args.rounds,
                       "python": sys.version.split()[0], "rows": figures}, out, indent=1)


if __name__ == "__main__":
    main()
