"""asgicheck: a conformance checker for ASGI applications."""

from __future__ import annotations

from asgicheck.rules import RULES
from asgicheck.selection import Selection
from asgicheck.validator import ValidatedApp, Validator, validate
from asgicheck.violations import (
    Detection,
    Level,
    Party,
    Rule,
    Severity,
    Violation,
    ViolationError,
)

__all__ = [
    "RULES",
    "Detection",
    "Level",
    "Party",
    "Rule",
    "Selection",
    "Severity",
    "ValidatedApp",
    "Validator",
    "Violation",
    "ViolationError",
    "validate",
]
__version__ = "0.1.0"
