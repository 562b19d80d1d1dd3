"""Turning exceptions into responses: error handlers per exception type, and the last-resort 500.

``app.add_error_handler(SomeError, handler)`` registers ``async handler(request, exc) ->
Response``. The most specific registered class wins (the exception's MRO is walked), so a
handler for ``LookupError`` also catches ``KeyError`` unless ``KeyError`` has its own.
``HTTPException`` has a default handler that answers ``{"detail": ...}`` as JSON.

Anything else becomes a 500. Its body never contains the traceback unless the app runs with
``debug=True``: a traceback tells an attacker which code, paths and versions you run. The
traceback always goes to the log.

All of this only applies *before* the response has started. Once ``http.response.start`` has
been sent the status is committed, so the app re-raises instead of starting a second response
(see ``App._respond``).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from reference_app.exceptions import HTTPException
from reference_app.responses import JSONResponse, PlainTextResponse, Response

__all__ = ["ErrorHandler", "find_error_handler", "http_exception_handler", "server_error"]

logger = logging.getLogger("reference_app")

ErrorHandler = Callable[[Any, Exception], Awaitable[Response]]


async def http_exception_handler(request: Any, exc: Exception) -> Response:
    """The default answer to ``raise HTTPException(status, detail)``."""
    assert isinstance(exc, HTTPException)
    # For 204/304 the body is dropped by Response itself; the headers still matter (e.g. Allow).
    return JSONResponse({"detail": exc.detail}, exc.status_code, exc.headers)


def find_error_handler(
    handlers: Mapping[type[BaseException], ErrorHandler], exc: BaseException
) -> ErrorHandler | None:
    for cls in type(exc).__mro__:
        handler = handlers.get(cls)
        if handler is not None:
            return handler
    return None


def server_error(exc: BaseException, debug: bool) -> Response:
    """The 500 for an exception nobody handled; logs it with its traceback."""
    logger.error("unhandled exception while serving a request", exc_info=exc)
    if debug:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return PlainTextResponse(text, status_code=500)
    return PlainTextResponse("Internal Server Error", status_code=500)
