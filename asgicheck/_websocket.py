"""PLACEHOLDER - being written: the websocket state machine."""
from __future__ import annotations

from typing import Any

from asgicheck.types import Scope
from asgicheck.violations import Violation


class WebSocketMachine:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def received(self, event: dict[str, Any], index: int) -> list[Violation]:
        return []

    def sent(self, message: dict[str, Any], index: int) -> list[Violation]:
        return []

    def send_failed(self, index: int) -> None:
        pass

    def ended(self, raised: BaseException | None, index: int) -> list[Violation]:
        return []
