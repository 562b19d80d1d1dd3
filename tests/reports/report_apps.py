"""Apps for the report tests, copied into each run's directory as ``report_apps.py``
(with ``asgi_blocks.py``).

``broken`` breaks MUST rules with attacker-ish values (a ``<script>`` header value and body),
and a SHOULD rule when the client disconnects first; ``good`` follows the spec.
"""

from __future__ import annotations

from typing import Any

from asgi_blocks import lifespan, read_body

SCRIPT = "<script>alert('asgicheck')</script>"


async def good(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
    elif scope["type"] == "http":
        if await read_body(receive) is not None:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/plain"),
                                    (b"content-length", b"2")]})
            await send({"type": "http.response.body",
                        "body": b"ok" if scope["method"] != "HEAD" else b""})
    elif scope["type"] == "websocket":
        if (await receive())["type"] == "websocket.connect":
            await send({"type": "websocket.close", "code": 1000})
    else:
        raise NotImplementedError(scope["type"])


async def broken(scope: Any, receive: Any, send: Any) -> None:
    """HTTP-SEND-008 (upper-case header name) and HTTP-SEND-011 (a str body) on every request;
    when the client left first, a retry after the failed send() (HTTP-RECV-005, a warning)."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    start = {"type": "http.response.start", "status": 200,
             "headers": [(b"X-Script", SCRIPT.encode())]}
    try:
        await send(start)
    except OSError:
        pass  # the client has gone; the body below is the retry
    await send({"type": "http.response.body", "body": SCRIPT})
