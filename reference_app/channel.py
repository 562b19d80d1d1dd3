"""The one reader of an HTTP connection's ``receive()``.

Several parts of an app want events from ``receive()`` at once: the handler reading the body,
``request.is_disconnected()``, and a streaming response watching for ``http.disconnect``. If each
called ``receive()`` on its own, they would steal events from one another: a body chunk taken by
the disconnect watcher is lost to the handler (a real Starlette/asgiref bug, H3 in the bug list),
and two concurrent ``receive()`` calls are not something a server has to support.

So every consumer goes through one ``ReceiveChannel``. It keeps at most one ``receive()`` in
flight, shared by everyone waiting, and *files* each event as it arrives:

* ``http.request`` (www.rst "Request - receive event"): the chunk goes into a buffer for the
  body reader. ``body`` and ``more_body`` are optional (defaults ``b""`` and ``False``); empty
  chunks are legal and skipped; ``more_body=False`` completes the body.
* ``http.disconnect``: remembered for good. The server sends it when the client leaves, at any
  moment, and on every ``receive()`` after the response; we never ask again after seeing it.
* anything else: an event type we do not know. Servers may add their own, and the spec asks
  apps to tolerate them, so it is ignored.

Consumers never look at the events themselves; they look at the filed state (``disconnected``,
``body_complete``, the chunk buffer) and call ``receive()`` only to make progress.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from reference_app.types import Message, Receive

__all__ = ["ReceiveChannel"]


class ReceiveChannel:
    __slots__ = (
        "_receive",
        "_in_flight",
        "_chunks",
        "_received",
        "max_body_size",
        "body_complete",
        "disconnected",
        "too_large",
    )

    def __init__(self, receive: Receive, max_body_size: int | None = None) -> None:
        self._receive = receive
        self._in_flight: asyncio.Task[Message] | None = None
        self._chunks: deque[bytes] = deque()
        self._received = 0
        #: Bytes of body kept at most; past it the chunks are dropped and ``too_large`` is set.
        self.max_body_size = max_body_size
        self.body_complete = False
        self.disconnected = False
        self.too_large = False

    async def receive(self) -> Message:
        """Wait for the next event and file it; concurrent callers share the same event.

        This is also a valid ASGI ``receive`` callable, which is how a streaming response
        watches for disconnects without taking body chunks away from the handler.
        """
        if self.disconnected:
            return {"type": "http.disconnect"}
        task = self._in_flight
        if task is None or task.done():
            task = self._in_flight = asyncio.ensure_future(self._receive_and_file())
        # shield: a consumer that gets cancelled must not cancel the receive others wait on.
        return await asyncio.shield(task)

    async def poll(self) -> None:
        """Let an event that is already waiting at the server be filed, without blocking."""
        if self.disconnected:
            return
        if self._in_flight is None or self._in_flight.done():
            self._in_flight = asyncio.ensure_future(self._receive_and_file())
        await asyncio.sleep(0)  # one loop step: an event that is ready gets filed now

    @property
    def receiving(self) -> bool:
        """Is a ``receive()`` still in flight (so ``aclose`` has something to cancel)?"""
        return self._in_flight is not None and not self._in_flight.done()

    def take_chunk(self) -> bytes | None:
        """The oldest unread body chunk, or None if none is buffered."""
        return self._chunks.popleft() if self._chunks else None

    async def aclose(self) -> None:
        """Cancel a ``receive()`` still in flight; called once the exchange is over."""
        task, self._in_flight = self._in_flight, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _receive_and_file(self) -> Message:
        message = await self._receive()
        kind = message.get("type")
        if kind == "http.request":
            self._file_body(message)
        elif kind == "http.disconnect":
            self.disconnected = True
        return message

    def _file_body(self, message: Message) -> None:
        if self.body_complete:
            return  # a server must not send more body after the end; ignore rather than crash
        chunk = message.get("body") or b""
        if type(chunk) is not bytes:
            # asgi.rst "Error Handling": an invalid event should raise, not be half-understood.
            raise TypeError(f"http.request 'body' must be bytes, got {type(chunk).__name__}")
        if not message.get("more_body", False):
            self.body_complete = True
        if not chunk:
            return
        self._received += len(chunk)
        if self.max_body_size is not None and self._received > self.max_body_size:
            self.too_large = True  # stop keeping chunks: memory stays bounded by the limit
            self._chunks.clear()
        else:
            self._chunks.append(chunk)
