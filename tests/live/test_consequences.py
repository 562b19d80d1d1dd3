"""What uvicorn, hypercorn and real clients do with the apps of tests/consequence_apps.py: the
evidence behind the rules that fail a run by default below MUST (rules/_consequences.py). If a
server release changes its behaviour, these fail, and the catalogue's consequence must be
measured again.

The HTTP and WebSocket cases run the app inside the server in this process (asgicheck.live) and
record what ``send()`` raised into the app; the lifespan cases start ``python -m uvicorn`` and
read its exit code, as a deployment would see it.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import consequence_apps as apps
import httpx
import pytest
import websockets
from live_apps import LIVE_SERVERS

from asgicheck.live import serve

TESTS = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif("uvicorn" not in LIVE_SERVERS, reason="uvicorn not installed")


class Recorded:
    """The app, with every exception its ``send()`` raised kept (the app still sees it)."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app, self.raised = app, []  # type: list[BaseException]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        async def recording_send(message: Any) -> None:
            try:
                await send(message)
            except BaseException as exc:
                self.raised.append(exc)
                raise
        return await self.app(scope, receive, recording_send)

    def raised_text(self) -> str:
        return " | ".join(f"{type(e).__name__}: {e}" for e in self.raised)


def settle(recorded: Recorded, timeout: float = 2.0) -> None:
    """Wait until the app has recorded its send() exception (the server runs in a thread)."""
    end = time.monotonic() + timeout
    while not recorded.raised and time.monotonic() < end:
        time.sleep(0.02)


@pytest.fixture(params=LIVE_SERVERS)
def server(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def test_body_after_complete_raises_from_send(server: str) -> None:  # HTTP-SEND-013
    app = Recorded(apps.body_after_complete)
    with serve(app, server) as live:
        response = httpx.get(live.url + "/", timeout=3)
        settle(app)
    assert response.status_code == 200 and response.text == "ok"
    expected = "after response already completed" if server == "uvicorn" else "CLOSED"
    assert expected in app.raised_text()


def test_a_returned_value_is_logged_as_an_error_by_uvicorn() -> None:  # OPS-APP-004
    with serve(apps.returns_a_value, "uvicorn") as live:
        mark = live.logs.mark
        assert httpx.get(live.url + "/", timeout=3).text == "ok"
        deadline = time.monotonic() + 2
        while not live.logs.since(mark) and time.monotonic() < deadline:
            time.sleep(0.02)
        lines = live.logs.since(mark)
    assert any(line.level >= logging.ERROR and "should return None" in line.message
               for line in lines), [line.message for line in lines]


def _chunked_upload(port: int) -> bytes:
    """POST /echo with the body in two chunks, then the last (empty) chunk after a pause, as a
    slow client sends it: the server hands the app a final http.request with body b''. What
    came back within 1.5 s."""
    with socket.create_connection(("127.0.0.1", port), timeout=1.5) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
                     b"3\r\nabc\r\n3\r\ndef\r\n")
        time.sleep(0.2)  # the client's pause: the final chunk travels on its own
        sock.sendall(b"0\r\n\r\n")
        received = b""
        try:
            while not received.endswith(b"abcdef"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except TimeoutError:
            pass
        return received


def test_skipping_the_empty_final_chunk_leaves_the_request_unanswered(
        server: str) -> None:  # HTTP-RECV-002
    with serve(apps.skips_empty_chunks, server) as live:
        assert _chunked_upload(live.port) == b""
    with serve(apps.good, server) as twin:  # the conforming twin answers the same upload
        assert _chunked_upload(twin.port).endswith(b"abcdef")


async def _session(url: str, subprotocols: list[str] | None = None) -> tuple[Any, str]:
    """Connect, wait for the server to end the session: the close frame received (None: the
    socket closed without one) and how the session ended."""
    async with websockets.connect(url, subprotocols=subprotocols, open_timeout=3,
                                  close_timeout=1) as ws:
        try:
            await asyncio.wait_for(ws.recv(), 3)
            how = "open"
        except websockets.ConnectionClosedOK:
            how = "closed cleanly"
        except websockets.ConnectionClosedError:
            how = "closed with an error"
        except TimeoutError:
            how = "open"
        return ws.protocol.close_rcvd, how


def test_sending_after_close_raises_from_send(server: str) -> None:  # WS-SEND-015
    app = Recorded(apps.send_after_close)
    with serve(app, server) as live:
        asyncio.run(_session(live.ws_url + "/ws"))
        settle(app)
    expected = "after sending 'websocket.close'" if server == "uvicorn" else "Unexpected message"
    assert expected in app.raised_text()


@pytest.mark.parametrize("app", [apps.reserved_close_code, apps.long_close_reason],
                         ids=["WS-SEND-014", "X-WS-002"])
def test_a_close_frame_that_cannot_be_sent_leaves_the_client_without_one(
        app: Callable[..., Any]) -> None:
    recorded = Recorded(app)
    with serve(recorded, "uvicorn") as live:
        received, _ = asyncio.run(_session(live.ws_url + "/ws"))
        settle(recorded)
    assert "ProtocolError" in recorded.raised_text()
    assert received is None  # no close frame reached the client


def test_an_unoffered_subprotocol_fails_the_handshake(server: str) -> None:  # X-WS-001
    with serve(apps.unoffered_subprotocol, server) as live:
        with pytest.raises((websockets.InvalidHandshake, websockets.ConnectionClosed,
                            TimeoutError, OSError)):
            asyncio.run(_session(live.ws_url + "/ws", subprotocols=["chat"]))
        with serve(apps.good, server) as twin:
            _, how = asyncio.run(_session(twin.ws_url + "/ws", subprotocols=["chat"]))
    assert how == "open"  # the twin accepts the offer-less handshake and waits


def _uvicorn(app: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "uvicorn", f"consequence_apps:{app}",
                             "--port", "0", *args], cwd=TESTS, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def test_a_raise_in_startup_stops_uvicorn_with_lifespan_on() -> None:  # LS-APP-002
    process = _uvicorn("startup_raises", "--lifespan", "on")
    try:
        output, _ = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 3, output
    assert "Application startup failed. Exiting." in output


def test_a_startup_that_hangs_means_uvicorn_never_serves() -> None:  # LS-APP-001
    process = _uvicorn("startup_hangs")
    try:
        time.sleep(3)  # a server that will serve does so well within this
        assert process.poll() is None
    finally:
        process.kill()
        output, _ = process.communicate(timeout=5)
    assert "Waiting for application startup." in output
    assert "Uvicorn running" not in output and "Application startup complete" not in output
