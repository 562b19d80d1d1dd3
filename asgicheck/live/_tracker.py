"""The recording layer a live server runs: what the server handed the app and what came back.

``Tracker`` is the outermost ASGI app inside the real server. For every call it keeps a ``Call``:
the scope as the server built it, each event ``receive()`` returned and each message passed to
``send()`` (with whether the server's send raised), and how the call ended. It wraps the app
that ``validate(app, mode="record")`` made, so its steps are numbered exactly as the validator
numbers them, and a call turns into an ordinary ``Transcript`` whose marks point at the
validator's findings.

Calls run on the server's thread; the test thread waits for them with ``wait_ended``.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any

from asgicheck.transcript import NOTE, RECEIVED, SENT, Ended, Transcript, exception_chain
from asgicheck.types import ASGIApp, Message, Receive, Scope, Send
from asgicheck.violations import Violation

__all__ = ["Call", "Tracker", "current_call"]

_CURRENT: contextvars.ContextVar[Call] = contextvars.ContextVar("asgicheck_live_call")


def current_call() -> Call:
    """The call being served in this task (probe apps add notes and data to it)."""
    return _CURRENT.get()


@dataclass(eq=False, kw_only=True)
class Call:
    """One app call as the server made it. Mutated only on the server's thread until ended."""

    scope: dict[str, Any]
    started: float = field(default_factory=time.perf_counter)
    log: list[list[Any]] = field(default_factory=list)
    ended: Ended | None = None
    exception: str | None = None
    exception_types: tuple[str, ...] = ()
    returned: str | None = None
    duration: float = 0.0
    send_errors: list[BaseException] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # what a probe app observed
    done: threading.Event = field(default_factory=threading.Event)
    _next: int = 0

    @property
    def kind(self) -> str:
        return str(self.scope.get("type"))

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def index(self) -> int:
        value, self._next = self._next, self._next + 1
        return value

    def note(self, text: str) -> None:
        self.log.append([NOTE, self.elapsed(), text])

    def events(self) -> list[dict[str, Any]]:
        return [entry[3] for entry in self.log if entry[0] == RECEIVED]

    def sent(self) -> list[Any]:
        return [entry[3] for entry in self.log if entry[0] == SENT]

    def transcript(self, violations: Sequence[Violation] = (), *, name: str = "") -> Transcript:
        ended: Ended = self.ended or "timeout"
        return Transcript(
            scope=self.scope, log=tuple(tuple(entry) for entry in list(self.log)),
            ended=ended, violations=tuple(violations), exception=self.exception,
            exception_types=self.exception_types, returned=self.returned,
            timed_out=None if self.ended else "deadline",
            duration=self.duration if self.ended else self.elapsed(), name=name)


class Tracker:
    """The outermost app: records every call of ``app`` (normally a ``ValidatedApp``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._calls: list[Call] = []
        self._released = 0  # calls dropped by ``release``; positions keep counting
        self._lock = threading.Lock()
        self.lifespan: Call | None = None

    @property
    def mark(self) -> int:
        """A position: ``calls_since(mark)`` gives the http/websocket calls started after it."""
        with self._lock:
            return self._released + len(self._calls)

    def calls_since(self, mark: int) -> list[Call]:
        with self._lock:
            return self._calls[max(0, mark - self._released):]

    def release(self) -> None:
        """Forget the calls recorded so far (their steps are over), so memory stays bounded."""
        with self._lock:
            self._released += len(self._calls)
            self._calls = []

    def wait_ended(self, mark: int, timeout: float) -> bool:
        """Wait (at most ``timeout`` s) until every call started after ``mark`` has ended."""
        deadline = time.monotonic() + timeout
        for call in self.calls_since(mark):
            if not call.done.wait(max(0.0, deadline - time.monotonic())):
                return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        copied = dict(scope)
        if isinstance(copied.get("headers"), list):
            copied["headers"] = list(copied["headers"])
        call = Call(scope=copied)
        if call.kind == "lifespan":
            self.lifespan = call
        else:
            with self._lock:
                self._calls.append(call)
        token = _CURRENT.set(call)

        async def tracked_receive() -> Message:
            event = await receive()
            call.log.append([RECEIVED, call.index(), call.elapsed(),
                             dict(event) if isinstance(event, dict) else event])
            return event

        def tracked_send(message: Message) -> Awaitable[None]:
            # Recorded before the server sees it, in the same order as the validator counts.
            entry = [SENT, call.index(), call.elapsed(),
                     dict(message) if isinstance(message, dict) else message, "ok"]
            call.log.append(entry)
            return _deliver(entry, message)

        async def _deliver(entry: list[Any], message: Message) -> None:
            try:
                await send(message)
            except BaseException as exc:
                if isinstance(exc, OSError):  # the client has gone (spec 2.4)
                    entry[4] = "raised"
                call.send_errors.append(exc)
                call.note(f"the server's send() raised {type(exc).__name__}: {exc}")
                raise

        try:
            result: object = await self.app(  # type: ignore[func-returns-value]
                scope, tracked_receive, tracked_send)
        except BaseException as exc:
            call.ended = "cancelled" if type(exc).__name__ == "CancelledError" else "raised"
            call.exception = f"{type(exc).__name__}({str(exc)[:200]!r})"
            call.exception_types = exception_chain(exc)
            raise
        else:
            call.ended = "returned"
            call.returned = None if result is None else f"{result!r:.80}"
        finally:
            call.duration = call.elapsed()
            _CURRENT.reset(token)
            call.done.set()
