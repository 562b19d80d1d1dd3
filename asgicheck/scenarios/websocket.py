"""WebSocket scenarios W01-W07, and the probe used when no websocket route is known.

The plain exchange of a websocket target (W01's script: connect, a text and a binary message,
then the client closes with 1000) is the baseline. It also tells whether the scenarios apply:

* the app **raises** for a websocket scope without sending anything: it does not support the
  protocol, which the spec allows ("reject any protocol they do not understand with an
  Exception"), so every websocket scenario is skipped with that reason;
* the app **closes or denies** the connection: there is no accepted connection to test, so
  W02-W07 are skipped ("no websocket route known"); W01 still reports how it refused.

With no websocket target, ``W00-probe`` connects to "/" once: it reports how the app answers an
unknown websocket (answering with ``http.response.*`` on a websocket scope is a real bug class),
and the other scenarios run there only if the app accepts.
"""

from __future__ import annotations

from typing import Any

from asgicheck.contract import RunOptions, Target
from asgicheck.driver import Script, websocket_scope, websocket_script
from asgicheck.rules import violation
from asgicheck.scenarios._base import (
    Base,
    Result,
    Skip,
    crashed,
    ended_as,
    send_after_disconnect,
)
from asgicheck.scenarios._context import Baseline, Context
from asgicheck.transcript import Received, Sent, Transcript, format_message
from asgicheck.violations import Severity, Violation

__all__ = ["for_target", "probe_scenarios"]

ECHO = ({"text": "asgicheck"}, {"bytes": b"asgicheck"})
SHAPES = ({"text": "x"}, {"bytes": None, "text": "x"}, {"bytes": b"x", "text": None},
          {"bytes": b"x"})


def ws_script(target: Target, options: RunOptions, messages: Any = ECHO, *, name: str,
              spec: str | None | object = ..., **script_options: Any) -> Script:
    version = options.spec_version if spec is ... else spec
    scope = websocket_scope(target.path, query_string=target.query_string,
                            headers=target.headers, subprotocols=target.subprotocols,
                            spec_version=version)  # type: ignore[arg-type]
    return websocket_script(scope, messages, deadline=options.deadline,
                            linger=min(options.linger, options.deadline),
                            block_threshold=options.block_threshold, name=name,
                            **script_options)


def _accepted(t: Transcript) -> bool:
    return any(isinstance(m, dict) and m.get("type") == "websocket.accept" for m in t.sent)


class WSScenario(Base):
    protocol = "websocket"
    plain = False

    def baseline(self, ctx: Context) -> Baseline:
        target, opts = self.target, ctx.options
        assert target is not None
        return ctx.baseline(("websocket", target), lambda: ws_script(target, opts, name="echo"))

    def known_rules(self, ctx: Context) -> frozenset[str]:
        return frozenset() if self.plain else self.baseline(ctx).rules

    def supported(self, ctx: Context) -> Transcript:
        """The baseline, or Skip when the app raises for websocket scopes."""
        t = self.baseline(ctx).first
        if t.ended == "raised" and not t.sent:
            raise Skip(f"the app does not support websockets: it raised {t.exception} for a "
                       f"websocket scope without sending anything, as the spec allows")
        return t

    def accepting(self, ctx: Context) -> Transcript:
        t = self.supported(ctx)
        if not _accepted(t):
            probe = self.target is not None and self.target.source == "probe"
            hint = "; declare a websocket target to test one" if probe else ""
            raise Skip(f"no websocket route known: the app does not accept a websocket at "
                       f"{self.target_label} ({ended_as(t)} after "
                       f"{list(t.sent_types) or 'sending nothing'}){hint}")
        return t

    def script(self, ctx: Context, messages: Any = ECHO, **options: Any) -> Script:
        assert self.target is not None
        return ws_script(self.target, ctx.options, messages, name=self.name, **options)


def after_disconnect(t: Transcript, result: Result) -> None:
    """WS-RECV-003 / WS-APP-001: how the app ends once the client has gone."""
    told = t.first_disconnect() is not None
    if crashed(t) and told:
        result.findings.append(violation(
            "WS-RECV-003", f"the app {ended_as(t)} after receive() returned "
            f"websocket.disconnect, a valid event that ends the session"))
    if t.ended != "timeout" or not told:
        return
    if t.blocked_in_receive or t.receives_after_disconnect():
        result.findings.append(violation(
            "WS-RECV-003", "after websocket.disconnect the app called receive() again and "
            "waited for data that can never come"))
    else:
        result.findings.append(violation(
            "WS-APP-001", f"the app was still running {t.duration:.1f} s into the exchange, "
            f"after websocket.disconnect: a leaked connection task (return once the socket "
            f"is gone)"))
    result.suppress.add("OPS-APP-002")


