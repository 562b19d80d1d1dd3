"""``http_scopes()`` and ``websocket_scopes()``: whole scopes, their parts drawn as programs."""

from __future__ import annotations

from functools import partial
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from asgicheck.strategies._headers import _decode_headers
from asgicheck.strategies._paths import _decode_path
from asgicheck.strategies._programs import (
    _check_version,
    _programs,
)
from asgicheck.strategies._queries import _decode_query

__all__ = ["METHODS", "http_scopes", "websocket_scopes"]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

# -- scopes -----------------------------------------------------------------------------------


def _scope(kind: str, path: str, raw_path: bytes, query: bytes, headers: list[list[bytes]],
           spec_version: str, **more: Any) -> dict[str, Any]:
    return {
        "type": kind, "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1", "scheme": "http" if kind == "http" else "ws", "path": path,
        "raw_path": raw_path, "query_string": query, "root_path": "", "headers": headers,
        "client": ["127.0.0.1", 50000], "server": ["testserver", 80], **more,
    }


_DEFAULT_PATH = partial(_decode_path, max_segments=6, unicode=True, allow_empty=True,
                        allow_dots=False, encoded_slashes=True)
_DEFAULT_QUERY = partial(_decode_query, max_pairs=5, allow_invalid_utf8=True, allow_blank=True)
_DEFAULT_HEADERS = partial(_decode_headers, max_headers=6, mixed_case=False, duplicates=True,
                           latin1=True, host=b"testserver")
_PATH_PROGRAMS = _programs(4, 24)  # what paths(), query_strings() and header_lists() draw
_QUERY_PROGRAMS = _programs(4, 30)
_HEADER_PROGRAMS = _programs(6, 48)
_METHODS = st.sampled_from(METHODS)


@st.composite
def _http_scopes(draw: st.DrawFn, methods: SearchStrategy[str] | None,
                 paths: SearchStrategy[tuple[str, bytes]] | None,
                 queries: SearchStrategy[bytes] | None,
                 headers: SearchStrategy[list[list[bytes]]] | None,
                 spec_version: str) -> dict[str, Any]:
    # The defaults are drawn as their programs and decoded here: one choice each, no span
    # for a .map() around it.
    method = draw(methods if methods is not None else _METHODS)
    path, raw_path = draw(paths) if paths is not None else _DEFAULT_PATH(draw(_PATH_PROGRAMS))
    query = draw(queries) if queries is not None else _DEFAULT_QUERY(draw(_QUERY_PROGRAMS))
    hdrs = draw(headers) if headers is not None else _DEFAULT_HEADERS(draw(_HEADER_PROGRAMS))
    return _scope("http", path, raw_path, query, hdrs, spec_version, method=method)


def http_scopes(*, methods: SearchStrategy[str] | None = None,
                paths: SearchStrategy[tuple[str, bytes]] | None = None,
                query_strings: SearchStrategy[bytes] | None = None,
                headers: SearchStrategy[list[list[bytes]]] | None = None,
                spec_version: str = "2.4") -> SearchStrategy[dict[str, Any]]:
    """Complete, spec-valid ``http`` scopes: a method, ``paths()``, ``query_strings()`` and
    ``header_lists()`` with their defaults. Each part can be replaced by a strategy of your own
    (``paths=st.just(("/items/1", b"/items/1"))``). Shrinks toward ``GET /``.
    """
    _check_version(spec_version)
    return _http_scopes(methods, paths, query_strings, headers, spec_version)


# Subprotocols are tokens: bytes 01-60 pick one (three bytes each; a repeated pick is dropped,
# two at most), the others do nothing. (Eight bytes where two would do: Hypothesis generates
# a bounded two-byte string after another draw three times slower.)
_SUBPROTOCOLS = ("chat", "json", "v1", "v2", "graphql-ws", "graphql-transport-ws", "mqtt",
                 "wamp.2.json", "soap", "xmpp", "v12.stomp", "ocpp1.6", "x", "a", "b",
                 "superchat", "echo-protocol", "binary", "base64", "sip", "msrp",
                 "actioncable-v1-json", "ws", "p1", "p-2", "0", "9", "abc", "zzz", "a-b-c",
                 "v1.chat.example", "wss")
_SUBPROTOCOL_PROGRAMS = st.binary(max_size=8)


def _decode_subprotocols(program: bytes) -> list[str]:
    picked = dict.fromkeys(_SUBPROTOCOLS[(b - 1) % 32] for b in program if 0 < b <= 0x60)
    return list(picked)[:2]


@st.composite
def _websocket_scopes(draw: st.DrawFn, paths: SearchStrategy[tuple[str, bytes]] | None,
                      subprotocols: SearchStrategy[list[str]] | None,
                      spec_version: str) -> dict[str, Any]:
    path, raw_path = draw(paths) if paths is not None else _DEFAULT_PATH(draw(_PATH_PROGRAMS))
    protocols = draw(subprotocols) if subprotocols is not None else _decode_subprotocols(
        draw(_SUBPROTOCOL_PROGRAMS))
    return _scope("websocket", path, raw_path, b"", [[b"host", b"testserver"]], spec_version,
                  subprotocols=protocols)


def websocket_scopes(*, paths: SearchStrategy[tuple[str, bytes]] | None = None,
                     subprotocols: SearchStrategy[list[str]] | None = None,
                     spec_version: str = "2.4") -> SearchStrategy[dict[str, Any]]:
    """Complete, spec-valid ``websocket`` scopes; shrinks toward ``/`` with no subprotocols."""
    _check_version(spec_version)
    return _websocket_scopes(paths, subprotocols, spec_version)
