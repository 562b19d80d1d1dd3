"""The exceptions reference_app raises, and what each one turns into on the wire."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

__all__ = [
    "ClientDisconnect",
    "HTTPException",
    "RouteConflictError",
    "WebSocketDisconnect",
]


class HTTPException(Exception):
    """Raise from a handler (or middleware) to answer with an error status.

    The app turns it into a JSON body ``{"detail": ...}`` with this status, unless the status
    may not carry a body (1xx, 204, 304), in which case only the status and headers are sent.
    """

    def __init__(
        self,
        status_code: int,
        detail: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if detail is None:
            try:
                detail = HTTPStatus(status_code).phrase
            except ValueError:
                detail = "Error"
        super().__init__(status_code, detail)
        self.status_code = status_code
        self.detail = detail
        self.headers = dict(headers or {})

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"


class ClientDisconnect(OSError):
    """The client went away.

    Raised while reading the request body when ``receive()`` returns ``http.disconnect``
    (www.rst "Disconnect - receive event"), which can happen at any moment, and by the app's
    ``send`` once the disconnect is known. It is an ``OSError`` because that is what servers at
    spec 2.4+ raise from ``send()`` on a closed connection, so code that stops on ``OSError``
    stops on both. The app catches it and sends nothing more: there is nobody left to answer.
    """


class WebSocketDisconnect(Exception):
    """The WebSocket peer is gone: a ``websocket.disconnect`` event arrived, or ``send()``
    raised ``OSError`` (servers at spec 2.4+ do that on a closed connection).

    ``code`` is the close code the server reported; ``reason`` is ``""`` when the event had no
    reason or ``None`` (it only exists from spec 2.5 on).
    """

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class RouteConflictError(ValueError):
    """Two route templates cannot both be registered.

    Raised when the route is *registered*, never while serving: the same method twice on the
    same template, two differently named or typed parameters at the same position, or one
    route name used for two templates. Failing early means a typo in a big app shows up at
    import time rather than as a mysterious 404 in production.
    """
