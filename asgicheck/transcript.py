"""The record of one exchange: every event the app received and every message it sent, in order.

A ``Transcript`` is what the driver returns. Violations point into it by ``index`` (events and
messages share one running count, as in the validator). ``render()`` prints it compactly::

    http GET / (spec 2.4)
      #0  +0.000 → http.request body=b'abc' more_body=True
      #1  +0.001 ← http.response.start status=200 headers=[[b'content-type', b'text/plain']]
      #2  +0.001 ← http.response.body body=b'abc'  !! X-HTTP-001
          +0.001 ·· client disconnected
      = returned None in 0.002 s (max loop stall 0.000 s)

An app that raised also gets where it raised, its own frames of the traceback (``raised_at``),
under the ``= raised ...`` line: ``at myapp.py:12 in startup: raise RuntimeError("no db")``.

``record()`` gives the same steps as data (the JSON report's ``exchanges``), built from the
entries themselves: the reports never read the rendered text back.
"""

from __future__ import annotations

import linecache
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict

from asgicheck.violations import Violation

__all__ = ["NOTE", "RECEIVED", "SENT", "Ended", "Entry", "EntryRecord", "ExchangeRecord", "Frame",
           "FrameRecord", "Note", "Received", "Sent", "Transcript", "app_frames", "changed_keys",
           "exception_chain", "format_message", "text_exchange"]

Ended = Literal["returned", "raised", "timeout", "cancelled"]
SendResult = Literal["ok", "raised", "ignored"]
EntryKind = Literal["received", "sent", "note", "omitted", "finding", "text"]


class EntryRecord(TypedDict):
    """One step as JSON-able data (docs/json-report.md, "exchanges")."""

    kind: EntryKind
    index: int | None
    time: float | None
    type: str | None  # the message's "type" (None when it was not a dict, and for other kinds)
    text: str  # the message's other keys as key=repr(value); a note's or a finding's text
    send_result: SendResult | None
    rules: list[str]


class FrameRecord(TypedDict):
    """One frame of where the app raised: ``file`` as shown (site-packages and the working
    directory cut off), its ``line``, the ``function`` and the line's ``code``."""

    file: str
    line: int
    function: str
    code: str


class ExchangeRecord(TypedDict):
    """One exchange as JSON-able data: ``Transcript.record()``."""

    title: str
    entries: list[EntryRecord]
    end: str | None  # how the call ended, in words
    # how it ended, as data; "running": live mode's call still running (it is not cancelled)
    ended: Ended | Literal["running"] | None
    raised_at: list[FrameRecord]  # where the app raised, outermost frame first; else empty


