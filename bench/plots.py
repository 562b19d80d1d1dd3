"""The plots of docs/benchmarks.md, measured afresh in one run.

    python bench/plots.py [--quick] [--out docs/img]

Runs two benchmarks through their own measurement functions (imported, not copied) and draws:

* ``router-lookup.png``: route lookup time against the number of routes, reference_app's trie
  and Starlette's route scan (bench_router.py; its ``main()`` only prints, so ``router_figures``
  below repeats its measuring loop with more route counts and returns the numbers);
* ``driver-throughput.png``: exchanges per second of asgicheck's driver next to asgiref's
  ApplicationCommunicator, httpx's ASGITransport and Starlette's TestClient
  (bench_driver.exchanges()).

It prints the figures as Markdown tables (ratios against the peer measured in the same run) to
paste into docs/benchmarks.md. Needs matplotlib (``pip install matplotlib``), Starlette and
httpx. ``--quick`` measures briefly, to check that everything runs; its figures are rough.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # files only, no display
import bench_driver  # noqa: E402
import bench_router  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

ROUTE_COUNTS = (10, 30, 100, 300, 1_000, 3_000, 10_000)
OURS = "#1f6f8b"
PEER = "#c0504d"


def machine_note() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{datetime.date.today().isoformat()}, Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, load average {load:.2f} at the start")


def router_figures(counts: tuple[int, ...], budget: float) -> dict[int, tuple[float, float]]:
    """{routes: (reference_app ns, starlette ns)} per lookup, measured as bench_router.main()
    does: the trie's figures, a few microseconds, in interleaved rounds keeping each count's
    best (five here, three there: a busy machine's noise is the size of the figure), the scan's
    once."""
    lookups = {n: bench_router.reference_lookup(bench_router.build_reference(n),
                                                f"/api/v1/resource{n - 1}/42") for n in counts}
    ours = dict.fromkeys(counts, float("inf"))
    for _ in range(5):
        for n in counts:
            ours[n] = min(ours[n], bench_router.time_per_call(lookups[n], budget=budget))
    figures = {}
    for n in counts:
        scan = bench_router.starlette_lookup(bench_router.build_starlette(n),
                                             f"/api/v1/resource{n - 1}/42")
        figures[n] = (ours[n], bench_router.time_per_call(scan, budget=budget))
    return figures


def plot_router(figures: dict[int, tuple[float, float]], note: str, path: Path) -> None:
    counts = sorted(figures)
    ours = [figures[n][0] / 1000 for n in counts]
    theirs = [figures[n][1] / 1000 for n in counts]
    fig, ax = plt.subplots(figsize=(7.5, 4.6), dpi=130)
    ax.loglog(counts, theirs, "s-", color=PEER, label="Starlette: scan the route list")
    ax.loglog(counts, ours, "o-", color=OURS, label="reference_app: segment trie")
    for n, mine, scan in zip(counts, ours, theirs, strict=True):
        if n in (10, 1_000, 10_000):
            ax.annotate(f"{scan / mine:,.0f}x", (n, scan), textcoords="offset points",
                        xytext=(0, 8), ha="center", fontsize=9, color=PEER)
    ax.set_ylim(top=max(theirs) * 3)
    ax.set_xlabel("routes in the table (the path matches one near the end)")
    ax.set_ylabel("time per lookup, µs (log scale)")
    ax.set_title("Route lookup: cost against the number of routes", fontsize=12)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", fontsize=9, title="red numbers: Starlette's time / the trie's",
              title_fontsize=8)
    fig.text(0.99, 0.01, note, ha="right", va="bottom", fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)
    plt.close(fig)


def driver_figures(seconds: float, rounds: int) -> dict[str, tuple[float, float]]:
    """{contender key: (exchanges per wall second, per CPU second)}, best of ``rounds``."""
    return bench_driver.exchanges(seconds, rounds)


def plot_driver(figures: dict[str, tuple[float, float]], note: str, path: Path) -> None:
    labels = {key: label for key, label, _ in bench_driver.CONTENDERS}
    keys = [key for key, _, _ in bench_driver.CONTENDERS if figures[key][0] == figures[key][0]]
    keys.reverse()  # matplotlib draws the first bar at the bottom
    rates = [figures[key][0] for key in keys]
    base, batch = figures["a"][0], figures["a''"][0]
    fig, ax = plt.subplots(figsize=(9.5, 4.8), dpi=130)
    colours = [OURS if key.startswith("a") else PEER for key in keys]
    bars = ax.barh([f"({k}) {labels[k]}" for k in keys], rates, color=colours)
    ax.set_xlim(0, max(rates) * 1.6)
    for bar, key, rate in zip(bars, keys, rates, strict=True):
        if key == "a":
            ratio = ""
        elif key.startswith("a"):
            ratio = f"   (a) is {_versus(base, rate)}"
        else:  # a peer: against the driver's throughput and against one call each
            ratio = f"   (a'') is {_versus(batch, rate)}, (a) {_versus(base, rate)}"
        ax.text(rate + max(rates) * 0.01, bar.get_y() + bar.get_height() / 2,
                f"{rate:,.0f}/s{ratio}", va="center", fontsize=8)
    ax.set_xlabel("exchanges per second, one trivial GET (more is better)")
    ax.set_title("One exchange: asgicheck's driver and the usual test clients", fontsize=11)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(True, axis="x", which="major", alpha=0.3)
    fig.text(0.99, 0.01, note, ha="right", va="bottom", fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)
    plt.close(fig)


def router_table(figures: dict[int, tuple[float, float]]) -> str:
    rows = ["| routes | reference_app | Starlette | Starlette / reference_app |",
            "|---:|---:|---:|---:|"]
    for n in sorted(figures):
        ours, theirs = figures[n]
        rows.append(f"| {n:,} | {ours / 1000:.1f} µs | {theirs / 1000:,.1f} µs | "
                    f"{theirs / ours:,.0f}x |")
    first, last = min(figures), max(figures)
    rows.append(f"\nreference_app at {last:,} routes / at {first}: "
                f"{figures[last][0] / figures[first][0]:.2f}x")
    return "\n".join(rows)


def driver_table(figures: dict[str, tuple[float, float]]) -> str:
    """Each contender against the driver's throughput (a'') and one call per exchange (a)."""
    rows = ["| | contender | exchanges/s | µs each | CPU µs each | (a'') against it | "
            "(a'') against it, CPU | (a) against it | (a) against it, CPU |",
            "|---|---|---:|---:|---:|---|---|---|---|"]
    for key, label, _ in bench_driver.CONTENDERS:
        wall, cpu = figures[key]
        if wall != wall:  # NaN: the contender could not be imported
            rows.append(f"| ({key}) | {label} | skipped | | | | | | |")
            continue
        versus = " | ".join(_versus(figures[ours][side], (wall, cpu)[side])
                            for ours in ("a''", "a") for side in (0, 1))
        rows.append(f"| ({key}) | {label} | {wall:,.0f} | {1e6 / wall:.1f} | "
                    f"{1e6 / cpu:.1f} | {versus} |")
    return "\n".join(rows)


def _versus(ours: float, theirs: float) -> str:
    """How one of ours compares with a contender, from two rates (more is faster)."""
    if ours == theirs:
        return "-"
    if ours > theirs:
        return f"{ours / theirs:.1f}x faster"
    return f"{theirs / ours:.1f}x slower"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="short measurements, rough figures")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    note = machine_note()
    print(f"# {note}\n")
    budget, seconds, rounds = (0.02, 0.1, 1) if args.quick else (0.2, 0.5, 5)

    routes: dict[int, tuple[float, float]] = router_figures(ROUTE_COUNTS, budget)
    plot_router(routes, f"bench/bench_router.py via bench/plots.py; {note}",
                args.out / "router-lookup.png")
    print("## Route lookup (bench_router)\n\n" + router_table(routes) + "\n")

    driver: dict[str, Any] = driver_figures(seconds, rounds)
    plot_driver(driver, f"bench/bench_driver.py via bench/plots.py; {note}",
                args.out / "driver-throughput.png")
    print("## Driver throughput (bench_driver)\n\n" + driver_table(driver) + "\n")
    print(f"wrote {args.out / 'router-lookup.png'} and {args.out / 'driver-throughput.png'}")


if __name__ == "__main__":
    main()
