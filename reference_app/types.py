"""The ASGI surface in five names, so every other module can say what it passes around.

An ASGI application is ``async def app(scope, receive, send) -> None``:

* ``scope`` describes one connection (an HTTP request, a WebSocket, or the lifespan of the
  server). It is a plain dict; its keys are listed in the spec's www.rst and lifespan.rst.
* ``receive()`` returns the next *event* from the server, e.g. ``{"type": "http.request",
  "body": b"...", "more_body": False}``.
* ``send(message)`` hands a *message* to the server, e.g. ``{"type": "http.response.start",
  "status": 200, "headers": [...]}``.

Messages stay plain dicts on purpose: that is what goes over the wire between server and app,
and a learner should see exactly those dicts (responses.py writes them out literally).
reference_app keeps its own aliases rather than importing asgicheck's or asgiref's, so the
framework has no dependency on the tools that test it.
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
