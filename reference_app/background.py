"""Background tasks: work a handler schedules to run *after* its response has been sent.

A handler adds tasks to ``request.background``; once the final ``http.response.body`` message
(``more_body=False``) has gone out, the app hands them to the app's ``BackgroundRunner``, which
starts them as their own asyncio task. Three properties follow, each fixing a real bug class
(J in the bug list):

* the client gets its complete response without waiting for the work (the final body message
  is sent first, and the request coroutine does not wait for the tasks);
* the work is not cancelled if the client disconnects, or if the server cancels the request
  coroutine: the tasks do not belong to it;
* nothing is lost at shutdown: on ``lifespan.shutdown`` the app waits for every pending task,
  up to a time limit, before answering ``lifespan.shutdown.complete``.

A request's tasks run one after another, in the order they were added. A task that raises is
logged and the next one still runs. Plain (non-async) functions run in a worker thread so they
cannot block the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["BackgroundRunner", "BackgroundTask", "BackgroundTasks"]

logger = logging.getLogger("reference_app")


class BackgroundTask:
    """One call to make later: ``func(*args, **kwargs)``, async or plain."""

    __slots__ = ("func", "args", "kwargs")

    def __init__(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs

    async def run(self) -> None:
        if inspect.iscoroutinefunction(self.func):
            await self.func(*self.args, **self.kwargs)
        else:
            await asyncio.to_thread(functools.partial(self.func, *self.args, **self.kwargs))

    def __repr__(self) -> str:
        return f"<BackgroundTask {getattr(self.func, '__qualname__', self.func)!r}>"


class BackgroundTasks:
    """The tasks one request has scheduled, in order."""

    __slots__ = ("_tasks",)

    def __init__(self, tasks: Iterable[BackgroundTask] = ()) -> None:
        self._tasks: list[BackgroundTask] = list(tasks)

    def add(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Schedule ``func(*args, **kwargs)`` to run after the response."""
        self._tasks.append(BackgroundTask(func, *args, **kwargs))

    def add_tasks(self, tasks: Iterable[BackgroundTask]) -> None:
        """The tutorial's spelling: add several prepared ``BackgroundTask`` objects."""
        self._tasks.extend(tasks)

    def __iter__(self) -> Iterator[BackgroundTask]:
        return iter(self._tasks)

    def __len__(self) -> int:
        return len(self._tasks)

    async def run_all(self) -> None:
        for task in self._tasks:
            try:
                await task.run()
            except Exception:
                logger.exception("background task %r failed", task)


class BackgroundRunner:
    """Owns the asyncio tasks running background work, so shutdown can wait for them.

    One runner belongs to one App. It holds the only strong reference to each task (asyncio
    keeps just a weak one, so an unreferenced task can be garbage collected mid-run).
    """

    def __init__(self) -> None:
        self._pending: set[asyncio.Task[None]] = set()

    def start(self, tasks: BackgroundTasks) -> None:
        """Start running ``tasks`` now, independently of the caller."""
        if not len(tasks):
            return
        task = asyncio.ensure_future(tasks.run_all())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def wait(self, timeout: float | None) -> int:
        """Wait for every pending task; cancel what is left after ``timeout`` seconds.

        Returns how many had to be cancelled. Tasks started while waiting are waited for too.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._pending:
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            _, not_done = await asyncio.wait(set(self._pending), timeout=remaining)
            if not_done:  # asyncio.wait only returns unfinished tasks when the time is up
                for task in not_done:
                    task.cancel()
                await asyncio.gather(*not_done, return_exceptions=True)
                logger.error("cancelled %d background task(s) at shutdown", len(not_done))
                return len(not_done)
        return 0
