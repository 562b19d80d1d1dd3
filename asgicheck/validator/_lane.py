"""The fast lane of ``validate()``: an everyday HTTP exchange, proved clean step by step.

Most requests a development server sees are plain: a scope ``_scope_fields.plain_http`` vouches
for, the request read in ``http.request`` events (or not read at all, when it announced no
body: ``_http_fast.announces_body``), an ``http.response.start`` that needs no thought
(``_http_fast.start_length``) and ``http.response.body`` messages whose lengths add up. Such an
exchange breaks no rule, and proving that in a few subscripts and exact type tests costs a
fraction of running the full ``Validator``, which is only built at the first step the lane
cannot vouch for. It takes over in the state the lane reached (``_http_fast.resumed``), then
judges that step and every later one, so the findings are the full path's, always.

The lane is an optimisation only: ``validate()`` can switch it off (``wrapper.FAST_LANE``),
and the tests run every known case both ways and require the same findings.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from asgicheck.types import Message, Receive, Scope, Send
from asgicheck.validator._http_fast import announces_body, resumed, start_length
from asgicheck.validator._validator import Validator

if TYPE_CHECKING:
    from asgicheck.validator.wrapper import ValidatedApp

__all__ = ["HttpLane"]


class HttpLane:
    """One exchange in the lane. ``receive`` and ``send`` are what the app is given."""

    # The lane's state starts at these class-level defaults (an instance stores only what
    # changes), and is exactly what ``resumed`` needs to rebuild the machine.
    validator: Validator | None = None  # the full path, once it has taken over
    index = 0  # the steps so far: the Validator's running index
    received = 0  # 0: no request event yet, 1: part of the body, 2: all of it
    status = 0  # the response status; 0 before http.response.start
    length = -1  # the declared content-length (-1: none, or a HEAD response)
    sent = 0  # body bytes sent
    phase = 0  # 0: no content yet, 1: some, 2: the final body was sent
    head = False
    extensions: dict[str, Any] | None = None  # scope["extensions"] as the call began
    # Set per exchange by the owner (attribute stores are cheaper than an __init__ call).
    owner: ValidatedApp
    scope: Scope
    inner_receive: Receive
    inner_send: Send

    def take_over(self) -> Validator:
        machine = resumed(self.scope, head=self.head, extensions=self.extensions,
                          received=self.received, status=self.status, length=self.length,
                          sent=self.sent, phase=self.phase)
        validator = Validator._resumed(self.scope, self.owner.selection, machine, self.index)
        self.validator = validator
        return validator

    async def receive(self) -> Message:
        event = await self.inner_receive()
        if (self.validator is None and self.received != 2 and not self.status
                and type(event) is dict and len(event) == 3):
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
        found = (self.validator or self.take_over()).app_received(event)
        if found:
            self.owner._record(found, self.scope)
        return event

    def send(self, message: Message) -> Awaitable[None]:
        # A plain function handing back the server's own awaitable: no extra coroutine frame
        # per message (wrapper._checked says what that costs).
        if self.validator is None and type(message) is dict:
            try:
                kind = message["type"]
            except KeyError:
                kind = None
            if (kind == "http.response.body" and self.status and self.phase != 2
                    and type(kind) is str):
                # _http_fast.plain_body's proof, on the lane's state.
                keys = len(message)
                try:
                    body = message["body"] if keys > 1 else b""
                    more = message["more_body"] if keys == 3 else False
                except KeyError:
                    body = None
                if (type(body) is bytes and keys <= 3 and (more is False or more is True)
                        and not (self.head and body)):
                    total = self.sent + len(body)
                    length = self.length
                    # With a declared length: never past it, and the last body lands on it.
                    if length < 0 or total < length and more or total == length:
                        self.index += 1
                        self.sent = total
                        self.phase = 1 if more else 2
                        return self.inner_send(message)
            elif (kind == "http.response.start" and not self.status and type(kind) is str
                  and (self.received or not announces_body(self.scope.get("headers")))):
                # Answering before reading is plain unless the request announced a body
                # (HTTP-RECV-001): most GET handlers never call receive().
                declared = start_length(message)
                if declared != -2:
                    self.index += 1
                    self.status = message["status"]
                    if not self.head:
                        self.length = declared
                    return self.inner_send(message)
        found = (self.validator or self.take_over()).app_sent(message)
        if found:
            self.owner._record(found, self.scope)
            self.owner._raise_for(found)
        return self.inner_send(message)
