"""The states of an HTTP response, the legal moves between them, and the rule an illegal move
breaks: the table the machine (``_http``) runs on."""

from __future__ import annotations

import enum

from asgicheck.rules import violation
from asgicheck.violations import Violation

__all__ = ["EXTENSION_OF", "TRANSITIONS", "State", "misplaced"]


class State(enum.Enum):
    AWAITING_START = "awaiting start"
    STREAMING = "streaming"
    AWAITING_TRAILERS = "awaiting trailers"
    COMPLETE = "complete"


TRANSITIONS: dict[State, dict[str, State]] = {
    State.AWAITING_START: {
        "http.response.start": State.STREAMING,
        "http.response.debug": State.AWAITING_START,
        "http.response.early_hint": State.AWAITING_START,
    },
    State.STREAMING: {
        "http.response.body": State.STREAMING,
        "http.response.zerocopysend": State.STREAMING,
        "http.response.pathsend": State.STREAMING,
        "http.response.push": State.STREAMING,
        "http.response.early_hint": State.STREAMING,
    },
    State.AWAITING_TRAILERS: {
        "http.response.trailers": State.AWAITING_TRAILERS,
    },
    State.COMPLETE: {},
}

# asgi.rst "Extensions": "If an application sees this it then knows it can send the custom event".
EXTENSION_OF: dict[str, str] = {
    "http.response.push": "http.response.push",
    "http.response.zerocopysend": "http.response.zerocopysend",
    "http.response.pathsend": "http.response.pathsend",
    "http.response.early_hint": "http.response.early_hint",
    "http.response.trailers": "http.response.trailers",
    "http.response.debug": "http.response.debug",
}


def misplaced(kind: str, state: State, trailers: bool, index: int) -> Violation:
    """The one finding for a message type ``TRANSITIONS`` does not allow in ``state``: the rule
    that explains it best (``trailers``: the start announced trailers)."""
    if kind == "http.response.start":
        return violation("HTTP-SEND-002", f"a second http.response.start (the response is "
                         f"{state.value}): one response per request", index=index)
    if kind == "http.response.trailers":
        if not trailers:
            return violation("TRL-APP-001", "http.response.trailers without "
                             "trailers=True on http.response.start", index=index)
        if state is State.STREAMING:
            return violation("TRL-APP-004", "http.response.trailers before the final "
                             "http.response.body (more_body=False)", index=index)
        return violation("TRL-APP-006", "http.response.trailers after the final "
                         "trailers (more_trailers=False) completed the response",
                         index=index)
    if state is State.AWAITING_START:
        rule = {"http.response.body": "HTTP-SEND-001", "http.response.pathsend": "PS-APP-001",
                "http.response.zerocopysend": "ZC-APP-001",
                "http.response.push": "PUSH-APP-001"}[kind]
        return violation(rule, f"{kind} before http.response.start", index=index)
    if kind == "http.response.debug":
        return violation("DBG-APP-001", "http.response.debug after http.response.start; "
                         "it must come once, before the start", index=index)
    if kind == "http.response.early_hint":
        return violation("EH-APP-002", "http.response.early_hint after the final body: "
                         "the response is already over", index=index)
    if kind == "http.response.push":
        return violation("PUSH-APP-001", "http.response.push after the final body",
                         index=index)
    if kind == "http.response.zerocopysend":
        return violation("ZC-APP-001", "http.response.zerocopysend after the final body",
                         index=index)
    if kind == "http.response.pathsend":
        return violation("PS-APP-001", "http.response.pathsend after the response body "
                         "was complete", index=index)
    return violation("HTTP-SEND-013", f"{kind} after the response was complete: the server's "
                     f"send() raises (uvicorn: 'Unexpected ASGI message')", index=index)
