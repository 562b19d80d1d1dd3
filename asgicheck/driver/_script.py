"""What the simulated client does in one exchange: the scope, and the events ``receive()`` returns.

A ``Script`` is data. The driver plays it: each ``Step`` is one event that ``receive()`` hands
the app, in order, once its ``gate`` is open and its ``delay`` has passed. A step whose event is
``http.disconnect`` or ``websocket.disconnect`` is the client going away: from the moment it is
due, the connection is closed whether or not the app calls ``receive()``, and ``send()`` raises
``ClientDisconnected`` (spec_version 2.4 and later) or does nothing (before 2.4).

The builders below make scopes and scripts as a strict, spec-correct server does. Every scope
key is spelled out, so a reader sees the whole scope (style.md 8). Full scopes carry every key a
server may give, with the spec's types: lists (not tuples) for headers and addresses (A18),
lower-case header names, ``raw_path`` that percent-decodes to ``path``, and a ``path`` that
includes ``root_path`` (A1). Minimal scopes carry only the keys the spec does not call Optional
(S10).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

__all__ = [
    "ClientDisconnected",
    "Gate",
    "HTTP_EXTENSIONS",
    "Script",
    "Step",
    "http_scope",
    "http_script",
    "is_disconnect",
    "lifespan_scope",
    "lifespan_script",
    "websocket_scope",
    "websocket_script",
]

_set = object.__setattr__


class ClientDisconnected(OSError):
    """Raised by the driver's ``send()`` once the client has gone, at spec_version 2.4 and later.

    www.rst § Disconnected Client - send exception: "If send() is called on a closed connection
    the server should raise a server-specific subclass of OSError".
    """


class Gate(enum.Enum):
    """What the app must have done before a step is delivered (or, for a disconnect, happens).

    A step is also due only once the steps before it were delivered; a disconnect gated on the
    response (STARTED, STREAMING, COMPLETE) is the exception: the client leaves even if the app
    never read the rest of the request.
    """

    CALL = "call"  # nothing: due as soon as the steps before it have been delivered
    STARTED = "started"  # the app sent http.response.start (or the response is complete)
    STREAMING = "streaming"  # the app sent a body chunk with more_body=True (or completed)
    COMPLETE = "complete"  # the response is complete / the app closed the websocket
    ACCEPT = "accept"  # the app accepted the websocket (dropped if it closed or denied it)
    IDLE = "idle"  # the app waits in receive() for more (a client that closes once answered)
    SIGNAL = "signal"  # the server says so (lifespan.shutdown after the requests are done)


def is_disconnect(event: dict[str, Any]) -> bool:
    return event.get("type") in ("http.disconnect", "websocket.disconnect")


_CALL = Gate.CALL


@dataclass(frozen=True, kw_only=True)
class Step:
    """One event for ``receive()``. The app always gets a fresh copy of ``event``."""

    event: dict[str, Any]
    gate: Gate = Gate.CALL
    delay: float = 0.0  # seconds to hold the event back once the gate is open

    def __init__(self, *, event: dict[str, Any], gate: Gate = Gate.CALL,
                 delay: float = 0.0) -> None:
        # A frozen dataclass's own __init__ sets each field through object.__setattr__; one
        # __dict__ costs a fraction (fuzzing builds a script per exchange).
        _set(self, "__dict__", {"event": event, "gate": gate, "delay": delay})

    def __str__(self) -> str:
        extra = "" if self.gate is Gate.CALL else f" after {self.gate.value}"
        extra += f" +{self.delay:g}s" if self.delay else ""
        return f"{self.event.get('type')}{extra}"


@dataclass(frozen=True, kw_only=True, eq=False)
class Script:
    """One scripted exchange.

    ``deadline`` is the hard limit for the whole exchange. ``linger``, when set, is how long the
    app may keep running after the client went away before the exchange ends as a timeout (the
    "T" of HTTP-RECV-007 and WS-APP-001); it applies only to a disconnect that happens while the
    response is still open, never to the ordinary end of a completed response. ``block_threshold``
    is the event-loop stall reported as OPS-APP-003. ``send_delay`` makes every delivered
    ``send()`` take that long (a slow reader). ``raise_invalid`` makes ``send()`` raise
    ``ViolationError`` for messages that break a failing rule, as GEN-SRV-001 says a server
    should; by default the driver only records. ``server_findings_expected`` lists server-side
    rules the scope breaks on purpose (e.g. HTTP-SCOPE-012 for S12's mixed-case header names):
    they are not reported.
    """

    scope: dict[str, Any]
    steps: tuple[Step, ...] = ()
    deadline: float = 5.0
    linger: float | None = None
    block_threshold: float = 0.1
    send_delay: float = 0.0  # a slow client: every send() takes this long to complete
    raise_invalid: bool = False
    server_findings_expected: frozenset[str] = field(default_factory=frozenset)
    name: str = ""
    # Worked out once, for the driver's hot path.
    spec_version: tuple[int, int] = field(init=False, repr=False)
    disconnect_at: int | None = field(init=False, repr=False)  # the first disconnect step
    plain: int = field(init=False, repr=False)  # leading steps due at once (CALL, no delay)
    leave_gate: Gate | None = field(init=False, repr=False)  # the disconnect step's gate
    raises: bool = field(init=False, repr=False)  # send() raises once the client left (2.4+)

    def __init__(self, *, scope: dict[str, Any], steps: tuple[Step, ...] = (),
                 deadline: float = 5.0, linger: float | None = None,
                 block_threshold: float = 0.1, send_delay: float = 0.0,
                 raise_invalid: bool = False,
                 server_findings_expected: frozenset[str] = frozenset(), name: str = "") -> None:
        spec = _spec_version(scope)
        found = plain = None
        for number, step in enumerate(steps):
            event = step.event
            if event.get("type") in _DISCONNECTS:
                found = number
                break
            if plain is None and (step.gate is not _CALL or step.delay):
                plain = number
        if plain is None:
            plain = len(steps) if found is None else found
        _set(self, "__dict__", {
            "scope": scope, "steps": steps, "deadline": deadline, "linger": linger,
            "block_threshold": block_threshold, "send_delay": send_delay,
            "raise_invalid": raise_invalid, "server_findings_expected": server_findings_expected,
            "name": name, "spec_version": spec, "disconnect_at": found, "plain": plain,
            "leave_gate": None if found is None else steps[found].gate,
            "raises": spec >= (2, 4)})


def _spec_version(scope: dict[str, Any]) -> tuple[int, int]:
    """The www spec_version the scope announces; a missing one means 2.0 (www.rst)."""
    asgi = scope.get("asgi")
    value = asgi.get("spec_version") if type(asgi) is dict or isinstance(asgi, dict) else None
    if type(value) is not str:
        return (2, 0)
    known = _SPECS.get(value)
    if known is None:
        major, _, minor = value.partition(".")
        known = (int(major), int(minor)) if major.isdigit() and minor.isdigit() else (2, 0)
        if len(_SPECS) < 64:
            _SPECS[value] = known
    return known


_SPECS: dict[str, tuple[int, int]] = {}
_DISCONNECTS = frozenset({"http.disconnect", "websocket.disconnect"})


# -- scopes and scripts as a strict server builds them --------------------------------------------
# The extensions a request may ask the harness to advertise (extensions.rst). ``tls`` is left
# out: it may only be given for TLS connections (TLS-SRV-001).
HTTP_EXTENSIONS = (
    "http.response.trailers",
    "http.response.push",
    "http.response.zerocopysend",
    "http.response.pathsend",
    "http.response.early_hint",
    "http.response.debug",
)
_PCHARS = "/:@!$&'()*+,;=-._~"
HeaderList = Iterable[tuple[bytes, bytes]] | Iterable[list[bytes]]


def _headers(host: bytes, headers: HeaderList, extra: Sequence[tuple[bytes, bytes]] = ()
             ) -> list[list[bytes]]:
    if not headers:  # the usual case, without the comprehensions
        given = [[b"host", host]]
        for name, value in extra:
            given.append([name, value])
        return given
    given = [[bytes(name), bytes(value)] for name, value in headers]
    if not any(name.lower() == b"host" for name, _ in given):
        given.insert(0, [b"host", host])
    names = {name.lower() for name, _ in given}
    given.extend([name, value] for name, value in extra if name not in names)
    return given


@functools.lru_cache(maxsize=512)
def _raw_path(path: str) -> bytes:
    return quote(path, safe=_PCHARS).encode("ascii")


def _asgi(spec_version: str | None) -> dict[str, str]:
    return {"version": "3.0"} if spec_version is None else {"version": "3.0",
                                                           "spec_version": spec_version}


def http_scope(method: str = "GET", path: str = "/", *, query_string: bytes = b"",
               headers: HeaderList = (), body: bytes = b"", spec_version: str | None = "2.4",
               http_version: str = "1.1", scheme: str = "http", root_path: str = "",
               extensions: Iterable[str] | None = (), minimal: bool = False,
               **extra: Any) -> dict[str, Any]:
    """An ``http`` scope (www.rst § HTTP Connection Scope). ``path`` includes ``root_path``.

    ``extensions=None`` leaves the key out; names in it are advertised with empty dicts.
    ``extra`` adds (or, with a value of None, removes) keys, e.g. ``client=None``.
    """
    length = [(b"content-length", str(len(body)).encode())] if body else ()
    scope: dict[str, Any]
    if minimal:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": http_version,
            "method": method.upper(),
            "path": path,
            "query_string": query_string,
            "headers": _headers(b"testserver", headers, length),
        }
    else:
        scope = {
            "type": "http",
            "asgi": _asgi(spec_version),
            "http_version": http_version,
            "method": method.upper(),
            "path": path,
            "query_string": query_string,
            "headers": _headers(b"testserver", headers, length),
            "scheme": scheme,
            "raw_path": _raw_path(path),
            "root_path": root_path,
            "client": ["127.0.0.1", 50000],
            "server": ["testserver", 443 if scheme == "https" else 80],
        }
        if extensions is not None:
            scope["extensions"] = {name: {} for name in extensions} if extensions else {}
    for key, value in extra.items():
        if value is None:
            scope.pop(key, None)
        else:
            scope[key] = value
    return scope


def websocket_scope(path: str = "/", *, query_string: bytes = b"", headers: HeaderList = (),
                    subprotocols: Sequence[str] = (), spec_version: str | None = "2.4",
                    scheme: str = "ws", root_path: str = "", extensions: Iterable[str] | None = (),
                    minimal: bool = False) -> dict[str, Any]:
    """A ``websocket`` scope (www.rst § Websocket Connection Scope), after the HTTP upgrade."""
    upgrade = [(b"connection", b"Upgrade"), (b"upgrade", b"websocket"),
               (b"sec-websocket-version", b"13"),
               (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ==")]
    if subprotocols:
        upgrade.append((b"sec-websocket-protocol", ", ".join(subprotocols).encode()))
    scope: dict[str, Any] = {
        "type": "websocket",
        "asgi": _asgi(None if minimal else spec_version),
        "path": path,
        "headers": _headers(b"testserver", headers, upgrade),
    }
    if not minimal:
        scope.update({
            "http_version": "1.1",
            "scheme": scheme,
            "raw_path": _raw_path(path),
            "query_string": query_string,
            "root_path": root_path,
            "client": ["127.0.0.1", 50000],
            "server": ["testserver", 443 if scheme == "wss" else 80],
            "subprotocols": list(subprotocols),
        })
        if extensions is not None:
            scope["extensions"] = {name: {} for name in extensions}
    return scope


def lifespan_scope(*, state: dict[str, Any] | None = None, spec_version: str | None = "2.0",
                   minimal: bool = False) -> dict[str, Any]:
    """A ``lifespan`` scope (lifespan.rst § Scope); ``state`` is the namespace, if supported."""
    scope: dict[str, Any] = {"type": "lifespan", "asgi": _asgi(None if minimal else spec_version)}
    if state is not None and not minimal:
        scope["state"] = state
    return scope


Disconnect = Literal["after_response", "first", "mid_body", "mid_stream", "never"]
_HTTP_GATES = {"after_response": Gate.COMPLETE, "mid_body": Gate.CALL,
               "mid_stream": Gate.STREAMING}


def http_script(scope: dict[str, Any], chunks: Sequence[bytes] | None = None, *,
                disconnect: Disconnect = "after_response", bare: bool = False,
                delay: float = 0.0, deadline: float = 5.0, linger: float | None = None,
                **options: Any) -> Script:
    """An HTTP exchange: the body as ``http.request`` chunks, then the client's disconnect.

    ``chunks`` defaults to one chunk holding the whole body (``b""`` for a body-less request).
    ``bare`` sends S04's ``{"type": "http.request"}``. ``delay`` holds the first chunk back
    (S09). ``disconnect`` places the client's ``http.disconnect``: after the response is complete
    (S01), before anything (S06), after the first chunk (S05), or after the app's first streamed
    body chunk (S07/S08).
    """
    parts = list(chunks) if chunks is not None else [b""]
    steps: list[Step] = []
    if disconnect == "first":
        steps.append(Step(event={"type": "http.disconnect"}))
    else:
        if disconnect == "mid_body":
            parts = parts[:1]
        last = len(parts) - 1 if disconnect != "mid_body" else -1
        for number, part in enumerate(parts):
            event: dict[str, Any] = ({"type": "http.request"} if bare else
                                     {"type": "http.request", "body": part,
                                      "more_body": number != last})
            steps.append(Step(event=event, delay=delay if number == 0 else 0.0))
        gate = _HTTP_GATES.get(disconnect)
        if gate is not None:
            steps.append(Step(event={"type": "http.disconnect"}, gate=gate))
    return Script(scope=scope, steps=tuple(steps), deadline=deadline, linger=linger, **options)


WsDisconnect = Literal["after_messages", "after_accept", "before_accept", "never"]


def websocket_script(scope: dict[str, Any], messages: Sequence[dict[str, Any]] = (), *,
                     disconnect: WsDisconnect = "after_messages", code: int = 1000,
                     reason: str | None | object = ..., delay: float = 0.0,
                     deadline: float = 5.0, linger: float | None = None,
                     **options: Any) -> Script:
    """A websocket exchange: ``websocket.connect``, then (once the app accepted) ``messages``
    (``websocket.receive`` events; a bare ``{"text": ...}`` gets its type added), then the
    client's ``websocket.disconnect`` with ``code`` and, unless ``reason`` is ``...``, a
    ``reason`` key (W03).

    ``disconnect``: ``after_messages`` closes once the app waits for more after the last
    message (W01); ``after_accept`` closes right after the accept, so the app's next send()
    finds the client gone (W07); ``before_accept`` closes before the app replies (W04).
    """
    steps = [Step(event={"type": "websocket.connect"}, delay=delay)]
    gone: dict[str, Any] = {"type": "websocket.disconnect", "code": code}
    if reason is not ...:
        gone["reason"] = reason
    if disconnect == "before_accept":
        steps.append(Step(event=gone))
    elif disconnect == "after_accept":
        steps.append(Step(event=gone, gate=Gate.ACCEPT))
    else:
        steps.extend(Step(event={"type": "websocket.receive", **m}, gate=Gate.ACCEPT)
                     for m in messages)
        if disconnect != "never":
            steps.append(Step(event=gone, gate=Gate.IDLE if messages else Gate.ACCEPT))
    return Script(scope=scope, steps=tuple(steps), deadline=deadline, linger=linger, **options)


def lifespan_script(scope: dict[str, Any], *, deadline: float = 5.0, **options: Any) -> Script:
    """``lifespan.startup`` at once; ``lifespan.shutdown`` when the server signals it."""
    steps = (Step(event={"type": "lifespan.startup"}),
             Step(event={"type": "lifespan.shutdown"}, gate=Gate.SIGNAL))
    return Script(scope=scope, steps=steps, deadline=deadline, **options)
