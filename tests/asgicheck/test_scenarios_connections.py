"""State across connections (C01, C02) against Starlette apps: a chat room that keeps the sockets
of clients who left, and an upload buffer that keeps an abandoned request's bytes, each caught,
beside a conforming twin. The raw bad apps are in bad_apps/_variants.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from asgicheck.contract import Outcome, RunOptions, Target
from asgicheck.scenarios import build_scenarios, close_sessions
from asgicheck.scenarios.connections import Tap

pytest.importorskip("starlette")

from starlette.applications import Starlette  # noqa: E402
from starlette.requests import ClientDisconnect, Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route, WebSocketRoute  # noqa: E402
from starlette.websockets import WebSocket, WebSocketDisconnect  # noqa: E402

OPTIONS = RunOptions(deadline=2.0, linger=0.3, hold_back=0.05, block_threshold=0.5)
WS, ECHO = Target(kind="websocket", path="/ws"), Target(method="POST", path="/echo")


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Iterator[None]:
    yield
    close_sessions()


def run(app: Any, name: str, target: Target) -> Outcome:
    (scenario,) = [s for s in build_scenarios([target], OPTIONS)
                   if s.id.split("/", 1)[1].split("[")[0] == name]
    return scenario.run(app, OPTIONS)


def chat(*, forgets: bool) -> Starlette:
    clients: list[WebSocket] = []

    async def room(websocket: WebSocket) -> None:
        await websocket.accept()
        clients.append(websocket)
        try:
            while True:
                text = await websocket.receive_text()
                for client in clients:
                    await client.send_text(text)
        except WebSocketDisconnect:
            pass
        finally:
            if not forgets:
                clients.remove(websocket)
    return Starlette(routes=[WebSocketRoute("/ws", room)])


def test_a_chat_room_that_keeps_departed_clients_fails_c02() -> None:
    outcome = run(chat(forgets=True), "C02-two-clients", WS)
    assert outcome.status == "failed", outcome.transcript
    (found,) = [v for v in outcome.violations if v.rule == "OPS-APP-006"]
    assert "on connection 'leaving early' after its app call had returned, by connection " \
           "'staying'" in found.message


def test_a_chat_room_that_drops_departed_clients_passes_c02() -> None:
    outcome = run(chat(forgets=False), "C02-two-clients", WS)
    assert outcome.status == "passed", f"{outcome.violations}\n{outcome.transcript}"
    assert outcome.transcript.count("asgicheck again, after the other client left") >= 1


def uploads(*, keeps_leftovers: bool) -> Starlette:
    buffer = bytearray()  # shared by every request: the bug, unless emptied on the way out

    async def echo(request: Request) -> Response:
        try:
            async for chunk in request.stream():
                buffer.extend(chunk)
        except ClientDisconnect:
            if not keeps_leftovers:
                buffer.clear()
            raise
        body = bytes(buffer)
        buffer.clear()
        return Response(body, media_type="application/octet-stream")
    return Starlette(routes=[Route("/echo", echo, methods=["POST"])])


def test_an_upload_buffer_that_keeps_an_abandoned_body_fails_c01() -> None:
    outcome = run(uploads(keeps_leftovers=True), "C01-after-abort", ECHO)
    assert outcome.status == "failed", outcome.transcript
    (found,) = [v for v in outcome.violations if v.rule == "OPS-APP-005"]
    assert "carries b'asgicheck-abandoned-request'" in found.message


def test_an_upload_buffer_emptied_on_abort_passes_c01() -> None:
    outcome = run(uploads(keeps_leftovers=False), "C01-after-abort", ECHO)
    assert outcome.status == "passed", f"{outcome.violations}\n{outcome.transcript}"


def test_the_tap_records_only_sends_after_the_call_returned() -> None:
    import asyncio

    kept: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        kept.append(send)
        await send({"type": "first"})

    sent: list[Any] = []

    async def server_send(message: Any) -> None:
        sent.append(message)

    async def main() -> Tap:
        tap = Tap(app)
        await tap({"client": ["127.0.0.1", 1]}, None, server_send)
        await kept[0]({"type": "late"})
        return tap

    tap = asyncio.run(main())
    assert [m["type"] for m in sent] == ["first", "late"]  # passed on, as the server decides
    assert [(s.on, s.by, s.kind) for s in tap.late] == [(1, None, "late")]
