"""Route lookup cost: reference_app's segment trie against Starlette's linear route scan.

Run: ``python bench/bench_router.py``. Not a test; it prints a table.

For N in 10, 100, 1,000 and 10,000 routes it builds the same table in both routers
(``/api/v1/resource{i}/{item_id:int}``) and looks up a path that matches a route near the end of
the table, which is the worst case for a scan. Each side does the same work: find the route and
convert the parameter to an int.

* reference_app: ``Router.lookup(path, method)`` walks one trie node per path segment, then the
  route's convertor runs.
* Starlette: what ``Router.app`` does, i.e. iterate ``router.routes`` calling
  ``route.matches(scope)`` until one returns ``Match.FULL`` (each call runs that route's regex
  and, on a hit, converts the parameters).

Reported: nanoseconds per lookup (best of several timed runs), the ratio Starlette/reference,
and how the trie's cost at 10,000 routes compares with its cost at 10.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from starlette.routing import Match as StarletteMatch  # noqa: E402
from starlette.routing import Route as StarletteRoute  # noqa: E402
from starlette.routing import Router as StarletteRouter  # noqa: E402

from reference_app.routes import make_route  # noqa: E402
from reference_app.routing import Match, Router  # noqa: E402

SIZES = (10, 100, 1_000, 10_000)
TEMPLATE = "/api/v1/resource{i}/{{item_id:int}}"


async def endpoint(request: Any, item_id: int = 0) -> Any:  # never called
    raise AssertionError


def build_reference(size: int) -> Router[Any]:
    router: Router[Any] = Router()
    for i in range(size):
        route = make_route(TEMPLATE.format(i=i), endpoint, ["GET"], name=f"r{i}")
        router.add(route.template, route.methods, route, route.name)
    return router


def build_starlette(size: int) -> StarletteRouter:
    return StarletteRouter(
        routes=[StarletteRoute(TEMPLATE.format(i=i), endpoint) for i in range(size)]
    )


def reference_lookup(router: Router[Any], path: str) -> Callable[[], Any]:
    def lookup() -> Any:
        found = router.lookup(path, "GET")
        assert found.match is Match.FULL
        route = found.route
        return {name: route.convertors[name].convert(raw) for name, raw in found.params.items()}

    return lookup


def starlette_lookup(router: StarletteRouter, path: str) -> Callable[[], Any]:
    scope = {"type": "http", "path": path, "root_path": "", "method": "GET"}
    routes = router.routes

    def lookup() -> Any:
        for route in routes:  # the loop in starlette.routing.Router.app
            match, child_scope = route.matches(scope)
            if match is StarletteMatch.FULL:
                return child_scope["path_params"]
        raise AssertionError("no match")

    return lookup


def time_per_call(func: Callable[[], Any], budget: float = 0.2, repeats: int = 7) -> float:
    """Best-of-``repeats`` nanoseconds per call, each run lasting about ``budget`` seconds."""
    calls = 1
    while True:  # calibrate: double the calls until one run takes a tenth of the budget
        start = time.perf_counter()
        for _ in range(calls):
            func()
        if time.perf_counter() - start >= budget / 10:
            break
        calls *= 2
    calls *= 10
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for _ in range(calls):
            func()
        best = min(best, (time.perf_counter_ns() - start) / calls)
    return best


def main() -> None:
    print(f"Python {sys.version.split()[0]}; lookup of a route near the end of the table")
    lookups = {
        size: reference_lookup(build_reference(size), f"/api/v1/resource{size - 1}/42")
        for size in SIZES
    }
    # The trie's figures are small enough for machine noise to matter, so every size is
    # measured in three interleaved rounds and keeps its best.
    ours = {size: float("inf") for size in SIZES}
    for _ in range(3):
        for size in SIZES:
            ours[size] = min(ours[size], time_per_call(lookups[size]))
    print(f"{'routes':>8} | {'reference_app':>15} | {'starlette':>15} | {'starlette/ref':>13}")
    print(f"{'':->8}-+-{'':->15}-+-{'':->15}-+-{'':->13}")
    for size in SIZES:
        path = f"/api/v1/resource{size - 1}/42"
        theirs = time_per_call(starlette_lookup(build_starlette(size), path))
        ratio = theirs / ours[size]
        print(f"{size:>8,} | {ours[size]:>12.0f} ns | {theirs:>12.0f} ns | {ratio:>12.0f}x")
    growth = ours[SIZES[-1]] / ours[SIZES[0]]
    print(f"\nreference_app: cost at {SIZES[-1]:,} routes / cost at {SIZES[0]}: {growth:.2f}x")


if __name__ == "__main__":
    main()
