"""Server checks over WebSocket, each driving asgicheck's probe app (``_probes``) through the
real server with the ``websockets`` sync client. Every finding here is the server's.

* ``server-ws-echo``: the handshake waits for the app's accept (WS-EVT-001); text frames
  arrive in ``text`` and binary ones in ``bytes`` (WS-EVT-003), a fragmented message as one
  event (WS-EVT-004); the client's close code reaches the app (WS-EVT-008), 1005 when it sent
  none (WS-EVT-006); ``send()`` after the close raises an ``OSError`` at spec >= 2.4
  (WS-SRV-006, else GEN-SRV-004), and a re-raised one is not logged as an error (WS-SRV-007).
* ``server-ws-close-codes``: an app close after accept reaches the client with the app's code,
  or 1000 when it gave none (WS-SRV-003), and the app then gets ``websocket.disconnect``.
* ``server-ws-deny``: a close before accept is an HTTP 403, no handshake (WS-SRV-002), and the
  app still gets ``websocket.disconnect`` (WSD-SRV-002).
"""

from __future__ import annotations

import time
from typing import Any

from websockets.exceptions import ConnectionClosed, WebSocketException

from asgicheck.live._client import close_code, handshake_status, ws_connect
from asgicheck.live._hosting import Hosted, Step
from asgicheck.live._probes import ACCEPT_DELAY
from asgicheck.live._scenario import LiveScenario, Report, Skip
from asgicheck.live._server_http import logged_after_reraise, send_after_close_findings
from asgicheck.live._tracker import Call

__all__ = ["SCENARIOS"]

FRAGMENTS = ("frag", "mented")


def _receives(call: Call) -> list[dict[str, Any]]:
    return [e for e in call.events() if e.get("type") == "websocket.receive"]


def _only_call(step: Step) -> Call:
    if not step.calls:
        raise Skip("the server did not call the probe app")
    return step.calls[0]


class _WSProbe(LiveScenario):
    protocol = "websocket"
    probe = True


class Echo(_WSProbe):
    name = "server-ws-echo"
    title = "websocket frames, fragments and close codes as the app sees them"
    rules = ("WS-EVT-001", "WS-EVT-003", "WS-EVT-004", "WS-EVT-005", "WS-EVT-006", "WS-EVT-008",
             "WS-SRV-006", "GEN-SRV-004", "WS-SRV-007")

    def check(self, server: Hosted, report: Report) -> None:
        url = server.server.ws_url + "/ws/echo"
        opened = 0.0
        with server.step(2 * report.wait) as step:
            connection = ws_connect(url, report.wait)
            opened = time.monotonic()
            try:
                step.saw(f"connected to /ws/echo (the app accepts after {ACCEPT_DELAY} s)")
                for payload in ("hello", b"\x00bin", FRAGMENTS):
                    connection.send(iter(payload) if isinstance(payload, tuple) else payload)
                    step.saw(f"sent {payload!r}, got back {connection.recv(report.wait)!r}")
            finally:
                connection.close(1000, "bye")
                step.saw("closed with code 1000 'bye'")
        report.add(step, "echo, then the client closes with 1000")
        call = _only_call(step)
        accepted = call.data.get("accepted_at")
        if isinstance(accepted, float) and opened < accepted:
            report.find("WS-EVT-001", f"the client's handshake completed "
                                      f"{accepted - opened:.3f} s before the app sent "
                                      f"websocket.accept: the server must hold it until then")
        self._frames(report, call)
        disconnect = call.data.get("disconnect", {})
        seen = disconnect.get("code")
        report.fact("client_close_1000_seen_as", int(seen) if isinstance(seen, int) else seen)
        if disconnect.get("type") != "websocket.disconnect":
            report.find("WS-EVT-005", f"the client closed the connection; the app's receive() "
                                      f"gave {disconnect!r} instead of websocket.disconnect")
        elif disconnect.get("code") != 1000:
            report.find("WS-EVT-008", f"the client closed with code 1000 'bye'; the app was "
                                      f"told code {disconnect.get('code')!r} "
                                      f"(1006 means the socket was lost without a close)")
        send_after_close_findings(report, call, "WS-SRV-006")
        logged_after_reraise(report, call, "WS-SRV-007", step.logs)
        self._no_code(server, report)

    def _frames(self, report: Report, call: Call) -> None:
        events = _receives(call)
        shapes = [("text" if isinstance(e.get("text"), str) else "bytes", e.get("text")
                   if isinstance(e.get("text"), str) else e.get("bytes")) for e in events]
        expected = [("text", "hello"), ("bytes", b"\x00bin"), ("text", "".join(FRAGMENTS))]
        report.fact("fragmented_message_events", len(events) - 2 if len(events) >= 2 else None)
        if shapes[:2] != expected[:2]:
            report.find("WS-EVT-003", f"a text frame 'hello' and a binary frame b'\\x00bin' "
                                      f"reached the app as {shapes[:2]!r}")
        if shapes[2:] != expected[2:]:
            report.find("WS-EVT-004", f"the message {''.join(FRAGMENTS)!r}, sent in "
                                      f"{len(FRAGMENTS)} fragments, reached the app as "
                                      f"{shapes[2:]!r}; it should be one complete message")

    def _no_code(self, server: Hosted, report: Report) -> None:
        with server.step(2 * report.wait) as step:
            connection = ws_connect(server.server.ws_url + "/ws/echo", report.wait)
            connection.close(None)  # type: ignore[arg-type]  # an empty close frame
            step.saw("connected to /ws/echo, closed without a code (an empty close frame)")
        report.add(step, "the client closes without a code")
        disconnect = _only_call(step).data.get("disconnect", {})
        code = disconnect.get("code")
        report.fact("client_close_without_code_seen_as", int(code) if isinstance(code, int)
                    else code)
        if disconnect.get("type") == "websocket.disconnect" and code != 1005:
            report.find("WS-EVT-006", f"the client's close frame carried no code; the app was "
                                      f"told {code!r} instead of 1005")


