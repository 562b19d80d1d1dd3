"""What a live server logged: a handler on its loggers that keeps the records of one server
thread, so a transcript can show "Exception in ASGI application" next to the exchange that
caused it, and a failed start can end with the server's log tail.

The handler is attached to the server's own loggers (``uvicorn.error``, ``hypercorn.error``,
...) for as long as the server runs and removed when it stops. Records are kept only when they
come from the server's thread, so two servers running at once do not mix their logs.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections import deque
from dataclasses import dataclass

__all__ = ["LogCapture", "LogLine", "collapse"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LogLine:
    seq: int
    level: int
    logger: str
    message: str
    exception: str = ""  # the last lines of the traceback, when the record carried one

    @property
    def is_error(self) -> bool:
        return self.level >= logging.ERROR

    def render(self, *, traceback_lines: int = 1) -> str:
        text = f"{logging.getLevelName(self.level)} {self.logger}: {self.message}"
        if self.exception and traceback_lines:
            lines = [line for line in self.exception.rstrip().splitlines()
                     if line.strip(" ^~")][-traceback_lines:]
            text += "".join(f"\n    {line}" for line in lines)
        return text


def collapse(lines: list[LogLine], *, traceback_lines: int = 2) -> list[str]:
    """The lines rendered, a run of identical ones shown once with its count."""
    out: list[str] = []
    previous, count = "", 0
    for line in lines:
        text = line.render(traceback_lines=traceback_lines)
        if text == previous:
            count += 1
            continue
        if count > 1:
            out[-1] += f"  (x{count})"
        out.append(text)
        previous, count = text, 1
    if count > 1:
        out[-1] += f"  (x{count})"
    return out


class LogCapture(logging.Handler):
    """Keeps the last ``keep`` records the thread named ``thread_name`` logged."""

    def __init__(self, thread_name: str, loggers: tuple[str, ...], *, keep: int = 500) -> None:
        super().__init__(level=logging.DEBUG)
        self.thread_name = thread_name
        self.logger_names = loggers
        self._lines: deque[LogLine] = deque(maxlen=keep)
        self._seq = 0
        self._lock_lines = threading.Lock()
        self._last: logging.LogRecord | None = None  # a record met again on a parent logger

    def attach(self) -> None:
        for name in self.logger_names:
            logging.getLogger(name).addHandler(self)

    def detach(self) -> None:
        for name in self.logger_names:
            logging.getLogger(name).removeHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        if record.threadName != self.thread_name or record is self._last:
            return
        self._last = record
        try:
            message = record.getMessage().rstrip()
        except Exception:  # a bad format string in someone's log call
            message = repr(record.msg)
        exception = ""
        if record.exc_info and record.exc_info[1] is not None:
            exception = "".join(traceback.format_exception(*record.exc_info))
        with self._lock_lines:
            self._seq += 1
            self._lines.append(LogLine(seq=self._seq, level=record.levelno,
                                       logger=record.name, message=message,
                                       exception=exception))

    @property
    def mark(self) -> int:
        """A position: ``since(mark)`` gives what was logged after it."""
        with self._lock_lines:
            return self._seq

    def since(self, mark: int) -> list[LogLine]:
        with self._lock_lines:
            return [line for line in self._lines if line.seq > mark]

    def tail(self, count: int = 15) -> str:
        """The last records as text, with full tracebacks (for a failed start)."""
        with self._lock_lines:
            lines = list(self._lines)[-count:]
        if not lines:
            return "(the server logged nothing)"
        return "\n".join(line.render(traceback_lines=12) for line in lines)
