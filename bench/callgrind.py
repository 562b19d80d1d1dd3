"""Counting instructions with valgrind's callgrind, shared by the benches' ``--instructions`` modes.

Wall clock on a shared machine moves with other processes' load; the number of instructions a
process runs does not. A bench runs the same work at two lengths (``low`` and ``high`` units:
examples, exchanges, requests), each in a fresh process under callgrind with
``PYTHONHASHSEED=0``, and the difference of the two totals over the difference of the units is
the cost of one unit: start-up (the interpreter, imports, the first calls) is in both totals
and cancels out. callgrind prints each total on stderr as ``Collected : N`` when the process
exits.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

INSTALL_HINT = "valgrind is not installed (apt-get install -y valgrind)"
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


def collected(stderr: str) -> int | None:
    """callgrind's total from a process's stderr (``==123== Collected : 456``), None if absent."""
    found = _COLLECTED.search(stderr)
    return None if found is None else int(found.group(1))


def per_unit(low: tuple[int, int], high: tuple[int, int]) -> float:
    """Instructions per unit from two runs, each ``(instructions, units)``: the difference of
    the totals over the difference of the units, so what both runs share cancels out. Counts
    at least one unit, so that a run that ran short of both lengths (the fuzzing bench's
    strategies that run out of examples) still gives a figure; its caller says it ran short."""
    (i_low, n_low), (i_high, n_high) = low, high
    return (i_high - i_low) / max(n_high - n_low, 1)


def missing() -> str | None:
    """Why nothing can be counted here (valgrind is not on PATH), or None."""
    return None if shutil.which("valgrind") else INSTALL_HINT


def command(argv: Sequence[str], out: str | None = None) -> list[str]:
    """``argv`` under callgrind; its profile goes to ``out`` (callgrind_annotate) or nowhere."""
    return ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out or os.devnull}",
            *argv]


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment with ``PYTHONHASHSEED=0``: the same string hashes, so the
    same dict and set layouts, on every run. And ``PYTHONDONTWRITEBYTECODE=1``: otherwise the
    first run in a fresh checkout (or after an edit) compiles and writes every module's .pyc,
    which the later runs only read, and that one-off cost lands in a single run's total (the
    fuzzing floor came out at -6316k instructions an example so). With it, a module without
    a cache is compiled by every run alike, and the difference cancels it."""
    return {**os.environ, **(extra or {}), "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1"}


def count(argv: Sequence[str], timeout: float, out: str | None = None,
          what: str = "") -> tuple[int, str]:
    """(instructions, stdout) of ``argv`` run to its end under callgrind; RuntimeError with the
    output's tail when it fails or callgrind printed no total."""
    done = subprocess.run(command(argv, out), capture_output=True, text=True,
                          env=environment(), timeout=timeout, check=False)
    total = collected(done.stderr)
    if done.returncode != 0 or total is None:
        raise RuntimeError(f"{what or argv[0]}: exit {done.returncode}\n"
                           f"{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return total, done.stdout


def run_all(tasks: Mapping[K, Callable[[], T]], jobs: int) -> dict[K, T]:
    """Every task's result, ``jobs`` at a time (counts do not move with load, so running two
    at once changes no figure, only the machine's load for anyone timing)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        futures = {key: pool.submit(task) for key, task in tasks.items()}
        return {key: future.result() for key, future in futures.items()}


def counts(text: str, most: int | None = None) -> tuple[int, int]:
    """``--counts LOW,HIGH`` as two ints, or SystemExit saying what is wrong with it."""
    try:
        low, high = (int(n) for n in text.split(","))
    except ValueError:
        raise SystemExit(f"--counts {text}: want two whole numbers, e.g. 100,300") from None
    if not 0 < low < high or most is not None and high >= most:
        bound = "" if most is None else f" < {most}"
        raise SystemExit(f"--counts {text}: want 0 < low < high{bound}")
    return low, high


def add_options(parser: argparse.ArgumentParser, unit: str, counts: str) -> None:
    """The ``--instructions`` options a bench that counts ``unit``s in a pool shares."""
    parser.add_argument("--instructions", action="store_true",
                        help=f"count instructions per {unit} under callgrind instead")
    parser.add_argument("--counts", default=counts,
                        help=f"--instructions: the two {unit} counts (their difference counts)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="--instructions: callgrind runs at once (counts ignore load)")
    parser.add_argument("--keep", default=None, metavar="DIR",
                        help="--instructions: keep the callgrind files here (callgrind_annotate)")
    parser.add_argument("--child-timeout", type=float, default=900.0, help=argparse.SUPPRESS)
