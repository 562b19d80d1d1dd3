"""Responses. Each one is an ASGI app: ``await response(scope, receive, send)`` sends it.

An HTTP response is always the same conversation with the server (www.rst "Response Start" and
"Response Body"):

1. exactly one ``{"type": "http.response.start", "status": ..., "headers": [...]}``;
2. one or more ``{"type": "http.response.body", "body": ..., "more_body": ...}``, the last one
   with ``more_body`` False; then nothing else, ever.

The rules a server will not fix for you are enforced here, in one place:

* header names are lowercase bytes and values bytes; a value containing CR, LF or NUL is
  refused when the response is built (it would let a client-supplied value inject headers);
* ``content-length`` is computed from the body, so it always equals the bytes sent;
* no body bytes for HEAD requests or for 1xx/204/304 statuses (HEAD still gets the headers
  and length a GET would), and no ``content-length`` at all on 1xx/204/304;
* the app never frames the body itself: ``transfer-encoding`` is the server's business.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
from collections.abc import AsyncIterable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from reference_app.types import Receive, Scope, Send

__all__ = [
    "HTMLResponse",
    "JSONResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "Response",
    "StreamingResponse",
    "body_allowed",
    "encode_header",
    "length_allowed",
]

HeaderInput = Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]] | None
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9a-z]+")  # RFC 9110 field-name, lowercased
_FORBIDDEN_IN_VALUE = re.compile(rb"[\r\n\x00]")


def encode_header(name: str | bytes, value: str | bytes) -> tuple[bytes, bytes]:
    """One header as the ``(name, value)`` byte pair ASGI wants, or ValueError.

    www.rst "Response Start": "Header names must be lowercased"; both are byte strings.
    """
    raw_name = (name.encode("latin-1") if isinstance(name, str) else bytes(name)).lower()
    if isinstance(value, str):
        try:
            raw_value = value.encode("latin-1")
        except UnicodeEncodeError:
            raise ValueError(f"header {name!r}: value {value!r} is not latin-1") from None
    else:
        raw_value = bytes(value)
    if not _TOKEN.fullmatch(raw_name):
        raise ValueError(f"invalid header name {name!r}")
    if _FORBIDDEN_IN_VALUE.search(raw_value):
        raise ValueError(f"header {name!r}: CR, LF and NUL are not allowed in a value")
    if raw_name == b"transfer-encoding":
        raise ValueError("transfer-encoding is chosen by the server, not the app")
    return raw_name, raw_value.strip(b" \t")


def body_allowed(status: int, scope: Scope) -> bool:
    """May this response carry body bytes? Not for HEAD, nor for 1xx, 204 and 304."""
    return scope.get("method") != "HEAD" and status >= 200 and status not in (204, 304)


def length_allowed(status: int) -> bool:
    """May this status carry a ``content-length``? Not 1xx, 204 (RFC 9110 8.6) or 304 here."""
    return status >= 200 and status not in (204, 304)


@functools.lru_cache(maxsize=64)  # a handful of media types, built once instead of per response
def _content_type(media_type: str, charset: str) -> tuple[bytes, bytes]:
    if media_type.startswith("text/") and "charset=" not in media_type:
        media_type += f"; charset={charset}"
    return encode_header("content-type", media_type)


class Response:
    """Bytes (or text) with a status and headers. Subclasses change ``render``."""

    media_type: str | None = None
    charset = "utf-8"

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: HeaderInput = None,
        media_type: str | None = None,
    ) -> None:
        if not isinstance(status_code, int) or isinstance(status_code, bool):
            raise TypeError(f"status_code must be an int, got {status_code!r}")
        if not 100 <= status_code <= 599:
            raise ValueError(f"status_code {status_code} is not an HTTP status")
        self.status_code = status_code
        self.body = self.render(content)
        self.raw_headers: list[tuple[bytes, bytes]] = []
        items = headers.items() if isinstance(headers, Mapping) else (headers or ())
        for name, value in items:
            self.append_header(name, value)
        media_type = media_type or self.media_type
        if media_type is not None and not (self.raw_headers and self.has_header("content-type")):
            self.raw_headers.append(_content_type(media_type, self.charset))

    def render(self, content: Any) -> bytes:
        if content is None:
            return b""
        if isinstance(content, bytes):
            return content
        if isinstance(content, str):
            return content.encode(self.charset)
        raise TypeError(f"{type(self).__name__} takes bytes or str, got {type(content).__name__}")

    # -- headers ---------------------------------------------------------------------
    def has_header(self, name: str) -> bool:
        wanted = name.lower().encode("latin-1")
        return any(n == wanted for n, _ in self.raw_headers)

    def append_header(self, name: str | bytes, value: str | bytes) -> None:
        """Add a header, keeping existing ones of the same name (e.g. ``set-cookie``)."""
        pair = encode_header(name, value)
        if pair[0] != b"content-length":  # always computed from what is actually sent
            self.raw_headers.append(pair)

    def set_header(self, name: str | bytes, value: str | bytes) -> None:
        """Set a header, replacing every existing one of the same name."""
        pair = encode_header(name, value)
        self.raw_headers = [h for h in self.raw_headers if h[0] != pair[0]]
        if pair[0] != b"content-length":
            self.raw_headers.append(pair)

    # -- sending -----------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = self.raw_headers
        if length_allowed(self.status_code):
            headers = [*headers, (b"content-length", str(len(self.body)).encode("ascii"))]
        await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
        body = self.body if body_allowed(self.status_code, scope) else b""
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status_code}>"


class PlainTextResponse(Response):
    media_type = "text/plain"


class HTMLResponse(Response):
    media_type = "text/html"


class JSONResponse(Response):
    """Any JSON-serialisable value, as compact UTF-8 JSON; NaN and infinity are refused."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode("utf-8")


