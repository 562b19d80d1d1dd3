"""WebSocket scenarios that vary what the client offers and the scope, compared with the plain
session: W08 (the client offers subprotocols) and W09 (a minimal scope).

Every variant is a handshake a conforming server may hand over. Browsers and GraphQL clients
offer subprotocols all the time, and servers leave the scope's optional keys out (hypercorn
sends no ``reason`` on disconnect; a server may send no ``query_string``), so an app must take
both as it takes the plain session.
"""

from __future__ import annotations

from typing import Any

from asgicheck.contract import Target
from asgicheck.driver import websocket_scope, websocket_script
from asgicheck.scenarios._base import Result, crashed, difference
from asgicheck.scenarios._context import Context
from asgicheck.scenarios.websocket import ECHO, WSScenario
from asgicheck.transcript import Transcript

__all__ = ["OFFERED", "for_target"]

OFFERED = ("chat", "superchat")  # RFC 6455 §1.9's own example of an offer


class SubprotocolOffer(WSScenario):
    name = "W08-subprotocol-offer"
    title = f"the client offers the subprotocols {list(OFFERED)}"
    # Judged by the validator on the accept: the choice must be one offered (X-WS-001), and
    # made with the subprotocol key, never a raw Sec-WebSocket-Protocol header (WS-SEND-007).
    rules = ("X-WS-001", "WS-SEND-007")

    def check(self, ctx: Context) -> Result:
        self.accepting(ctx)
        target = self.target
        assert target is not None
        offer = target.subprotocols or OFFERED
        t = _exchange(self, ctx, websocket_scope(
            target.path, query_string=target.query_string, headers=target.headers,
            subprotocols=offer, spec_version=ctx.options.spec_version), f"offering {offer}")
        return Result(transcripts=[t], details={"offered": list(offer)})


class MinimalScope(WSScenario):
    name = "W09-minimal-scope"
    title = "a websocket scope without its optional keys, and with raw_path None"
    rules = ("GEN-APP-014",)

    def check(self, ctx: Context) -> Result:
        self.accepting(ctx)
        base = self.compared(ctx)
        target = self.target
        assert target is not None
        full = websocket_scope(target.path, query_string=target.query_string,
                               headers=target.headers, spec_version=ctx.options.spec_version)
        variants = {
            "without query_string, subprotocols, raw_path, root_path, http_version, scheme, "
            "client, server and asgi.spec_version": websocket_scope(
                target.path, headers=target.headers, minimal=True),
            "with raw_path None": {**full, "raw_path": None},
        }
        result = Result()
        for label, scope in variants.items():
            t = _exchange(self, ctx, scope, label)
            result.transcripts.append(t)
            changed = difference(base, t, body=False, types=True, what="the plain session")
            if changed:
                if crashed(t):
                    result.suppress.add("OPS-APP-001")  # the same exception, named by its cause
                # www.rst: each of these keys is "Optional; if missing defaults to ..." (raw_path
                # "defaults to None"), so a crash or another answer is the app's fault.
                result.blame("GEN-APP-014", f"with a websocket scope {label} (all optional, "
                             f"with documented defaults), {changed}")
        return result


def _exchange(scenario: WSScenario, ctx: Context, scope: dict[str, Any],
              label: str) -> Transcript:
    options = ctx.options
    return ctx.exchange(websocket_script(
        scope, ECHO, deadline=options.deadline, linger=min(options.linger, options.deadline),
        block_threshold=options.block_threshold, name=f"{scenario.name}: {label}"))


def for_target(target: Target) -> list[WSScenario]:
    return [SubprotocolOffer(target), MinimalScope(target)]
