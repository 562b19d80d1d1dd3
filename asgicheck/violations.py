"""Records of what the spec requires (`Rule`) and of what an exchange broke (`Violation`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = [
    "Consequence",
    "Detection",
    "Level",
    "Party",
    "Rule",
    "Severity",
    "Violation",
    "ViolationError",
]


class Level(enum.Enum):
    """The family of the spec's key word: "must", "should" or "may"."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


class Severity(enum.Enum):
    """How a finding is reported: errors fail a run, warnings fail only in strict mode."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Party(enum.Enum):
    """Who broke the rule: the application (or middleware) or the server that drives it."""

    APP = "app"
    SERVER = "server"


class Detection(enum.Enum):
    """What it takes to see a rule broken.

    STATIC and SEQUENCE rules are judged by the sans-IO validator on any exchange. SCENARIO rules
    need a scripted exchange from the driver (a chunked body, a disconnect, a minimal scope).
    LIVE rules need a real server and a network client. MANUAL rules cannot be checked
    mechanically; they stay in the catalogue so that the documentation is complete.
    """

    STATIC = "static"
    SEQUENCE = "sequence"
    SCENARIO = "scenario"
    LIVE = "live"
    MANUAL = "manual"


class Consequence(enum.Enum):
    """What mainstream servers and clients do when an app breaks a rule, as measured under
    uvicorn and hypercorn (``asgicheck.rules._consequences``). The first four break something
    a user sees (``breaks``): a finding against such a rule fails a run by default, whatever
    the spec's key word."""

    ERROR = "error"  # send() raises into the app, a 500, or an error logged for every request
    BROKEN_CONNECTION = "broken-connection"  # the response is cut or never comes, a bad close
    FAILED_HANDSHAKE = "failed-handshake"  # the WebSocket client fails the opening handshake
    FAILED_STARTUP = "failed-startup"  # no serving, an exit, or an app that never started
    LOGGED = "logged"  # an error in the server's log only (the client had left, at shutdown)
    LEAKS = "leaks"  # a task runs on after the client left
    TOLERATED = "tolerated"  # nothing visible breaks
    CORRECTED = "corrected"  # the server repairs it silently
    UNREACHABLE = "unreachable"  # no mainstream server produces the exchange that shows it

    @property
    def breaks(self) -> bool:
        return self in _BREAKING


_BREAKING = frozenset({Consequence.ERROR, Consequence.BROKEN_CONNECTION,
                       Consequence.FAILED_HANDSHAKE, Consequence.FAILED_STARTUP})
_LEVEL_OF_KEYWORD = {"MUST": Level.MUST, "SHOULD": Level.SHOULD, "MAY": Level.MAY}
_SEVERITY_OF_LEVEL = {Level.MUST: Severity.ERROR, Level.SHOULD: Severity.WARNING,
                      Level.MAY: Severity.INFO}
_SERVER_AREAS = frozenset({"SCOPE", "EVT", "SRV", "ADP"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One requirement of the ASGI specification (or of HTTP, for the ``X-`` group).

    ``keyword`` is the spec's own word as the catalogue records it ("MUST NOT", "SHOULD*", ...);
    a trailing ``*`` marks an obligation the text implies (a declared type, a default, an order)
    rather than states with a key word. ``fatal`` marks findings that leave the app hung, leaking
    or crashed: they fail a run whatever their level. ``consequence`` and ``observed`` say what
    real servers and clients do when an app breaks the rule (measured; none for server rules): a
    rule whose consequence ``breaks`` something is an error by default, whatever its level.
    """

    id: str
    keyword: str
    detection: Detection
    source: str
    summary: str
    how: str = ""
    severity: Severity | None = None
    enabled_by_default: bool = True
    fatal: bool = False
    consequence: Consequence | None = None
    observed: str = ""  # the consequence in words; after "breaks" when it breaks something
    level: Level = field(init=False)
    implied: bool = field(init=False)
    party: Party = field(init=False)

    def __post_init__(self) -> None:
        first_word = self.keyword.split()[0].rstrip("*")
        object.__setattr__(self, "level", _LEVEL_OF_KEYWORD[first_word])
        object.__setattr__(self, "implied", self.keyword.endswith("*"))
        area = self.id.split("-")[1]
        object.__setattr__(self, "party", Party.SERVER if area in _SERVER_AREAS else Party.APP)
        if self.severity is None:
            object.__setattr__(self, "severity", Severity.ERROR if self.breaks
                               else _SEVERITY_OF_LEVEL[self.level])

    @property
    def breaks(self) -> bool:
        """Whether breaking the rule breaks something under real servers (see ``consequence``)."""
        return self.consequence is not None and self.consequence.breaks

    @property
    def label(self) -> str:
        """The spec's level and, below MUST, what it breaks when that is why it is an error
        (``SHOULD, breaks under uvicorn 0.55: ...``), as the failure text shows it."""
        if self.breaks and self.level is not Level.MUST:
            return f"{self.level.value}, breaks {self.observed}"
        return self.level.value

    @property
    def spec(self) -> str:
        """The first section the rule cites, e.g. ``www.rst § Response Start - send event``."""
        first = self.source.split(";")[0].strip()
        return first

    @property
    def spec_file(self) -> str:
        return self.spec.split(" § ")[0]

    @property
    def section(self) -> str:
        return self.spec.split(" § ", 1)[1] if " § " in self.spec else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """A rule an exchange broke: which, by whom, where in the exchange, and the evidence.

    ``index`` is the position in the exchange of the message that showed it (events received and
    messages sent share one count, starting at 0), or None for the scope and end-of-call findings.
    """

    rule: str
    severity: Severity
    party: Party
    spec: str
    message: str
    index: int | None = None

    def __str__(self) -> str:
        where = f" (message #{self.index})" if self.index is not None else ""
        return f"{self.rule} [{self.severity.value}, {self.party.value}]{where}: {self.message} " \
               f"-- {self.spec}"


class ViolationError(Exception):
    """Raised where a violation is to stop the app, e.g. by ``validate(app)`` in raising mode."""

    def __init__(self, violations: tuple[Violation, ...] | list[Violation]) -> None:
        self.violations = tuple(violations)
        super().__init__("\n".join(str(v) for v in self.violations))
