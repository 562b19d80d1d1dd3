"""Pure checks on single values: one message, one header list, one field. No state, no I/O.

Each ``check_*`` function returns the violations it found (usually none) instead of raising on the
first, and compares exact types, as wsgiref.validate does: the spec says "byte string", and a
``bytearray`` is not one (asgi.rst § Strings and Unicode).

Which rule a bad value breaks depends on where it sits. A field the spec declares (``body``,
``status``, header items) is judged by that field's rule; a bytes-like value that is not exactly
``bytes`` is judged by GEN-APP-009 wherever it sits; any other key is walked by the generic
GEN-APP-005/006/008 checks. So one mistake is reported once, under the rule that explains it best.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from asgicheck.rules import violation
from asgicheck.violations import Violation

__all__ = [
    "FIELD_KINDS",
    "check_envelope",
    "check_field",
    "check_free_values",
    "check_headers",
    "check_tuples",
    "parse_spec_version",
]

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_BYTES_LIKE = (bytearray, memoryview)
# RFC 9110 §5.6.2 token characters, for header names.
_TOKEN_CHARS = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_FORBIDDEN_IN_VALUE = re.compile(rb"[\r\n\x00]")


def parse_spec_version(value: object, default: tuple[int, int] = (2, 0)) -> tuple[int, int]:
    """``"2.3"`` -> ``(2, 3)``; a missing or unreadable value gives the spec's default."""
    if isinstance(value, str):
        major, _, minor = value.partition(".")
        if major.isdigit() and (minor.isdigit() or not minor):
            return int(major), int(minor or 0)
    return default


def check_envelope(message: object, index: int | None) -> list[Violation]:
    """GEN-APP-003: a sent message is a dict whose ``type`` is a str."""
    if type(message) is not dict and not isinstance(message, dict):
        return [violation("GEN-APP-003", f"send() was given {type(message).__name__} "
                          f"{message!r:.80}, not a dict", index=index)]
    kind = message.get("type")
    if type(kind) is not str:
        what = "has no 'type' key" if "type" not in message else f"has type={kind!r}, not a str"
        return [violation("GEN-APP-003", f"the message {what}: {message!r:.120}", index=index)]
    return []


# What a declared field may hold. "bytes?" means bytes or None; a missing key is always allowed
# (every optional field has a default) unless the caller says the field is required.
FIELD_KINDS: dict[str, tuple[type, ...]] = {
    "bytes": (bytes,),
    "bytes?": (bytes, type(None)),
    "str": (str,),
    "str?": (str, type(None)),
    "bool": (bool,),
    "int": (int,),
    "int?": (int, type(None)),
    "dict": (dict,),
}


def check_field(message: dict[str, Any], key: str, kind: str, rule: str, index: int | None,
                *, required: bool = False) -> list[Violation]:
    """The declared field ``key`` holds a value of ``kind`` (see FIELD_KINDS)."""
    if key not in message:
        if required:
            return [violation(rule, f"{message['type']} has no {key!r} key, which is required",
                              index=index)]
        return []
    value = message[key]
    allowed = FIELD_KINDS[kind]
    if type(value) in allowed:
        return []
    # int subclasses (HTTPStatus, IntEnum) are ints; bool is not an int here.
    if kind.startswith("int") and isinstance(value, int) and not isinstance(value, bool):
        return []
    if kind.startswith("str") and isinstance(value, str):
        return []
    if isinstance(value, _BYTES_LIKE) and bytes in allowed:
        return [violation("GEN-APP-009", f"{message['type']} {key}={value!r:.80} is a "
                          f"{type(value).__name__}; the spec's byte strings are exactly bytes",
                          index=index)]
    wanted = " or ".join("None" if t is type(None) else t.__name__ for t in allowed)
    return [violation(rule, f"{message['type']} {key}={value!r:.80} is a "
                      f"{type(value).__name__}, not {wanted}", index=index)]


def check_headers(headers: object, *, where: str, index: int | None, shape: str,
                  lowercase: str | None, pseudo: str | None, values: str | None = "X-HTTP-003",
                  forbidden: frozenset[bytes] = frozenset(),
                  forbidden_rule: str | None = None) -> list[Violation]:
    """A header list: an iterable of 2-item iterables of bytes, names lowercase, no pseudo headers.

    ``shape`` names the rule for the structure, ``lowercase`` and ``pseudo`` the rules for names
    (None to skip), ``values`` the rule for names that are not tokens and values with CR, LF or
    NUL (response splitting). ``forbidden`` names headers the message may not carry at all.

    Only lists and tuples are looked into: the spec allows any iterable, and reading a generator
    here would use it up before the server sees it.
    """
    if type(headers) is not list and type(headers) is not tuple:
        if isinstance(headers, (str, bytes, dict)) or not isinstance(headers, Iterable):
            return [violation(shape, f"{where} headers={headers!r:.80} is a "
                              f"{type(headers).__name__}, not an iterable of [name, value] "
                              f"pairs", index=index)]
        return []
    found: list[Violation] = []
    for position, item in enumerate(headers):
        if (type(item) is tuple or type(item) is list) and len(item) == 2:
            name, value = item
        else:
            pair = _as_pair(item)
            if pair is None:
                found.append(violation(shape, f"{where} header #{position} {item!r:.80} is "
                                       f"not a two-item [name, value] iterable", index=index))
                continue
            name, value = pair
        if type(name) is not bytes or type(value) is not bytes:
            rule = "GEN-APP-009" if isinstance(name, _BYTES_LIKE) or isinstance(
                value, _BYTES_LIKE) else shape
            found.append(violation(rule, f"{where} header #{position} ({name!r:.60}, "
                                   f"{value!r:.60}) is ({type(name).__name__}, "
                                   f"{type(value).__name__}); both must be bytes", index=index))
            continue
        # The common case, a clean lowercase token with a clean value, costs four C calls.
        if (name == name.lower() and name and not name.translate(None, _TOKEN_CHARS)
                and 13 not in value and 10 not in value and 0 not in value  # CR, LF, NUL
                and not forbidden):
            continue
        found += _header_findings(name, value, where=where, index=index, lowercase=lowercase,
                                  pseudo=pseudo, values=values, forbidden=forbidden,
                                  forbidden_rule=forbidden_rule)
    return found


