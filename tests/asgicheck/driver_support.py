"""Helpers shared by the driver's tests (test_driver*.py)."""

from __future__ import annotations

from typing import Any

from asgicheck.transcript import Transcript

Events = list[dict[str, Any]]


def rules(t: Transcript) -> set[str]:
    return {v.rule for v in t.violations}


def events(t: Transcript) -> Events:
    return t.received


def echo_app(log: Events | None = None) -> Any:
    """Reads the whole body (recording every event), echoes it, then waits for the disconnect."""
    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            if log is not None:
                log.append(message)
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
        last = await receive()
        if log is not None:
            log.append(last)
    return app
