"""The proofs behind the fast paths: cheap answers to "does this need any thought?".

``start_length`` proves that an ``http.response.start`` breaks no rule and needs no thought (and
reads its content-length); ``announces_body`` is HTTP-RECV-001's question about the request
headers. The machine (``_http``) asks both on its fast paths, and ``validate()``'s fast lane
(``wrapper``) asks them before any machine exists; ``PlainProgress`` is how far that lane got,
from which ``HTTPMachine.resumed`` rebuilds the machine when the lane hands over. They are an
optimisation only: the tests run every known case with and without them and require the same
findings.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["PlainProgress", "announces_body", "start_length"]

# RFC 9110 §5.6.2 token characters: deleting them from a valid header name leaves nothing.
TOKEN_CHARS: Final = (b"!#$%&'*+-.^_`|~0123456789"
                      b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# Names whose presence needs the full path (framing, trailers, HTTP/2 connection headers).
_NEEDS_THOUGHT: Final = frozenset({b"content-length", b"transfer-encoding", b"trailer",
                                   b"connection", b"keep-alive", b"proxy-connection",
                                   b"upgrade"})
# Header names already proven to be lowercase tokens. Apps send the same few names on every
# response, and a set lookup is several times cheaper than proving it again.
_PROVEN_NAMES: Final[set[bytes]] = set()
_PROVEN_LIMIT: Final = 4096


_PLAIN_STATUSES: Final = frozenset(range(200, 600)) - {204, 304}


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
        if type(status) is not int or status not in _PLAIN_STATUSES:
            return -2
        if type(headers) is not list and type(headers) is not tuple:
            return -2
        length = -1
        for item in headers:
            if type(item) is not tuple and type(item) is not list:
                return -2
            name, value = item  # a short or long item raises ValueError: look closer
            if type(name) is not bytes or type(value) is not bytes:
                return -2
            if name not in _PROVEN_NAMES:
                if name == b"content-length" and length == -1 and value.isdigit():
                    length = int(value)
                    continue  # digits only: nothing more to prove
                if (name in _NEEDS_THOUGHT or not name or name != name.lower()
                        or name.translate(None, TOKEN_CHARS)):
                    return -2
                if len(_PROVEN_NAMES) < _PROVEN_LIMIT:
                    _PROVEN_NAMES.add(name)
            # CR, LF, NUL as ints: a one-byte bytes needle costs ten times as much.
            if 13 in value or 10 in value or 0 in value:
                return -2
    except (KeyError, ValueError):
        return -2
    return length


class PlainProgress:
    """How far an exchange has come on plain steps proved outside the machine (``validate()``'s
    fast lane): all ``HTTPMachine.resumed`` needs to build the machine those steps lead to.

    The state starts at these class-level defaults, so an instance stores only what changes.
    ``head`` and ``extensions`` (the dict itself, or None) are as they were when the scope was
    checked, whatever the app has put in the scope since, as the full path takes them when the
    call starts.
    """

    index = 0  # the steps so far: the Validator's running index
    received = 0  # 0: no request event yet, 1: part of the body, 2: all of it
    status = 0  # the response status; 0 before http.response.start
    length = -1  # the declared content-length (-1: none, or a HEAD response)
    sent = 0  # body bytes sent
    phase = 0  # 0: no content yet, 1: some, 2: the final body was sent
    head = False
    extensions: dict[str, Any] | None = None


_BODY_NAME_LENGTHS: Final = frozenset({len(b"content-length"), len(b"transfer-encoding"),
                                len(b"expect")})


def announces_body(headers: object) -> bool:
    """Whether request ``headers`` announce a body: a non-zero content-length,
    transfer-encoding, or expect (a client that may hold the body back for 100-continue)."""
    # Exact types first: isinstance() is a call, and validate() asks on every GET.
    if (type(headers) is not list and type(headers) is not tuple
            and not isinstance(headers, (list, tuple))):
        return False
    for pair in headers:
        if ((type(pair) is tuple or type(pair) is list or isinstance(pair, (list, tuple)))
                and len(pair) == 2):
            name = pair[0]
            # Only names of those lengths need lower().
            if type(name) is bytes and len(name) in _BODY_NAME_LENGTHS:
                name = name.lower()
                if name == b"content-length":
                    return pair[1] not in (b"0", b"")
                if name in (b"transfer-encoding", b"expect"):
                    return True
    return False