class RedirectResponse(Response):
    """Send the client elsewhere: 307 keeps the method and body, 303 switches to GET."""

    def __init__(self, url: str, status_code: int = 307, headers: HeaderInput = None) -> None:
        if status_code not in (301, 302, 303, 307, 308):
            raise ValueError(f"{status_code} is not a redirect status")
        super().__init__(None, status_code, headers)
        # Non-ASCII or spaces in a URL must be percent-encoded to fit in a header.
        self.set_header("location", quote(url, safe=":/%#?=@[]!$&'()*+,;~"))


Content = AsyncIterable[str | bytes] | Iterable[str | bytes]


class StreamingResponse(Response):
    """A body produced piece by piece by an (async) iterator, e.g. a generator.

    The length is unknown up front, so there is no ``content-length`` (the server picks chunked
    encoding). While streaming, two things can mean the client has gone, and both stop the
    stream at once: ``receive()`` returning ``http.disconnect``, which every server sends, and
    ``send()`` raising ``OSError``, which only servers at spec 2.4+ do ("Disconnected Client -
    send exception"). Watching only ``send()`` would stream forever to a dead client on a 2.3
    server; watching only ``receive()`` would miss a failed write.
    """

    def __init__(
        self,
        content: Content,
        status_code: int = 200,
        headers: HeaderInput = None,
        media_type: str | None = None,
    ) -> None:
        super().__init__(None, status_code, headers, media_type)
        self.content = content

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = self.raw_headers  # no content-length: the length is not known in advance
        await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
        if not body_allowed(self.status_code, scope):
            await _close(self.content)  # never started, but release what it holds
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        gone = asyncio.Event()  # set by the watcher; checked before every send
        streaming = asyncio.ensure_future(self._stream(send, gone))
        watching = asyncio.ensure_future(_wait_for_disconnect(receive, gone))
        try:
            await asyncio.wait({streaming, watching}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            streaming.cancel()  # if the client left first, stop producing
            watching.cancel()
            await asyncio.gather(streaming, watching, return_exceptions=True)
        if not streaming.cancelled() and streaming.exception() is not None:
            # The start is already sent: no second response, and no fake clean end either.
            raise streaming.exception()  # type: ignore[misc]

    async def _stream(self, send: Send, gone: asyncio.Event) -> None:
        try:
            if isinstance(self.content, AsyncIterable):
                async for chunk in self.content:
                    if not await self._send_body(send, gone, chunk, more_body=True):
                        return
            else:
                # A plain iterator may block (a file, a database cursor): step it in a thread.
                iterator = iter(self.content)
                while (item := await asyncio.to_thread(_next_or_done, iterator)) is not _DONE:
                    if not await self._send_body(send, gone, item, more_body=True):  # type: ignore[arg-type]
                        return
            await self._send_body(send, gone, b"", more_body=False)
        finally:
            await _close(self.content)

    async def _send_body(
        self, send: Send, gone: asyncio.Event, chunk: str | bytes, more_body: bool
    ) -> bool:
        """Send one body message; False once the client has gone."""
        data = chunk.encode(self.charset) if isinstance(chunk, str) else chunk
        if more_body and not data:
            return True  # an empty chunk says nothing; only the final message ends the body
        if gone.is_set():
            return False  # the watcher saw http.disconnect: sending now would be pointless
        try:
            await send({"type": "http.response.body", "body": data, "more_body": more_body})
        except OSError:
            return False  # spec 2.4+ servers raise once the client has gone
        return True


_DONE = object()


def _next_or_done(iterator: Iterator[str | bytes]) -> str | bytes | object:
    return next(iterator, _DONE)


async def _wait_for_disconnect(receive: Receive, gone: asyncio.Event) -> None:
    while (await receive()).get("type") != "http.disconnect":
        pass  # http.request chunks nobody asked for, or unknown events: keep listening
    gone.set()


async def _close(content: Any) -> None:
    aclose = getattr(content, "aclose", None)
    if aclose is not None:
        await aclose()
    elif callable(getattr(content, "close", None)):
        with contextlib.suppress(ValueError):  # "generator already executing" in a thread
            content.close()
