"""WebSocket exchanges that break exactly one rule each, and conformant ones that break none.

Each bad case is otherwise correct (connect received before the reply, a valid close, a clean
return), so the validator's whole finding set must be exactly the named rule.
"""

from __future__ import annotations

from typing import Any

from cases import Case, Step, bad, good, websocket_scope

DENIAL_EXT = {"websocket.http.response": {}}


def ws(**overrides: Any) -> dict[str, Any]:
    return websocket_scope(**overrides)


def denial_scope(**overrides: Any) -> dict[str, Any]:
    return websocket_scope(extensions=DENIAL_EXT, **overrides)


def spec(version: str | None, **overrides: Any) -> dict[str, Any]:
    asgi = {"version": "3.0"} if version is None else {"version": "3.0", "spec_version": version}
    return websocket_scope(asgi=asgi, **overrides)


def send(**message: Any) -> Step:
    return ("send", message)


def recv(**event: Any) -> Step:
    return ("recv", event)


def chained_oserror() -> RuntimeError:
    """What a framework often raises after a failed send(): its own error, from the OSError."""
    try:
        try:
            raise ConnectionResetError("client went away")
        except OSError as exc:
            raise RuntimeError("websocket send failed") from exc
    except RuntimeError as outer:
        return outer


def grouped_oserror() -> BaseException | None:
    """What anyio task groups make of it: an error raised from a group holding the OSError
    (None before Python 3.11, which has no ExceptionGroup)."""
    import builtins

    group = getattr(builtins, "ExceptionGroup", None)
    if group is None:
        return None
    try:
        raise RuntimeError("stream failed") from group("unhandled", [ConnectionResetError()])
    except RuntimeError as outer:
        return outer


CONNECT = recv(type="websocket.connect")
ACCEPT = send(type="websocket.accept")
CLOSE = send(type="websocket.close", code=1000)
TEXT = send(type="websocket.send", text="hi")
DISCONNECT = recv(type="websocket.disconnect", code=1000)
D_START = send(type="websocket.http.response.start", status=403,
               headers=[[b"content-type", b"text/plain"]])
D_BODY = send(type="websocket.http.response.body", body=b"denied")
SEND_FAILED: Step = ("send_failed", None)
DONE: Step = ("return", None)


def accept_with(**keys: Any) -> Step:
    return send(type="websocket.accept", **keys)


def close_with(**keys: Any) -> Step:
    return send(type="websocket.close", **keys)