class Probe(WSScenario):
    name, plain = "W00-probe", True
    title = "a websocket to '/' when no websocket route is known: how the app refuses it"
    rules = ("WS-SEND-016", "WS-SEND-001")

    def check(self, ctx: Context) -> Result:
        t = self.supported(ctx)
        result = Result(transcripts=[t], details={"accepted": _accepted(t)})
        after_disconnect(t, result)
        return result


class Echo(WSScenario):
    name, plain = "W01-echo", True
    title = "connect, a text and a binary message, then the client closes with 1000"
    rules = ("WS-APP-001", "WS-RECV-003")

    def check(self, ctx: Context) -> Result:
        t = self.supported(ctx)
        result = Result(transcripts=[t], details={"accepted": _accepted(t)})
        after_disconnect(t, result)
        return result


def _replies(t: Transcript) -> list[list[str]]:
    """What the app sent after each websocket.receive, until the next event."""
    groups: list[list[str]] = []
    for entry in t.entries:
        if isinstance(entry, Received):
            kind = entry.event.get("type")
            if kind == "websocket.disconnect":
                break
            if kind == "websocket.receive":
                groups.append([])
        elif isinstance(entry, Sent) and groups:
            groups[-1].append(format_message(entry.message, width=200))
    return groups


class ReceiveShapes(WSScenario):
    name = "W02-receive-shapes"
    title = "the four legal shapes of websocket.receive"
    rules = ("WS-RECV-002",)
    # Each frame type in the shape uvicorn sends, then the same frame with the other key
    # present and None (hypercorn's shape): one exchange per frame type.
    PAIRS = (("text", SHAPES[0], SHAPES[1]), ("binary", SHAPES[3], SHAPES[2]))

    def check(self, ctx: Context) -> Result:
        self.accepting(ctx)
        result = Result(transcripts=ctx.several([self.script(ctx, (usual, other))
                                                 for _, usual, other in self.PAIRS]))
        for (kind, usual, other), t in zip(self.PAIRS, result.transcripts, strict=True):
            if crashed(t) and _receives(t) <= 1:
                # An endpoint that takes text frames only (FastAPI's receive_text()) crashes on
                # any binary frame, whatever its shape: that is not a shape it mishandles.
                result.notes.append(
                    f"the endpoint does not take {kind} frames: it {ended_as(t)} on {usual!r}, "
                    f"the shape uvicorn sends (the crash is the plain exchange's to report, "
                    f"W01), so the two shapes of a {kind} frame were not compared")
            elif crashed(t):
                result.findings.append(violation(
                    "WS-RECV-002", f"the app took {usual!r} but {ended_as(t)} on {other!r}, "
                    f"the same {kind} message; either key may be missing or None: pick the "
                    f"payload by value"))
            elif len(groups := _replies(t)) > 1 and groups[0] != groups[1]:
                result.findings.append(violation(
                    "WS-RECV-002", f"the app answered {usual!r} with {groups[0]} but "
                    f"{other!r}, the same message, with {groups[1]}"))
        return result


def _receives(t: Transcript) -> int:
    """How many websocket.receive events the app took."""
    return sum(1 for e in t.entries if isinstance(e, Received) and
               e.event.get("type") == "websocket.receive")


class DisconnectAfterAccept(WSScenario):
    name = "W03-disconnect-after-accept"
    title = "the client closes with 1001, with a reason, without one, and with reason None"
    rules = ("WS-RECV-004", "WS-RECV-003", "WS-APP-001")

    def check(self, ctx: Context) -> Result:
        self.accepting(ctx)
        result = Result()
        variants: list[tuple[str, dict[str, Any]]] = [
            ("reason 'going away' (spec 2.5)", {"reason": "going away", "spec": "2.5"}),
            ("no reason key", {}), ("reason None", {"reason": None, "spec": "2.5"})]
        crashes = []
        result.transcripts = ctx.several([self.script(ctx, (), code=1001, **options)
                                          for _, options in variants])
        for (label, _), t in zip(variants, result.transcripts, strict=True):
            if crashed(t):
                crashes.append((label, t))
            else:
                after_disconnect(t, result)
        if crashes and len(crashes) < len(variants):
            for label, t in crashes:
                result.findings.append(violation(
                    "WS-RECV-004", f"with websocket.disconnect carrying {label} the app "
                    f"{ended_as(t)}; 'reason' may be missing or None (it defaults to '')"))
        elif crashes:
            after_disconnect(crashes[0][1], result)
        return result


