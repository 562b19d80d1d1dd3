"""The states of an HTTP response, shared by the machine (``_http``) and its fast paths."""

from __future__ import annotations

import enum

__all__ = ["State"]


class State(enum.Enum):
    AWAITING_START = "awaiting start"
    STREAMING = "streaming"
    AWAITING_TRAILERS = "awaiting trailers"
    COMPLETE = "complete"
