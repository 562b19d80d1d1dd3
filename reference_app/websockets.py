"""``WebSocket``: one WebSocket connection, as a small state machine.

The conversation (www.rst "WebSocket"):

* the server sends ``websocket.connect``; the app answers with ``websocket.accept`` or
  ``websocket.close`` (closing before accepting makes the server answer HTTP 403), or, only if
  the server lists ``"websocket.http.response"`` in ``scope["extensions"]``, with a full HTTP
  *denial response* sent as ``websocket.http.response.start`` / ``.body``;
* once accepted, both sides exchange ``websocket.receive`` / ``websocket.send`` messages, each
  carrying ``text`` or ``bytes``. Both keys may be present with one of them None, so the payload
  is picked by value (``{"bytes": None, "text": "x"}`` is text);
* ``websocket.disconnect`` can arrive at any time, even before the app accepted. After it, the
  app must not send anything; ``reason`` may be missing or None (it appeared in spec 2.5).

Spec versions gate two fields: accept ``headers`` need 2.1 and close ``reason`` needs 2.3
(``scope["asgi"]["spec_version"]``, missing means 2.0). Sending them to an older server is an
error, so they are dropped (with a log line) rather than sent.
"""

from __future__ import annotations

import enum
import json
import logging
from typing import TYPE_CHECKING, Any, cast

from reference_app import scopes
from reference_app.datastructures import Headers, QueryParams
from reference_app.exceptions import WebSocketDisconnect
from reference_app.responses import encode_header
from reference_app.types import Message, Receive, Scope, Send

if TYPE_CHECKING:
    from reference_app.responses import Response

__all__ = ["WebSocket", "WebSocketState", "valid_close_code"]

logger = logging.getLogger("reference_app")


class WebSocketState(enum.Enum):
    CONNECTING = "connecting"  # the handshake has not been answered yet
    CONNECTED = "connected"  # accepted: messages may flow both ways
    CLOSED = "closed"  # the app sent websocket.close or a denial response
    DISCONNECTED = "disconnected"  # the client is gone


def valid_close_code(code: int) -> bool:
    """Codes an app may send (RFC 6455 7.4): 1000-1003, 1007-1014, and 3000-4999."""
    return code in (1000, 1001, 1002, 1003) or 1007 <= code <= 1014 or 3000 <= code <= 4999


