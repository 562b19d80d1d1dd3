"""One minimal exchange per HTTP rule the validator checks (www.rst, extensions.rst, RFC 9110)."""

from __future__ import annotations

import atexit
import io
import os
import tempfile
from typing import Any

from cases import BODY, DONE, REQUEST, START, Case, bad, good, http_scope

ALL_EXTENSIONS = {
    name: {} for name in (
        "http.response.push", "http.response.zerocopysend", "http.response.pathsend",
        "http.response.early_hint", "http.response.trailers", "http.response.debug")
}
EXT = http_scope(extensions=ALL_EXTENSIONS)


def send(type_: str, **fields: object) -> tuple[str, dict[str, object]]:
    return ("send", {"type": type_, **fields})


def start(status: int = 200, headers: list[list[bytes]] | None = None, **more: object) -> tuple:
    return send("http.response.start", status=status, headers=headers or [], **more)


def body(data: bytes = b"", more: bool = False) -> tuple:
    return send("http.response.body", body=data, more_body=more)


TRAILER_START = start(headers=[[b"trailer", b"x-checksum"]], trailers=True)
TRAILERS = send("http.response.trailers", headers=[[b"x-checksum", b"1"]], more_trailers=False)
_FILE = os.path.abspath(__file__)
_SIZE = os.path.getsize(_FILE)
PATHSEND_START = start(headers=[[b"content-length", str(_SIZE).encode()],
                                [b"content-type", b"text/plain"]])


# The files the zero-copy cases "leak" (the cases need them open), closed when the run ends so
# the interpreter does not warn about them at exit.
_OPENED: list[Any] = []
atexit.register(lambda: [handle.close() for handle in _OPENED])


def _open_file() -> io.BufferedReader:
    handle = tempfile.TemporaryFile()
    _OPENED.append(handle)
    return handle  # type: ignore[return-value]


def _raised_from(error: Exception, cause: BaseException) -> Exception:
    error.__cause__ = cause  # what `raise error from cause` leaves on it
    return error


