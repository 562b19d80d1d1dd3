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


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One event for ``receive()``. The app always gets a fresh copy of ``event``."""

    event: dict[str, Any]
    gate: Gate = Gate.CALL
    delay: float = 0.0  # seconds to hold the event back once the gate is open

    def __str__(self) -> str:
        extra = "" if self.gate is Gate.CALL else f" after {self.gate.value}"
        extra += f" +{self.delay:g}s" if self.delay else ""
        return f"{self.event.get('type')}{extra}"


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec_version", _spec_version(self.scope))
        found = next((n for n, step in enumerate(self.steps) if is_disconnect(step.event)), None)
        object.__setattr__(self, "disconnect_at", found)


def _spec_version(scope: dict[str, Any]) -> tuple[int, int]:
    """The www spec_version the scope announces; a missing one means 2.0 (www.rst)."""
    asgi = scope.get("asgi")
    value = asgi.get("spec_version") if isinstance(asgi, dict) else None
    if isinstance(value, str):
        major, _, minor = value.partition(".")
        if major.isdigit() and minor.isdigit():
            return int(major), int(minor)
    return (2, 0)
