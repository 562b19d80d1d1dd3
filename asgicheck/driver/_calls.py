"""App code that is no exchange, run under the watchdog: ``call_app_code(fn, timeout)``.

Discovery calls into the app outside any exchange: a framework's route table, ``app.openapi()``,
properties on the app object. That code is the app's too, and may spin, block or raise
``SystemExit``; on pytest's own thread it would hang the run before any item, or end it. So it
runs where exchanges run, as one job in the shared runner's thread, with the same hard limit
and the same remedy for a wedge (the thread is stopped, or abandoned, ``_stopping``). Whatever
it raises comes back as an ``AppCodeFailed``, an ``Exception`` whatever the app raised, so a
``KeyboardInterrupt`` in pytest's thread only ever means a real Ctrl-C.

The job runs with no event loop set as running, as code on a plain thread would: frameworks
that refuse to run synchronous code inside a loop (Django's ``async_unsafe``) read their tables
as they would at import.
"""

from __future__ import annotations

from asyncio import events
from collections.abc import Callable
from typing import Any, TypeVar

from asgicheck.driver._endings import raised_at
from asgicheck.driver._stopping import Stop
from asgicheck.driver._watchdog import Ticket, Wedged, shared_runner

__all__ = ["AppCodeFailed", "call_app_code"]

T = TypeVar("T")


class AppCodeFailed(Exception):
    """The app's code raised (``raised``) or did not return within its limit (``stop``: how
    stopping its thread went); ``str()`` says which, and where."""

    def __init__(self, text: str, *, raised: BaseException | None = None,
                 stop: Stop | None = None, timeout: float = 0.0) -> None:
        super().__init__(text)
        self.raised, self.stop, self.timeout = raised, stop, timeout

    @property
    def hung(self) -> bool:
        return self.raised is None


def call_app_code(fn: Callable[[], T], timeout: float, *, what: str = "the app's code") -> T:
    """``fn()``, run in the app's thread under a hard limit of ``timeout`` seconds; raises
    ``AppCodeFailed`` when it raises anything or does not return in time. ``what`` names the
    call in the message ("the app's openapi()")."""

    def job(ticket: Ticket) -> tuple[bool, Any]:
        loop = events._get_running_loop()
        events._set_running_loop(None)
        try:
            return True, fn()
        except BaseException as exc:  # noqa: B036 - the app's: carried back as a value, so
            return False, exc  # that only a real Ctrl-C raises in the caller's thread
        finally:
            events._set_running_loop(loop)

    try:
        ok, value = shared_runner().call(job, timeout)
    except Wedged as wedged:
        stop = wedged.stop()
        done = stop.describe() if stop is not None else "its thread was abandoned"
        raise AppCodeFailed(f"{what} did not return within {timeout:g} s: {done}",
                            stop=stop, timeout=timeout) from None
    if ok:
        return value  # type: ignore[no-any-return]
    raise AppCodeFailed(f"{what} raised {value!r}{raised_at(value)}", raised=value) from value
