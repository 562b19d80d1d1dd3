"""The declared fields of each HTTP response message, and the rule each field answers to.

One function per message type (www.rst § Response Start / Response Body, extensions.rst for the
rest). They judge single messages only; ordering is ``_http``'s job.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from asgicheck.rules import violation
from asgicheck.validator._checks import check_field, check_free_values, check_headers
from asgicheck.violations import Violation

__all__ = ["FIELD_CHECKS", "check_fields", "has_descriptor"]

Message = dict[str, Any]

# The keys each message type declares; any other key is walked by the generic checks.
DECLARED: dict[str, frozenset[str]] = {
    "http.response.start": frozenset({"type", "status", "headers", "trailers"}),
    "http.response.body": frozenset({"type", "body", "more_body"}),
    "http.response.trailers": frozenset({"type", "headers", "more_trailers"}),
    "http.response.push": frozenset({"type", "path", "headers"}),
    "http.response.zerocopysend": frozenset({"type", "file", "offset", "count", "more_body"}),
    "http.response.pathsend": frozenset({"type", "path"}),
    "http.response.early_hint": frozenset({"type", "links"}),
    "http.response.debug": frozenset({"type", "info"}),
}


def _start(message: Message, index: int) -> list[Violation]:
    # www.rst "Response Start": status (int), headers (Iterable[[byte string, byte string]]),
    # trailers (bool). "Header names must be lowercased." "Pseudo headers ... must not be present."
    found = check_field(message, "status", "int", "HTTP-SEND-006", index, required=True)
    status = message.get("status")
    if not found and isinstance(status, int) and not 100 <= status <= 599:
        found.append(violation("HTTP-SEND-006", f"status={status!r} is not an HTTP status code "
                               f"(100-599)", index=index))
    elif not found and isinstance(status, int) and status < 200:
        # RFC 9110 §15.2: 1xx are interim; 103 goes through early hints, 101 is the websocket path.
        found.append(violation("X-HTTP-002", f"status={status} is informational; "
                               f"http.response.start carries the final response", index=index))
    if "headers" in message:
        found += check_headers(message["headers"], where="http.response.start", index=index,
                               shape="HTTP-SEND-007", lowercase="HTTP-SEND-008",
                               pseudo="HTTP-SEND-009")
    found += check_field(message, "trailers", "bool", "TRL-APP-002", index)
    return found


def _body(message: Message, index: int) -> list[Violation]:
    return (check_field(message, "body", "bytes", "HTTP-SEND-011", index)
            + check_field(message, "more_body", "bool", "HTTP-SEND-012", index))


def _trailers(message: Message, index: int) -> list[Violation]:
    found: list[Violation] = []
    if "headers" in message:
        found += check_headers(message["headers"], where="http.response.trailers", index=index,
                               shape="TRL-APP-005", lowercase="TRL-APP-005",
                               pseudo="TRL-APP-005")
    return found + check_field(message, "more_trailers", "bool", "TRL-APP-006", index)


def _push(message: Message, index: int) -> list[Violation]:
    found = check_field(message, "path", "str", "PUSH-APP-002", index, required=True)
    if "headers" in message:
        found += check_headers(message["headers"], where="http.response.push", index=index,
                               shape="PUSH-APP-002", lowercase="PUSH-APP-002",
                               pseudo="PUSH-APP-002")
    return found


def has_descriptor(file: object) -> bool:
    """Whether ``file`` has an OS file descriptor (``os.sendfile`` needs one; BytesIO has none)."""
    try:
        descriptor = file.fileno()  # type: ignore[attr-defined]
    except Exception:  # any failure means there is no OS-level descriptor (closed, BytesIO)
        return False
    return isinstance(descriptor, int) and descriptor >= 0


def _zerocopysend(message: Message, index: int) -> list[Violation]:
    found: list[Violation] = []
    file = message.get("file")
    if not has_descriptor(file):
        # extensions.rst "Zero Copy Send": "An opened file descriptor object with an underlying
        # OS file descriptor that can be used to call os.sendfile. (e.g. not BytesIO)"
        found.append(violation("ZC-APP-002", f"zerocopysend file={file!r:.60} has no OS file "
                               f"descriptor for os.sendfile", index=index))
    for key in ("offset", "count"):
        found += check_field(message, key, "int", "ZC-APP-003", index)
    return found + check_field(message, "more_body", "bool", "ZC-APP-003", index)


def _pathsend(message: Message, index: int) -> list[Violation]:
    found = check_field(message, "path", "str", "PS-APP-002", index, required=True)
    path = message.get("path")
    if not found and isinstance(path, str) and not os.path.isabs(path):
        found.append(violation("PS-APP-002", f"pathsend path={path!r} is not absolute",
                               index=index))
    return found


def _early_hint(message: Message, index: int) -> list[Violation]:
    links = message.get("links")
    if isinstance(links, (str, bytes)) or not isinstance(links, Iterable):
        return [violation("EH-APP-001", f"early_hint links={links!r:.60} is not an iterable of "
                          f"byte strings", index=index)]
    bad = [link for link in links if type(link) is not bytes]
    if bad:
        return [violation("EH-APP-001", f"early_hint links {bad!r:.80} are not bytes (each is "
                          f"a Link header value, RFC 8288)", index=index)]
    return []


def _debug(message: Message, index: int) -> list[Violation]:
    info = message.get("info")
    if type(info) is not dict or not all(type(key) is str for key in info):
        return [violation("DBG-APP-002", f"debug info={info!r:.60} is not a dict with str "
                          f"keys", index=index)]
    return []


FIELD_CHECKS: dict[str, Callable[[Message, int], list[Violation]]] = {
    "http.response.start": _start,
    "http.response.body": _body,
    "http.response.trailers": _trailers,
    "http.response.push": _push,
    "http.response.zerocopysend": _zerocopysend,
    "http.response.pathsend": _pathsend,
    "http.response.early_hint": _early_hint,
    "http.response.debug": _debug,
}


def check_fields(kind: str, message: Message, index: int) -> list[Violation]:
    """Every finding about the fields of one message of a known ``kind``: its declared fields
    by their own rules, any other key by the generic value checks."""
    return FIELD_CHECKS[kind](message, index) + check_free_values(message, DECLARED[kind], index)