class CloseCodes(_WSProbe):
    name = "server-ws-close-codes"
    title = "the close code the app sends after accept is the one the client receives"
    rules = ("WS-SRV-003", "WS-EVT-005")
    CASES = (("?code=4001&reason=bye", 4001), ("", 1000))

    def check(self, server: Hosted, report: Report) -> None:
        seen: dict[str, object] = {}
        for query, expected in self.CASES:
            code: int | None = None
            with server.step(report.wait) as step:
                connection = ws_connect(server.server.ws_url + "/ws/close" + query, report.wait)
                try:
                    message = connection.recv(report.wait)
                    step.saw(f"got {message!r} where a close was expected")
                except ConnectionClosed as exc:
                    code, reason = close_code(exc)
                    step.saw(f"closed by the server with code {code!r} reason {reason!r}")
                finally:
                    connection.close()
            what = f"close with code {expected}" if query else "close without a code"
            report.add(step, f"the app sends websocket.close ({what})")
            seen[what] = code
            if code != expected:
                report.find("WS-SRV-003", f"the app sent websocket.close after accept "
                                          f"({what}); the client got close code {code!r} "
                                          f"instead of {expected}")
            after = _only_call(step).data.get("after_close", {})
            if after.get("type") != "websocket.disconnect":
                report.find("WS-EVT-005", f"after its own close the app's receive() gave "
                                          f"{after!r}, not websocket.disconnect")
        report.fact("client_saw", seen)


class Deny(_WSProbe):
    name = "server-ws-deny"
    title = "websocket.close before accept: HTTP 403 and no handshake"
    rules = ("WS-SRV-002", "WSD-SRV-002")

    def check(self, server: Hosted, report: Report) -> None:
        with server.step(report.wait) as step:
            status: int | None = None
            try:
                connection = ws_connect(server.server.ws_url + "/ws/deny", report.wait)
            except (WebSocketException, OSError) as exc:
                status = handshake_status(exc)
                step.saw(f"handshake refused: {type(exc).__name__}, HTTP status {status!r}")
            else:
                step.saw("the handshake completed (101)")
                connection.close()
        report.add(step, "the app closes before accepting")
        report.fact("handshake_status", status if status is not None else "101 (accepted)")
        if status != 403:
            got = "completed the handshake" if status is None else f"answered HTTP {status}"
            report.find("WS-SRV-002", f"the app closed before accepting; the server {got} "
                                      f"instead of answering HTTP 403")
        after = _only_call(step).data.get("after_close", {})
        report.fact("app_told_after_denial", after.get("code", after.get("type")))
        if after.get("type") != "websocket.disconnect":
            report.find("WSD-SRV-002", f"after the denial the app's receive() gave {after!r}, "
                                       f"not websocket.disconnect (within 1 s)")


SCENARIOS: tuple[type[LiveScenario], ...] = (Echo, CloseCodes, Deny)
