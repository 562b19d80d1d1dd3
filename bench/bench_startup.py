"""Start-up: the default ``pytest --asgicheck`` run on a trivial raw app, against pytest on an
empty test file in the same Python.

    python bench/bench_startup.py [--rounds 10]

In a temporary folder holding ``trivial_app.py`` (a raw ASGI app that answers 200 "ok", headers
only to HEAD, and declines lifespan) and an empty ``test_empty.py``, each round runs, one after
the other (so a busy machine hurts every contender alike), as fresh processes with this
interpreter:

  empty     ``python -m pytest -q -p no:cacheprovider test_empty.py`` (no tests: exit 5)
  default   the same with ``--asgicheck=trivial_app:app``: the fixed scenarios, then the
            fuzzing properties (Hypothesis's example database in the folder, warm after the
            first round, as on a developer's machine)
  no-fuzz   the same with ``--asgicheck-no-fuzz``

and prints the median wall-clock time of each, what the default run adds to the empty one
(target: under 1.5 s) and their ratio. A warm-up round (not counted) fills the OS caches and the
example database. Every installed pytest plugin loads in every run, Hypothesis's own too (which
imports Hypothesis in its terminal summary even for the empty file).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_EXTRA = 1.5  # seconds the default run may add to the empty one

APP = '''\
async def app(scope, receive, send):
    if scope["type"] != "http":
        raise ValueError("http only")
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200,
                "headers": [[b"content-type", b"text/plain"], [b"content-length", b"2"]]})
    # HEAD gets the headers only (X-HTTP-006 fails an app that leaves that to its server).
    await send({"type": "http.response.body",
                "body": b"" if scope["method"] == "HEAD" else b"ok"})
'''

BASE = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
CONTENDERS = {
    "empty": [*BASE, "test_empty.py"],
    "default": [*BASE, "--asgicheck=trivial_app:app", "test_empty.py"],
    "no-fuzz": [*BASE, "--asgicheck=trivial_app:app", "--asgicheck-no-fuzz", "test_empty.py"],
}
EXPECTED = {"empty": 5, "default": 0, "no-fuzz": 0}  # pytest's exit codes


def run_once(command: list[str], folder: str, env: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, timeout=300)
    return time.perf_counter() - started, done.returncode


def main() -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    # This checkout first on the path, so its asgicheck is the one measured.
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "trivial_app.py"), "w") as out:
            out.write(APP)
        open(os.path.join(folder, "test_empty.py"), "w").close()
        for round_ in range(args.rounds + 1):
            for name, command in CONTENDERS.items():
                took, code = run_once(command, folder, env)
                if code != EXPECTED[name]:
                    raise SystemExit(f"{name}: exit {code}, expected {EXPECTED[name]}: "
                                     f"{' '.join(command)}")
                if round_:  # round 0 warms up
                    times[name].append(took)
            print(f"  round {round_}/{args.rounds} done", file=sys.stderr)
    median = {name: statistics.median(ts) for name, ts in times.items()}
    spread = {name: statistics.stdev(ts) if len(ts) > 1 else 0.0 for name, ts in times.items()}
    empty = median["empty"]
    print(f"\nPython {sys.version.split()[0]}, {args.rounds} rounds, median wall clock\n")
    for name in CONTENDERS:
        print(f"  {name:8} {median[name]:6.3f} s  (sd {spread[name]:.3f})  "
              f"{median[name] / empty:5.2f}x the empty run  +{median[name] - empty:.3f} s")
    extra = median["default"] - empty
    print(f"\n  the default run adds {extra:.3f} s to pytest on an empty file "
          f"({median['default'] / empty:.2f}x; target: under {TARGET_EXTRA} s: "
          f"{'met' if extra < TARGET_EXTRA else 'NOT met'}); fuzzing is "
          f"{median['default'] - median['no-fuzz']:+.3f} s of it")
    return median


if __name__ == "__main__":
    main()
