"""The lifespan state machine (lifespan.rst).

Rule 1: everything that affects the transitions of a ``lifespan`` scope lives in this file.
Rule 2: this file does not know whether the app or the server is under test; it is told what
the app received and what it sent, and names the rules broken (each rule knows its party).

Theory of operation. A lifespan call has two phases, each a question from the server and one
answer from the app. It starts IDLE; ``lifespan.startup`` makes it STARTUP, where the app owes
``lifespan.startup.complete`` (STARTED) or ``lifespan.startup.failed`` (STARTUP_FAILED). Then
``lifespan.shutdown`` makes it SHUTDOWN, answered by ``lifespan.shutdown.complete`` or
``lifespan.shutdown.failed``. ``TRANSITIONS`` lists every legal (state, type) pair, events and
messages alike (their types never overlap). A pair missing from the table is exactly one
violation, whose rule ``REFUSALS`` names: an answer to a question not asked, a second answer,
or (the server's fault) a question asked out of order.

How the call ends matters as much. Raising before ``lifespan.startup`` arrives is how an app
declines lifespan (lifespan.rst § Scope), so it is not judged here: whether an app declines,
supports or ignores lifespan is the driver's scenario (LS-APP-001). ``ENDINGS`` says what a
return or a raise means in each state.
"""

from __future__ import annotations

import enum
from typing import Any

from asgicheck.rules import violation
from asgicheck.types import Scope
from asgicheck.validator._checks import check_field, check_free_values
from asgicheck.violations import Severity, Violation

__all__ = ["ENDINGS", "REFUSALS", "TRANSITIONS", "LifespanMachine", "State"]

STARTUP, SHUTDOWN = "lifespan.startup", "lifespan.shutdown"
STARTUP_COMPLETE, STARTUP_FAILED = "lifespan.startup.complete", "lifespan.startup.failed"
SHUTDOWN_COMPLETE, SHUTDOWN_FAILED = "lifespan.shutdown.complete", "lifespan.shutdown.failed"


class State(enum.Enum):
    IDLE = "waiting for lifespan.startup"
    STARTUP = "starting up, with no answer sent yet"
    STARTED = "started"
    STARTUP_FAILED = "failed to start"
    SHUTDOWN = "shutting down, with no answer sent yet"
    SHUTDOWN_COMPLETE = "shut down"
    SHUTDOWN_FAILED = "failed to shut down"


_S = State
TRANSITIONS: dict[State, dict[str, State]] = {
    _S.IDLE: {STARTUP: _S.STARTUP},
    _S.STARTUP: {STARTUP_COMPLETE: _S.STARTED, STARTUP_FAILED: _S.STARTUP_FAILED},
    _S.STARTED: {SHUTDOWN: _S.SHUTDOWN},
    # A server that sees startup.failed "should log/print the message provided and then exit";
    # most exit without asking for shutdown (A5), but asking is not forbidden.
    _S.STARTUP_FAILED: {SHUTDOWN: _S.SHUTDOWN},
    _S.SHUTDOWN: {SHUTDOWN_COMPLETE: _S.SHUTDOWN_COMPLETE, SHUTDOWN_FAILED: _S.SHUTDOWN_FAILED},
    _S.SHUTDOWN_COMPLETE: {},
    _S.SHUTDOWN_FAILED: {},
}

# Every (state, type) pair TRANSITIONS lacks, and the rule it breaks.
_UNASKED = {STARTUP_COMPLETE: "LS-SEND-002", STARTUP_FAILED: "LS-SEND-002",
            SHUTDOWN_COMPLETE: "LS-SEND-005", SHUTDOWN_FAILED: "LS-SEND-005"}
_SECOND_STARTUP = {STARTUP: "LS-SRV-004"}
_STARTED = {**_UNASKED, **_SECOND_STARTUP}
_DONE = {**_UNASKED, SHUTDOWN_COMPLETE: "LS-SEND-004", SHUTDOWN_FAILED: "LS-SEND-004",
         STARTUP: "LS-SRV-004", SHUTDOWN: "LS-SRV-004"}
REFUSALS: dict[State, dict[str, str]] = {
    _S.IDLE: {**_UNASKED, SHUTDOWN: "LS-SRV-004"},
    _S.STARTUP: {SHUTDOWN_COMPLETE: "LS-SEND-005", SHUTDOWN_FAILED: "LS-SEND-005",
                 STARTUP: "LS-SRV-004", SHUTDOWN: "LS-SRV-004"},
    _S.STARTED: _STARTED,
    _S.STARTUP_FAILED: _STARTED,
    _S.SHUTDOWN: {STARTUP_COMPLETE: "LS-SEND-002", STARTUP_FAILED: "LS-SEND-002",
                  STARTUP: "LS-SRV-004", SHUTDOWN: "LS-SRV-004"},
    _S.SHUTDOWN_COMPLETE: _DONE,
    _S.SHUTDOWN_FAILED: _DONE,
}

# Why each refusal matters, in plain words, by rule and by whether startup was asked yet.
_WHY = {
    "LS-SEND-002": "startup is answered exactly once, after receive() returned lifespan.startup "
                   "(a second answer trips uvicorn's state assertion, litestar#3315)",
    "LS-SEND-004": "lifespan.shutdown is answered exactly once",
    "LS-SEND-005": "a shutdown answer before receive() returned lifespan.shutdown is ignored by "
                   "servers (uvicorn#2308): nobody is waiting for it",
    "LS-SRV-004": "the server asks startup once, before serving, and shutdown once, after the "
                  "app answered startup and the server stopped serving",
}

