"""The WebSocket connection state machine (www.rst § WebSocket, extensions.rst § Websocket Denial
Response).

Rule 1: everything that affects the transitions of a ``websocket`` scope lives in this file.
Rule 2: this file does not know whether the app or the server is under test; it is told what
the app received and what it sent, and names the rules broken (each rule knows its party).

Theory of operation. ``state`` follows the handshake from the app's side. A connection starts
CONNECTING; ``websocket.connect`` makes it HANDSHAKE, where the app owes exactly one reply:
``websocket.accept`` (CONNECTED), ``websocket.close`` (REJECTED: the server answers 403), or,
when the server advertises the denial extension, a ``websocket.http.response.start``
(DENIAL_STARTED) whose body messages end, at ``more_body`` False, in DENIED. A close after
accept makes it CLOSED. ``TRANSITIONS`` lists every legal (state, type) pair, events and
messages alike (their types never overlap); a denial body with ``more_body`` True is looked up
as ``DENIAL_MORE``. A pair missing from the table is exactly one violation, whose rule
``REFUSALS`` names. ``CAUTIONS`` lists the legal pairs that still deserve a finding: a reply
sent before the app has even seen ``websocket.connect``.

The client going away (a ``websocket.disconnect`` event, or a send() that raised) is not a
state but a flag: it changes nothing about what a message means, only that sending is now
pointless (WS-RECV-005) and that returning or raising is a clean end.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from asgicheck.rules import violation
from asgicheck.types import Scope
from asgicheck.validator._checks import (
    check_field,
    check_free_values,
    check_headers,
    parse_spec_version,
)
from asgicheck.validator._raised import from_send_error
from asgicheck.violations import Severity, Violation

__all__ = ["CAUTIONS", "DENIAL_MORE", "REFUSALS", "TRANSITIONS", "State", "WebSocketMachine"]

CONNECT, RECEIVE, DISCONNECT = "websocket.connect", "websocket.receive", "websocket.disconnect"
ACCEPT, SEND, CLOSE = "websocket.accept", "websocket.send", "websocket.close"
DENIAL_START, DENIAL_BODY = "websocket.http.response.start", "websocket.http.response.body"
# Not a type on the wire: a denial body with more_body=True, which keeps the response open.
DENIAL_MORE = "websocket.http.response.body (more_body=True)"
DENIAL_EXTENSION = "websocket.http.response"


class State(enum.Enum):
    CONNECTING = "waiting for websocket.connect"
    HANDSHAKE = "in the handshake, with no reply sent yet"
    CONNECTED = "accepted"
    REJECTED = "closed before accept (the server answers HTTP 403)"
    DENIAL_STARTED = "in the middle of a denial response"
    DENIED = "denied (the denial response is complete)"
    CLOSED = "closed by the app"


_S = State
TRANSITIONS: dict[State, dict[str, State]] = {
    _S.CONNECTING: {
        CONNECT: _S.HANDSHAKE, DISCONNECT: _S.CONNECTING,
        # Legal but early (CAUTIONS): the app replied before receive() returned connect.
        ACCEPT: _S.CONNECTED, CLOSE: _S.REJECTED, DENIAL_START: _S.DENIAL_STARTED,
    },
    _S.HANDSHAKE: {
        DISCONNECT: _S.HANDSHAKE,
        ACCEPT: _S.CONNECTED, CLOSE: _S.REJECTED, DENIAL_START: _S.DENIAL_STARTED,
    },
    _S.CONNECTED: {
        CONNECT: _S.CONNECTED, RECEIVE: _S.CONNECTED, DISCONNECT: _S.CONNECTED,
        SEND: _S.CONNECTED, CLOSE: _S.CLOSED,
    },
    _S.REJECTED: {CONNECT: _S.REJECTED, DISCONNECT: _S.REJECTED},
    _S.DENIAL_STARTED: {
        CONNECT: _S.DENIAL_STARTED, DISCONNECT: _S.DENIAL_STARTED,
        DENIAL_MORE: _S.DENIAL_STARTED, DENIAL_BODY: _S.DENIED,
    },
    _S.DENIED: {CONNECT: _S.DENIED, DISCONNECT: _S.DENIED},
    # Frames the client sent before it saw the app's close may still be delivered.
    _S.CLOSED: {CONNECT: _S.CLOSED, RECEIVE: _S.CLOSED, DISCONNECT: _S.CLOSED},
}

_EARLY = "WS-RECV-001"
CAUTIONS: dict[State, dict[str, str]] = {
    _S.CONNECTING: {ACCEPT: _EARLY, CLOSE: _EARLY, DENIAL_START: _EARLY},
}

# Every (state, type) pair TRANSITIONS lacks, and the rule it breaks. An accept anywhere it is
# refused is WS-SEND-003, the rule that names accept; other messages after the app's close are
# WS-SEND-015, after a denial WSD-APP-002.
_NO_DATA = {SEND: "WS-SEND-002", DENIAL_BODY: "WSD-APP-003", DENIAL_MORE: "WSD-APP-003",
            RECEIVE: "WS-EVT-002"}
_AFTER_CLOSE = {ACCEPT: "WS-SEND-003", SEND: "WS-SEND-015", CLOSE: "WS-SEND-015",
                DENIAL_START: "WS-SEND-015", DENIAL_BODY: "WS-SEND-015",
                DENIAL_MORE: "WS-SEND-015"}
_AFTER_DENIAL = {ACCEPT: "WS-SEND-003", SEND: "WSD-APP-002", CLOSE: "WSD-APP-002",
                 DENIAL_START: "WSD-APP-003", RECEIVE: "WS-EVT-002"}
REFUSALS: dict[State, dict[str, str]] = {
    _S.CONNECTING: _NO_DATA,
    _S.HANDSHAKE: _NO_DATA,
    _S.CONNECTED: {ACCEPT: "WS-SEND-003", DENIAL_START: "WSD-APP-001",
                   DENIAL_BODY: "WSD-APP-001", DENIAL_MORE: "WSD-APP-001"},
    _S.REJECTED: {**_AFTER_CLOSE, RECEIVE: "WS-EVT-002"},
    _S.DENIAL_STARTED: _AFTER_DENIAL,
    _S.DENIED: {**_AFTER_DENIAL, DENIAL_BODY: "WSD-APP-003", DENIAL_MORE: "WSD-APP-003"},
    _S.CLOSED: _AFTER_CLOSE,
}

# Why each refusal matters, in plain words.
_WHY = {
    "WS-SEND-002": "no data frames exist before websocket.accept completes the handshake",
    "WS-SEND-003": "the handshake was already answered; a socket is accepted at most once",
    "WS-SEND-015": "nothing may follow websocket.close; servers ignore it, raise, or crash",
    "WSD-APP-001": "a denial response replaces the handshake reply, so it cannot follow accept",
    "WSD-APP-002": "after a denial response the server sends HTTP and closes the connection; "
                   "no websocket message can follow it",
    "WSD-APP-003": "a denial response is one websocket.http.response.start, then body messages "
                   "up to one with more_body=False, as for http.response.*",
    "WS-EVT-002": "the server must not pass websocket.receive before the app accepted",
    "WS-RECV-001": "asgi.rst says apps may have to wait for the opening message; a reply "
                   "sent first races the server's handshake (and misses a delayed connect)",
}

# End of the call: the states a return leaves unfinished, and where a raise is a crash.
_UNANSWERED = {_S.CONNECTING: "WS-SEND-001", _S.HANDSHAKE: "WS-SEND-001",
               _S.DENIAL_STARTED: "WSD-APP-003"}
_LIVE = frozenset({_S.CONNECTING, _S.HANDSHAKE, _S.CONNECTED, _S.DENIAL_STARTED})

# RFC 6455 §7.4.1/§7.4.2: codes an endpoint may put in a close frame. 1005, 1006 and 1015
# "MUST NOT be set as a status code in a Close control frame by an endpoint".
_CLOSE_CODES = ((1000, 1003), (1007, 1014), (3000, 4999))
_REASON_LIMIT = 123  # RFC 6455 §5.5: control frame payload <= 125 bytes, 2 of them the code


class WebSocketMachine:
    """Tracks one ``websocket`` connection; see the module docstring."""

    # Class-level defaults, as in _http: an instance stores only what changes.
    state = State.CONNECTING
    _disconnected = False
    _send_failed = False
    _late_send_reported = False
    _retry_reported = False
    _unadvertised_reported = False

    def __init__(self, scope: Scope) -> None:
        asgi = scope.get("asgi")
        given = asgi.get("spec_version") if type(asgi) is dict else None
        self._spec = parse_spec_version(given)
        self._spec_text = (f"spec {_version(self._spec)}" if isinstance(given, str) else
                           "no spec_version, which means 2.0")
        extensions = scope.get("extensions")
        self._denial_advertised = type(extensions) is dict and DENIAL_EXTENSION in extensions
        offered = scope.get("subprotocols", ())
        # A one-shot iterable cannot be checked without emptying it for the app: None = unknown.
        self._offered: tuple[object, ...] | None = (
            tuple(offered) if isinstance(offered, (list, tuple)) else None)

    # -- the server side: events the app received -------------------------------------------

    def received(self, event: dict[str, Any], index: int) -> list[Violation]:
        kind: str = event["type"]
        if kind == RECEIVE:
            found = _check_receive_event(event, index)
        elif kind == DISCONNECT:
            self._disconnected = True
            found = _check_disconnect_event(event, index)
        elif kind == CONNECT:
            found = []
        else:
            # asgi.rst "Events": "applications should be able to handle a mixed set of events";
            # a type the protocol does not define is the app's business, not a server error.
            return []
        target = TRANSITIONS[self.state].get(kind)
        if target is None:
            rule = REFUSALS[self.state].get(kind)
            if rule is not None:
                found.append(violation(rule, f"receive() returned {kind!r} while the "
                                       f"connection was {self.state.value}: {_WHY[rule]}",
                                       index=index))
            return found
        self.state = target
        return found

    def send_failed(self, index: int) -> None:
        self._send_failed = True

    # -- the app side: messages the app sent ---------------------------------------------------

    def sent(self, message: dict[str, Any], index: int) -> list[Violation]:
        kind: str = message["type"]
        check = _FIELD_CHECKS.get(kind)
        if check is None:
            return _unknown_type(message, index)
        found = check(self, message, index)
        if kind.startswith("websocket.http.") and not self._denial_advertised \
                and not self._unadvertised_reported:
            # extensions.rst "Websocket Denial Response": servers that implement it "will provide
            # websocket.http.response in the extensions part of the scope".
            self._unadvertised_reported = True
            found.append(violation("GEN-APP-015", f"sent {kind!r} but the server did not "
                                   f"advertise {DENIAL_EXTENSION!r} in scope['extensions']: it "
                                   f"does not know the message and will fail the handshake",
                                   index=index))
        key = DENIAL_MORE if kind == DENIAL_BODY and _more_body(message) else kind
        state = self.state
        target = TRANSITIONS[state].get(key)
        if target is None:
            rule = REFUSALS[state][key]
            found.append(violation(rule, f"sent {kind!r} while the connection was "
                                   f"{state.value}: {_WHY[rule]}", index=index))
            return found
        caution = CAUTIONS.get(state, {}).get(key)
        if caution is not None:
            # asgi.rst "Connection Scope": "applications may have to wait for an initial
            # opening message before communicating with the client".
            found.append(violation(caution, f"sent {kind!r} before receive() returned "
                                   f"websocket.connect: {_WHY[caution]}", index=index))
        else:
            found += self._late(kind, index)
        self.state = target
        return found

    def _late(self, kind: str, index: int) -> list[Violation]:
        # www.rst "Disconnect - receive event": "Once you have received this event, you should
        # expect future calls to send() to raise an exception". Each kind is reported once.
        if self._send_failed and not self._retry_reported:
            self._retry_reported = True
            return [violation("WS-RECV-005", f"sent {kind!r} again after a send() raised "
                              f"because the client had gone: stop sending", index=index)]
        if self._disconnected and not self._late_send_reported:
            # The spec says to *expect* send() to raise after the disconnect, not that sending
            # is wrong; servers raise their OSError or drop the message: a note.
            self._late_send_reported = True
            return [violation("WS-RECV-005", f"sent {kind!r} after receive() returned "
                              f"websocket.disconnect: the client is gone", index=index,
                              severity=Severity.INFO)]
        return []

    # -- the end of the call ---------------------------------------------------------------

    def ended(self, raised: BaseException | None, index: int) -> list[Violation]:
        state = self.state
        if raised is None:
            rule = _UNANSWERED.get(state)
            if rule is None or self._disconnected or self._send_failed:
                return []
            if rule == "WSD-APP-003":
                return [violation(rule, "the app returned in the middle of a denial response, "
                                  "before a websocket.http.response.body with more_body=False: "
                                  "the client waits for the rest of the response")]
            # www.rst "Connect - receive event": "This message must be responded to with either
            # an Accept message or a Close message".
            return [violation(rule, "the app returned without answering the handshake "
                              "(no websocket.accept, websocket.close or denial response): the "
                              "server answers 500 or 403 (uvicorn: 'ASGI callable returned "
                              "without sending handshake')")]
        if state not in _LIVE or self._send_failed and from_send_error(raised):
            # Closed or denied already: nobody is hurt; and www.rst lets apps "catch this
            # exception and do cleanup work before re-raising it".
            return []
        if self._disconnected or self._send_failed:
            # Nobody sees a close, but every server logs an application error for each client
            # that leaves (Starlette's uncaught WebSocketDisconnect does this).
            how = ("a send() had raised because the client had gone" if self._send_failed
                   else "it had received websocket.disconnect")
            return [violation(
                "OPS-APP-001", f"the app raised {raised!r:.120} after {how}: servers log that "
                f"as an application error for every client that leaves; return instead (only "
                f"the OSError a send() raised may escape)", severity=Severity.WARNING)]
        when = ("before answering the handshake: the client gets HTTP 500 or 403"
                if state in (_S.CONNECTING, _S.HANDSHAKE, _S.DENIAL_STARTED) else
                "on an accepted socket: the client sees an abnormal close (1006/1011)")
        return [violation("OPS-APP-001", f"the app raised {raised!r:.120} {when}")]

    # -- the declared fields of each message (www.rst § Accept, Send, Close) -------------------

    def _accept(self, message: dict[str, Any], index: int) -> list[Violation]:
        found = check_field(message, "subprotocol", "str?", "WS-SEND-004", index)
        subprotocol = message.get("subprotocol")
        offered = self._offered
        if isinstance(subprotocol, str) and offered is not None and subprotocol not in offered:
            # RFC 6455 §4.2.2: the server selects "one or none of the acceptable protocols".
            found.append(violation("X-WS-001", f"accepted with subprotocol={subprotocol!r}, "
                                   f"which the client did not offer (it offered "
                                   f"{list(offered)!r}): browsers fail the connection",
                                   index=index))
        if "headers" in message:
            headers = message["headers"]
            # www.rst "Accept": headers must be lowercased; "Must not include a header named
            # sec-websocket-protocol; use the subprotocol key instead"; no pseudo headers.
            found += check_headers(headers, where="websocket.accept", index=index,
                                   shape="WS-SEND-005", lowercase="WS-SEND-006",
                                   pseudo="WS-SEND-008", forbidden=_SUBPROTOCOL_HEADER,
                                   forbidden_rule="WS-SEND-007")
            if self._spec < (2, 1) and headers is not None and headers != [] and headers != ():
                # www.rst "Spec Versions": "If a server tells you it only supports version 2.0
                # of this spec, then sending headers with a WebSocket Accept message is an error"
                found.append(violation("WS-SEND-009", f"websocket.accept carries headers "
                                       f"{headers!r:.80} but the server gave "
                                       f"{self._spec_text}; accept headers need 2.1, and an "
                                       f"older server rejects them", index=index))
        return found + check_free_values(message, _ACCEPT_KEYS, index)

    def _send(self, message: dict[str, Any], index: int) -> list[Violation]:
        found = (check_field(message, "bytes", "bytes?", "WS-SEND-011", index)
                 + check_field(message, "text", "str?", "WS-SEND-011", index))
        data, text = message.get("bytes"), message.get("text")
        if (data is None) == (text is None):
            # www.rst "Send": "Exactly one of bytes or text must be non-None."
            found.append(violation("WS-SEND-010", f"websocket.send has bytes={data!r:.40} and "
                                   f"text={text!r:.40}; exactly one must be non-None, or the "
                                   f"server cannot tell which frame to send", index=index))
        return found + check_free_values(message, _SEND_KEYS, index)

    def _close(self, message: dict[str, Any], index: int) -> list[Violation]:
        found = check_field(message, "code", "int", "WS-SEND-012", index)
        code_ok = not found
        found += check_field(message, "reason", "str?", "WS-SEND-012", index)
        code = message.get("code", 1000)
        if code_ok and not any(low <= code <= high for low, high in _CLOSE_CODES):
            before = self.state in (_S.CONNECTING, _S.HANDSHAKE)
            # A10: before accept the server answers 403 and the code never reaches the client.
            found.append(violation(
                "WS-SEND-014", f"websocket.close code={code!r} is not a code an endpoint may "
                f"send (RFC 6455 §7.4: 1000-1003, 1007-1014, 3000-4999)" + (
                    "; before accept it never reaches the client anyway (HTTP 403)" if before
                    else "; clients treat it as a protocol error"),
                index=index, severity=Severity.INFO if before else None))
        reason = message.get("reason")
        if isinstance(reason, str) and reason:
            if self._spec < (2, 3):
                # www.rst "Spec Versions": "2.3: Added the reason key to the WebSocket close
                # event"; an older server ignores the extra key, so the reason is lost.
                found.append(violation("WS-SEND-013", f"websocket.close reason="
                                       f"{_cut(reason)} but the server gave {self._spec_text};"
                                       f" before 2.3 the reason is dropped", index=index))
            size = len(reason.encode("utf-8", "surrogatepass"))
            if size > _REASON_LIMIT:
                found.append(violation("X-WS-002", f"websocket.close reason={_cut(reason)} is "
                                       f"{size} bytes of UTF-8; a close frame holds at most "
                                       f"{_REASON_LIMIT}, so servers truncate or fail",
                                       index=index))
        return found + check_free_values(message, _CLOSE_KEYS, index)

    def _denial_start(self, message: dict[str, Any], index: int) -> list[Violation]:
        # extensions.rst: "with a structure that matches the http.response.start and
        # http.response.body messages"; HTTP extensions do not apply (asgiref#433).
        found = check_field(message, "status", "int", "WSD-APP-003", index, required=True)
        if "headers" in message:
            found += check_headers(message["headers"], where=DENIAL_START, index=index,
                                   shape="WSD-APP-003", lowercase="WSD-APP-003",
                                   pseudo="WSD-APP-003")
        trailers = check_field(message, "trailers", "bool", "WSD-APP-003", index)
        if not trailers and message.get("trailers") is True:
            trailers.append(violation("WSD-APP-003", "a denial response cannot announce "
                                      "trailers=True: the trailers extension does not apply "
                                      "to it", index=index))
        return found + trailers + check_free_values(message, _START_KEYS, index)

    def _denial_body(self, message: dict[str, Any], index: int) -> list[Violation]:
        return (check_field(message, "body", "bytes", "WSD-APP-003", index)
                + check_field(message, "more_body", "bool", "WSD-APP-003", index)
                + check_free_values(message, _BODY_KEYS, index))


_SUBPROTOCOL_HEADER = frozenset({b"sec-websocket-protocol"})
_ACCEPT_KEYS = frozenset({"type", "subprotocol", "headers"})
_SEND_KEYS = frozenset({"type", "bytes", "text"})
_CLOSE_KEYS = frozenset({"type", "code", "reason"})
_START_KEYS = frozenset({"type", "status", "headers", "trailers"})
_BODY_KEYS = frozenset({"type", "body", "more_body"})
_FIELD_CHECKS: dict[str, Callable[[WebSocketMachine, dict[str, Any], int], list[Violation]]] = {
    ACCEPT: WebSocketMachine._accept,
    SEND: WebSocketMachine._send,
    CLOSE: WebSocketMachine._close,
    DENIAL_START: WebSocketMachine._denial_start,
    DENIAL_BODY: WebSocketMachine._denial_body,
}


def _unknown_type(message: dict[str, Any], index: int) -> list[Violation]:
    kind = message["type"]
    hint = (f" (did you mean 'websocket.{kind}', the denial response?)"
            if kind.startswith("http.response.") else "")
    # www.rst "WebSocket" defines accept, send and close; asgi.rst "Error Handling": a server
    # "should raise an exception" on an unknown type (starlette#2420 sent http.response.start).
    found = [violation("WS-SEND-016", f"sent {kind!r} in a websocket scope; only "
                       f"websocket.accept, websocket.send, websocket.close and the advertised "
                       f"websocket.http.response.* belong here{hint}", index=index)]
    return found + check_free_values(message, frozenset({"type"}), index)


def _check_receive_event(event: dict[str, Any], index: int) -> list[Violation]:
    found: list[Violation] = []
    data, text = event.get("bytes"), event.get("text")
    # www.rst "Receive - receive event": bytes (byte string) or None, text (Unicode string) or
    # None; "Exactly one of bytes or text must be non-None."
    if data is not None and type(data) is not bytes:
        found.append(violation("WS-EVT-003", f"websocket.receive bytes={data!r:.60} is a "
                               f"{type(data).__name__}, not bytes or None", index=index))
    if text is not None and not isinstance(text, str):
        found.append(violation("WS-EVT-003", f"websocket.receive text={text!r:.60} is a "
                               f"{type(text).__name__}, not str or None", index=index))
    if (data is None) == (text is None):
        found.append(violation("WS-EVT-003", f"websocket.receive has bytes={data!r:.40} and "
                               f"text={text!r:.40}; exactly one must be non-None, or the app "
                               f"cannot tell a binary frame from a text frame", index=index))
    return found


def _check_disconnect_event(event: dict[str, Any], index: int) -> list[Violation]:
    reason = event.get("reason")
    # www.rst "Disconnect - receive event": reason (Unicode string), "Optional; if missing or
    # None default is empty string".
    if reason is not None and not isinstance(reason, str):
        return [violation("WS-EVT-007", f"websocket.disconnect reason={reason!r:.60} is a "
                          f"{type(reason).__name__}, not str or None", index=index)]
    return []


def _more_body(message: dict[str, Any]) -> bool:
    more = message.get("more_body", False)
    return more is True or (type(more) is int and more != 0)


def _cut(text: str, width: int = 40) -> str:
    return repr(text) if len(text) <= width else f"{text[:width]!r}..."


def _version(spec: tuple[int, int]) -> str:
    return f"{spec[0]}.{spec[1]}"
