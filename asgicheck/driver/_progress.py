"""How far the app has got, as far as the simulated client's next move depends on it.

This is not the validator's state machine (that judges the app; this only follows it, leniently,
so that gates open at the right moment): a message counts only when it is a well-formed step
forward, and anything else leaves the progress as it was. Garbage is never acted on.

One mixin per scope type for the connection classes (``_connection``), with the flags as
class-level defaults that an instance overwrites only when they change; ``track(message)``
follows one well-formed message the app sent.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HTTP", "Lifespan", "Progress", "WebSocket"]


class Progress:
    started = False  # http.response.start (or the denial response's start) was sent
    streaming = False  # a body chunk with more_body=True was sent
    body_done = False  # the final body chunk was sent (trailers may follow)
    finished = False  # the response is complete, or the app closed the websocket
    trailers = False  # the start announced trailers
    accepted = False  # websocket.accept was sent
    close_code = 1006  # what the client sees when the app closes
    startup_answer: dict[str, Any] | None = None
    shutdown_answer: dict[str, Any] | None = None

    def track(self, message: dict[str, Any]) -> None:
        pass


class Lifespan(Progress):
    def track(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if not isinstance(kind, str):
            return
        if kind.startswith("lifespan.startup.") and self.startup_answer is None:
            self.startup_answer = message
        elif kind.startswith("lifespan.shutdown.") and self.shutdown_answer is None:
            self.shutdown_answer = message


class HTTP(Progress):
    def track(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "http.response.start":
            if not self.started:
                self.started = True
                self.trailers = message.get("trailers") is True
        elif not self.started:
            return
        elif kind == "http.response.body" or kind == "http.response.zerocopysend":
            if message.get("more_body", False):
                self.streaming = True
            else:  # _body_complete(), inline: every response's last message comes here
                self.body_done = True
                self.finished = self.finished or not self.trailers
        elif kind == "http.response.pathsend":
            self._body_complete()
        elif kind == "http.response.trailers" and self.body_done:
            self.finished = self.finished or not message.get("more_trailers", False)

    def _body_complete(self) -> None:
        self.body_done = True
        self.finished = self.finished or not self.trailers


class WebSocket(Progress):
    def track(self, message: dict[str, Any]) -> None:
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
