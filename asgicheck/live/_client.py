"""The network side of live mode: an HTTP client (httpx) and a WebSocket client (the
``websockets`` sync client), set up so they talk only to the live server on 127.0.0.1.

Both ignore proxy settings from the environment (``trust_env=False``, ``proxy=None``), follow
no redirects, and carry a timeout on every operation, so no exchange can hang a run.
"""

from __future__ import annotations

import inspect
import ssl
from functools import cache
from typing import Any

import httpx
from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

__all__ = ["CLIENT_ERRORS", "close_code", "handshake_status", "http_client", "ws_connect"]

# What the clients raise when the other end misbehaves, times out or goes away.
CLIENT_ERRORS: tuple[type[BaseException], ...] = (
    httpx.HTTPError, httpx.StreamError, WebSocketException, OSError)


@cache
def _tls_context() -> ssl.SSLContext:
    # Live servers speak plain HTTP; httpx wants a context anyway, and building its default
    # one (loading the CA store) costs ~80 ms per client. This one is never used.
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def http_client(base_url: str, timeout: float) -> httpx.Client:
    return httpx.Client(base_url=base_url, trust_env=False, follow_redirects=False,
                        timeout=httpx.Timeout(timeout), verify=_tls_context())


@cache
def _connect_parameters() -> frozenset[str]:
    return frozenset(inspect.signature(connect).parameters)


def ws_connect(url: str, timeout: float, *, subprotocols: tuple[str, ...] = (),
               headers: tuple[tuple[bytes, bytes], ...] = ()) -> ClientConnection:
    """Open a WebSocket to ``url`` (the handshake bounded by ``timeout``). The caller closes it.

    Keyword arguments that older ``websockets`` releases lack are left out.
    """
    wanted: dict[str, Any] = {
        "open_timeout": timeout, "close_timeout": timeout, "compression": None,
        "ping_interval": None, "proxy": None, "legacy": True,
        "subprotocols": list(subprotocols) or None,
        "additional_headers": [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers]
        or None,
    }
    accepted = _connect_parameters()
    connection = connect(url, **{k: v for k, v in wanted.items() if k in accepted})
    assert isinstance(connection, ClientConnection)
    return connection


def close_code(exc: BaseException) -> tuple[int | None, str]:
    """The close code and reason the peer sent, from a ``ConnectionClosed`` (None: no frame)."""
    received = getattr(exc, "rcvd", None)
    if received is None:
        return None, ""
    return int(received.code), str(received.reason)


def handshake_status(exc: BaseException) -> int | None:
    """The HTTP status of a refused WebSocket handshake, from the client's exception."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(status, int):
        return status
    legacy = getattr(exc, "status_code", None)
    return legacy if isinstance(legacy, int) else None
