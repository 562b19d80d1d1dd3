"""Lifespan exchanges that break exactly one rule each, and conformant ones that break none."""

from __future__ import annotations

from typing import Any

from cases import Case, Step, bad, good, lifespan_scope


def recv(kind: str) -> Step:
    return ("recv", {"type": kind})


def send(kind: str, **keys: Any) -> Step:
    return ("send", {"type": kind, **keys})


def raises(exc: BaseException) -> Step:
    return ("raise", exc)


STARTUP = recv("lifespan.startup")
SHUTDOWN = recv("lifespan.shutdown")
STARTED = send("lifespan.startup.complete")
START_FAILED = send("lifespan.startup.failed", message="database unreachable")
STOPPED = send("lifespan.shutdown.complete")
STOP_FAILED = send("lifespan.shutdown.failed", message="pool did not drain")
DONE: Step = ("return", None)
LS = lifespan_scope

CASES: list[Case] = [
    bad("LS-SEND-001", LS(), STARTUP, DONE),
    bad("LS-SEND-002", LS(), STARTED, STARTUP, STARTED, SHUTDOWN, STOPPED, DONE,
        note="before-startup"),
    # litestar#3315: startup.failed after startup.complete.
    bad("LS-SEND-002", LS(), STARTUP, STARTED, START_FAILED, SHUTDOWN, STOPPED, DONE,
        note="failed-after-complete"),
    bad("LS-SEND-002", LS(), STARTUP, STARTED, STARTED, SHUTDOWN, STOPPED, DONE, note="twice"),
    bad("LS-SEND-002", LS(), STARTUP, STARTED, SHUTDOWN, STARTED, STOPPED, DONE,
        note="during-shutdown"),
    bad("LS-SEND-003", LS(), STARTUP, send("lifespan.startup.failed", message=b"boom"), DONE),
    bad("LS-SEND-003", LS(), STARTUP, STARTED, SHUTDOWN,
        send("lifespan.shutdown.failed", message=None), DONE, note="shutdown-none"),
    bad("LS-SEND-004", LS(), STARTUP, STARTED, SHUTDOWN, DONE),
    bad("LS-SEND-004", LS(), STARTUP, STARTED, SHUTDOWN, STOPPED, STOP_FAILED, DONE,
        note="twice"),
    # uvicorn#2308: a background task died and the app reported it unprompted.
    bad("LS-SEND-005", LS(), STARTUP, STARTED, STOP_FAILED, SHUTDOWN, STOPPED, DONE),
    bad("LS-SEND-005", LS(), STARTUP, STOPPED, STARTED, SHUTDOWN, STOPPED, DONE,
        note="during-startup"),
    bad("LS-SEND-006", LS(), STARTUP, send("http.response.start", status=200), STARTED,
        SHUTDOWN, STOPPED, DONE),
    bad("LS-SEND-006", LS(), STARTUP, send("lifespan.startup"), STARTED, SHUTDOWN, STOPPED,
        DONE, note="event-type-sent"),
    bad("LS-APP-002", LS(), STARTUP, raises(RuntimeError("cannot connect"))),
    bad("LS-APP-002", LS(), STARTUP, STARTED, raises(RuntimeError("task died")),
        note="after-startup-complete"),
    bad("LS-APP-002", LS(), STARTUP, STARTED, SHUTDOWN, raises(RuntimeError("close failed")),
        note="during-shutdown"),
    bad("LS-APP-003", LS(), STARTUP, STARTED, SHUTDOWN, STOPPED, raises(RuntimeError("late"))),
    bad("LS-SRV-004", LS(), STARTUP, STARTED, STARTUP, SHUTDOWN, STOPPED, DONE,
        note="startup-twice"),
    bad("LS-SRV-004", LS(), SHUTDOWN, DONE, note="shutdown-first"),
    bad("LS-SRV-004", LS(), STARTUP, SHUTDOWN, START_FAILED, DONE,
        note="shutdown-before-startup-answered"),
    bad("LS-SRV-004", LS(), STARTUP, STARTED, SHUTDOWN, STOPPED, SHUTDOWN, DONE,
        note="shutdown-twice"),
]

CASES += [
    good("full-cycle", LS(), STARTUP, STARTED, SHUTDOWN, STOPPED, DONE),
    good("startup-failed", LS(), STARTUP, START_FAILED, DONE),
    good("startup-failed-no-message", LS(), STARTUP, send("lifespan.startup.failed"), DONE),
    # Starlette re-raises after sending startup.failed: the server already has its answer.
    good("startup-failed-then-raise", LS(), STARTUP, START_FAILED,
         raises(RuntimeError("db down"))),
    good("startup-failed-then-shutdown", LS(), STARTUP, START_FAILED, SHUTDOWN, STOPPED, DONE),
    good("shutdown-failed", LS(), STARTUP, STARTED, SHUTDOWN, STOP_FAILED, DONE),
    good("shutdown-failed-then-raise", LS(), STARTUP, STARTED, SHUTDOWN, STOP_FAILED,
         raises(RuntimeError("pool"))),
    # lifespan.rst "Scope": raising on the lifespan scope is how an app declines it.
    good("declines-by-raising", LS(), raises(ValueError("unsupported scope type 'lifespan'"))),
    good("returns-before-startup", LS(), DONE),
    good("returns-early-after-startup", LS(), STARTUP, STARTED, DONE),
    good("no-state-no-spec-version", {"type": "lifespan", "asgi": {"version": "3.0"}},
         STARTUP, STARTED, SHUTDOWN, STOPPED, DONE),
    good("spec-1.0", LS(asgi={"version": "3.0", "spec_version": "1.0"}), STARTUP, STARTED,
         SHUTDOWN, STOPPED, DONE),
    good("custom-event-ignored", LS(), STARTUP, recv("myapp.reload"), STARTED, SHUTDOWN,
         STOPPED, DONE),
]
