"""``validate(app)``: an ASGI middleware that checks both directions of every connection.

Like the standard library's ``wsgiref.validate``, it sits between any server and any app and
judges what crosses: the scope and events the server hands in, the messages the app sends out,
and how the app's call ends. Clean traffic passes through untouched (the same dict objects, in
the same order). The judge is the sans-IO ``Validator``; an everyday HTTP exchange is proved
clean by a cheaper fast lane (``HttpLane``, below) that hands over to it at the first step it
cannot vouch for, so the cost is a few microseconds per request and it can stay on in
development::

    app = asgicheck.validate(app)                  # raise at the offending send()
    app = asgicheck.validate(app, mode="record")   # keep going; inspect app.violations

In ``raise`` mode an error-level violation by the app raises ``ViolationError`` from the send()
that carried it, before the server sees the message, so the traceback points at the bug.
Warnings, and everything the server breaks, are recorded and logged to the ``asgicheck`` logger
but never raised: an app should not crash for its server's mistakes.

The fast lane. Most requests a development server sees are plain: a scope
``_scope_fields.plain_http`` vouches for, the request read in ``http.request`` events (or not
read at all, when it announced no body: ``announces_body``), an ``http.response.start`` that
needs no thought (``start_length``) and ``http.response.body`` messages whose lengths add up.
Such an exchange breaks no rule, and proving that in a few subscripts and exact type tests
costs a fraction of running the full ``Validator``, which is only built at the first step the
lane cannot vouch for. It takes over in the state the lane reached (``HTTPMachine.resumed``),
then judges that step and every later one, so the findings are the full path's, always. The
lane is an optimisation only: ``FAST_LANE`` switches it off, and the tests run every known
case both ways and require the same findings.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final, Literal

from asgiref.compatibility import guarantee_single_callable

from asgicheck.selection import DEFAULT, Selection
from asgicheck.types import Message, Receive, Scope, Send
from asgicheck.validator._http import HTTPMachine
from asgicheck.validator._http_fast import PlainProgress, announces_body, start_length
from asgicheck.validator._scope_fields import plain_http
from asgicheck.validator._validator import Validator
from asgicheck.violations import Party, Severity, Violation, ViolationError

__all__ = ["ValidatedApp", "validate"]

logger = logging.getLogger("asgicheck")

Mode = Literal["raise", "record"]
# The fast lane for everyday HTTP exchanges (see ``ValidatedApp.__call__``) is an optimisation
# only; tests switch it off to check that every case is judged the same without it. Not Final:
# a compiled build reads it from the module's dict on every call, so switching it still works.
FAST_LANE = True
# The wrapped app as it really is: an ASGIApp whose call may end in any value, which
# OPS-APP-004 reports when it is not None. Declared so because a compiled build (setup.py)
# takes a declared None at its word: under ASGIApp's Awaitable[None] it would never see a 42.
AnyApp = Callable[[Scope, Receive, Send], Awaitable[object]]


class ValidatedApp:
    """The wrapped app. ``violations`` holds the most recent findings (at most ``keep``)."""

    def __init__(self, app: object, *, mode: Mode = "raise", selection: Selection = DEFAULT,
                 keep: int = 10_000) -> None:
        if mode not in ("raise", "record"):
            raise ValueError(f"mode must be 'raise' or 'record', not {mode!r}")
        self.app: AnyApp = guarantee_single_callable(app)  # type: ignore[no-untyped-call]
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
        lane = HttpLane()  # the full Validator only if a step needs it
        lane.owner = self
        lane.scope = scope
        lane.inner_receive = receive
        lane.inner_send = send
        lane.index = lane.received = lane.step = lane.sent = 0
        lane.head = scope["method"] == "HEAD"
        if "extensions" in scope:
            # What they permit (trailers, push, ...) is never a plain step: the full path
            # judges it, with the extensions the call began with.
            lane.extensions = scope["extensions"]
        try:
            result = await self.app(scope, lane.receive, lane.send)
        except ViolationError:
            raise
        except BaseException as exc:
            self._judge_raised(lane.full(), exc, scope)
            raise
        if lane.step == COMPLETE and result is None:
            return  # complete, and every step proved clean
        found = lane.full().app_returned(result)
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
            result = await self.app(scope, checked_receive, checked_send)
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


# HttpLane.step: how far the response has come on plain steps, or that the full path has it.
# Final, here and for the lane's other constants: a compiled build (setup.py) inlines them
# rather than looking each up in the module's dict, which it does for every other global.
BEFORE_START: Final = 0
STARTED: Final = 1
STREAMING: Final = 2
COMPLETE: Final = 3
HANDED_OVER: Final = 4


class HttpLane:
    """One exchange in the fast lane. ``receive`` and ``send`` are what the app is given.

    Slots, each stored by ``ValidatedApp.__call__`` before the app runs, because reading a
    slot costs a fraction of looking up an attribute that is not there; ``status``,
    ``length``, ``extensions`` and ``validator`` are stored only when there is something to
    store (at the start, when the scope has extensions, when the full path takes over) and read
    only after that.
    """

    __slots__ = ("owner", "scope", "inner_receive", "inner_send", "index", "received", "step",
                 "sent", "head", "status", "length", "extensions", "validator")
    owner: ValidatedApp
    scope: Scope
    inner_receive: Receive
    inner_send: Send
    index: int  # the steps so far: the Validator's running index
    received: int  # 0: no request event yet, 1: part of the body, 2: all of it
    step: int  # BEFORE_START ... COMPLETE, or HANDED_OVER
    sent: int  # body bytes sent
    head: bool  # a HEAD request, as the call began
    status: int  # from STARTED on
    length: int  # from STARTED on: the declared content-length, -1 for none, 0 for HEAD
    extensions: dict[str, object]  # when the scope had them as the call began
    validator: Validator  # once HANDED_OVER

    def full(self) -> Validator:
        """The full path: the Validator that has taken over, or one that does now."""
        return self.validator if self.step == HANDED_OVER else self.take_over()

    def take_over(self) -> Validator:
        """Hand over to the full path, in the state the plain steps have reached."""
        progress = PlainProgress()
        progress.index, progress.received, progress.head = self.index, self.received, self.head
        progress.extensions = getattr(self, "extensions", None)
        step = self.step
        if step != BEFORE_START:
            progress.status = self.status
            progress.length = -1 if self.head else self.length
            progress.sent = self.sent
            progress.phase = 0 if step == STARTED else 1 if step == STREAMING else 2
        machine = HTTPMachine.resumed(self.scope, progress)
        validator = Validator.resumed(self.scope, machine, self.index,
                                      selection=self.owner.selection)
        self.validator = validator
        self.step = HANDED_OVER
        return validator

    async def receive(self) -> Message:
        event = await self.inner_receive()
        if (self.step == BEFORE_START and self.received != 2 and type(event) is dict
                and len(event) == 3):
            try:
                kind, body, more = event["type"], event["body"], event["more_body"]
            except KeyError:
                kind = None
            # Exactly {type, body, more_body} with exact types: check_event has nothing to say,
            # and the machine only notes how much of the request has come.
            if (kind == "http.request" and type(kind) is str and type(body) is bytes
                    and (more is False or more is True)):
                self.index += 1
                self.received = 1 if more else 2
                return event
        found = self.full().app_received(event)
        if found:
            self.owner._record(found, self.scope)
        return event

    def send(self, message: Message) -> Awaitable[None]:
        # A plain function handing back the server's own awaitable: no extra coroutine frame
        # per message (``ValidatedApp._checked`` says what that costs).
        if type(message) is dict:
            try:
                kind = message["type"]
            except KeyError:
                kind = None
            if kind == "http.response.body":
                step = self.step
                if (step == STARTED or step == STREAMING) and type(kind) is str:
                    # HTTPMachine._plain_body's proof, on the lane's state.
                    keys = len(message)
                    try:
                        body = message["body"] if keys > 1 else b""
                        more = message["more_body"] if keys == 3 else False
                    except KeyError:
                        body = None
                    if type(body) is bytes and keys <= 3 and (more is False or more is True):
                        total = self.sent + len(body)
                        length = self.length
                        # With a declared length (0 for HEAD: no body at all): never past it,
                        # and the last body lands on it.
                        if length < 0 or total < length and more or total == length:
                            self.index += 1
                            self.sent = total
                            self.step = STREAMING if more else COMPLETE
                            return self.inner_send(message)
            elif (kind == "http.response.start" and self.step == BEFORE_START
                  and type(kind) is str
                  and (self.received or not announces_body(self.scope.get("headers")))):
                # Answering before reading is plain unless the request announced a body
                # (HTTP-RECV-001): most GET handlers never call receive().
                declared = start_length(message)
                if declared != -2:
                    self.index += 1
                    self.status = message["status"]
                    self.length = 0 if self.head else declared
                    self.step = STARTED
                    return self.inner_send(message)
        found = self.full().app_sent(message)
        if found:
            self.owner._record(found, self.scope)
            self.owner._raise_for(found)
        return self.inner_send(message)
