"""The websocket scenario: a websocket scope must pass through the middleware intact.

The inner app accepts, echoes a text and a bytes message, and returns on the client's
``websocket.disconnect``. HTTP-only middleware answers websockets with ``http.response.start``
(L1, L3) or returns without a handshake (L4); the driver's validator reports those on the
middleware's side (WS-SEND-016, WS-SEND-001), with what the inner app did as evidence. What the
inner app is handed (the scope, events out of order) is judged by the server-side websocket
rules and charged to the middleware.
"""

from __future__ import annotations

from typing import Any

from asgicheck.contract import RunOptions
from asgicheck.mwmode import _inner as inner
from asgicheck.mwmode._base import MiddlewareScenario, Result
from asgicheck.mwmode._blame import inner_findings, outer_findings, scope_findings
from asgicheck.mwmode._exchange import websocket_exchange

__all__ = ["SCENARIOS"]

MESSAGES: tuple[dict[str, Any], ...] = ({"text": "hello through the middleware"},
                                        {"bytes": b"\x00\x01 binary \xff"})


class WebSocketEcho(MiddlewareScenario):
    name = "websocket-echo"
    title = "accept, echo a text and a bytes message, then the client closes (1000)"
    protocol = "websocket"
    rules = ("WS-SEND-001", "WS-SEND-016", "WS-SEND-003", "WS-EVT-002", "GEN-MW-001",
             "OPS-APP-001", "OPS-APP-002")

    def check(self, options: RunOptions) -> Result:
        stack = self.stack(inner.websocket_echo(), options)
        ex = websocket_exchange(stack, options, MESSAGES)
        echoed = [m.get("text", m.get("bytes")) for m in ex.outer.sent
                  if isinstance(m, dict) and m.get("type") == "websocket.send"]
        expected = [m.get("text", m.get("bytes")) for m in MESSAGES]
        result = Result(details={"echoed": echoed == expected,
                                 "inner_called": ex.call is not None})
        result.add(ex, outer_findings(ex) + inner_findings(ex.call) +
                   scope_findings(stack, "websocket"))
        return result


SCENARIOS: tuple[type[MiddlewareScenario], ...] = (WebSocketEcho,)