class DisconnectBeforeAccept(WSScenario):
    name = "W04-disconnect-before-accept"
    title = "websocket.disconnect (1006) arrives before the app has replied to connect"
    rules = ("WS-RECV-003", "WS-APP-001")

    def check(self, ctx: Context) -> Result:
        self.accepting(ctx)
        t = ctx.exchange(self.script(ctx, (), disconnect="before_accept", code=1006))
        result = Result(transcripts=[t])
        after_disconnect(t, result)
        return result


class OldSpecVersions(WSScenario):
    name = "W05-old-spec-versions"
    title = "spec_version absent, '2.0' and '2.2': no accept headers, no close reason"
    rules = ("WS-SEND-009", "WS-SEND-013", "GEN-APP-013")

    def check(self, ctx: Context) -> Result:
        self.accepting(ctx)
        specs = (None, "2.0", "2.2")
        result = Result(transcripts=ctx.several([self.script(ctx, spec=spec) for spec in specs]))
        for spec, t in zip(specs, result.transcripts, strict=True):
            result.findings.extend(_version_findings(t, spec))
        return result


def _version_findings(t: Transcript, spec: str | None) -> list[Violation]:
    shown = "absent" if spec is None else repr(spec)
    found: list[Violation] = []
    if crashed(t):
        found.append(violation("GEN-APP-013", f"with spec_version {shown} the app "
                               f"{ended_as(t)}; a missing spec_version means '2.0'"))
    for entry in t.entries:
        message = getattr(entry, "message", None)
        if not isinstance(message, dict):
            continue
        if message.get("type") == "websocket.accept" and message.get("headers") and \
                spec in (None, "2.0"):
            found.append(violation(
                "WS-SEND-009", f"websocket.accept carries headers although spec_version is "
                f"{shown}: accept headers exist from 2.1 on, and sending them to a 2.0 server "
                f"is an error", index=entry.index))  # type: ignore[union-attr]
        if message.get("type") == "websocket.close" and message.get("reason"):
            found.append(violation(
                "WS-SEND-013", f"websocket.close carries a reason although spec_version is "
                f"{shown}: the reason exists from 2.3 on and this server drops it silently",
                index=entry.index, severity=Severity.INFO))  # type: ignore[union-attr]
    return found


class DelayedConnect(WSScenario):
    name = "W06-delayed-connect"
    title = "websocket.connect is held back"
    rules = ("WS-RECV-001",)

    def check(self, ctx: Context) -> Result:
        self.accepting(ctx)
        hold = ctx.options.hold_back
        t = ctx.exchange(self.script(ctx, delay=hold))
        result = Result(transcripts=[t], details={"held_back": hold})
        for entry in t.entries:
            if isinstance(entry, Received):
                break
            message = getattr(entry, "message", None)
            if isinstance(message, dict) and message.get("type") in ("websocket.accept",
                                                                       "websocket.close"):
                result.findings.append(violation(
                    "WS-RECV-001", f"the app sent {message['type']} before receive() had "
                    f"returned websocket.connect", index=entry.index))  # type: ignore
                break
        return result


class SendAfterClose(WSScenario):
    name = "W07-send-after-client-close"
    title = "spec 2.4: the client closes right after accept; send() then raises"
    rules = ("WS-RECV-005", "WS-RECV-006", "WS-RECV-003")

    def check(self, ctx: Context) -> Result:
        self.accepting(ctx)
        t = ctx.exchange(self.script(ctx, (), spec="2.4", code=1001, disconnect="after_accept"))
        result = Result(transcripts=[t])
        late = send_after_disconnect(t)
        if late is not None:
            result.findings.append(violation(
                "WS-RECV-005", "the app kept sending after the client had gone (it received "
                "websocket.disconnect, or send() raised)", index=late.index))
        raised = any(getattr(e, "result", None) == "raised" for e in t.entries)
        if raised and t.ended == "raised" and not {"ClientDisconnected", "OSError"} & set(
                t.exception_types):
            result.findings.append(violation(
                "WS-RECV-006", f"send() raised ClientDisconnected and the app turned it into "
                f"{t.exception}; re-raise it (or return)"))
        if t.ended == "timeout" and t.receives_after_disconnect():
            after_disconnect(t, result)
        return result


def for_target(target: Target) -> list[WSScenario]:
    classes = (Echo, ReceiveShapes, DisconnectAfterAccept, DisconnectBeforeAccept,
               OldSpecVersions, DelayedConnect, SendAfterClose)
    return [cls(target) for cls in classes]


def probe_scenarios() -> list[WSScenario]:
    """For apps with no known websocket route: the probe at '/', then W02-W07 there."""
    return [Probe(PROBE_TARGET), *(s for s in for_target(PROBE_TARGET)
                                   if not isinstance(s, Echo))]


PROBE_TARGET = Target(kind="websocket", path="/", source="probe")
