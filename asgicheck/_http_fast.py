"""Fast paths for the two messages almost every HTTP response is made of.

``plain_start`` and ``plain_body`` prove, cheaply, that a message breaks no rule and moves the
machine in the simplest way, and then make that move. Anything unusual (a header that needs
thought, a status without content, a disconnect, an extension) makes them return False without
touching the machine, and ``_http`` takes its full path. They are an optimisation only: the tests
run every known case with and without them and require the same findings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asgicheck._http_state import State

if TYPE_CHECKING:
    from asgicheck._http import HTTPMachine

__all__ = ["plain_body", "plain_start"]

# RFC 9110 §5.6.2 token characters: deleting them from a valid header name leaves nothing.
TOKEN_CHARS = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_START_KEYS = frozenset({"type", "status", "headers"})
_BODY_KEYS = frozenset({"type", "body", "more_body"})
# Names whose presence needs the full path (framing, trailers, HTTP/2 connection headers).
_NEEDS_THOUGHT = frozenset({b"content-length", b"transfer-encoding", b"trailer", b"connection",
                            b"keep-alive", b"proxy-connection", b"upgrade"})
# Header names already proven to be lowercase tokens. Apps send the same few names on every
# response, and a set lookup is several times cheaper than proving it again.
_PROVEN_NAMES: set[bytes] = set()
_PROVEN_LIMIT = 4096


def plain_start(machine: HTTPMachine, message: dict[str, Any]) -> bool:
    if (machine.state is not State.AWAITING_START or not machine._received_any
            or machine._disconnected or machine._send_failed):
        return False
    status = message.get("status")
    if type(status) is not int or not 200 <= status <= 599 or status == 204 or status == 304:
        return False
    if not message.keys() <= _START_KEYS:
        return False
    headers = message.get("headers", ())
    if type(headers) is not list and type(headers) is not tuple:
        return False
    length: int | None = None
    for item in headers:
        if (type(item) is not tuple and type(item) is not list) or len(item) != 2:
            return False
        name, value = item
        if type(name) is not bytes or type(value) is not bytes:
            return False
        if name in _NEEDS_THOUGHT:
            if name != b"content-length" or length is not None or not value.isdigit():
                return False
            length = int(value)
        else:
            if name not in _PROVEN_NAMES:
                if not name or name != name.lower() or name.translate(None, TOKEN_CHARS):
                    return False
                if len(_PROVEN_NAMES) < _PROVEN_LIMIT:
                    _PROVEN_NAMES.add(name)
            if b"\r" in value or b"\n" in value or b"\x00" in value:
                return False
    machine._status = status
    machine.state = State.STREAMING
    if length is not None and not machine._head:
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
    if not message.keys() <= _BODY_KEYS:
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