CASES: list[Case] = [
    # -- the handshake ---------------------------------------------------------------------
    bad("WS-SEND-001", ws(), CONNECT, DONE),
    bad("WS-SEND-001", ws(), DONE, note="never-received-connect"),
    bad("WS-SEND-002", ws(), CONNECT, TEXT, ACCEPT, DONE),
    bad("WS-SEND-002", ws(), TEXT, CONNECT, CLOSE, DONE, note="before-connect"),
    bad("WS-SEND-003", ws(), CONNECT, ACCEPT, ACCEPT, CLOSE, DONE),
    bad("WS-SEND-003", ws(), CONNECT, CLOSE, ACCEPT, DONE, note="after-close"),
    bad("WS-SEND-003", denial_scope(), CONNECT, D_START, ACCEPT, D_BODY, DONE,
        note="after-denial"),
    bad("WS-RECV-001", ws(), ACCEPT, CONNECT, CLOSE, DONE),
    bad("WS-RECV-001", ws(), CLOSE, CONNECT, DONE, note="close"),
    bad("WS-RECV-001", denial_scope(), D_START, D_BODY, CONNECT, DONE, note="denial"),
    # -- websocket.accept fields -----------------------------------------------------------
    bad("WS-SEND-004", ws(), CONNECT, accept_with(subprotocol=b"chat"), CLOSE, DONE),
    bad("X-WS-001", ws(subprotocols=["chat"]), CONNECT, accept_with(subprotocol="graphql-ws"),
        CLOSE, DONE),
    bad("X-WS-001", ws(), CONNECT, accept_with(subprotocol="chat"), CLOSE, DONE,
        note="none-offered"),
    bad("WS-SEND-005", ws(), CONNECT, accept_with(headers=[[b"x-token", "abc"]]), CLOSE, DONE),
    bad("WS-SEND-005", ws(), CONNECT, accept_with(headers={b"x-token": b"abc"}), CLOSE, DONE,
        note="dict"),
    bad("WS-SEND-006", ws(), CONNECT, accept_with(headers=[[b"X-Token", b"abc"]]), CLOSE, DONE),
    bad("WS-SEND-007", ws(), CONNECT,
        accept_with(headers=[[b"sec-websocket-protocol", b"chat"]]), CLOSE, DONE),
    bad("WS-SEND-008", ws(), CONNECT, accept_with(headers=[[b":status", b"101"]]), CLOSE, DONE),
    bad("WS-SEND-009", spec("2.0"), CONNECT, accept_with(headers=[[b"x-token", b"abc"]]),
        CLOSE, DONE),
    bad("WS-SEND-009", spec(None), CONNECT, accept_with(headers=[[b"x-token", b"abc"]]),
        CLOSE, DONE, note="spec-missing"),
    # -- websocket.send and websocket.close fields -----------------------------------------
    bad("WS-SEND-010", ws(), CONNECT, ACCEPT, send(type="websocket.send"), CLOSE, DONE),
    bad("WS-SEND-010", ws(), CONNECT, ACCEPT, send(type="websocket.send", bytes=b"x", text="x"),
        CLOSE, DONE, note="both"),
    bad("WS-SEND-010", ws(), CONNECT, ACCEPT,
        send(type="websocket.send", bytes=None, text=None), CLOSE, DONE, note="both-none"),
    bad("WS-SEND-011", ws(), CONNECT, ACCEPT, send(type="websocket.send", bytes="x"), CLOSE,
        DONE),
    bad("WS-SEND-011", ws(), CONNECT, ACCEPT, send(type="websocket.send", text=b"x"), CLOSE,
        DONE, note="bytes-in-text"),
    bad("WS-SEND-012", ws(), CONNECT, ACCEPT, close_with(code="1000"), DONE),
    bad("WS-SEND-012", ws(), CONNECT, ACCEPT, close_with(reason=b"bye"), DONE, note="reason"),
    bad("WS-SEND-012", ws(), CONNECT, ACCEPT, close_with(code=True), DONE, note="bool-code"),
    bad("WS-SEND-013", spec("2.2"), CONNECT, ACCEPT, close_with(reason="bye"), DONE),
    bad("WS-SEND-014", ws(), CONNECT, ACCEPT, close_with(code=1006), DONE),
    bad("WS-SEND-014", ws(), CONNECT, ACCEPT, close_with(code=2000), DONE, note="unassigned"),
    bad("WS-SEND-014", ws(), CONNECT, close_with(code=1005), DONE, note="before-accept-info"),
    bad("X-WS-002", ws(), CONNECT, ACCEPT, close_with(reason="x" * 124), DONE),
    bad("X-WS-002", ws(), CONNECT, ACCEPT, close_with(reason="é" * 62), DONE, note="utf8"),
    # -- after the end ---------------------------------------------------------------------
    bad("WS-SEND-015", ws(), CONNECT, ACCEPT, CLOSE, TEXT, DONE),
    bad("WS-SEND-015", ws(), CONNECT, ACCEPT, CLOSE, CLOSE, DONE, note="second-close"),
    bad("WS-SEND-015", ws(), CONNECT, CLOSE, TEXT, DONE, note="after-reject"),
    bad("WS-SEND-016", ws(), CONNECT,
        send(type="http.response.start", status=403, headers=[]), CLOSE, DONE),
    bad("WS-SEND-016", ws(), CONNECT, send(type="websocket.ping"), ACCEPT, CLOSE, DONE,
        note="invented"),
    bad("WS-RECV-005", ws(), CONNECT, ACCEPT, DISCONNECT, TEXT, DONE),
    bad("WS-RECV-005", ws(), CONNECT, ACCEPT, TEXT, SEND_FAILED, TEXT, DONE, note="retry"),
    bad("WS-RECV-005", ws(), CONNECT, DISCONNECT, CLOSE, DONE, note="close-after-disconnect"),
    # -- the denial response extension -----------------------------------------------------
    bad("GEN-APP-015", ws(), CONNECT, D_START, D_BODY, DONE),
    bad("WSD-APP-001", denial_scope(), CONNECT, ACCEPT, D_START, CLOSE, DONE),
    bad("WSD-APP-002", denial_scope(), CONNECT, D_START, D_BODY, CLOSE, DONE),
    bad("WSD-APP-002", denial_scope(), CONNECT, D_START, TEXT, D_BODY, DONE, note="mid-denial"),
    bad("WSD-APP-003", denial_scope(), CONNECT,
        send(type="websocket.http.response.start", status="403"), D_BODY, DONE),
    bad("WSD-APP-003", denial_scope(), CONNECT,
        send(type="websocket.http.response.start", status=403, headers=[[b"X-Why", b"no"]]),
        D_BODY, DONE, note="header-case"),
    bad("WSD-APP-003", denial_scope(), CONNECT, D_START,
        send(type="websocket.http.response.body", body="denied"), DONE, note="str-body"),
    bad("WSD-APP-003", denial_scope(), CONNECT, D_BODY, CLOSE, DONE, note="body-first"),
    bad("WSD-APP-003", denial_scope(), CONNECT, D_START, D_START, D_BODY, DONE,
        note="second-start"),
    bad("WSD-APP-003", denial_scope(), CONNECT, D_START, D_BODY, D_BODY, DONE,
        note="after-final-body"),
    bad("WSD-APP-003", denial_scope(), CONNECT, D_START,
        send(type="websocket.http.response.body", body=b"a", more_body=True), DONE,
        note="returned-mid-response"),
    bad("WSD-APP-003", denial_scope(), CONNECT, D_START, DONE, note="no-body"),
    bad("WSD-APP-003", denial_scope(), CONNECT,
        send(type="websocket.http.response.start", status=403, trailers=True), D_BODY, DONE,
        note="trailers"),
    # -- how the call ends -----------------------------------------------------------------
    bad("OPS-APP-001", ws(), CONNECT, ACCEPT, ("raise", RuntimeError("boom"))),
    bad("OPS-APP-001", ws(), CONNECT, ("raise", KeyError("user")), note="in-handshake"),
    bad("OPS-APP-001", ws(), CONNECT, ACCEPT, TEXT, SEND_FAILED, ("raise", ValueError("x")),
        note="unrelated-after-send-failed"),
    # Servers log an uncaught exception after the client left (Starlette's WebSocketDisconnect)
    # as an application error for every client that leaves, as for HTTP (matrix CB-2).
    bad("OPS-APP-001", ws(), CONNECT, ACCEPT, DISCONNECT,
        ("raise", RuntimeError("WebSocketDisconnect")), note="after-disconnect"),
    bad("OPS-APP-001", ws(), CONNECT, recv(type="websocket.disconnect", code=1006),
        ("raise", RuntimeError("gone")), note="disconnect-before-accept"),
    # -- the server's side: events ---------------------------------------------------------
    bad("WS-EVT-002", ws(), CONNECT, recv(type="websocket.receive", text="early"), ACCEPT,
        CLOSE, DONE),
    bad("WS-EVT-002", ws(), CONNECT, CLOSE, recv(type="websocket.receive", text="x"), DONE,
        note="after-reject"),
    bad("WS-EVT-003", ws(), CONNECT, ACCEPT, recv(type="websocket.receive"), CLOSE, DONE),
    bad("WS-EVT-003", ws(), CONNECT, ACCEPT, recv(type="websocket.receive", bytes="x"), CLOSE,
        DONE, note="str-bytes"),
    bad("WS-EVT-003", ws(), CONNECT, ACCEPT,
        recv(type="websocket.receive", bytes=b"x", text="x"), CLOSE, DONE, note="both"),
    bad("WS-EVT-007", ws(), CONNECT, ACCEPT,
        recv(type="websocket.disconnect", code=1000, reason=b"bye"), DONE),
]

