"""How an app's exception relates to a failed send(): shared by the HTTP and websocket machines.

www.rst § Disconnected Client - send exception: after the client has gone, send() may raise an
OSError subclass, and "applications may catch this exception and do cleanup work before
re-raising it". Only that re-raise is exempt from OPS-APP-001; any other exception after a
disconnect still makes every server log an application error for each client that leaves.
"""

from __future__ import annotations

__all__ = ["from_send_error"]


def from_send_error(raised: BaseException, depth: int = 0) -> bool:
    """The exception is an OSError (what a failed send() raises), or was raised from one, or
    from an exception group holding one (anyio task groups wrap it: Litestar's streaming)."""
    seen: BaseException | None = raised
    for _ in range(8):  # a bounded walk: __context__ chains can be long or cyclic
        if seen is None:
            return False
        if isinstance(seen, OSError):
            return True
        members = getattr(seen, "exceptions", None)  # (Base)ExceptionGroup, 3.11 or backport
        if isinstance(members, tuple) and depth < 3 and any(
                isinstance(e, BaseException) and from_send_error(e, depth + 1)
                for e in members):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
