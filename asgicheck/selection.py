"""Which rules a run reports: select and ignore by ID or prefix, optional rules, strictness."""

from __future__ import annotations

from dataclasses import dataclass, field

from asgicheck.rules import RULES, matching
from asgicheck.violations import Severity, Violation

__all__ = ["Selection"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """A rule filter. ``select`` and ``ignore`` take IDs (``HTTP-SEND-002``) or prefixes
    (``HTTP-SEND``, ``WS``). With no ``select``, every rule that is on by default is reported;
    a rule that is off by default (GEN-APP-007) is reported only when selected by its full ID.
    ``strict`` makes SHOULD-level warnings fail a run.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    strict: bool = False
    _enabled: frozenset[str] = field(init=False, repr=False, compare=False)
    tuples: bool = field(init=False, repr=False, compare=False)  # GEN-APP-007 is on

    def __post_init__(self) -> None:
        for selector in (*self.select, *self.ignore):
            if not matching(selector):
                raise ValueError(
                    f"{selector!r} matches no asgicheck rule; give a rule ID such as "
                    f"HTTP-SEND-002 or a prefix such as HTTP-SEND (see `asgicheck rules`)")
        if self.select:
            chosen = {r.id for s in self.select for r in matching(s)
                      if r.enabled_by_default or r.id == s.strip().upper()}
        else:
            chosen = {r.id for r in RULES.values() if r.enabled_by_default}
        chosen -= {r.id for s in self.ignore for r in matching(s)}
        object.__setattr__(self, "_enabled", frozenset(chosen))
        object.__setattr__(self, "tuples", "GEN-APP-007" in chosen)

    @classmethod
    def parse(cls, select: str = "", ignore: str = "", strict: bool = False) -> Selection:
        """From comma-separated option values, as the plugin and the CLI receive them."""
        def split(text: str) -> tuple[str, ...]:
            return tuple(part.strip().upper() for part in text.split(",") if part.strip())
        return cls(select=split(select), ignore=split(ignore), strict=strict)

    def enabled(self, rule_id: str) -> bool:
        return rule_id in self._enabled

    def keep(self, violations: list[Violation]) -> list[Violation]:
        return [v for v in violations if v.rule in self._enabled]

    def fails(self, violation: Violation) -> bool:
        """Whether this finding fails a run: errors, fatal findings, and warnings when strict."""
        if violation.severity is Severity.ERROR or RULES[violation.rule].fatal:
            return True
        return self.strict and violation.severity is Severity.WARNING


DEFAULT = Selection()
