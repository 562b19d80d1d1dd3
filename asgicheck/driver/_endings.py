"""The driver's own findings about how an app ended: hung (OPS-APP-002), blocked the loop
(OPS-APP-003), or gave nothing awaitable when called (GEN-APP-001); and where an app raised a
BaseException that is no Exception (a note)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from asgicheck.rules import violation
from asgicheck.transcript import app_frames
from asgicheck.violations import Violation

if TYPE_CHECKING:
    from asgicheck.driver._stopping import Stop

__all__ = ["base_exception", "hang", "not_awaitable", "raised_at", "stall"]

def hang(*, stalled: float, reason: str | None, kind: str | None, deadline: float,
         linger: float | None, blocked: bool, stop: Stop | None = None) -> Violation:
    """OPS-APP-002: the app was still running when its time was up."""
    if stalled:
        what = stop.describe() if stop is not None and stop.stack else \
            "its thread was abandoned"
        return violation("OPS-APP-002", f"the app kept the event loop blocked for "
                         f"{stalled:.2f} s, past the {deadline:g} s deadline, so it could not "
                         f"even be cancelled: {what}")
    if reason:
        why = reason
    elif kind == "linger":
        why = f"the app was still running {linger:g} s after the client disconnected"
    else:
        why = f"the app was still running at the {deadline:g} s deadline"
    doing = ("waiting in receive(), where no more events would come" if blocked
             else "not waiting on receive() or send()")
    return violation("OPS-APP-002", f"{why}, {doing}; a server would hold this connection's "
                     f"task forever")


def stall(seconds: float, threshold: float) -> Violation:
    """OPS-APP-003: the event loop did not run for ``seconds``."""
    return violation(
        "OPS-APP-003", f"the app blocked the event loop for {seconds:.2f} s (threshold "
        f"{threshold:g} s): a blocking call (time.sleep, sync I/O) or a loop that never "
        f"awaits; every other connection on the server froze meanwhile")


def not_awaitable(value: object) -> Violation:
    """GEN-APP-001: calling the app did not give an awaitable."""
    return violation("GEN-APP-001", f"calling the app returned {value!r:.80}, which is not "
                     f"awaitable: an ASGI 3 app is an async callable (scope, receive, send)")


def base_exception(exc: BaseException) -> str:
    """Where the app raised ``exc`` (a SystemExit, KeyboardInterrupt, ...), and what it means."""
    return (f"the app raised {type(exc).__name__}{raised_at(exc)}: no Exception, so a server "
            f"that catches Exception around the app lets it through; asgicheck reports it here "
            f"and goes on")


def raised_at(exc: BaseException) -> str:
    """`` at file.py:12 in handler``: the innermost frame of ``exc``'s traceback outside
    asgicheck, or nothing."""
    frames = app_frames(exc)
    if not frames:
        return ""
    file, line, function = frames[-1]
    return f" at {Path(file).name}:{line} in {function}"