# (rule on return, rule on raise) per state; None means that end is clean.
ENDINGS: dict[State, tuple[str | None, str | None]] = {
    _S.IDLE: (None, None),  # a raise here declines lifespan; a return is LS-APP-001's scenario
    _S.STARTUP: ("LS-SEND-001", "LS-APP-002"),
    _S.STARTED: (None, "LS-APP-002"),
    _S.STARTUP_FAILED: (None, None),  # Starlette re-raises after startup.failed: harmless
    _S.SHUTDOWN: ("LS-SEND-004", "LS-APP-002"),
    _S.SHUTDOWN_COMPLETE: (None, "LS-APP-003"),
    _S.SHUTDOWN_FAILED: (None, None),
}
_ENDING_WHY = {
    ("LS-SEND-001", None): "the app returned after receiving lifespan.startup without sending "
                           "lifespan.startup.complete or lifespan.startup.failed: the server "
                           "waits for that answer before it serves anything",
    ("LS-SEND-004", None): "the app returned after receiving lifespan.shutdown without sending "
                           "lifespan.shutdown.complete or lifespan.shutdown.failed: the server "
                           "waits for that answer before it terminates",
    ("LS-APP-002", _S.STARTUP): "during startup: a server reads a raise as 'lifespan "
                                "unsupported' and starts serving a half-initialised app; send "
                                "lifespan.startup.failed with a message instead",
    ("LS-APP-002", _S.STARTED): "after startup completed: the server logs it as a lifespan "
                                "error and skips the shutdown phase (K14); keep the lifespan "
                                "task alive until lifespan.shutdown",
    ("LS-APP-002", _S.SHUTDOWN): "during shutdown: send lifespan.shutdown.failed with a "
                                 "message instead, so the server can report it",
    ("LS-APP-003", _S.SHUTDOWN_COMPLETE): "after sending lifespan.shutdown.complete: once "
                                          "shutdown is complete the lifespan call should just "
                                          "return",
}
_APP_TYPES = frozenset({STARTUP_COMPLETE, STARTUP_FAILED, SHUTDOWN_COMPLETE, SHUTDOWN_FAILED})
_FAILED_KEYS = frozenset({"type", "message"})
_COMPLETE_KEYS = frozenset({"type"})


class LifespanMachine:
    """Tracks one ``lifespan`` call; see the module docstring."""

    state = State.IDLE

    def __init__(self, scope: Scope) -> None:
        self._answers: dict[str, str] = {}  # "startup"/"shutdown" -> the type that answered

    # -- the server side: events the app received -------------------------------------------

    def received(self, event: dict[str, Any], index: int) -> list[Violation]:
        kind: str = event["type"]
        if kind != STARTUP and kind != SHUTDOWN:
            # asgi.rst "Events": apps should handle "a mixed set of events"; custom types are
            # not the protocol's business.
            return []
        target = TRANSITIONS[self.state].get(kind)
        if target is None:
            rule = REFUSALS[self.state][kind]
            return [violation(rule, f"receive() returned {kind!r} while the app was "
                              f"{self.state.value}: {_WHY[rule]}", index=index)]
        self.state = target
        return []

    def send_failed(self, index: int) -> None:
        pass  # lifespan has no client to lose; a failing send() is the server's own trouble

    # -- the app side: messages the app sent ---------------------------------------------------

    def sent(self, message: dict[str, Any], index: int) -> list[Violation]:
        kind: str = message["type"]
        if kind not in _APP_TYPES:
            # lifespan.rst defines four messages an app sends; asgi.rst "Error Handling": the
            # server "should raise" on anything else (uvicorn: "Got invalid message type on
            # lifespan protocol").
            return [violation("LS-SEND-006", f"sent {kind!r} in a lifespan scope; an app sends "
                              f"only lifespan.startup.complete/failed and "
                              f"lifespan.shutdown.complete/failed", index=index)]
        if kind.endswith(".failed"):
            # lifespan.rst "Startup Failed"/"Shutdown Failed": message (Unicode string),
            # "Optional; if missing defaults to """.
            found = check_field(message, "message", "str", "LS-SEND-003", index)
            found += check_free_values(message, _FAILED_KEYS, index)
        else:
            found = check_free_values(message, _COMPLETE_KEYS, index)
        state = self.state
        target = TRANSITIONS[state].get(kind)
        if target is None:
            rule = REFUSALS[state][kind]
            phase = kind.split(".")[1]
            earlier = self._answers.get(phase)
            already = f" (it already sent {earlier!r})" if earlier else ""
            found.append(violation(rule, f"sent {kind!r} while the app was {state.value}"
                                   f"{already}: {_WHY[rule]}", index=index))
            return found
        self._answers[kind.split(".")[1]] = kind
        self.state = target
        return found

    # -- the end of the call ---------------------------------------------------------------

    def ended(self, raised: BaseException | None, index: int) -> list[Violation]:
        state = self.state
        on_return, on_raise = ENDINGS[state]
        if raised is None:
            if on_return is None:
                return []
            # lifespan.rst "Startup Complete"/"Shutdown Complete": "A server must wait for this
            # message before it starts processing connections" / "before terminating".
            return [violation(on_return, _ENDING_WHY[on_return, None])]
        if on_raise is None:
            return []
        # lifespan.rst "Scope": "If you want to log an error that occurs during lifespan startup
        # and prevent the server from starting, then send back lifespan.startup.failed instead."
        # Only a raise during startup stops a server or skips the app's startup; later ones are
        # logged (lifespan.rst's advice stands, but nothing a client sees breaks).
        severity = Severity.WARNING if on_raise == "LS-APP-002" and state is not _S.STARTUP \
            else None
        return [violation(on_raise, f"the app raised {raised!r:.120} "
                          f"{_ENDING_WHY[on_raise, state]}", severity=severity)]
