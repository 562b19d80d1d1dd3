"""reference_app: a small, teaching-quality ASGI 3 web framework.

It grows from the "build your own ASGI framework" tutorial design (App, a segment-trie router,
ApiRouter, RequestData, BaseGlobalMiddleware, background tasks) and does the parts that design
leaves out correctly: ``more_body`` and ``http.disconnect``, HEAD, 405 with ``Allow``, body size
limits, lifespan, WebSockets, and the optional scope keys. Each module's docstring says which
ASGI messages it deals with and why. It never imports asgicheck, the tool that tests it.
"""

from reference_app.app import App
from reference_app.background import BackgroundTask, BackgroundTasks
from reference_app.datastructures import Headers, QueryParams
from reference_app.exceptions import (
    ClientDisconnect,
    HTTPException,
    RouteConflictError,
    WebSocketDisconnect,
)
from reference_app.files import FileResponse
from reference_app.middleware import (
    BaseGlobalMiddleware,
    ResponseHeaderMiddleware,
    TrustedHostMiddleware,
)
from reference_app.requests import Request
from reference_app.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from reference_app.routes import ApiRouter, Route
from reference_app.routing import Match, Router
from reference_app.websockets import WebSocket, WebSocketState

#: The tutorial's name for the request object.
RequestData = Request

__all__ = [
    "ApiRouter",
    "App",
    "BackgroundTask",
    "BackgroundTasks",
    "BaseGlobalMiddleware",
    "ClientDisconnect",
    "FileResponse",
    "HTMLResponse",
    "HTTPException",
    "Headers",
    "JSONResponse",
    "Match",
    "PlainTextResponse",
    "QueryParams",
    "RedirectResponse",
    "Request",
    "RequestData",
    "Response",
    "ResponseHeaderMiddleware",
    "Route",
    "RouteConflictError",
    "Router",
    "StreamingResponse",
    "TrustedHostMiddleware",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketState",
]
