"""The HTTP connection state machine (www.rst § HTTP, extensions.rst for the response extensions).

Rule 1: everything that affects the transitions of an ``http`` scope lives in this file, but for
the table itself (``TRANSITIONS``, in ``_http_state`` with the states it names and the rule an
illegal move breaks) and the pure proofs its fast paths ask (``_http_fast``).
Rule 2: this file does not know whether the app or the server is under test; it is told what
the app received and what it sent, and names the rules broken.

Theory of operation. A response moves through four states. It starts AWAITING_START (only the
debug and early-hint extensions may speak before the start), goes STREAMING at
``http.response.start``, and ends COMPLETE at its final content message: a body or zero-copy
send with ``more_body`` False, or a path send. When the start announced ``trailers: True`` the
final content leads to AWAITING_TRAILERS instead, and the final ``http.response.trailers``
completes it. ``TRANSITIONS`` lists every legal (state, message type) pair; whether a message is
final is read from its ``more_body``/``more_trailers`` in code. A pair missing from the table is
exactly one violation, whose rule ``_http_state.misplaced`` picks.

The request side is smaller: ``http.request`` events until one has ``more_body`` False, then only
``http.disconnect``. Once the app has seen the disconnect (or a send() has raised), the completion
rules no longer apply: nobody is listening.
"""

from __future__ import annotations

import os
from typing import Any

from asgicheck.rules import violation
from asgicheck.types import Scope
from asgicheck.validator._http_fast import PlainProgress, announces_body, start_length
from asgicheck.validator._http_fields import check_fields, has_descriptor
from asgicheck.validator._http_state import EXTENSION_OF, TRANSITIONS, State, misplaced
from asgicheck.validator._raised import from_send_error
from asgicheck.violations import Severity, Violation

__all__ = ["EXTENSION_OF", "TRANSITIONS", "HTTPMachine", "State"]


_KNOWN_TYPES = frozenset({"http.response.start", "http.response.body", *EXTENSION_OF})
# RFC 9113 §8.2.2: connection-specific header fields are malformed in HTTP/2.
_H2_CONNECTION_HEADERS = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade"})
# The fast paths (_plain_start, _plain_body) are an optimisation; tests switch them off to
# compare.
FAST_PATHS = True
# More receive() calls than this after http.disconnect means a loop waiting for a body that will
# never come (bug class H2): a real app needs one or two.
_SPIN_LIMIT = 50


