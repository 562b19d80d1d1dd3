"""One generated test case, as data: what the simulated client sends, and the script it becomes.

Examples are frozen and hashable (a property item caches what each one did, so the replay
Hypothesis makes of its shrunk example gives the same answer), and they round-trip through JSON
for replay files: byte strings are written as latin-1 text, which maps each byte to one code
point and back.

Where the client goes away (``HTTPExample.disconnect``, property P4):

* ``"first"``: before the app gets anything (S06's script);
* ``"body:N"``: after ``N`` ``http.request`` chunks were delivered, when the app asks for more
  (every chunk delivered so far says ``more_body=True`` unless ``N`` is all of them);
* ``"started"``: once the app has sent ``http.response.start``;
* ``"streaming"``: once it has sent a body chunk with ``more_body=True`` (S07's script).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asgicheck.contract import RunOptions
from asgicheck.driver import (
    Gate,
    Script,
    Step,
    http_scope,
    http_script,
    websocket_scope,
    websocket_script,
)

__all__ = ["DISCONNECTS", "WS_DISCONNECTS", "Example", "HTTPExample", "WebSocketExample",
           "example_from_json"]

DISCONNECTS = ("first", "body", "started", "streaming")
WS_DISCONNECTS = ("after_messages", "after_accept", "before_accept")
Headers = tuple[tuple[bytes, bytes], ...]
WsMessage = tuple[str, "str | bytes", bool]  # ("text" | "bytes", payload, other key as None)


@dataclass(frozen=True, slots=True, kw_only=True)
class HTTPExample:
    """A request: ``b"".join(chunks) == body``; ``disconnect`` is None for a client that
    leaves only after the response is complete. ``raw_path`` is None when it is ``path``
    percent-encoded as the driver does; set, it says more (an encoded slash: ``%2F``)."""

    method: str
    path: str
    raw_path: bytes | None = None
    query_string: bytes = b""
    headers: Headers = ()
    body: bytes = b""
    chunks: tuple[bytes, ...] = (b"",)
    disconnect: str | None = None

    kind = "http"

    def scope(self, options: RunOptions) -> dict[str, Any]:
        scope = http_scope(self.method, self.path, query_string=self.query_string,
                           headers=self.headers, body=self.body,
                           spec_version=options.spec_version)
        if self.raw_path is not None:
            scope["raw_path"] = self.raw_path
        return scope

    def script(self, options: RunOptions, chunks: tuple[bytes, ...] | None = None) -> Script:
        """The exchange; ``chunks`` replaces the example's own split of the body (P3)."""
        parts = list(self.chunks if chunks is None else chunks)
        timing: dict[str, Any] = {"deadline": options.deadline,
                                  "block_threshold": options.block_threshold}
        where = self.disconnect
        if where is None:
            return http_script(self.scope(options), parts, **timing)
        timing["linger"] = linger(options)
        if where == "first":
            return http_script(self.scope(options), parts, disconnect="first", **timing)
        if where == "streaming":
            return http_script(self.scope(options), parts, disconnect="mid_stream", **timing)
        return Script(scope=self.scope(options), steps=tuple(self.steps()), **timing)

    def steps(self) -> list[Step]:
        """The steps of a ``body:N`` or ``started`` disconnect (the others use http_script)."""
        where = self.disconnect or ""
        parts = list(self.chunks)
        if where.startswith("body:"):
            delivered = parts[:int(where[5:])]
            gate = Gate.CALL
        else:
            delivered, gate = parts, Gate.STARTED
        complete = len(delivered) == len(parts)
        steps = [Step(event={"type": "http.request", "body": part,
                             "more_body": not (complete and n == len(delivered) - 1)})
                 for n, part in enumerate(delivered)]
        steps.append(Step(event={"type": "http.disconnect"}, gate=gate))
        return steps

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": "http", "method": self.method, "path": self.path}
        if self.raw_path is not None:
            found["raw_path"] = _text(self.raw_path)
        return found | {"query_string": _text(self.query_string),
                        "headers": [[_text(n), _text(v)] for n, v in self.headers],
                        "body": _text(self.body), "chunks": [_text(c) for c in self.chunks],
                        "disconnect": self.disconnect}

    def describe(self) -> str:
        query = f"?{self.query_string.decode('ascii', 'replace')}" if self.query_string else ""
        split = f", body in {len(self.chunks)} chunks" if len(self.chunks) > 1 else ""
        gone = f", client leaves {self.disconnect}" if self.disconnect else ""
        raw = f" (raw_path {self.raw_path.decode('ascii')})" if self.raw_path else ""
        return f"{self.method} {self.path}{raw}{query}{split}{gone}"


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSocketExample:
    """A websocket session: the handshake, ``messages`` once accepted, then the client closes
    with ``close_code`` (``disconnect`` says when: see ``websocket_script``)."""

    path: str
    query_string: bytes = b""
    subprotocols: tuple[str, ...] = ()
    messages: tuple[WsMessage, ...] = ()
    close_code: int = 1000
    disconnect: str = "after_messages"

    kind = "websocket"

    def scope(self, options: RunOptions) -> dict[str, Any]:
        return websocket_scope(self.path, query_string=self.query_string,
                               subprotocols=self.subprotocols,
                               spec_version=options.spec_version)

    def events(self) -> list[dict[str, Any]]:
        """The ``websocket.receive`` payloads, in the shapes the spec allows."""
        found = []
        for key, value, other_none in self.messages:
            event: dict[str, Any] = {key: value}
            if other_none:
                event["bytes" if key == "text" else "text"] = None
            found.append(event)
        return found

    def script(self, options: RunOptions, chunks: tuple[bytes, ...] | None = None) -> Script:
        return websocket_script(self.scope(options), self.events(),
                                disconnect=self.disconnect,  # type: ignore[arg-type]
                                code=self.close_code, deadline=options.deadline,
                                block_threshold=options.block_threshold,
                                linger=linger(options))

    def to_json(self) -> dict[str, Any]:
        return {"kind": "websocket", "path": self.path,
                "query_string": _text(self.query_string),
                "subprotocols": list(self.subprotocols),
                "messages": [[key, _text(value) if isinstance(value, bytes) else value, none]
                             for key, value, none in self.messages],
                "close_code": self.close_code, "disconnect": self.disconnect}

    def describe(self) -> str:
        return (f"WS {self.path} with {len(self.messages)} message(s), close "
                f"{self.close_code} ({self.disconnect.replace('_', ' ')})")