CASES += [
    good("echo", ws(), CONNECT, ACCEPT, recv(type="websocket.receive", text="a"),
         send(type="websocket.send", text="a"), recv(type="websocket.receive", bytes=b"b"),
         send(type="websocket.send", bytes=b"b"), DISCONNECT, DONE),
    good("payload-keys-with-one-none", ws(), CONNECT, ACCEPT,
         recv(type="websocket.receive", bytes=None, text="a"),
         send(type="websocket.send", bytes=None, text="a"),
         recv(type="websocket.receive", bytes=b"b", text=None),
         send(type="websocket.send", bytes=b"b", text=None), CLOSE, DONE),
    good("minimal-messages", ws(), CONNECT, send(type="websocket.accept"),
         send(type="websocket.close"), DONE),
    good("close-before-accept", ws(), CONNECT, close_with(code=1000), DONE),
    good("close-before-accept-app-code", ws(), CONNECT, close_with(code=4003), DONE),
    good("disconnect-before-accept", ws(), CONNECT,
         recv(type="websocket.disconnect", code=1006), DONE),
    good("disconnect-reason-none-or-missing", ws(), CONNECT, ACCEPT,
         recv(type="websocket.disconnect", code=1005, reason=None), DONE),
    good("disconnect-reason-2.5", spec("2.5"), CONNECT, ACCEPT,
         recv(type="websocket.disconnect", code=1001, reason="going away"), DONE),
    good("return-after-accept-without-close", ws(), CONNECT, ACCEPT, DONE),
    good("raise-after-close", ws(), CONNECT, ACCEPT, CLOSE, ("raise", RuntimeError("late"))),
    good("receive-after-app-close", ws(), CONNECT, ACCEPT, CLOSE,
         recv(type="websocket.receive", text="in flight"), DISCONNECT, DONE),
    good("custom-event-type", ws(), CONNECT, ACCEPT, recv(type="chat.message", text="hi"),
         CLOSE, DONE),
    good("spec-2.0-accept-and-close", spec("2.0"), CONNECT, accept_with(headers=[]),
         close_with(code=1000, reason=None), DONE),
    good("spec-missing-plain-accept", spec(None), CONNECT, ACCEPT, CLOSE, DONE),
    good("spec-2.4-accept-headers-subprotocol", spec("2.4", subprotocols=["chat", "v2"]),
         CONNECT, accept_with(subprotocol="v2", headers=[[b"x-token", b"abc"]]),
         close_with(code=3001, reason="bye"), DONE),
    good("spec-2.3-close-reason", spec("2.3"), CONNECT, ACCEPT, close_with(reason="x" * 123),
         DONE),
    good("subprotocol-none", ws(subprotocols=["chat"]), CONNECT, accept_with(subprotocol=None),
         CLOSE, DONE),
    good("denial-response", denial_scope(), CONNECT, D_START,
         send(type="websocket.http.response.body", body=b"den", more_body=True),
         send(type="websocket.http.response.body", body=b"ied", more_body=False),
         recv(type="websocket.disconnect", code=1006), DONE),
    good("denial-minimal", denial_scope(), CONNECT,
         send(type="websocket.http.response.start", status=401),
         send(type="websocket.http.response.body"), DONE),
    good("denial-advertised-but-accepted", denial_scope(), CONNECT, ACCEPT, CLOSE, DONE),
    good("send-failed-reraised", ws(), CONNECT, ACCEPT, TEXT, SEND_FAILED,
         ("raise", ConnectionResetError("gone"))),
    good("send-failed-chained", ws(), CONNECT, ACCEPT, TEXT, SEND_FAILED,
         ("raise", chained_oserror())),
    *([good("send-failed-grouped", ws(), CONNECT, ACCEPT, TEXT, SEND_FAILED,
            ("raise", grouped_oserror()))] if grouped_oserror() is not None else []),
    good("send-failed-returned", ws(), CONNECT, ACCEPT, TEXT, SEND_FAILED, DONE),
]