class HTTPMachine:
    """Tracks one ``http`` connection; see the module docstring."""

    # Per-connection state starts at these class-level defaults; an instance stores only what
    # changes, which keeps a validator cheap enough for every request of a dev server.
    state = State.AWAITING_START
    _status = 0
    _trailers = False
    _declared_length: int | None = None
    _sent_bytes = 0
    _content_sent = False
    _body_used = False
    _pathsend_used = False
    _debug_sent = False
    _received_any = False
    _request_done = False
    _disconnected = False
    _send_failed = False
    _retry_reported = False
    _late_send_reported = False
    _receives_after_disconnect = 0
    _files: tuple[Any, ...] = ()
    _trailer_names: frozenset[bytes] = frozenset()
    _body_on_bodiless_reported = False
    _length_reported = False

    def __init__(self, scope: Scope) -> None:
        self._scope = scope
        extensions = scope.get("extensions")
        self._extensions = extensions if isinstance(extensions, dict) else {}
        self._head = scope.get("method") == "HEAD"

    @classmethod
    def resumed(cls, scope: Scope, progress: PlainProgress) -> HTTPMachine:
        """The machine in the state the full path would have reached on the plain steps
        ``progress`` records (``validate()``'s fast lane), so that it can take over mid-call."""
        machine = cls(scope)
        head = machine._head = progress.head
        machine._extensions = {} if progress.extensions is None else progress.extensions
        if progress.received:
            machine._received_any = True
            machine._request_done = progress.received == 2
        if progress.status:
            machine._status = progress.status
            machine.state = State.STREAMING
            if progress.length >= 0 and not head:
                machine._declared_length = progress.length
        if progress.phase:
            machine._sent_bytes = progress.sent
            machine._content_sent = machine._body_used = True
            if progress.phase == 2:
                machine.state = State.COMPLETE
        return machine

    # -- the fast paths: the two messages almost every response is made of --------------------
    # Each proves cheaply that its message breaks no rule and moves the machine the simplest
    # way, then makes that move; anything unusual returns False untouched, for the full path.

    def _plain_start(self, message: dict[str, Any]) -> bool:
        if (self.state is not State.AWAITING_START or not self._received_any
                or self._disconnected or self._send_failed):
            return False
        length = start_length(message)
        if length == -2:
            return False
        self._status = message["status"]
        self.state = State.STREAMING
        if length >= 0 and not self._head:
            self._declared_length = length
        return True

    def _plain_body(self, message: dict[str, Any]) -> bool:
        if (self.state is not State.STREAMING or self._pathsend_used
                or self._disconnected or self._send_failed):
            return False
        body = message.get("body", b"")
        more = message.get("more_body", False)
        if type(body) is not bytes or (more is not True and more is not False):
            return False
        # Nothing but type, body and more_body (counted: a keys() <= set test costs far more).
        if len(message) != 1 + ("body" in message) + ("more_body" in message):
            return False
        size = len(body)
        if size and (self._head or self._status == 204 or self._status == 304):
            return False
        total = self._sent_bytes + size
        declared = self._declared_length
        if declared is not None and (total > declared or (not more and total != declared)):
            return False
        self._sent_bytes = total
        self._content_sent = True
        self._body_used = True
        if not more:
            self.state = State.AWAITING_TRAILERS if self._trailers else State.COMPLETE
        return True

    # -- the request side: events the app received -------------------------------------------

    def received(self, event: dict[str, Any], index: int) -> list[Violation]:
        self._received_any = True
        kind = event["type"]
        if kind == "http.request":
            if self._request_done or self._disconnected:
                # www.rst "Request - receive event": the last chunk has more_body False;
                # nothing but http.disconnect may follow it.
                after = "http.disconnect" if self._disconnected else "the final request chunk"
                return [violation("HTTP-EVT-004", f"receive() returned another http.request "
                                  f"after {after}", index=index)]
            if not event.get("more_body", False):
                self._request_done = True
        elif kind == "http.disconnect":
            if self._disconnected:
                self._receives_after_disconnect += 1
                if self._receives_after_disconnect == _SPIN_LIMIT:
                    return [violation("HTTP-RECV-004", f"the app called receive() "
                                      f"{_SPIN_LIMIT} more times after http.disconnect: it is "
                                      f"spinning, waiting for a body that will never come",
                                      index=index)]
            self._disconnected = True
        return []

    def send_failed(self, index: int) -> None:
        self._send_failed = True

    # -- the response side: messages the app sent --------------------------------------------

    def sent(self, message: dict[str, Any], index: int) -> list[Violation]:
        kind: str = message["type"]
        if FAST_PATHS and (kind == "http.response.body" and self._plain_body(message)
                           or kind == "http.response.start" and self._plain_start(message)):
            return []
        if kind not in _KNOWN_TYPES:
            # www.rst: an http scope carries only http.response.* messages; asgi.rst "Error
            # Handling": the server "should raise" on an unknown type.
            return [violation("HTTP-SEND-014", f"sent {kind!r} in an http scope; only "
                              f"http.response.start, http.response.body and the advertised "
                              f"http.response.* extensions belong here", index=index)]
        found = self._late(index)
        extension = EXTENSION_OF.get(kind)
        if extension is not None and extension not in self._extensions:
            found.append(violation("GEN-APP-015", f"sent {kind!r} but the server did not "
                                   f"advertise {extension!r} in scope['extensions']",
                                   index=index))
        found += check_fields(kind, message, index)
        target = TRANSITIONS[self.state].get(kind)
        if target is None:
            found.append(misplaced(kind, self.state, self._trailers, index))
            return found
        found += _STEPS.get(kind, _no_step)(self, message, index)
        return found

    def _late(self, index: int) -> list[Violation]:
        # www.rst "Disconnect - receive event": "Once you have received this event, you should
        # expect future calls to send() to raise an exception". Each kind is reported once.
        if self._send_failed and not self._retry_reported:
            self._retry_reported = True
            return [violation("HTTP-RECV-005", "send() again after a send() raised because "
                              "the client had gone: stop sending", index=index)]
        if self._disconnected and not self._late_send_reported:
            # The spec says to *expect* send() to raise now, not that sending is wrong (the
            # race it describes makes it unavoidable); servers drop the message: a note.
            self._late_send_reported = True
            return [violation("HTTP-RECV-005", "send() after the app had received "
                              "http.disconnect: the client is gone", index=index,
                              severity=Severity.INFO)]
        return []

    # -- per-type steps, run when the transition is legal --------------------------------------

    def _start(self, message: dict[str, Any], index: int) -> list[Violation]:
        found: list[Violation] = []
        if not self._received_any and announces_body(self._scope.get("headers")):
            # www.rst "Request - receive event": a trigger to run request code. Only worth a
            # note when the client announced a body it may be holding back for 100-continue.
            found.append(violation("HTTP-RECV-001", "http.response.start before the app's "
                                   "first receive(): the request was never read (clients that "
                                   "sent Expect: 100-continue wait for nothing)", index=index))
        status = message.get("status")
        self._status = status if isinstance(status, int) else 0
        self._trailers = message.get("trailers") is True
        self.state = State.STREAMING
        headers = message.get("headers", [])
        lengths: list[bytes] = []
        names: set[bytes] = set()
        if isinstance(headers, (list, tuple)):
            for pair in headers:
                if isinstance(pair, (list, tuple)) and len(pair) == 2 and type(pair[0]) is bytes:
                    name = pair[0].lower()
                    names.add(name)
                    if name == b"content-length" and type(pair[1]) is bytes:
                        lengths.append(pair[1].strip())
                    elif name == b"trailer" and type(pair[1]) is bytes:
                        self._trailer_names = frozenset(
                            n.strip().lower() for n in pair[1].split(b","))
        if b"transfer-encoding" in names:
            # www.rst: "You may send a Transfer-Encoding header ... but the server must ignore it"
            found.append(violation("HTTP-SEND-010", "the response sets transfer-encoding, "
                                   "which the server ignores; framing is the server's job",
                                   index=index))
        if names & _H2_CONNECTION_HEADERS and self._scope.get("http_version") == "2":
            found.append(violation("X-HTTP-004", f"connection-specific headers "
                                   f"{sorted(names & _H2_CONNECTION_HEADERS)!r} on an HTTP/2 "
                                   f"response", index=index))
        if self._trailers and b"trailer" not in names:
            found.append(violation("TRL-APP-007", "trailers=True but no 'trailer' response "
                                   "header lists the trailing header names", index=index))
        found += self._check_length_header(lengths, index)
        return found

    def _check_length_header(self, lengths: list[bytes], index: int) -> list[Violation]:
        if not lengths:
            return []
        status = self._status
        if status == 204 or 100 <= status < 200:
            # RFC 9110 §8.6: "A server MUST NOT send a Content-Length header field in any
            # response with a status code of 1xx (Informational) or 204 (No Content)."
            return [violation("X-HTTP-001", f"content-length on a {status} response, which "
                              f"has no content", index=index)]
        if len(set(lengths)) > 1 or not lengths[0].isdigit():
            return [violation("X-HTTP-001", f"content-length {lengths!r} is not one decimal "
                              f"value", index=index)]
        if not (self._head or status == 304):
            # For HEAD and 304 the length describes the representation, not this message.
            self._declared_length = int(lengths[0])
        return []

    def _body(self, message: dict[str, Any], index: int) -> list[Violation]:
        found: list[Violation] = []
        body = message.get("body", b"")
        if type(body) is bytes and body:
            found += self._count(len(body), index)
        if self._pathsend_used:
            found.append(violation("PS-APP-001", "http.response.body mixed with "
                                   "http.response.pathsend", index=index))
        self._body_used = True
        self._content_sent = True
        if message.get("more_body", False) is not True:
            found += self._finish_content(index)
        return found

    def _zerocopy(self, message: dict[str, Any], index: int) -> list[Violation]:
        file = message.get("file")
        if has_descriptor(file):  # only real files can leak a descriptor (ZC-APP-004)
            self._files = (*self._files, file)
        self._content_sent = True
        count = message.get("count")
        if isinstance(count, int) and count > 0:
            self._sent_bytes += count
        if message.get("more_body", False) is not True:
            return self._finish_content(index)
        return []

    def _pathsend(self, message: dict[str, Any], index: int) -> list[Violation]:
        found: list[Violation] = []
        if self._body_used or self._pathsend_used:
            found.append(violation("PS-APP-001", "http.response.pathsend cannot be mixed with "
                                   "http.response.body nor sent twice", index=index))
        self._pathsend_used = True
        self._content_sent = True
        path = message.get("path")
        if isinstance(path, str) and os.path.isabs(path):
            try:
                size = os.path.getsize(path)
            except OSError:
                found.append(violation("PS-APP-002", f"pathsend path {path!r} does not exist",
                                       index=index, severity=Severity.WARNING))
            else:
                if self._declared_length is None or self._declared_length != size:
                    # extensions.rst "Path Send": the app is "responsible to send the relevant
                    # headers ..., like the Content-Type and Content-Length headers".
                    found.append(violation("PS-APP-003", f"pathsend of {size} bytes but the "
                                           f"start declared content-length "
                                           f"{self._declared_length!r}", index=index))
                self._declared_length = None  # judged here, not again at completion
        self.state = State.AWAITING_TRAILERS if self._trailers else State.COMPLETE
        return found

    def _trailers_step(self, message: dict[str, Any], index: int) -> list[Violation]:
        found: list[Violation] = []
        headers = message.get("headers", [])
        if self._trailer_names and isinstance(headers, (list, tuple)):
            undeclared = [p[0] for p in headers if isinstance(p, (list, tuple)) and len(p) == 2
                          and type(p[0]) is bytes and p[0].lower() not in self._trailer_names]
            if undeclared:
                found.append(violation("TRL-APP-007", f"trailers {undeclared!r} are not listed "
                                       f"in the 'trailer' response header", index=index))
        if message.get("more_trailers", False) is not True:
            self.state = State.COMPLETE
        return found

    def _count(self, size: int, index: int) -> list[Violation]:
        self._sent_bytes += size
        if (self._head or self._status in (204, 304)) and not self._body_on_bodiless_reported:
            self._body_on_bodiless_reported = True
            if self._head:
                # RFC 9110 §9.3.2 binds the server, which strips the body: a note only.
                return [violation("X-HTTP-005", f"{size} body bytes sent for a HEAD request; "
                                  f"the server has to strip them", index=index)]
            # RFC 9110 §15.3.5/§15.4.5: a 204 or 304 "cannot contain content".
            return [violation("X-HTTP-002", f"{size} body bytes sent on a {self._status} "
                              f"response, which cannot contain content (servers abort: "
                              f"'Response content longer than Content-Length')", index=index)]
        declared = self._declared_length
        if declared is not None and self._sent_bytes > declared and not self._length_reported:
            self._length_reported = True
            return [violation("X-HTTP-001", f"{self._sent_bytes} body bytes sent but "
                              f"content-length is {declared} (servers abort: 'Response content "
                              f"longer than Content-Length')", index=index)]
        return []

    def _finish_content(self, index: int) -> list[Violation]:
        self.state = State.AWAITING_TRAILERS if self._trailers else State.COMPLETE
        declared = self._declared_length
        if declared is not None and self._sent_bytes < declared and not self._length_reported:
            self._length_reported = True
            return [violation("X-HTTP-001", f"the response ended after {self._sent_bytes} body "
                              f"bytes but content-length is {declared} (the client waits for "
                              f"the rest, then sees a truncated response)", index=index)]
        return []

    # -- the end of the call ---------------------------------------------------------------

    def ended(self, raised: BaseException | None, index: int) -> list[Violation]:
        found = [violation("ZC-APP-004", f"the app returned without closing {f!r:.60}, the file "
                           f"it sent with zerocopysend", severity=Severity.WARNING)
                 for f in self._files if getattr(f, "closed", True) is False]
        gone = self._disconnected or self._send_failed
        if raised is not None:
            if self.state is State.COMPLETE or self._send_failed and from_send_error(raised):
                # An exception after a complete response costs the client nothing (A9); and
                # HTTP-RECV-006 lets the app re-raise the OSError its send() raised.
                return found
            if gone:
                # Nobody gets a 500, but every server logs an application error for each client
                # that leaves: only the re-raised send() error is exempt (HTTP-RECV-006).
                how = ("a send() had raised because the client had gone" if self._send_failed
                       else "it had received http.disconnect")
                found.append(violation(
                    "OPS-APP-001", f"the app raised {raised!r:.120} after {how}: servers log "
                    f"that as an application error for every client that leaves; return "
                    f"instead (only the OSError a send() raised may escape, HTTP-RECV-006)",
                    severity=Severity.WARNING))
                return found
            when = ("before http.response.start: the client gets a 500"
                    if self.state is State.AWAITING_START else
                    "after http.response.start: the client gets a truncated response")
            found.append(violation("OPS-APP-001", f"the app raised {raised!r:.120} {when}"))
            return found
        if gone:
            return found
        if self.state is State.AWAITING_START:
            found.append(violation("HTTP-SEND-005", "the app returned without sending "
                                   "http.response.start: the server answers 500 instead"))
        elif self.state is State.STREAMING and not self._content_sent:
            found.append(violation("HTTP-SEND-003", "the app returned after http.response.start "
                                   "without any http.response.body"))
        elif self.state is State.STREAMING:
            found.append(violation("HTTP-SEND-004", "the app returned before the final "
                                   "http.response.body (more_body=False): the response never "
                                   "completes"))
        elif self.state is State.AWAITING_TRAILERS:
            found.append(violation("TRL-APP-003", "trailers=True but the app returned without "
                                   "sending http.response.trailers"))
        return found


