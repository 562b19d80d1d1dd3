"""The ASGI surface, kept visible: the aliases every asgicheck module speaks in.

Messages stay plain dicts on purpose: a malformed dict is exactly what asgicheck exists to catch,
so nothing here pretends a message is better typed than the app made it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["ASGIApp", "Message", "Receive", "Scope", "Send"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
