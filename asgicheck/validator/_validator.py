"""The sans-IO validator: feed it one connection's scope, events and messages; it names the rules
they break.

Nothing here awaits. The caller (``validate()``, the driver, a test with a list of dicts) reports
what happened, in order::

    v = Validator(scope)              # checks the scope the server built
    v.app_received(event)             # an event receive() returned to the app
    v.app_sent(message)               # a message the app passed to send()
    v.send_failed(exc)                # that send() raised (the client has gone)
    v.app_returned(result)            # the app's coroutine returned
    v.app_raised(exc)                 # ... or raised

Each call returns the new violations and appends them to ``v.violations``. Events and messages
share one running index, so a violation points at the exact step of the exchange.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from asgicheck.rules import violation
from asgicheck.selection import DEFAULT, Selection
from asgicheck.types import Message, Scope
from asgicheck.validator import _http, _lifespan, _scope, _websocket
from asgicheck.validator._checks import check_envelope, check_free_values, check_tuples
from asgicheck.violations import Violation

__all__ = ["Machine", "Validator"]


class Machine(Protocol):
    """One protocol's state machine (``_http``, ``_websocket``, ``_lifespan``)."""

    def received(self, event: dict[str, Any], index: int) -> list[Violation]: ...

    def sent(self, message: dict[str, Any], index: int) -> list[Violation]: ...

    def send_failed(self, index: int) -> None: ...

    def ended(self, raised: BaseException | None, index: int) -> list[Violation]: ...


class _UnknownProtocol:
    """A scope type asgicheck has no spec for: only the rules every message keeps."""

    def __init__(self, scope: object) -> None:
        scope_type = scope.get("type") if isinstance(scope, dict) else None
        self._prefix = f"{scope_type}."

    def received(self, event: dict[str, Any], index: int) -> list[Violation]:
        return []

    def sent(self, message: dict[str, Any], index: int) -> list[Violation]:
        found = check_free_values(message, frozenset({"type"}), index)
        if not message["type"].startswith(self._prefix):
            found.append(violation("GEN-APP-004", f"sent {message['type']!r} in a "
                                   f"{self._prefix[:-1]!r} scope; types are namespaced "
                                   f"'{self._prefix}<message_type>'", index=index))
        return found

    def send_failed(self, index: int) -> None:
        pass

    def ended(self, raised: BaseException | None, index: int) -> list[Violation]:
        return []


_MACHINES: dict[str, Callable[[Scope], Machine]] = {
    "http": _http.HTTPMachine,
    "websocket": _websocket.WebSocketMachine,
    "lifespan": _lifespan.LifespanMachine,
}


class Validator:
    """Judges one connection: the server's scope and events, and the app's messages."""

    __slots__ = ("scope", "violations", "selection", "_machine", "_index", "_tuples")

    def __init__(self, scope: Scope, *, selection: Selection = DEFAULT) -> None:
        self.scope = scope
        self.selection = selection
        self._index = 0
        self._tuples = selection.tuples
        self.violations: list[Violation] = []
        scope_type = scope.get("type") if isinstance(scope, dict) else None
        factory = _MACHINES.get(scope_type) if type(scope_type) is str else None
        self._machine: Machine = factory(scope) if factory else _UnknownProtocol(scope)
        found = _scope.check_scope(scope)
        if found:
            self._keep(found)

    @classmethod
    def resumed(cls, scope: Scope, machine: Machine, index: int, *,
                selection: Selection = DEFAULT) -> Validator:
        """Take over mid-exchange from a fast lane (``validate()``'s) that has proved the scope
        and the first ``index`` steps clean and brought ``machine`` to where they lead."""
        self = cls.__new__(cls)
        self.scope, self.selection, self._machine = scope, selection, machine
        self._index, self._tuples, self.violations = index, selection.tuples, []
        return self

    @property
    def index(self) -> int:
        """The index the next event or message will get."""
        return self._index

    def app_received(self, event: Message) -> list[Violation]:
        """The app's receive() returned ``event``: the server's side of the exchange."""
        index = self._index
        self._index += 1
        found = _scope.check_event(event, index) or self._machine.received(
            event, index)  # type: ignore[arg-type]
        return self._keep(found) if found else found

    def app_sent(self, message: Message) -> list[Violation]:
        """The app called send(``message``)."""
        index = self._index
        self._index += 1
        if type(message) is dict and type(message.get("type")) is str:
            found = self._machine.sent(message, index)
            if self._tuples:
                found += check_tuples(message, index)
        else:
            found = check_envelope(message, index)
        return self._keep(found) if found else found

    def send_failed(self, exc: BaseException) -> None:
        """The last send() raised ``exc`` because the client had gone (spec 2.4 behaviour)."""
        self._machine.send_failed(self._index - 1)

    def app_returned(self, result: object) -> list[Violation]:
        found = self._machine.ended(None, self._index)
        if result is not None:
            found.append(violation("OPS-APP-004", f"the app returned {result!r:.80} instead "
                                   f"of None", index=None))
        return self._keep(found)

    def app_raised(self, exc: BaseException) -> list[Violation]:
        return self._keep(self._machine.ended(exc, self._index))

    def _keep(self, found: list[Violation]) -> list[Violation]:
        if found:
            found = self.selection.keep(found)
            self.violations.extend(found)
        return found