class WebSocket:
    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.connection_state = WebSocketState.CONNECTING
        self.path_params: dict[str, Any] = {}
        self.close_code: int | None = None  # from the client's websocket.disconnect
        self.close_reason = ""
        self._connected = False  # websocket.connect received

    # -- the scope ---------------------------------------------------------------------
    @property
    def path(self) -> str:
        return cast(str, self.scope.get("path") or "/")

    @property
    def headers(self) -> Headers:
        return Headers(self.scope.get("headers") or ())

    @property
    def query_params(self) -> QueryParams:
        return QueryParams(self.scope.get("query_string") or b"")

    @property
    def subprotocols(self) -> list[str]:
        """What the client offered (``Sec-WebSocket-Protocol``), in its order of preference."""
        return list(self.scope.get("subprotocols") or ())

    @property
    def state(self) -> dict[str, Any]:
        state = self.scope.get("state")
        return state if isinstance(state, dict) else {}

    # -- handshake ---------------------------------------------------------------------
    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        """Finish the handshake. ``subprotocol`` must be one the client offered."""
        if self.connection_state is not WebSocketState.CONNECTING:
            raise RuntimeError(f"cannot accept a websocket that is {self.connection_state.value}")
        if subprotocol is not None and subprotocol not in self.subprotocols:
            raise ValueError(f"subprotocol {subprotocol!r} was not offered: {self.subprotocols}")
        await self._wait_for_connect()
        message: Message = {"type": "websocket.accept"}
        if subprotocol is not None:
            message["subprotocol"] = subprotocol
        if headers:
            pairs = [encode_header(n, v) for n, v in dict(headers).items()]
            if any(name == b"sec-websocket-protocol" for name, _ in pairs):
                raise ValueError("use subprotocol=..., not a sec-websocket-protocol header")
            if scopes.spec_version(self.scope) >= (2, 1):
                message["headers"] = pairs
            else:
                logger.warning("server speaks ASGI spec < 2.1: accept headers dropped")
        await self._send_message(message)
        self.connection_state = WebSocketState.CONNECTED

    async def deny(self, response: Response) -> None:
        """Refuse the handshake with an HTTP response if the server supports it, else close.

        Without the ``websocket.http.response`` extension the only refusal is a close before
        accept, which the server turns into a bare 403.
        """
        if self.connection_state is not WebSocketState.CONNECTING:
            raise RuntimeError("a denial response is only possible before accept()")
        await self._wait_for_connect()
        if "websocket.http.response" not in scopes.extensions(self.scope):
            await self.close(1008)
            return

        async def send_denial(message: Message) -> None:
            # Same structure as http.response.*, with the message type prefixed.
            await self._send_message({**message, "type": "websocket." + message["type"]})

        try:
            await response(self.scope, self._receive, send_denial)
        finally:
            if self.connection_state is WebSocketState.CONNECTING:
                self.connection_state = WebSocketState.CLOSED  # nothing may follow a denial

    async def _wait_for_connect(self) -> None:
        while not self._connected:
            message = await self._receive()
            kind = message.get("type")
            if kind == "websocket.connect":
                self._connected = True
            elif kind == "websocket.disconnect":
                self._raise_disconnect(message)  # the client left before we answered

    # -- receiving ---------------------------------------------------------------------
    async def receive(self) -> Message:
        """The next ``websocket.receive`` event; raises WebSocketDisconnect when the peer left."""
        if self.connection_state is WebSocketState.CONNECTING:
            raise RuntimeError("call accept() before receiving")
        while self.connection_state is WebSocketState.CONNECTED:
            message = await self._receive()
            kind = message.get("type")
            if kind == "websocket.receive":
                return message
            if kind == "websocket.disconnect":
                self._raise_disconnect(message)
        raise WebSocketDisconnect(self.close_code or 1006, self.close_reason)

    async def receive_data(self) -> str | bytes:
        """Text or bytes, whichever this message carries (picked by value, not by key)."""
        message = await self.receive()
        if message.get("text") is not None:
            return cast(str, message["text"])
        if message.get("bytes") is not None:
            return cast(bytes, message["bytes"])
        raise ValueError("invalid websocket.receive event: neither text nor bytes is set")

    async def receive_text(self) -> str:
        data = await self.receive_data()
        if not isinstance(data, str):
            raise TypeError("expected a text message, got bytes")
        return data

    async def receive_bytes(self) -> bytes:
        data = await self.receive_data()
        if not isinstance(data, bytes):
            raise TypeError("expected a binary message, got text")
        return data

    async def receive_json(self) -> Any:
        """A text or binary message parsed as JSON (ValueError if it is not JSON)."""
        return json.loads(await self.receive_data())

    # -- sending -----------------------------------------------------------------------
    async def send_text(self, text: str) -> None:
        await self._send_data({"type": "websocket.send", "text": text})

    async def send_bytes(self, data: bytes) -> None:
        await self._send_data({"type": "websocket.send", "bytes": data})

    async def send_json(self, value: Any, binary: bool = False) -> None:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        if binary:
            await self.send_bytes(text.encode("utf-8"))
        else:
            await self.send_text(text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (a no-op if it is already closed or the client is gone)."""
        if not valid_close_code(code):
            raise ValueError(f"{code} is not a close code an application may send")
        if len(reason.encode("utf-8")) > 123:
            raise ValueError("a close reason is at most 123 bytes of UTF-8 (RFC 6455 5.5)")
        if self.connection_state in (WebSocketState.CLOSED, WebSocketState.DISCONNECTED):
            return
        if self.connection_state is WebSocketState.CONNECTING:
            try:
                await self._wait_for_connect()
            except WebSocketDisconnect:
                return
        message: Message = {"type": "websocket.close", "code": code}
        if reason and scopes.spec_version(self.scope) >= (2, 3):
            message["reason"] = reason
        try:
            await self._send_message(message)
        except WebSocketDisconnect:
            return
        self.connection_state = WebSocketState.CLOSED

    async def _send_data(self, message: Message) -> None:
        # A websocket.send before the handshake is answered breaks the protocol, and the
        # server can only drop the connection; raising here points the traceback at the
        # handler that forgot accept().
        if self.connection_state is WebSocketState.CONNECTING:
            raise RuntimeError("call accept() before sending")
        await self._send_message(message)

    async def _send_message(self, message: Message) -> None:
        if self.connection_state is WebSocketState.DISCONNECTED:
            raise WebSocketDisconnect(self.close_code or 1006, self.close_reason)
        if self.connection_state is WebSocketState.CLOSED:
            raise RuntimeError("this websocket is closed; nothing more may be sent")
        try:
            await self._send(message)
        except OSError as exc:  # spec 2.4+: sending on a closed connection raises OSError
            self.connection_state = WebSocketState.DISCONNECTED
            raise WebSocketDisconnect(1006) from exc

    def _raise_disconnect(self, message: Message) -> None:
        """Record a ``websocket.disconnect`` event and raise WebSocketDisconnect for it."""
        self.connection_state = WebSocketState.DISCONNECTED
        self.close_code = message.get("code") or 1005
        self.close_reason = message.get("reason") or ""
        raise WebSocketDisconnect(self.close_code, self.close_reason)
