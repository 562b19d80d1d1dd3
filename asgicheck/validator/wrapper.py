"""``validate(app)``: an ASGI middleware that checks both directions of every connection.

Like the standard library's ``wsgiref.validate``, it sits between any server and any app and
judges what crosses: the scope and events the server hands in, the messages the app sends out,
and how the app's call ends. Clean traffic passes through untouched (the same dict objects, in
the same order). The judge is the sans-IO ``Validator``; an everyday HTTP exchange is proved
clean by a cheaper fast lane (``_lane``) that hands over to it at the first step it cannot
vouch for, so the cost is a few microseconds per request and it can stay on in development::

    app = asgicheck.validate(app)                  # raise at the offending send()
    app = asgicheck.validate(app, mode="record")   # keep going; inspect app.violations

In ``raise`` mode an error-level violation by the app raises ``ViolationError`` from the send()
that carried it, before the server sees the message, so the traceback points at the bug.
Warnings, and everything the server breaks, are recorded and logged to the ``asgicheck`` logger
but never raised: an app should not crash for its server's mistakes.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable
from typing import Literal

from asgiref.compatibility import guarantee_single_callable

from asgicheck.selection import DEFAULT, Selection
from asgicheck.types import ASGIApp, Message, Receive, Scope, Send
from asgicheck.validator._lane import HttpLane
from asgicheck.validator._scope_fields import plain_http
from asgicheck.validator._validator import Validator
from asgicheck.violations import Party, Severity, Violation, ViolationError

__all__ = ["ValidatedApp", "validate"]

logger = logging.getLogger("asgicheck")

Mode = Literal["raise", "record"]
# The fast lane for everyday HTTP exchanges (see ``ValidatedApp.__call__``) is an optimisation
# only; tests switch it off to check that every case is judged the same without it.
FAST_LANE = True


class ValidatedApp:
    """The wrapped app. ``violations`` holds the most recent findings (at most ``keep``)."""

    def __init__(self, app: object, *, mode: Mode = "raise", selection: Selection = DEFAULT,
                 keep: int = 10_000) -> None:
        if mode not in ("raise", "record"):
            raise ValueError(f"mode must be 'raise' or 'record', not {mode!r}")
        self.app: ASGIApp = guarantee_single_callable(app)  # type: ignore[no-untyped-call]
        self.mode = mode
        self.selection = selection
        self.violations: deque[Violation] = deque(maxlen=keep)

    def clear(self) -> None:
        self.violations.clear()

    def _record(self, found: list[Violation], scope: Scope) -> None:
        self.violations.extend(found)
        for violation in found:
            level = logging.WARNING if violation.severity is not Severity.INFO else logging.INFO
            logger.log(level, "%s %s: %s", scope.get("type"), scope.get("path", ""), violation)

    def _raise_for(self, found: list[Violation]) -> None:
        errors = [v for v in found if v.party is Party.APP and v.severity is Severity.ERROR]
        if errors and self.mode == "raise":
            raise ViolationError(errors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # GEN-APP-007 (opt-in) looks at every tuple, which the lane does not: no lane for it.
        if not (FAST_LANE and not self.selection.tuples and type(scope) is dict
                and plain_http(scope)):
            await self._checked(scope, receive, send)
            return
        lane = HttpLane()  # see _lane: the full Validator only if a step needs it
        lane.owner = self
        lane.scope = scope
        lane.inner_receive = receive
        lane.inner_send = send
        if scope["method"] == "HEAD":
            lane.head = True
        if "extensions" in scope:
            # What they permit (trailers, push, ...) is never a plain step: the full path
            # judges it, with the extensions the call began with.
            lane.extensions = scope["extensions"]
        try:
            result: object = await self.app(  # type: ignore[func-returns-value]
                scope, lane.receive, lane.send)
        except ViolationError:
            raise
        except BaseException as exc:
            self._judge_raised(lane.validator or lane.take_over(), exc, scope)
            raise
        if lane.validator is None and result is None and lane.phase == 2:
            return  # complete, and every step proved clean
        found = (lane.validator or lane.take_over()).app_returned(result)
        if found:
            self._record(found, scope)
            self._raise_for(found)

    async def _checked(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Every step through the full Validator: any scope the fast lane does not vouch for."""
        validator = Validator(scope, selection=self.selection)
        if validator.violations:
            self._record(validator.violations, scope)

        async def checked_receive() -> Message:
            event = await receive()
            found = validator.app_received(event)
            if found:
                self._record(found, scope)
            return event

        def checked_send(message: Message) -> Awaitable[None]:
            # A plain function handing back the server's own awaitable: no extra coroutine
            # frame per message. The price is that a send() raising OSError (the client has
            # gone, spec 2.4) is seen only if the app lets it escape, which HTTP-RECV-006
            # allows; the driver, which owns send(), sees every failure.
            found = validator.app_sent(message)
            if found:
                self._record(found, scope)
                self._raise_for(found)
            return send(message)

        try:
            result: object = await self.app(  # type: ignore[func-returns-value]
                scope, checked_receive, checked_send)
        except ViolationError:
            raise
        except BaseException as exc:
            self._judge_raised(validator, exc, scope)
            raise
        found = validator.app_returned(result)
        if found:
            self._record(found, scope)
            self._raise_for(found)

    def _judge_raised(self, validator: Validator, exc: BaseException, scope: Scope) -> None:
        if isinstance(exc, OSError):
            validator.send_failed(exc)  # the server's "client disconnected" error
        found = validator.app_raised(exc)
        if found:
            self._record(found, scope)


def validate(app: object, *, mode: Mode = "raise", selection: Selection = DEFAULT,
             keep: int = 10_000) -> ValidatedApp:
    """Wrap ``app`` (ASGI 3, or ASGI 2 through asgiref) so every connection is checked."""
    return ValidatedApp(app, mode=mode, selection=selection, keep=keep)
