"""Known-bad (and known-good) exchanges as plain data, fed to the sans-IO validator.

A ``Case`` is a scope plus the steps of one exchange, in order. ``expect`` is the exact set of
rule IDs the validator must report for it: a bad case names the one rule it breaks, a good case
names none. Each ``bad_cases_*.py`` module lists its cases in ``CASES``; ``test_catalogue``
checks that every rule the validator claims to check has at least one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asgicheck.selection import Selection
from asgicheck.validator import Validator
from asgicheck.violations import Violation

# A step: ("recv", event) | ("send", message) | ("send_failed", None)
#       | ("return", value) | ("raise", exception) | ("call", function)
Step = tuple[str, Any]


def http_scope(**overrides: Any) -> dict[str, Any]:
    """A complete, valid HTTP scope as a strict spec-2.4 server would build it."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [[b"host", b"testserver"]],
        "client": ["127.0.0.1", 50000],
        "server": ["testserver", 80],
    }
    scope.update(overrides)
    return scope


def websocket_scope(**overrides: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "scheme": "ws",
        "path": "/ws",
        "raw_path": b"/ws",
        "query_string": b"",
        "root_path": "",
        "headers": [[b"host", b"testserver"]],
        "client": ["127.0.0.1", 50000],
        "server": ["testserver", 80],
        "subprotocols": [],
    }
    scope.update(overrides)
    return scope


def lifespan_scope(**overrides: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {"type": "lifespan", "asgi": {"version": "3.0",
                                                          "spec_version": "2.0"}, "state": {}}
    scope.update(overrides)
    return scope


@dataclass(frozen=True, kw_only=True)
class Case:
    id: str
    scope: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    expect: frozenset[str] = frozenset()
    select: tuple[str, ...] = ()  # opt-in rules this case needs switched on

    def run(self) -> list[Violation]:
        selection = Selection(select=("GEN", "HTTP", "WS", "LS", "TRL", "PUSH", "ZC", "PS",
                                      "EH", "DBG", "WSD", "TLS", "X", "OPS", *self.select))
        validator = Validator(self.scope, selection=selection)
        for action, value in self.steps:
            if action == "recv":
                validator.app_received(value)
            elif action == "send":
                validator.app_sent(value)
            elif action == "send_failed":
                validator.send_failed(OSError("client disconnected"))
            elif action == "return":
                validator.app_returned(value)
            elif action == "call":
                value()  # the app doing something between messages, e.g. closing a file
            elif action == "raise":
                validator.app_raised(value)
            else:
                raise ValueError(f"unknown step {action!r}")
        return validator.violations


def bad(rule: str, scope: dict[str, Any], *steps: Step, note: str = "",
        select: tuple[str, ...] = ()) -> Case:
    """A case that breaks exactly ``rule``."""
    return Case(id=f"{rule}{'-' + note if note else ''}", scope=scope, steps=list(steps),
                expect=frozenset({rule}), select=select)


def good(name: str, scope: dict[str, Any], *steps: Step) -> Case:
    """A conformant exchange: no violation at all."""
    return Case(id=f"ok-{name}", scope=scope, steps=list(steps))


# Building blocks for HTTP steps.
REQUEST = ("recv", {"type": "http.request", "body": b"", "more_body": False})
START = ("send", {"type": "http.response.start", "status": 200, "headers": []})
BODY = ("send", {"type": "http.response.body", "body": b"ok", "more_body": False})
DONE = ("return", None)
