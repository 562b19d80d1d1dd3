"""How much does running each example through the driver cost, next to generating it?

    python bench/bench_fuzz.py [--examples 300] [--rounds 3] [--app trivial|demo]

Generation dominates the cost of a Hypothesis example, so the properties are only as fast as
the strategies allow; the driver and the validator must not add much on top. One run measures,
interleaved round by round (the best round counts, so a busy machine hurts every contender
alike), examples per second for:

  (a)  a bare Hypothesis test: ``@given(http_examples(target))`` with a no-op body
  (b)  the same, each example run through the driver and judged by P1 (one exchange)
  (c)  the same with P3 (three exchanges: one chunk twice, then the example's split)
  (d)  the same with P4 (one exchange with a disconnect)
  (a') a bare test of the public strategies ``http_scopes() + chunkings(bodies())``
  (b') the same, each example through ``driver.run`` with the validator on

and prints each one's ratio to its bare test, and the milliseconds per example spent in the
test body (the driver, the validator and the property's judgement: what asgicheck adds).
Target: (b) >= 0.75 x (a). Hypothesis's engine adapts to how long a test takes, so a ratio
can come out above 1; the time in the body is the direct measure of asgicheck's cost.
Exchanges go through the scenarios' shared context (``Context.exchange``: the lifespan session
when the app has one, else ``driver.run``), exactly as the property items run them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from asgicheck import strategies as asgi  # noqa: E402
from asgicheck.contract import RunOptions, Target  # noqa: E402
from asgicheck.driver import http_script, run  # noqa: E402
from asgicheck.fuzzing import PROPERTIES, FuzzSettings, http_examples  # noqa: E402
from asgicheck.scenarios import (
    close_sessions,  # noqa: E402
    context_for,  # noqa: E402
)


async def trivial(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        raise ValueError("http only")  # declines lifespan, as a minimal app does
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200,
                "headers": [[b"content-type", b"text/plain"], [b"content-length", b"2"]]})
    await send({"type": "http.response.body", "body": b"ok"})


def measure(strategies: tuple[Any, ...], body: Callable[..., None], examples: int,
            round_: int) -> tuple[float, float, float]:
    """(examples per second by wall clock, by CPU time, ms per example inside the body)."""
    count, inside = [0], [0.0]

    def test(*args: Any) -> None:
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
    wrapped()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return count[0] / wall, count[0] / cpu, inside[0] * 1000 / max(count[0], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--app", choices=("trivial", "demo"), default="trivial")
    args = parser.parse_args()
    if args.app == "demo":
        from reference_app.demo import app as application
        target = Target(method="POST", path="/echo")
    else:
        application, target = trivial, Target(method="POST", path="/echo")
    options, fuzz = RunOptions(), FuzzSettings()
    ctx = context_for(application, options)
    ctx.server()  # the lifespan session (if any) starts before the clock does

    def prop(number: str) -> Callable[..., None]:
        check = PROPERTIES[number].check
        return lambda example: check(ctx.exchange, example, options, fuzz) and None

    examples = http_examples(target)
    with_disconnect = http_examples(target, disconnect=True)
    public = (asgi.http_scopes(), asgi.chunkings(asgi.bodies()))
    contenders: list[tuple[str, str, tuple[Any, ...], Callable[..., None], str | None]] = [
        ("(a)", "bare @given(http_examples(target)), no-op body", (examples,),
         lambda e: None, None),
        ("(b)", "P1: + one exchange through the driver, judged", (examples,), prop("P1"),
         "(a)"),
        ("(c)", "P3: + three exchanges (chunking invariance)", (examples,), prop("P3"), "(a)"),
        ("(d)", "bare @given(http_examples(target, disconnect=True))", (with_disconnect,),
         lambda e: None, None),
        ("(d')", "P4: + one exchange with a disconnect", (with_disconnect,), prop("P4"),
         "(d)"),
        ("(a')", "bare @given(http_scopes(), chunkings(bodies()))", public,
         lambda s, c: None, None),
        ("(b')", "+ driver.run(app, http_script(scope, chunks))", public,
         lambda s, c: run(application, http_script(s, c)) and None, "(a')"),
    ]
    best: dict[str, tuple[float, float, float]] = {}
    for round_ in range(args.rounds):
        for key, _, strategies, body, _ in contenders:
            result = measure(strategies, body, args.examples, round_)
            if key not in best or result[0] > best[key][0]:
                best[key] = result
        print(f"  round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    close_sessions()

    print(f"\napp: {args.app}, target {target.label}, {args.examples} examples a round, "
          f"best of {args.rounds}\n")
    print(f"{'':6}{'contender':54}{'ex/s':>7}{'ms':>7}{'vs bare':>8}{'CPU ex/s':>9}"
          f"{'vs bare':>8}{'in body ms':>11}")
    for key, label, _, _, bare in contenders:
        rate, cpu_rate, body_ms = best[key]
        ratio = f"{rate / best[bare][0]:.2f}x" if bare else "1.00x"
        cpu_ratio = f"{cpu_rate / best[bare][1]:.2f}x" if bare else "1.00x"
        print(f"{key:6}{label:54}{rate:7.0f}{1000 / rate:7.2f}{ratio:>8}{cpu_rate:9.0f}"
              f"{cpu_ratio:>8}{body_ms:11.3f}")
    kept = best["(b)"][0] / best["(a)"][0]
    print(f"\n  P1 keeps {kept:.2f}x of the bare generation rate (target >= 0.75x): "
          f"{'met' if kept >= 0.75 else 'NOT met'}")


if __name__ == "__main__":
    main()
