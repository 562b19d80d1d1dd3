"""WebSockets (reference_app/websockets.py and App._handle_websocket), scripts W01-W07.

asgicheck rules these keep honest: WS-SEND-* (accept or close first, nothing after close,
subprotocol one the client offered, accept headers only at spec >= 2.1, close reason only at
>= 2.3), WS-RECV-002 (payload picked by value), WS-RECV-004 (disconnect with or without a
reason), WSD-APP-* (denial response only when advertised), L2 (never http.response.* on a
websocket scope).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from helpers import exchange, websocket_scope

from reference_app import App, WebSocket
from reference_app.websockets import valid_close_code

CONNECT = {"type": "websocket.connect"}
DENIAL = {"websocket.http.response": {}}


def disconnect(code: int = 1000, **extra: Any) -> dict[str, Any]:
    return {"type": "websocket.disconnect", "code": code, **extra}


def types(sent: list[dict[str, Any]]) -> list[str]:
    return [m["type"] for m in sent]


def echo_app() -> App:
    app = App()

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            data = await websocket.receive_data()
            if isinstance(data, str):
                await websocket.send_text(data)
            else:
                await websocket.send_bytes(data)

    return app


def test_echo_text_and_bytes_then_return_on_disconnect() -> None:  # W01
    events = [
        CONNECT,
        {"type": "websocket.receive", "text": "hello"},
        {"type": "websocket.receive", "bytes": b"\x00\x01"},
        disconnect(1000),
    ]
    sent = exchange(echo_app(), websocket_scope(), *events)
    assert sent == [
        {"type": "websocket.accept"},
        {"type": "websocket.send", "text": "hello"},
        {"type": "websocket.send", "bytes": b"\x00\x01"},
    ]  # and nothing after the disconnect


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"text": "x"}, {"text": "x"}),
        ({"bytes": None, "text": "x"}, {"text": "x"}),
        ({"bytes": b"x", "text": None}, {"bytes": b"x"}),
        ({"bytes": b"x"}, {"bytes": b"x"}),
        ({"text": ""}, {"text": ""}),  # an empty text message is still text
    ],
)
def test_payload_is_picked_by_value_not_by_key(event: dict[str, Any], expected: Any) -> None:
    events = [CONNECT, {"type": "websocket.receive", **event}, disconnect()]  # W02
    sent = exchange(echo_app(), websocket_scope(), *events)
    assert sent[1] == {"type": "websocket.send", **expected}


@pytest.mark.parametrize("extra", [{}, {"reason": None}, {"reason": "bye"}])
def test_disconnect_with_any_reason_shape_ends_the_handler(extra: dict[str, Any]) -> None:
    app = App()
    seen: list[tuple[int | None, str]] = []

    @app.websocket("/ws")
    async def handler(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            await websocket.receive()
        finally:
            seen.append((websocket.close_code, websocket.close_reason))

    sent = exchange(app, websocket_scope(), CONNECT, disconnect(1001, **extra))  # W03
    assert types(sent) == ["websocket.accept"]
    assert seen == [(1001, extra.get("reason") or "")]


def test_disconnect_before_accept_sends_nothing() -> None:  # W04
    # The client gave up during the handshake: accept() sees the disconnect, nothing is sent.
    assert exchange(echo_app(), websocket_scope(), disconnect(1006)) == []
    # Connect then disconnect: the app accepts (it has not read the disconnect yet), then stops.
    sent = exchange(echo_app(), websocket_scope(), CONNECT, disconnect(1006))
    assert sent == [{"type": "websocket.accept"}]


@pytest.mark.parametrize(
    ("spec", "with_headers", "with_reason"),
    [(None, False, False), ("2.0", False, False), ("2.1", True, False), ("2.3", True, True)],
)
def test_spec_version_gates_accept_headers_and_close_reason(
    spec: str | None, with_headers: bool, with_reason: bool
) -> None:  # W05
    app = App()

    @app.websocket("/ws")
    async def handler(websocket: WebSocket) -> None:
        await websocket.accept(headers={"X-Room": "1"})
        await websocket.close(4000, "done")

    sent = exchange(app, websocket_scope(spec_version=spec), CONNECT)
    assert ("headers" in sent[0]) is with_headers
    if with_headers:
        assert sent[0]["headers"] == [(b"x-room", b"1")]
    assert sent[1]["code"] == 4000
    assert ("reason" in sent[1]) is with_reason
    assert len(sent) == 2  # the App's own close at the end is a no-op


def test_subprotocol_must_be_one_the_client_offered() -> None:
    app = App()

    @app.websocket("/ws")
    async def handler(websocket: WebSocket) -> None:
        chosen = "graphql" if "graphql" in websocket.subprotocols else "made-up"
        await websocket.accept(subprotocol=chosen)

    sent = exchange(app, websocket_scope(subprotocols=["graphql", "json"]), CONNECT)
    assert sent[0] == {"type": "websocket.accept", "subprotocol": "graphql"}
    refused = exchange(app, websocket_scope(subprotocols=[]), CONNECT)
    assert types(refused) == ["websocket.close"]  # the handler's ValueError, before accept


def test_unknown_path_is_closed_or_denied_never_answered_with_http() -> None:
    app = echo_app()
    assert types(exchange(app, websocket_scope("/nope"), CONNECT)) == ["websocket.close"]
    sent = exchange(app, websocket_scope("/nope", extensions=DENIAL), CONNECT)
    assert types(sent) == ["websocket.http.response.start", "websocket.http.response.body"]
    assert sent[0]["status"] == 404
    assert sent[1]["more_body"] is False


def test_bad_path_parameter_is_denied_with_422() -> None:
    app = App()

    @app.websocket("/rooms/{room:int}")
    async def room(websocket: WebSocket, room: int) -> None:
        await websocket.accept()

    sent = exchange(app, websocket_scope("/rooms/abc", extensions=DENIAL), CONNECT)
    assert sent[0]["status"] == 422
    ok = exchange(app, websocket_scope("/rooms/7"), CONNECT)
    assert types(ok) == ["websocket.accept", "websocket.close"]


def test_handler_errors_close_with_1011_or_deny_with_500() -> None:
    app = App()

    @app.websocket("/after")
    async def after(websocket: WebSocket) -> None:
        await websocket.accept()
        raise RuntimeError("bug")

    @app.websocket("/before")
    async def before(websocket: WebSocket) -> None:
        raise RuntimeError("bug")

    sent = exchange(app, websocket_scope("/after"), CONNECT)
    assert sent[-1] == {"type": "websocket.close", "code": 1011}
    sent = exchange(app, websocket_scope("/before", extensions=DENIAL), CONNECT)
    assert sent[0]["status"] == 500 and b"bug" not in sent[1]["body"]


def test_handler_returning_without_accepting_closes_so_the_server_sends_403() -> None:
    app = App()

    @app.websocket("/ws")
    async def handler(websocket: WebSocket) -> None:
        return None

    assert exchange(app, websocket_scope(), CONNECT) == [{"type": "websocket.close", "code": 1000}]


def test_send_raising_oserror_at_spec_24_ends_the_handler() -> None:  # W07
    app = App()
    sends: list[int] = []

    @app.websocket("/ws")
    async def handler(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            await websocket.send_text("tick")
            sends.append(1)

    async def scenario() -> None:
        async def receive() -> dict[str, Any]:
            if not sends:
                return CONNECT
            await asyncio.Event().wait()
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            if len(sends) >= 3:
                raise ConnectionResetError("gone")

        await asyncio.wait_for(app(websocket_scope(), receive, send), 5)

    asyncio.run(scenario())
    assert len(sends) == 3


def test_json_messages_and_invalid_json() -> None:
    app = App()

    @app.websocket("/ws")
    async def handler(websocket: WebSocket) -> None:
        await websocket.accept()
        value = await websocket.receive_json()
        await websocket.send_json({"echo": value})
        await websocket.send_json([1], binary=True)
        try:
            await websocket.receive_json()
        except ValueError:
            await websocket.close(1007)

    events = [
        CONNECT,
        {"type": "websocket.receive", "text": '{"a": "é"}'},
        {"type": "websocket.receive", "bytes": b"{not json"},
    ]
    sent = exchange(app, websocket_scope(), *events)
    assert sent[1] == {"type": "websocket.send", "text": '{"echo":{"a":"é"}}'}
    assert sent[2] == {"type": "websocket.send", "bytes": b"[1]"}
    assert sent[3] == {"type": "websocket.close", "code": 1007}


def test_typed_receive_and_state_errors() -> None:
    app = App()
    errors: list[str] = []

    @app.websocket("/ws")
    async def handler(websocket: WebSocket) -> None:
        try:
            await websocket.receive()
        except RuntimeError:
            errors.append("receive before accept")
        await websocket.accept()
        try:
            await websocket.accept()
        except RuntimeError:
            errors.append("double accept")
        try:
            await websocket.receive_bytes()
        except TypeError:
            errors.append("text is not bytes")
        try:
            await websocket.receive_text()
        except TypeError:
            errors.append("bytes is not text")
        await websocket.close()
        try:
            await websocket.send_text("late")
        except RuntimeError:
            errors.append("send after close")
        await websocket.close()  # a second close is a no-op

    events = [
        CONNECT,
        {"type": "websocket.receive", "text": "t"},
        {"type": "websocket.receive", "bytes": b"b"},
    ]
    sent = exchange(app, websocket_scope(), *events)
    assert types(sent) == ["websocket.accept", "websocket.close"]
    assert errors == [
        "receive before accept",
        "double accept",
        "text is not bytes",
        "bytes is not text",
        "send after close",
    ]


@pytest.mark.parametrize(
    "send_early",
    [
        lambda ws: ws.send_text("early"),
        lambda ws: ws.send_bytes(b"early"),
        lambda ws: ws.send_json({"early": True}),
        lambda ws: ws.send_json([1], binary=True),
    ],
    ids=["text", "bytes", "json", "json-binary"],
)
def test_sending_before_accept_is_refused(send_early: Any) -> None:  # WS-SEND-002
    app = App()
    errors: list[str] = []

    @app.websocket("/ws")
    async def handler(websocket: WebSocket) -> None:
        try:
            await send_early(websocket)
        except RuntimeError as exc:
            errors.append(str(exc))
        await websocket.accept()  # the refusal left the handshake still open
        await send_early(websocket)

    sent = exchange(app, websocket_scope(), CONNECT)
    assert errors == ["call accept() before sending"]
    assert types(sent) == ["websocket.accept", "websocket.send", "websocket.close"]


def test_handler_sending_before_accept_never_emits_websocket_send() -> None:
    app = App()

    @app.websocket("/ws")
    async def handler(websocket: WebSocket) -> None:
        await websocket.send_text("hello")  # the bug: no accept()

    # The RuntimeError is a handler error like any other: a close before accept (the server
    # answers 403), or a 500 denial when the server supports them; never a websocket.send.
    assert exchange(app, websocket_scope(), CONNECT) == [
        {"type": "websocket.close", "code": 1008}]
    denied = exchange(app, websocket_scope(extensions=DENIAL), CONNECT)
    assert types(denied) == ["websocket.http.response.start", "websocket.http.response.body"]
    assert denied[0]["status"] == 500


@pytest.mark.parametrize("code", [999, 1004, 1005, 1006, 1015, 2999, 5000])
def test_invalid_close_codes(code: int) -> None:
    assert not valid_close_code(code)


@pytest.mark.parametrize("code", [1000, 1003, 1007, 1014, 3000, 4999])
def test_valid_close_codes(code: int) -> None:
    assert valid_close_code(code)


def test_minimal_websocket_scope_and_invalid_receive_event() -> None:
    scope = {"type": "websocket", "asgi": {"version": "3.0"}, "path": "/ws", "headers": []}
    events = [CONNECT, {"type": "websocket.receive", "bytes": None, "text": None}]
    sent = exchange(echo_app(), scope, *events)
    # An event with neither payload is invalid: the handler raises, the app closes with 1011.
    assert sent == [{"type": "websocket.accept"}, {"type": "websocket.close", "code": 1011}]


def test_websocket_views_of_the_scope() -> None:
    app = App()
    seen: dict[str, Any] = {}

    @app.websocket("/ws")
    async def handler(websocket: WebSocket) -> None:
        seen.update(
            host=websocket.headers.get("host"),
            query=websocket.query_params.getlist("a"),
            state=websocket.state,
            path=websocket.path,
        )
        await websocket.close()

    scope = websocket_scope(query_string=b"a=1&a=2", state={"k": 1})
    assert types(exchange(app, scope, CONNECT)) == ["websocket.close"]
    assert seen == {"host": "testserver", "query": ["1", "2"], "state": {"k": 1}, "path": "/ws"}
