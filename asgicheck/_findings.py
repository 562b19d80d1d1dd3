"""The driver's own findings about how an app ended (OPS-APP-002/003, GEN-APP-001), and the small
facts a transcript records about the end (the exception chain, the scope keys the app changed)."""

from __future__ import annotations

from typing import Any

from asgicheck.rules import violation
from asgicheck.violations import Violation

__all__ = ["changed_keys", "exception_chain", "hang", "not_awaitable", "stall"]

_MISSING = object()


def hang(*, stalled: float, reason: str | None, kind: str | None, deadline: float,
         linger: float | None, blocked: bool) -> Violation:
    """OPS-APP-002: the app was still running when its time was up."""
    if stalled:
        return violation("OPS-APP-002", f"the app kept the event loop blocked for "
                         f"{stalled:.2f} s, past the {deadline:g} s deadline; it could not even "
                         f"be cancelled, so its thread was abandoned")
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


def exception_chain(exc: BaseException) -> tuple[str, ...]:
    """The exception's type name, then those of its __cause__/__context__ chain."""
    names: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(names) < 8:
        seen.add(id(current))
        names.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    return tuple(names)


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    """The scope keys the app added, removed or replaced (GEN-MW-001)."""
    if before == after:
        return ()
    keys = set(before) | set(after)
    return tuple(sorted(k for k in keys if before.get(k, _MISSING) is not after.get(k, _MISSING)))