Example = HTTPExample | WebSocketExample


def example_from_json(data: dict[str, Any]) -> Example:
    """The example a replay file holds (the inverse of ``to_json``)."""
    if data.get("kind") == "websocket":
        messages = tuple((str(key), _bytes(value) if key == "bytes" else str(value), bool(none))
                         for key, value, none in data.get("messages", ()))
        return WebSocketExample(path=data["path"], query_string=_bytes(data["query_string"]),
                                subprotocols=tuple(data.get("subprotocols", ())),
                                messages=messages, close_code=int(data["close_code"]),
                                disconnect=str(data["disconnect"]))
    raw_path = data.get("raw_path")
    return HTTPExample(method=data["method"], path=data["path"],
                       raw_path=None if raw_path is None else _bytes(raw_path),
                       query_string=_bytes(data["query_string"]),
                       headers=tuple((_bytes(n), _bytes(v)) for n, v in data["headers"]),
                       body=_bytes(data["body"]),
                       chunks=tuple(_bytes(c) for c in data["chunks"]),
                       disconnect=data.get("disconnect"))


def linger(options: RunOptions) -> float:
    """How long the app may run on after the client left (the "T" of HTTP-RECV-007)."""
    return min(options.linger, options.deadline)


def _text(value: bytes) -> str:
    return value.decode("latin-1")


def _bytes(value: str) -> bytes:
    return value.encode("latin-1")
