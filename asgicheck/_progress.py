"""How far the app has got, as far as the simulated client's next move depends on it.

This is not the validator's state machine (that judges the app; this only follows it, leniently,
so that gates open at the right moment): a message counts only when it is a well-formed step
forward, and anything else leaves the progress as it was. Garbage is never acted on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Progress"]


class Progress:
    __slots__ = ("kind", "started", "streaming", "body_done", "finished", "trailers",
                 "accepted", "close_code", "startup_answer", "shutdown_answer", "track")

    def __init__(self, kind: object) -> None:
        self.kind = kind
        self.started = False  # http.response.start (or the denial response's start) was sent
        self.streaming = False  # a body chunk with more_body=True was sent
        self.body_done = False  # the final body chunk was sent (trailers may follow)
        self.finished = False  # the response is complete, or the app closed the websocket
        self.trailers = False  # the start announced trailers
        self.accepted = False  # websocket.accept was sent
        self.close_code = 1006  # what the client sees when the app closes
        self.startup_answer: dict[str, Any] | None = None
        self.shutdown_answer: dict[str, Any] | None = None
        # track(message): follow one well-formed message the app sent (bound once, per kind).
        self.track: Callable[[dict[str, Any]], None] = {
            "http": self._http, "websocket": self._websocket, "lifespan": self._lifespan,
        }.get(kind if isinstance(kind, str) else "", self._other)

    def _other(self, message: dict[str, Any]) -> None:
        pass

    def _lifespan(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if not isinstance(kind, str):
            return
        if kind.startswith("lifespan.startup.") and self.startup_answer is None:
            self.startup_answer = message
        elif kind.startswith("lifespan.shutdown.") and self.shutdown_answer is None:
            self.shutdown_answer = message

    def _http(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "http.response.start":
            if not self.started:
                self.started = True
                self.trailers = message.get("trailers") is True
        elif not self.started:
            return
        elif kind in ("http.response.body", "http.response.zerocopysend"):
            if message.get("more_body", False):
                self.streaming = True
            else:
                self._body_complete()
        elif kind == "http.response.pathsend":
            self._body_complete()
        elif kind == "http.response.trailers" and self.body_done:
            self.finished = self.finished or not message.get("more_trailers", False)

    def _body_complete(self) -> None:
        self.body_done = True
        self.finished = self.finished or not self.trailers

    def _websocket(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "websocket.accept" and not self.finished and not self.started:
            self.accepted = True
        elif kind == "websocket.close":
            code = message.get("code", 1000)
            self.close_code = code if self.accepted and isinstance(code, int) else 1006
            self.finished = True
        elif kind == "websocket.http.response.start" and not self.accepted:
            self.started = True
        elif kind == "websocket.http.response.body" and self.started:
            self.finished = self.finished or not message.get("more_body", False)
