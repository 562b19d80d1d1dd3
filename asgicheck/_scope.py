"""PLACEHOLDER - being written: server-side checks of scopes and received events."""
from __future__ import annotations

from typing import Any

from asgicheck.violations import Violation


def check_scope(scope: Any) -> list[Violation]:
    return []


def check_event(event: Any, index: int) -> list[Violation]:
    return []