def _header_findings(name: bytes, value: bytes, *, where: str, index: int | None,
                     lowercase: str | None, pseudo: str | None, values: str | None,
                     forbidden: frozenset[bytes], forbidden_rule: str | None) -> list[Violation]:
    if name.startswith(b":"):
        if pseudo:
            return [violation(pseudo, f"{where} carries the pseudo header {name!r}",
                              index=index)]
        return []
    found: list[Violation] = []
    if values and (not name or name.translate(None, _TOKEN_CHARS)):
        return [violation(values, f"{where} header name {name!r:.80} is not an HTTP token "
                          f"(RFC 9110 §5.1)", index=index)]
    if lowercase and name != name.lower():
        found.append(violation(lowercase, f"{where} header name {name!r} is not lowercase "
                               f"(send {name.lower()!r})", index=index))
    if values and _FORBIDDEN_IN_VALUE.search(value):
        found.append(violation(values, f"{where} header {name!r} has CR, LF or NUL in its "
                               f"value {value!r:.80}: that splits the response", index=index))
    if forbidden_rule and name.lower() in forbidden:
        found.append(violation(forbidden_rule, f"{where} carries a {name.lower()!r} header",
                               index=index))
    return found


def _as_pair(item: object) -> tuple[object, object] | None:
    if isinstance(item, (str, bytes, dict)) or not isinstance(item, Iterable):
        return None
    parts = list(item)
    if len(parts) != 2:
        return None
    return parts[0], parts[1]


def check_free_values(message: dict[str, Any], skip: frozenset[str],
                      index: int | None) -> list[Violation]:
    """GEN-APP-005/006/008 on every key not in ``skip``.

    Declared fields are in ``skip`` because their own rules judge them; this walks the rest,
    recursively: extra keys an app added, and every key of a message type asgicheck does not know.
    """
    found: list[Violation] = []
    for key, value in message.items():
        if key in skip:
            continue
        _walk(value, f"{message.get('type')}[{key!r}]", index, found)
    return found


def _walk(value: object, path: str, index: int | None, found: list[Violation]) -> None:
    kind = type(value)
    if kind is bytes or kind is str or kind is bool or value is None:
        return
    if kind is int or isinstance(value, int):
        if not _INT64_MIN <= value <= _INT64_MAX:  # type: ignore[operator]
            found.append(violation("GEN-APP-006", f"{path}={value!r} is outside the signed "
                                   f"64-bit range", index=index))
        return
    if kind is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            found.append(violation("GEN-APP-006", f"{path}={value!r} is not a finite float",
                                   index=index))
        return
    if kind is list or kind is tuple:  # tuples: GEN-APP-007, opt-in (check_tuples)
        sequence: list[object] | tuple[object, ...] = value  # type: ignore[assignment]
        for position, item in enumerate(sequence):
            _walk(item, f"{path}[{position}]", index, found)
        return
    if kind is dict:
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                found.append(violation("GEN-APP-008", f"{path} has the key {key!r}, which is "
                                       f"a {type(key).__name__}, not a str", index=index))
            _walk(item, f"{path}[{key!r}]", index, found)
        return
    if isinstance(value, _BYTES_LIKE):
        found.append(violation("GEN-APP-009", f"{path}={value!r:.80} is a {kind.__name__}; "
                               f"the spec's byte strings are exactly bytes", index=index))
        return
    found.append(violation("GEN-APP-005", f"{path}={value!r:.80} is a {kind.__name__}, which "
                           f"ASGI messages may not contain", index=index))


def check_tuples(message: dict[str, Any], index: int | None) -> list[Violation]:
    """GEN-APP-007 (opt-in): "Lists (tuples should be encoded as lists)", anywhere in a message."""
    found: list[Violation] = []

    def visit(value: object, path: str) -> None:
        if type(value) is tuple:
            found.append(violation("GEN-APP-007", f"{path} is a tuple; the spec encodes "
                                   f"sequences as lists", index=index))
        if isinstance(value, (list, tuple)):
            for position, item in enumerate(value):
                visit(item, f"{path}[{position}]")
        elif type(value) is dict:
            for key, item in value.items():
                visit(item, f"{path}[{key!r}]")

    for key, value in message.items():
        if key not in ("file", "info"):  # extension-defined objects (zerocopysend, debug)
            visit(value, f"{message.get('type')}[{key!r}]")
    return found
