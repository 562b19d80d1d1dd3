"""Fast paths for the two messages almost every HTTP response is made of.

``plain_start`` and ``plain_body`` prove, cheaply, that a message breaks no rule and moves the
machine in the simplest way, and then make that move. Anything unusual (a header that needs
thought, a status without content, a disconnect, an extension) makes them return False without
touching the machine, and ``_http`` takes its full path. They are an optimisation only: the tests
run every known case with and without them and require the same findings.

``start_length`` is the start's proof on its own, shared with ``validate()``'s fast lane
(``_lane``), and ``resumed`` builds the machine that lane's steps lead to when it hands over.
``announces_body`` is HTTP-RECV-001's question, asked by the machine and the lane alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asgicheck.types import Scope
from asgicheck.validator._http_state import State

if TYPE_CHECKING:
    from asgicheck.validator._http import HTTPMachine

__all__ = ["announces_body", "plain_body", "plain_start", "resumed", "start_length"]

# RFC 9110 §5.6.2 token characters: deleting them from a valid header name leaves nothing.
TOKEN_CHARS = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Names whose presence needs the full path (framing, trailers, HTTP/2 connection headers).
_NEEDS_THOUGHT = frozenset({b"content-length", b"transfer-encoding", b"trailer", b"connection",
                            b"keep-alive", b"proxy-connection", b"upgrade"})
# Header names already proven to be lowercase tokens. Apps send the same few names on every
# response, and a set lookup is several times cheaper than proving it again.
_PROVEN_NAMES: set[bytes] = set()
_PROVEN_LIMIT = 4096


def start_length(message: dict[str, Any]) -> int:
    """For an ``http.response.start`` that breaks no rule and needs no thought: its
    content-length, or -1 when it declares none. -2 for anything else ("look closer").

    Written in subscripts and exact type tests, which cost a fraction of method calls: the
    caller has made sure ``message`` is a dict whose type is exactly that str.
    """
    try:
        status = message["status"]
        keys = len(message)  # {type, status} or {type, status, headers}: nothing undeclared
        headers = message["headers"] if keys == 3 else () if keys == 2 else None
    except KeyError:
        return -2
    if type(status) is not int or not 200 <= status <= 599 or status == 204 or status == 304:
        return -2
    if type(headers) is not list and type(headers) is not tuple:
        return -2
    length = -1
    for item in headers:
        if (type(item) is not tuple and type(item) is not list) or len(item) != 2:
            return -2
        name, value = item
        if type(name) is not bytes or type(value) is not bytes:
            return -2
        if name in _NEEDS_THOUGHT:
            if name != b"content-length" or length != -1 or not value.isdigit():
                return -2
            length = int(value)
        else:
            if name not in _PROVEN_NAMES:
                if not name or name != name.lower() or name.translate(None, TOKEN_CHARS):
                    return -2
                if len(_PROVEN_NAMES) < _PROVEN_LIMIT:
                    _PROVEN_NAMES.add(name)
            # CR, LF, NUL as ints: a one-byte bytes needle costs ten times as much.
            if 13 in value or 10 in value or 0 in value:
                return -2
    return length


def plain_start(machine: HTTPMachine, message: dict[str, Any]) -> bool:
    if (machine.state is not State.AWAITING_START or not machine._received_any
            or machine._disconnected or machine._send_failed):
        return False
    length = start_length(message)
    if length == -2:
        return False
    machine._status = message["status"]
    machine.state = State.STREAMING
    if length >= 0 and not machine._head:
        machine._declared_length = length
    return True


def plain_body(machine: HTTPMachine, message: dict[str, Any]) -> bool:
    if (machine.state is not State.STREAMING or machine._pathsend_used
            or machine._disconnected or machine._send_failed):
        return False
    body = message.get("body", b"")
    more = message.get("more_body", False)
    if type(body) is not bytes or (more is not True and more is not False):
        return False
    # Nothing but type, body and more_body (counted: a keys() <= set test costs far more).
    if len(message) != 1 + ("body" in message) + ("more_body" in message):
        return False
    size = len(body)
    if size and (machine._head or machine._status == 204 or machine._status == 304):
        return False
    total = machine._sent_bytes + size
    declared = machine._declared_length
    if declared is not None and (total > declared or (not more and total != declared)):
        return False
    machine._sent_bytes = total
    machine._content_sent = True
    machine._body_used = True
    if not more:
        machine.state = State.AWAITING_TRAILERS if machine._trailers else State.COMPLETE
    return True


def resumed(scope: Scope, *, head: bool, extensions: dict[str, Any] | None, received: int,
            status: int, length: int, sent: int, phase: int) -> HTTPMachine:
    """A machine in the state the full path would have reached on the plain steps a fast lane
    (``validate()``'s) has taken so far, so that the full path can take over mid-exchange.

    ``received``: 0 nothing yet, 1 part of the request body, 2 all of it. ``status``: 0 before
    the start. ``length``: the start's content-length, -1 for none. ``phase``: 0 no content
    sent yet, 1 some, 2 the final body. ``head`` and ``extensions`` (the dict itself, or None)
    are as they were when the scope was checked, whatever the app has put in the scope since,
    as the full path takes them when the call starts.
    """
    from asgicheck.validator._http import HTTPMachine  # _http imports this module

    machine = HTTPMachine(scope)
    machine._head = head
    machine._extensions = {} if extensions is None else extensions
    if received:
        machine._received_any = True
        machine._request_done = received == 2
    if status:
        machine._status = status
        machine.state = State.STREAMING
        if length >= 0 and not head:
            machine._declared_length = length
    if phase:
        machine._sent_bytes = sent
        machine._content_sent = machine._body_used = True
        if phase == 2:
            machine.state = State.COMPLETE
    return machine


_BODY_NAME_LENGTHS = frozenset({len(b"content-length"), len(b"transfer-encoding"),
                                len(b"expect")})


def announces_body(headers: object) -> bool:
    """Whether request ``headers`` announce a body: a non-zero content-length,
    transfer-encoding, or expect (a client that may hold the body back for 100-continue)."""
    if not isinstance(headers, (list, tuple)):
        return False
    for pair in headers:
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            name = pair[0]
            # Only names of those lengths need lower(): validate() asks on every GET.
            if type(name) is bytes and len(name) in _BODY_NAME_LENGTHS:
                name = name.lower()
                if name == b"content-length":
                    return pair[1] not in (b"0", b"")
                if name in (b"transfer-encoding", b"expect"):
                    return True
    return False