def _no_step(machine: HTTPMachine, message: dict[str, Any], index: int) -> list[Violation]:
    return []


def _debug_step(machine: HTTPMachine, message: dict[str, Any], index: int) -> list[Violation]:
    if machine._debug_sent:
        return [violation("DBG-APP-001", "http.response.debug sent twice", index=index)]
    machine._debug_sent = True
    return []


def _early_hint_step(machine: HTTPMachine, message: dict[str, Any],
                     index: int) -> list[Violation]:
    if machine.state is State.STREAMING:
        # The snapshot allows it after the start, but HTTP 103 and hypercorn want it before
        # (upstream asgiref PR #579 changed the text, A15), and hypercorn's send() raises.
        return [violation("EH-APP-002", "http.response.early_hint after http.response.start: "
                          "hypercorn's send() raises and the stream never completes; send "
                          "hints before the start", index=index)]
    return []


_STEPS = {
    "http.response.start": HTTPMachine._start,
    "http.response.body": HTTPMachine._body,
    "http.response.zerocopysend": HTTPMachine._zerocopy,
    "http.response.pathsend": HTTPMachine._pathsend,
    "http.response.trailers": HTTPMachine._trailers_step,
    "http.response.debug": _debug_step,
    "http.response.early_hint": _early_hint_step,
}
