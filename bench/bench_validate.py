"""Cost of ``asgicheck.validate()`` per HTTP exchange, against the same exchange without it.

Both sides pay what a server pays per request: a fresh scope dict, a receive() that hands over
the request, a send() that takes the messages. The only difference is the wrapper. This exchange
is plain, so validate() proves it clean in its fast lane (validator.wrapper.HttpLane), checking
every value of the fresh scope and messages each time; the only thing carried between requests is
the set of header names already proven lowercase. The "full path" line is the same wrapper
with the lane switched off: what a request costs from the first step the lane cannot vouch
for. The "checks nothing" line is a wrapper with validate()'s layers and no checks at all (an
async ``__call__``, a receive() coroutine that sees each event, a send() handing back the
server's awaitable): the floor any wrapper that watches both directions starts from, so the
target leaves the checks ``3 x bare - floor``. Run:

    python bench/bench_validate.py            # target: validated <= 3x bare
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import asgicheck.validator.wrapper
from asgicheck import validate

REQUEST = {"type": "http.request", "body": b"", "more_body": False}
START = {"type": "http.response.start", "status": 200,
         "headers": [(b"content-type", b"text/plain"), (b"content-length", b"13")]}
BODY = {"type": "http.response.body", "body": b"Hello, world!"}


async def hello(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send(START)
    await send(BODY)


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


def new_scope() -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1", "method": "GET", "scheme": "http", "path": "/hello",
        "raw_path": b"/hello", "query_string": b"", "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench"),
                    (b"accept", b"*/*")],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }


async def exchanges(app: Any, count: int) -> float:
    async def receive() -> dict[str, Any]:
        return REQUEST

    async def send(message: Any) -> None:
        pass

    began = time.perf_counter()
    for _ in range(count):
        await app(new_scope(), receive, send)
    return (time.perf_counter() - began) / count


def main(count: int = 20_000, rounds: int = 7) -> dict[str, float]:
    validated = validate(hello, mode="record")
    floor_app = ChecksNothing(hello)
    bare_times, checked_times, full_times, floor_times = [], [], [], []
    for _ in range(rounds):  # interleaved, so noise hits every side alike
        bare_times.append(asyncio.run(exchanges(hello, count)))
        floor_times.append(asyncio.run(exchanges(floor_app, count)))
        checked_times.append(asyncio.run(exchanges(validated, count)))
        asgicheck.validator.wrapper.FAST_LANE = False
        try:
            full_times.append(asyncio.run(exchanges(validated, count // 4)))
        finally:
            asgicheck.validator.wrapper.FAST_LANE = True
    assert not validated.violations, list(validated.violations)[:3]
    bare, checked, full, floor = (statistics.median(times) for times in (
        bare_times, checked_times, full_times, floor_times))
    print(f"bare exchange       {bare * 1e6:8.2f} µs")
    print(f"checks nothing      {floor * 1e6:8.2f} µs  ({floor / bare:.2f}x: the floor of any "
          f"wrapper; 3x leaves {(3 * bare - floor) * 1e6:.2f} µs for the checks)")
    print(f"validate() exchange {checked * 1e6:8.2f} µs  (+{(checked - bare) * 1e6:.2f} µs)")
    print(f"ratio               {checked / bare:8.2f}x  (target <= 3x)")
    print(f"full path (no lane) {full * 1e6:8.2f} µs  ({full / bare:.2f}x)")
    return {"bare_us": bare * 1e6, "validated_us": checked * 1e6, "ratio": checked / bare,
            "full_path_us": full * 1e6, "floor_us": floor * 1e6}


if __name__ == "__main__":
    main()
