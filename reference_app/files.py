"""``FileResponse``: send a file from disk, letting the server do it when it can.

If the server advertises the *Path Send* extension (``"http.response.pathsend"`` in
``scope["extensions"]``, see extensions.rst), the app sends the start message and then
``{"type": "http.response.pathsend", "path": <absolute path>}`` and the server copies the file
itself, often with ``sendfile``. That message replaces the body messages entirely, and the app
must still send ``content-type`` and ``content-length``.

Otherwise the app reads the file in chunks and sends ordinary ``http.response.body`` messages.
Reads run in a worker thread: disk I/O on the event loop would stall every other connection.
Sending an extension message to a server that did not advertise it is an error
(GEN-APP-015 in asgi-rules.md), which is why the check comes first.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import stat
from email.utils import formatdate
from typing import BinaryIO

from reference_app import scopes
from reference_app.exceptions import HTTPException
from reference_app.responses import HeaderInput, Response, body_allowed, length_allowed
from reference_app.types import Receive, Scope, Send

__all__ = ["FileResponse"]


class FileResponse(Response):
    chunk_size = 64 * 1024

    def __init__(
        self,
        path: str | os.PathLike[str],
        status_code: int = 200,
        headers: HeaderInput = None,
        media_type: str | None = None,
        filename: str | None = None,
    ) -> None:
        self.path = os.path.abspath(path)  # pathsend wants an absolute path
        guessed = mimetypes.guess_type(filename or self.path)[0]
        super().__init__(None, status_code, headers, media_type or guessed or "text/plain")
        if filename is not None:
            self.set_header("content-disposition", f'attachment; filename="{filename}"')

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Open before sending anything: a missing or unreadable file can still become an
        # ordinary 404 answer, which is impossible once http.response.start has gone out.
        try:
            file: BinaryIO = await asyncio.to_thread(open, self.path, "rb")
        except OSError:
            raise HTTPException(404, "file not found") from None
        try:
            info = await asyncio.to_thread(os.fstat, file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise HTTPException(404, "file not found")
            headers = [
                *self.raw_headers,
                (b"last-modified", formatdate(info.st_mtime, usegmt=True).encode("ascii")),
            ]
            if length_allowed(self.status_code):
                headers.append((b"content-length", str(info.st_size).encode("ascii")))
            await send(
                {"type": "http.response.start", "status": self.status_code, "headers": headers}
            )
            if not body_allowed(self.status_code, scope) or info.st_size == 0:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            elif "http.response.pathsend" in scopes.extensions(scope):
                await send({"type": "http.response.pathsend", "path": self.path})
            else:
                await self._send_chunks(send, file, info.st_size)
        finally:
            await asyncio.to_thread(file.close)

    async def _send_chunks(self, send: Send, file: BinaryIO, size: int) -> None:
        remaining = size
        while remaining > 0:
            chunk = await asyncio.to_thread(file.read, min(self.chunk_size, remaining))
            if not chunk:
                # The file shrank after we announced its length; the response cannot be
                # completed honestly, so fail loudly instead of sending a short body.
                raise RuntimeError(f"{self.path} shrank while it was being sent")
            remaining -= len(chunk)
            message = {"type": "http.response.body", "body": chunk, "more_body": remaining > 0}
            try:
                await send(message)
            except OSError:
                return  # the client has gone (spec 2.4 servers raise on a closed connection)
