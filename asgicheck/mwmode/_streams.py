"""Disconnect scenarios: an endless event stream, and a client that leaves mid-stream.

The inner app is ``_inner.ticker``: a chunk every ``TICK`` seconds until it learns the client
has gone, from ``http.disconnect`` on the ``receive()`` it keeps waiting on or, at spec 2.4,
from an ``OSError`` out of ``send()``. The client leaves after the first chunk the middleware
streams. A middleware that hides the disconnect (a replacement ``receive`` that never reports
it, or replays ``http.request`` forever; bug classes H2, H4, I) leaves the inner app streaming
to nobody until the linger time runs out; one that buffers the stream never lets a chunk out.
"""

from __future__ import annotations

from asgicheck.contract import RunOptions
from asgicheck.mwmode import _inner as inner
from asgicheck.mwmode._base import MiddlewareScenario, Result, judge_http
from asgicheck.mwmode._blame import blame, ended
from asgicheck.mwmode._exchange import Exchange, client_left, http_exchange
from asgicheck.violations import Severity, Violation

__all__ = ["SCENARIOS"]

# Outer findings that are the consequence of a hidden disconnect, not separate bugs.
_CONSEQUENCES = frozenset({"OPS-APP-002", "HTTP-RECV-005", "HTTP-RECV-007", "HTTP-SEND-004"})


class DisconnectMidStream(MiddlewareScenario):
    name = "disconnect-mid-stream"
    title = ("an endless event stream; the client leaves after the first chunk, at spec 2.3 "
             "(send() after the disconnect does nothing: only receive() tells)")
    protocol = "http"
    deduplicated = True
    spec_version = "2.3"
    rules = ("HTTP-EVT-003", "HTTP-EVT-004", "HTTP-SRV-004", "OPS-APP-002", "HTTP-RECV-007")

    def check(self, options: RunOptions) -> Result:
        ex = http_exchange(self.stack(inner.ticker(), options), options,
                           disconnect="mid_stream", spec_version=self.spec_version)
        own = _judge_stream(ex, options)
        drop = _CONSEQUENCES if own else frozenset()
        result = Result(details=_details(ex))
        result.add(ex, own + judge_http(ex, drop=drop, client_stays=False))
        return result


class DisconnectMidStreamSendRaises(DisconnectMidStream):
    name = "disconnect-mid-stream-send-raises"
    title = ("an endless event stream; the client leaves after the first chunk, at spec 2.4 "
             "(send() after the disconnect raises OSError)")
    spec_version = "2.4"


def _details(ex: Exchange) -> dict[str, object]:
    notes = ex.call.notes if ex.call else {}
    return {"inner_chunks": notes.get("chunks", 0),
            "inner_learned": bool(notes.get("disconnected") or notes.get("send_raised")),
            "client_left": client_left(ex.outer)}


def _judge_stream(ex: Exchange, options: RunOptions) -> list[Violation]:
    call, t = ex.call, ex.outer
    if call is None:
        return []
    notes = call.notes
    streamed = notes.get("chunks", 0)
    learned = notes.get("disconnected") or notes.get("send_raised")
    listening = bool(call.waiting or call.stuck)
    if client_left(t) and not learned and streamed:
        odd = notes.get("unexpected")
        how = (f"its receive() returned {odd!r} instead (a replayed request)" if odd else
               "it was waiting in receive() the whole time and got nothing" if listening
               else "it never heard of it")
        spec = "send() did nothing after the disconnect (spec 2.3), so" \
            if t.scope.get("asgi", {}).get("spec_version") == "2.3" else \
            "no OSError reached its send() either, so"
        return [blame(
            "HTTP-EVT-003", f"the client disconnected after the first streamed chunk, but the "
            f"middleware never passed http.disconnect on to the inner app: {how}. {spec} the "
            f"inner app streamed {streamed} chunk(s) to nobody and the middleware "
            f"{ended(t)}: event streams and long polls run forever for clients that have "
            f"gone (bug classes H2, H4, I)")]
    told = any(isinstance(e, dict) and e.get("type") == "http.disconnect" for e in t.received)
    if client_left(t) and notes.get("send_raised") and not notes.get("disconnected") and \
            listening and told:
        return [blame(
            "HTTP-EVT-003", "the middleware received the client's http.disconnect and kept it "
            "from the inner app, which was waiting in receive() for it; the inner app learned "
            "only because send() raised (spec 2.4). Under a server that does not raise (2.3 "
            "and earlier: uvicorn, granian) it would stream on for a client that has gone "
            "(bug class H4)", severity=Severity.WARNING)]
    if not client_left(t) and streamed > 1 and t.ended == "timeout" and not any(
            isinstance(m, dict) and m.get("type") == "http.response.body" for m in t.sent):
        return [blame(
            "HTTP-SRV-004", f"the inner app streamed {streamed} chunks over "
            f"{options.deadline:g} s and the middleware passed none of them on: it buffers "
            f"the whole body, so an event stream (SSE, long poll) never reaches the client. As "
            f"the inner app's server it should flush what send() is given",
            severity=Severity.WARNING)]
    return []


SCENARIOS: tuple[type[MiddlewareScenario], ...] = (
    DisconnectMidStream, DisconnectMidStreamSendRaises,
)
