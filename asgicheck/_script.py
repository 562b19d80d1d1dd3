"""What the simulated client does in one exchange: the scope, and the events ``receive()`` returns.

A ``Script`` is data. The driver plays it: each ``Step`` is one event that ``receive()`` hands
the app, in order, once its ``gate`` is open and its ``delay`` has passed. A step whose event is
``http.disconnect`` or ``websocket.disconnect`` is the client going away: from the moment it is
due, the connection is closed whether or not the app calls ``receive()``, and ``send()`` raises
``ClientDisconnected`` (spec_version 2.4 and later) or does nothing (before 2.4).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ClientDisconnected", "Gate", "Script", "Step", "is_disconnect"]

_set = object.__setattr__


class ClientDisconnected(OSError):
    """Raised by the driver's ``send()`` once the client has gone, at spec_version 2.4 and later.

    www.rst § Disconnected Client - send exception: "If send() is called on a closed connection
    the server should raise a server-specific subclass of OSError".
    """


class Gate(enum.Enum):
    """What the app must have done before a step is delivered (or, for a disconnect, happens).

    A step is also due only once the steps before it were delivered; a disconnect gated on the
    response (STARTED, STREAMING, COMPLETE) is the exception: the client leaves even if the app
    never read the rest of the request.
    """

    CALL = "call"  # nothing: due as soon as the steps before it have been delivered
    STARTED = "started"  # the app sent http.response.start (or the response is complete)
    STREAMING = "streaming"  # the app sent a body chunk with more_body=True (or completed)
    COMPLETE = "complete"  # the response is complete / the app closed the websocket
    ACCEPT = "accept"  # the app accepted the websocket (dropped if it closed or denied it)
    IDLE = "idle"  # the app waits in receive() for more (a client that closes once answered)
    SIGNAL = "signal"  # the server says so (lifespan.shutdown after the requests are done)


def is_disconnect(event: dict[str, Any]) -> bool:
    return event.get("type") in ("http.disconnect", "websocket.disconnect")


_CALL = Gate.CALL


@dataclass(frozen=True, kw_only=True)
class Step:
    """One event for ``receive()``. The app always gets a fresh copy of ``event``."""

    event: dict[str, Any]
    gate: Gate = Gate.CALL
    delay: float = 0.0  # seconds to hold the event back once the gate is open

    def __init__(self, *, event: dict[str, Any], gate: Gate = Gate.CALL,
                 delay: float = 0.0) -> None:
        # A frozen dataclass's own __init__ sets each field through object.__setattr__; one
        # __dict__ costs a fraction (fuzzing builds a script per exchange).
        _set(self, "__dict__", {"event": event, "gate": gate, "delay": delay})

    def __str__(self) -> str:
        extra = "" if self.gate is Gate.CALL else f" after {self.gate.value}"
        extra += f" +{self.delay:g}s" if self.delay else ""
        return f"{self.event.get('type')}{extra}"


@dataclass(frozen=True, kw_only=True, eq=False)
class Script:
    """One scripted exchange.

    ``deadline`` is the hard limit for the whole exchange. ``linger``, when set, is how long the
    app may keep running after the client went away before the exchange ends as a timeout (the
    "T" of HTTP-RECV-007 and WS-APP-001); it applies only to a disconnect that happens while the
    response is still open, never to the ordinary end of a completed response. ``block_threshold``
    is the event-loop stall reported as OPS-APP-003. ``send_delay`` makes every delivered
    ``send()`` take that long (a slow reader). ``raise_invalid`` makes ``send()`` raise
    ``ViolationError`` for messages that break a failing rule, as GEN-SRV-001 says a server
    should; by default the driver only records. ``server_findings_expected`` lists server-side
    rules the scope breaks on purpose (e.g. HTTP-SCOPE-012 for S12's mixed-case header names):
    they are not reported.
    """

    scope: dict[str, Any]
    steps: tuple[Step, ...] = ()
    deadline: float = 5.0
    linger: float | None = None
    block_threshold: float = 0.1
    send_delay: float = 0.0  # a slow client: every send() takes this long to complete
    raise_invalid: bool = False
    server_findings_expected: frozenset[str] = field(default_factory=frozenset)
    name: str = ""
    # Worked out once, for the driver's hot path.
    spec_version: tuple[int, int] = field(init=False, repr=False)
    disconnect_at: int | None = field(init=False, repr=False)  # the first disconnect step
    plain: int = field(init=False, repr=False)  # leading steps due at once (CALL, no delay)
    leave_gate: Gate | None = field(init=False, repr=False)  # the disconnect step's gate
    raises: bool = field(init=False, repr=False)  # send() raises once the client left (2.4+)

    def __init__(self, *, scope: dict[str, Any], steps: tuple[Step, ...] = (),
                 deadline: float = 5.0, linger: float | None = None,
                 block_threshold: float = 0.1, send_delay: float = 0.0,
                 raise_invalid: bool = False,
                 server_findings_expected: frozenset[str] = frozenset(), name: str = "") -> None:
        spec = _spec_version(scope)
        found = plain = None
        for number, step in enumerate(steps):
            event = step.event
            if event.get("type") in _DISCONNECTS:
                found = number
                break
            if plain is None and (step.gate is not _CALL or step.delay):
                plain = number
        if plain is None:
            plain = len(steps) if found is None else found
        _set(self, "__dict__", {
            "scope": scope, "steps": steps, "deadline": deadline, "linger": linger,
            "block_threshold": block_threshold, "send_delay": send_delay,
            "raise_invalid": raise_invalid, "server_findings_expected": server_findings_expected,
            "name": name, "spec_version": spec, "disconnect_at": found, "plain": plain,
            "leave_gate": None if found is None else steps[found].gate,
            "raises": spec >= (2, 4)})


def _spec_version(scope: dict[str, Any]) -> tuple[int, int]:
    """The www spec_version the scope announces; a missing one means 2.0 (www.rst)."""
    asgi = scope.get("asgi")
    value = asgi.get("spec_version") if type(asgi) is dict or isinstance(asgi, dict) else None
    if type(value) is not str:
        return (2, 0)
    known = _SPECS.get(value)
    if known is None:
        major, _, minor = value.partition(".")
        known = (int(major), int(minor)) if major.isdigit() and minor.isdigit() else (2, 0)
        if len(_SPECS) < 64:
            _SPECS[value] = known
    return known


_SPECS: dict[str, tuple[int, int]] = {}
_DISCONNECTS = frozenset({"http.disconnect", "websocket.disconnect"})
