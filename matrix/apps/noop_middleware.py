"""The most common middleware in the wild: a ``BaseHTTPMiddleware`` subclass that does nothing
but ``call_next`` (what ``@app.middleware("http")`` builds), as timing and logging middlewares
start out."""

from __future__ import annotations

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["NoOpMiddleware"]


class NoOpMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        return await call_next(request)
