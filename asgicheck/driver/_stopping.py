"""Stopping the thread an app wedged, and saying where it was.

An app that spins without awaiting (``while True: pass``) keeps the loop's thread, and with it
the GIL, for good: Python has no way to kill a thread, and a leaked spinning thread makes the
rest of a run crawl. CPython can still raise an exception in another thread, at that thread's
next bytecode boundary (``PyThreadState_SetAsyncExc``, what debuggers and pytest-timeout's
thread method build on). So once the watchdog has given up on a runner, ``stop_thread`` looks
at where its thread is (``sys._current_frames()``), keeps the frames below the driver's own
(the app's), raises ``Interrupted`` there, and watches whether the thread leaves them.

It does not always work, and the ``Stop`` says which way it went:

- ``stopped``: the thread left the app's frames (a spin, or a sleep that ended meanwhile);
- ``swallowed``: still there after ``TRIES`` tries and still burning CPU: the app catches
  everything (a bare ``except`` in its loop); the thread is abandoned, spinning;
- ``blocked``: still there and using no CPU: it sits in a C call no exception interrupts
  (``time.sleep``, sync I/O, a lock); it is abandoned with the exception pending, which ends it
  when the call returns;
- ``stuck``: still there, with no CPU clock to tell the two apart;
- ``elsewhere``: no app frame on the thread's stack (nothing to stop);
- ``unsupported``: no ``ctypes.pythonapi`` (not CPython).

The exception is a ``BaseException`` so that an app's ``except Exception`` lets it through;
``Interrupted`` is raised by nothing else, so a connection that ends with it knows its record
is the watchdog's to close.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Literal

__all__ = ["TRIES", "WAIT", "Interrupted", "Stop", "app_frames", "stop_thread"]

TRIES = 5  # how often the exception is raised in a thread that does not leave the app
WAIT = 0.05  # seconds between a try and the look at whether it worked
_OWN = str(Path(__file__).resolve().parents[1])  # asgicheck's own package directory
_STACK_LIMIT = 8  # app frames kept, innermost last

Outcome = Literal["stopped", "swallowed", "blocked", "stuck", "elsewhere", "unsupported"]


class Interrupted(BaseException):
    """Raised by the watchdog inside an app that wedged its thread (by nothing else)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Stop:
    """How stopping a wedged thread went: ``stack`` (``"file:line in function"``, outermost
    first) is where the app was when the watchdog looked."""

    outcome: Outcome
    stack: tuple[str, ...] = ()
    tries: int = 0

    @property
    def where(self) -> str:
        """The innermost app frame and its caller, for a one-line finding."""
        if not self.stack:
            return "no app frame on its stack"
        inner = self.stack[-1]
        return f"{inner} (called from {self.stack[-2]})" if len(self.stack) > 1 else inner

    def describe(self) -> str:
        """What happened to the thread, as the end of a finding's sentence."""
        at = f"at {self.where}"
        if self.outcome == "stopped":
            return (f"it spun {at}, never awaiting; asgicheck stopped its thread by raising an "
                    f"exception there (a server cannot: its whole event loop, and every "
                    f"connection on it, would stay frozen)")
        if self.outcome == "swallowed":
            return (f"it spun {at} and swallowed the exception asgicheck raised there "
                    f"{self.tries} times (a bare except, or except BaseException, in the loop); "
                    f"its thread was abandoned, still spinning, and slows the rest of the run")
        if self.outcome == "blocked":
            return (f"it was blocked {at} in a call no exception can interrupt (time.sleep, "
                    f"sync I/O, a lock); its thread was abandoned, to end when that call "
                    f"returns")
        if self.outcome == "stuck":
            return (f"it stayed {at} through {self.tries} exceptions asgicheck raised there; "
                    f"its thread was abandoned")
        if self.outcome == "unsupported":
            return (f"it was {at}; this Python cannot raise an exception in another thread, "
                    f"so its thread was abandoned")
        return "its thread was abandoned"


def app_frames(ident: int) -> list[FrameType]:
    """The frames of thread ``ident`` below the driver's innermost one (the app's and what it
    called), outermost first; empty when the thread is gone or not inside an app."""
    frame = sys._current_frames().get(ident)
    frames: list[FrameType] = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    frames.reverse()
    own = [i for i, f in enumerate(frames) if f.f_code.co_filename.startswith(_OWN)]
    return frames[own[-1] + 1:] if own else []


def stop_thread(thread: threading.Thread) -> Stop:
    """Raise ``Interrupted`` in ``thread`` until it leaves the app's frames (see the module)."""
    ident = thread.ident
    if ident is None or not thread.is_alive():
        return Stop(outcome="elsewhere")
    frames = app_frames(ident)
    if not frames:
        return Stop(outcome="elsewhere")
    stack = tuple(_describe(f) for f in frames[-_STACK_LIMIT:])
    raise_in = _raiser()
    if raise_in is None:
        return Stop(outcome="unsupported", stack=stack)
    outer = frames[0]
    del frames
    clock = _cpu_clock(ident)
    tries = 0
    busy: bool | None = None
    try:
        while tries < TRIES:
            tries += 1
            used, started = _cpu(clock), time.perf_counter()
            if not raise_in(ident):
                return Stop(outcome="stopped", stack=stack, tries=tries)  # it has ended
            thread.join(WAIT)
            if not thread.is_alive() or not _on_stack(ident, outer):
                return Stop(outcome="stopped", stack=stack, tries=tries)
            if used is not None:
                spent = _cpu(clock)
                elapsed = time.perf_counter() - started
                busy = spent is not None and (spent - used) > 0.1 * elapsed
                if not busy:  # asleep in a call: raising again changes nothing
                    return Stop(outcome="blocked", stack=stack, tries=tries)
    finally:
        del outer
    return Stop(outcome="swallowed" if busy else "stuck", stack=stack, tries=tries)


def _on_stack(ident: int, frame: FrameType) -> bool:
    current = sys._current_frames().get(ident)
    while current is not None:
        if current is frame:
            return True
        current = current.f_back
    return False


def _describe(frame: FrameType) -> str:
    path = Path(frame.f_code.co_filename)
    shown = path.name if path.is_absolute() else str(path)
    return f"{shown}:{frame.f_lineno} in {frame.f_code.co_name}"


def _raiser() -> Any:
    """``raise_in(ident) -> bool`` (whether the thread was found), or None off CPython."""
    try:
        import ctypes

        set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (ImportError, AttributeError):
        return None

    def raise_in(ident: int) -> bool:
        found = set_async_exc(ctypes.c_ulong(ident), ctypes.py_object(Interrupted))
        return bool(found)

    return raise_in


def _cpu_clock(ident: int) -> int | None:
    try:
        return time.pthread_getcpuclockid(ident)
    except (AttributeError, OSError, OverflowError):  # not on this platform, or gone
        return None


def _cpu(clock: int | None) -> float | None:
    if clock is None:
        return None
    try:
        return time.clock_gettime(clock)
    except OSError:  # the thread has ended
        return None