class _ClosableDescriptor:
    """A file the app closes, whose descriptor stays valid so the case can be run again."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        _OPENED.append(self._file)
        self.closed = False

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self.closed = True


CASES: list[Case] = [
    # -- correct traffic -----------------------------------------------------------------
    good("plain", http_scope(), REQUEST, START, BODY, DONE),
    good("minimal-messages", http_scope(), REQUEST,
         ("send", {"type": "http.response.start", "status": 200}),
         ("send", {"type": "http.response.body"}), DONE),
    good("streaming", http_scope(), REQUEST, START, body(b"a", True), body(b"", True),
         body(b"b"), DONE),
    good("chunked-request", http_scope(method="POST"),
         ("recv", {"type": "http.request", "body": b"abc", "more_body": True}),
         ("recv", {"type": "http.request", "body": b"", "more_body": True}),
         ("recv", {"type": "http.request", "body": b"def", "more_body": False}),
         START, BODY, DONE),
    good("content-length-exact", http_scope(), REQUEST,
         start(headers=[[b"content-length", b"2"]]), body(b"o", True), body(b"k"), DONE),
    good("head-with-length-no-body", http_scope(method="HEAD"), REQUEST,
         start(headers=[[b"content-length", b"1234"]]), body(), DONE),
    good("304-with-length", http_scope(), REQUEST,
         start(304, [[b"content-length", b"99"]]), body(), DONE),
    good("disconnect-then-return", http_scope(), REQUEST, START, body(b"a", True),
         ("recv", {"type": "http.disconnect"}), DONE),
    good("send-failed-reraise", http_scope(), REQUEST, START, body(b"a", True),
         body(b"b", True), ("send_failed", None), ("raise", OSError("gone"))),
    good("raise-after-complete", http_scope(), REQUEST, START, BODY,
         ("raise", RuntimeError("background task failed"))),
    # HTTP-RECV-006: an error raised from the OSError send() raised is that error, re-raised.
    good("send-failed-chained", http_scope(), REQUEST, START, body(b"a", True),
         ("send_failed", None), ("raise", _raised_from(RuntimeError("stream aborted"),
                                                       OSError("gone")))),
    good("status-intenum", http_scope(), REQUEST,
         ("send", {"type": "http.response.start", "status": __import__("http").HTTPStatus.OK}),
         BODY, DONE),
    good("trailers", EXT, REQUEST, TRAILER_START, body(b"x"), TRAILERS, DONE),
    good("pathsend", EXT, REQUEST, PATHSEND_START, send("http.response.pathsend", path=_FILE),
         DONE),
    good("debug-and-early-hint", EXT, REQUEST, send("http.response.debug", info={"t": 1}),
         send("http.response.early_hint", links=[b"</s.css>; rel=preload"]), START, BODY,
         DONE),
    good("push", EXT, REQUEST, START, send("http.response.push", path="/s.css", headers=[]),
         BODY, DONE),

    # -- asgi.rst, every message ------------------------------------------------------------
    bad("GEN-APP-003", http_scope(), REQUEST, ("send", ["http.response.start"]), START, BODY,
        DONE),
    bad("GEN-APP-003", http_scope(), REQUEST, ("send", {"status": 200}), START, BODY, DONE,
        note="no-type"),
    bad("GEN-APP-005", http_scope(), REQUEST, START,
        send("http.response.body", body=b"", extra=object()), DONE),
    bad("GEN-APP-006", http_scope(), REQUEST, START,
        send("http.response.body", body=b"", extra=2**64), DONE),
    bad("GEN-APP-006", http_scope(), REQUEST, START,
        send("http.response.body", body=b"", extra=float("nan")), DONE, note="nan"),
    bad("GEN-APP-007", http_scope(), REQUEST, start(headers=[(b"a", b"b")]), BODY, DONE,
        select=("GEN-APP-007",)),
    bad("GEN-APP-004", {"type": "custom", "asgi": {"version": "3.0"}},
        send("http.response.start", status=200), DONE),
    good("custom-protocol", {"type": "custom", "asgi": {"version": "3.0"}},
         send("custom.reply", data=[1, "x", b"y", None, 1.5, True]), DONE),
    bad("GEN-APP-008", http_scope(), REQUEST, START,
        send("http.response.body", body=b"", extra={1: "x"}), DONE),
    bad("GEN-APP-009", http_scope(), REQUEST, START, send("http.response.body",
                                                          body=bytearray(b"x")), DONE),
    bad("GEN-APP-009", http_scope(), REQUEST, start(headers=[[b"a", memoryview(b"b")]]), BODY,
        DONE, note="header"),
    bad("GEN-APP-015", http_scope(), REQUEST, PATHSEND_START,
        send("http.response.pathsend", path=_FILE), DONE),
    bad("OPS-APP-001", http_scope(), REQUEST, ("raise", KeyError("body"))),
    bad("OPS-APP-001", http_scope(), REQUEST, START, body(b"a", True),
        ("raise", RuntimeError("boom")), note="after-start"),
    # matrix CB-2: only the OSError a failed send() raised may escape after the client left.
    bad("OPS-APP-001", http_scope(method="POST"), ("recv", {"type": "http.disconnect"}),
        ("raise", RuntimeError("No response returned.")), note="after-disconnect"),
    bad("OPS-APP-001", http_scope(), REQUEST, START, body(b"a", True), ("send_failed", None),
        ("raise", RuntimeError("stream aborted")), note="send-error-replaced"),
    bad("OPS-APP-004", http_scope(), REQUEST, START, BODY, ("return", 42)),

    # -- www.rst, the response --------------------------------------------------------------
    bad("HTTP-RECV-001", http_scope(method="POST", headers=[[b"content-length", b"3"]]), START,
        BODY, DONE),
    good("bodiless-get-without-receive", http_scope(), START, BODY, DONE),
    bad("HTTP-RECV-005", http_scope(), REQUEST, ("recv", {"type": "http.disconnect"}), START,
        BODY, DONE),
    bad("HTTP-RECV-005", http_scope(), REQUEST, START, body(b"a", True), ("send_failed", None),
        body(b"b", True), DONE, note="retry"),
    bad("HTTP-SEND-001", http_scope(), REQUEST, BODY, START, BODY, DONE),
    bad("HTTP-SEND-002", http_scope(), REQUEST, START, START, BODY, DONE),
    bad("HTTP-SEND-002", http_scope(), REQUEST, START, BODY, START, DONE, note="after-complete"),
    bad("HTTP-SEND-003", http_scope(), REQUEST, START, DONE),
    bad("HTTP-SEND-004", http_scope(), REQUEST, START, body(b"a", True), DONE),
    bad("HTTP-SEND-005", http_scope(), REQUEST, DONE),
    bad("HTTP-SEND-006", http_scope(), REQUEST, ("send", {"type": "http.response.start",
                                                          "status": "200"}), BODY, DONE),
    bad("HTTP-SEND-006", http_scope(), REQUEST, ("send", {"type": "http.response.start"}), BODY,
        DONE, note="missing"),
    bad("HTTP-SEND-006", http_scope(), REQUEST, ("send", {"type": "http.response.start",
                                                          "status": True}), BODY, DONE,
        note="bool"),
    bad("HTTP-SEND-007", http_scope(), REQUEST, start(headers=[["content-type", "text/plain"]]),
        BODY, DONE),
    bad("HTTP-SEND-007", http_scope(), REQUEST, start(headers=[[b"a", b"b", b"c"]]), BODY, DONE,
        note="three-items"),
    bad("HTTP-SEND-008", http_scope(), REQUEST, start(headers=[[b"Content-Type", b"text/x"]]),
        BODY, DONE),
    bad("HTTP-SEND-009", http_scope(), REQUEST, start(headers=[[b":status", b"200"]]), BODY,
        DONE),
    bad("HTTP-SEND-010", http_scope(), REQUEST, start(headers=[[b"transfer-encoding",
                                                               b"chunked"]]), BODY, DONE),
    bad("HTTP-SEND-011", http_scope(), REQUEST, START, send("http.response.body", body="ok"),
        DONE),
    bad("HTTP-SEND-012", http_scope(), REQUEST, START,
        send("http.response.body", body=b"", more_body=0), DONE),
    bad("HTTP-SEND-013", http_scope(), REQUEST, START, BODY, body(b"late"), DONE),
    bad("HTTP-SEND-014", http_scope(), REQUEST, send("websocket.send", text="x"), START, BODY,
        DONE),

    # -- the server side of the request ---------------------------------------------------
    bad("HTTP-EVT-004", http_scope(), REQUEST, REQUEST, START, BODY, DONE),

    # -- RFC 9110 / 9112 / 9113 -----------------------------------------------------------
    bad("X-HTTP-001", http_scope(), REQUEST, start(headers=[[b"content-length", b"10"]]),
        body(b"short"), DONE),
    bad("X-HTTP-001", http_scope(), REQUEST, start(headers=[[b"content-length", b"1"]]),
        body(b"longer", True), body(b""), DONE, note="longer"),
    bad("X-HTTP-001", http_scope(), REQUEST, start(204, [[b"content-length", b"0"]]), body(),
        DONE, note="204"),
    bad("X-HTTP-005", http_scope(method="HEAD"), REQUEST, START, body(b"page"), DONE),
    bad("X-HTTP-002", http_scope(), REQUEST, start(204), body(b"null"), DONE, note="204"),
    bad("X-HTTP-002", http_scope(), REQUEST, start(304), body(b"x"), DONE, note="304"),
    bad("X-HTTP-003", http_scope(), REQUEST, start(headers=[[b"x-a", b"v\r\nset-cookie: a"]]),
        BODY, DONE),
    bad("X-HTTP-003", http_scope(), REQUEST, start(headers=[[b"bad name", b"v"]]), BODY, DONE,
        note="name"),
    bad("X-HTTP-004", http_scope(http_version="2"), REQUEST,
        start(headers=[[b"connection", b"close"]]), BODY, DONE),

    # -- extensions.rst ---------------------------------------------------------------------
    bad("TRL-APP-001", EXT, REQUEST, START, BODY, TRAILERS, DONE),
    bad("TRL-APP-002", EXT, REQUEST, start(headers=[[b"trailer", b"x-checksum"]], trailers=1),
        BODY, DONE),
    bad("TRL-APP-003", EXT, REQUEST, TRAILER_START, BODY, DONE),
    bad("TRL-APP-004", EXT, REQUEST, TRAILER_START, body(b"a", True), TRAILERS, body(b""),
        TRAILERS, DONE),
    bad("TRL-APP-005", EXT, REQUEST, TRAILER_START, BODY,
        send("http.response.trailers", headers=[[b"X-Checksum", b"1"]]), DONE),
    bad("TRL-APP-006", EXT, REQUEST, TRAILER_START, BODY, TRAILERS, TRAILERS, DONE),
    bad("TRL-APP-007", EXT, REQUEST, start(trailers=True), BODY, TRAILERS, DONE),
    bad("PUSH-APP-001", EXT, REQUEST, send("http.response.push", path="/s.css", headers=[]),
        START, BODY, DONE),
    bad("PUSH-APP-002", EXT, REQUEST, START, send("http.response.push", path=b"/s.css",
                                                  headers=[]), BODY, DONE),
    bad("ZC-APP-001", EXT, REQUEST, START, BODY, send("http.response.zerocopysend",
                                                      file=_open_file()), DONE),
    bad("ZC-APP-002", EXT, REQUEST, START,
        send("http.response.zerocopysend", file=io.BytesIO(b"x")), DONE),
    bad("ZC-APP-003", EXT, REQUEST, START,
        send("http.response.zerocopysend", file=(zc_file := _ClosableDescriptor()), count="10"),
        ("call", zc_file.close), DONE),
    bad("ZC-APP-004", EXT, REQUEST, START, send("http.response.zerocopysend", file=_open_file()),
        DONE),
    bad("PS-APP-001", EXT, REQUEST, PATHSEND_START, body(b"x", True),
        send("http.response.pathsend", path=_FILE), DONE),
    bad("PS-APP-002", EXT, REQUEST, PATHSEND_START, send("http.response.pathsend",
                                                         path="relative.txt"), DONE),
    bad("PS-APP-003", EXT, REQUEST, START, send("http.response.pathsend", path=_FILE), DONE),
    bad("EH-APP-001", EXT, REQUEST, send("http.response.early_hint", links=["</a>"]), START,
        BODY, DONE),
    bad("EH-APP-002", EXT, REQUEST, START, BODY, send("http.response.early_hint", links=[]),
        DONE),
    bad("EH-APP-002", EXT, REQUEST, START, send("http.response.early_hint", links=[]), BODY,
        DONE, note="after-start"),
    bad("DBG-APP-001", EXT, REQUEST, START, send("http.response.debug", info={}), BODY, DONE),
    bad("DBG-APP-002", EXT, REQUEST, send("http.response.debug", info=[1]), START, BODY, DONE),
]