# (file, line, function): one frame of the app's own traceback, as the code object names it
Frame = tuple[str, int, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Received:
    """``receive()`` returned ``event`` to the app."""

    index: int
    time: float  # seconds since the app was called
    event: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class Sent:
    """The app called ``send(message)``. ``result``: delivered, raised ClientDisconnected, or
    ignored (the connection was already over: a no-op, as before spec 2.4 or after completion)."""

    index: int
    time: float
    message: Any  # a shallow copy when it was a dict; whatever the app passed otherwise
    result: SendResult = "ok"


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """Something the simulated client or server did that is not a message (a disconnect, a
    deadline)."""

    time: float
    text: str


Entry = Received | Sent | Note
# The driver records each step as a plain tuple, (RECEIVED, index, time, event),
# (SENT, index, time, message, result) or (NOTE, time, text), and builds entries only when asked:
# a frozen dataclass costs microseconds to build, and most transcripts are never read.
RECEIVED, SENT, NOTE = 0, 1, 2
LogItem = tuple[Any, ...]
_new, _set = object.__new__, object.__setattr__


def _entry(item: LogItem) -> Entry:
    if item[0] == RECEIVED:
        return Received(index=item[1], time=item[2], event=item[3])
    if item[0] == SENT:
        return Sent(index=item[1], time=item[2], message=item[3], result=item[4])
    return Note(time=item[1], text=item[2])


@dataclass(frozen=True, kw_only=True, eq=False)
class Transcript:
    """One exchange, from the scope to how the app ended.

    Not slotted: the driver builds each one with ``_make``, which sets ``__dict__`` in one go (a
    frozen dataclass's ``__init__`` sets its fields one by one through ``object.__setattr__``,
    which costs as much as the rest of a trivial exchange's bookkeeping).
    """

    scope: dict[str, Any]
    log: tuple[LogItem, ...] = field(repr=False)  # the steps, compactly; see ``entries``
    ended: Ended
    violations: tuple[Violation, ...] = ()
    exception: str | None = None  # repr of what the app raised
    exception_types: tuple[str, ...] = ()  # its type, then its __cause__/__context__ chain
    raised_at: tuple[Frame, ...] = ()  # where: the app's frames of its traceback (app_frames)
    returned: str | None = None  # repr of a non-None return value
    timed_out: Literal["deadline", "linger"] | None = None
    duration: float = 0.0
    max_stall: float = 0.0  # the longest event-loop stall seen while the app ran
    scope_changes: tuple[str, ...] = ()  # scope keys the app added, removed or replaced
    dropped: int = 0  # entries not recorded because the transcript was full
    blocked_in_receive: bool = False  # on a timeout: the app was waiting in receive()
    stopped: bool = False  # on a timeout: the wedged thread was stopped where it spun
    name: str = ""
    _entries: tuple[Entry, ...] | None = field(default=None, init=False, repr=False)

    @classmethod
    def _make(cls, fields: dict[str, Any]) -> Transcript:
        """``Transcript(**fields)``, fast: ``fields`` becomes the instance's ``__dict__`` as it
        is (a field left out reads as its class-level default; nothing is checked)."""
        made = _new(cls)
        _set(made, "__dict__", fields)
        return made

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every step in order: ``Received``, ``Sent`` and ``Note`` records."""
        if self._entries is None:
            object.__setattr__(self, "_entries", tuple(_entry(item) for item in self.log))
        assert self._entries is not None
        return self._entries

    # -- what the app did, for scenarios that compare exchanges ---------------------------------

    @property
    def sent(self) -> list[Any]:
        return [item[3] for item in self.log if item[0] == SENT]

    @property
    def received(self) -> list[dict[str, Any]]:
        return [item[3] for item in self.log if item[0] == RECEIVED]

    @property
    def sent_types(self) -> tuple[str, ...]:
        return tuple(str(m.get("type")) if isinstance(m, dict) else f"<{type(m).__name__}>"
                     for m in self.sent)

    @property
    def status(self) -> int | None:
        """The status of the first (http or denial) response start the app sent."""
        for m in self.sent:
            if isinstance(m, dict) and m.get("type") in ("http.response.start",
                                                         "websocket.http.response.start"):
                status = m.get("status")
                return status if isinstance(status, int) else None
        return None

    @property
    def body(self) -> bytes:
        """The concatenated bytes of every response body message (non-bytes bodies skipped)."""
        parts = [m.get("body", b"") for m in self.sent if isinstance(m, dict) and
                 m.get("type") in ("http.response.body", "websocket.http.response.body")]
        return b"".join(p for p in parts if isinstance(p, bytes))

    @property
    def exception_type(self) -> str | None:
        return self.exception_types[0] if self.exception_types else None

    def first_disconnect(self) -> int | None:
        """The position in ``entries`` of the first disconnect the app received."""
        # Read off the log (one item per entry), as a fuzzing property asks this of every
        # example and most transcripts are never rendered.
        for position, item in enumerate(self.log):
            if item[0] == RECEIVED and str(item[3].get("type")).endswith(".disconnect"):
                return position
        return None

    def receives_after_disconnect(self) -> int:
        """How many times the app called receive() again after it got a disconnect."""
        first = self.first_disconnect()
        if first is None:
            return 0
        return sum(1 for item in self.log[first + 1:] if item[0] == RECEIVED)

    # -- rendering ------------------------------------------------------------------------------

    def render(self, *, limit: int = 60, counted: Collection[str] | None = None) -> str:
        """One line per step; ``!! RULE-ID`` marks the step a violation points at.

        ``counted``: the rules the item this transcript belongs to reports; the others are
        marked ``-- RULE-ID`` instead, as found here but not counted (another finding explains
        them, or another item reports them), so that every ``!!`` is on the item's "broke" line.
        """
        marks: dict[int, list[str]] = {}
        for v in self.violations:
            if v.index is not None:
                marks.setdefault(v.index, []).append(v.rule)
        lines = [self._headline()]
        shown = self.entries if len(self.entries) <= limit else self.entries[:limit - 5]
        for entry in shown:
            lines.append(_render_entry(entry, marks, counted))
        if len(shown) < len(self.entries) or self.dropped:
            hidden = len(self.entries) - len(shown) + self.dropped
            lines.append(f"      ... {hidden} more steps not shown")
            lines.extend(_render_entry(e, marks, counted)
                         for e in self.entries[len(shown):][-4:])
        lines.append(self._end_line())
        lines.extend(f"        at {f['file']}:{f['line']} in {f['function']}: {f['code']}"
                     for f in self.frames())
        for v in self.violations:
            if v.index is None or v.index not in {getattr(e, "index", -1) for e in shown}:
                if counted is None or v.rule in counted:
                    lines.append(f"      !! {v.rule}: {v.message}")
                else:
                    lines.append(f"      -- {v.rule} (not counted here): {v.message}")
        return "\n".join(lines)

    def _headline(self) -> str:
        scope = self.scope
        kind = scope.get("type")
        asgi = scope.get("asgi")
        spec = asgi.get("spec_version", "absent") if isinstance(asgi, dict) else "absent"
        what = ""
        if kind == "http":
            what = f" {scope.get('method')} {scope.get('path')}"
        elif kind == "websocket":
            what = f" {scope.get('path')}"
        name = f"[{self.name}] " if self.name else ""
        return f"{name}{kind}{what} (spec {spec})"

    def record(self, *, limit: int = 60) -> ExchangeRecord:
        """The exchange as data, as ``render(limit=...)`` shows it: the steps in order with the
        rules marked on each (up to ``limit`` of them: the first, a count of those left out,
        the last four), the findings that point at no step shown, and how the call ended."""
        marks: dict[int, list[str]] = {}
        for v in self.violations:
            if v.index is not None:
                marks.setdefault(v.index, []).append(v.rule)
        entries = self.entries
        head = entries if len(entries) <= limit else entries[:limit - 5]
        tail = entries[len(head):][-4:]
        records = [_entry_record(e, marks) for e in head]
        hidden = len(entries) - len(head) - len(tail) + self.dropped
        if hidden:
            records.append(_record("omitted", text=f"{hidden} more steps not shown"))
        records += [_entry_record(e, marks) for e in tail]
        indices = {e.index for e in (*head, *tail) if not isinstance(e, Note)}
        records += [_record("finding", text=v.message, rules=[v.rule]) for v in self.violations
                    if v.index is None or v.index not in indices]
        return {"title": self._headline(), "entries": records, "end": self._end_text(),
                "ended": self.ended,
                "raised_at": self.frames()}

    def frames(self) -> list[FrameRecord]:
        """``raised_at`` as a reader sees it: each file shortened, with its line of source
        (looked up only now: a raise in a fuzzing run's thousandth exchange costs no I/O)."""
        return [{"file": _shown_path(file), "line": line, "function": function,
                 "code": linecache.getline(file, line).strip()}
                for file, line, function in self.raised_at]

    def _end_line(self) -> str:
        return f"      = {self._end_text()}"

    def _end_text(self) -> str:
        if self.ended == "returned":
            how = f"returned {self.returned}" if self.returned else "returned None"
        elif self.ended == "raised":
            how = f"raised {self.exception}"
        elif self.ended == "timeout":
            how = f"still running at the {self.timed_out or 'deadline'}; "
            how += f"cancelled ({self.exception})" if self.exception else \
                "stopped where it spun (it could not be cancelled)" if self.stopped else \
                "abandoned (it could not be cancelled)"
        else:
            how = f"was cancelled ({self.exception})" if self.exception else "was cancelled"
        changed = f"; changed scope keys {list(self.scope_changes)}" if self.scope_changes else ""
        return f"{how} in {self.duration:.3f} s (max loop stall {self.max_stall:.3f} s){changed}"

    def __str__(self) -> str:
        return self.render()


def _render_entry(entry: Entry, marks: dict[int, list[str]],
                  counted: Collection[str] | None = None) -> str:
    if isinstance(entry, Note):
        return f"          +{entry.time:.3f} ·· {entry.text}"
    if isinstance(entry, Received):
        text = f"→ {format_message(entry.event)}"
    else:
        text = f"← {format_message(entry.message)}"
        if entry.result == "raised":
            text += "  (send raised ClientDisconnected)"
        elif entry.result == "ignored":
            text += "  (ignored: connection over)"
    rules = marks.get(entry.index, [])
    counts = [r for r in rules if counted is None or r in counted]
    muted = [r for r in rules if r not in counts]
    flag = (f"  !! {' '.join(counts)}" if counts else "") + \
        (f"  -- {' '.join(muted)}" if muted else "")
    return f"      #{entry.index:<3}+{entry.time:.3f} {text}{flag}"


def _record(kind: EntryKind, *, index: int | None = None, time: float | None = None,
            type: str | None = None, text: str = "", send_result: SendResult | None = None,
            rules: list[str] | None = None) -> EntryRecord:
    return {"kind": kind, "index": index, "time": None if time is None else round(time, 6),
            "type": type, "text": text, "send_result": send_result, "rules": rules or []}


def text_exchange(title: str, lines: Iterable[str]) -> ExchangeRecord:
    """Lines that are no app call (live mode's client and server log lines) as an exchange of
    ``text`` steps."""
    return {"title": title, "entries": [_record("text", text=line) for line in lines],
            "end": None, "ended": None, "raised_at": []}


def _entry_record(entry: Entry, marks: dict[int, list[str]]) -> EntryRecord:
    if isinstance(entry, Note):
        return _record("note", time=entry.time, text=entry.text)
    message = entry.event if isinstance(entry, Received) else entry.message
    is_dict = isinstance(message, dict)
    return _record("received" if isinstance(entry, Received) else "sent", index=entry.index,
                   time=entry.time, type=str(message.get("type", "<no type>")) if is_dict
                   else None, text=_fields(message) if is_dict else format_message(message),
                   send_result=entry.result if isinstance(entry, Sent) else None,
                   rules=list(marks.get(entry.index, ())))


def format_message(message: Any, *, width: int = 48) -> str:
    """``http.request body=b'abc' more_body=True``; values are shortened to ``width`` chars."""
    if not isinstance(message, dict):
        return f"<not a dict: {type(message).__name__}> {_short(message, width)}"
    fields = _fields(message, width)
    return f"{message.get('type', '<no type>')}{' ' if fields else ''}{fields}"


def _fields(message: dict[str, Any], width: int = 48) -> str:
    """The message's keys other than "type", as ``key=repr(value)``."""
    return " ".join(f"{key}={_short(value, width)}" for key, value in message.items()
                    if key != "type")


def _short(value: Any, width: int) -> str:
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


# -- the facts a transcript records about how the call ended ------------------------------------

_MISSING = object()


def exception_chain(exc: BaseException) -> tuple[str, ...]:
    """The exception's type name, then those of its __cause__/__context__ chain."""
    names: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(names) < 8:
        seen.add(id(current))
        names.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    return tuple(names)


_OWN = str(Path(__file__).resolve().parent) + os.sep  # asgicheck's frames are not the app's
FRAMES = 8  # the innermost frames kept: where it raised, and what called it


def app_frames(exc: BaseException) -> tuple[Frame, ...]:
    """Where ``exc`` was raised: the frames of its traceback outside asgicheck (the driver's
    own come first, as it called the app), outermost first, the innermost ``FRAMES`` of them."""
    frames: list[Frame] = []
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if not code.co_filename.startswith(_OWN):
            frames.append((code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    return tuple(frames[-FRAMES:])


def _shown_path(filename: str) -> str:
    """A frame's file as a reader finds it: inside site-packages from there, inside the working
    directory relative to it, else whole."""
    _, found, inside = filename.rpartition("site-packages" + os.sep)
    if found:
        return inside
    cwd = os.getcwd() + os.sep
    return filename[len(cwd):] if filename.startswith(cwd) else filename


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    """The scope keys the app added, removed or replaced (GEN-MW-001)."""
    if before == after:
        return ()
    keys = set(before) | set(after)
    return tuple(sorted(k for k in keys if before.get(k, _MISSING) is not after.get(k, _MISSING)))
