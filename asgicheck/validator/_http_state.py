"""The states of an HTTP response and the legal moves between them, shared by the machine
(``_http``) and its fast paths."""

from __future__ import annotations

import enum

__all__ = ["EXTENSION_OF", "TRANSITIONS", "State"]


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
