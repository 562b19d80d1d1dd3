"""``http_scopes()``, ``websocket_scopes()`` and ``websocket_sessions()``: whole scopes, their parts
drawn as programs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from asgicheck.strategies._headers import _decode_headers
from asgicheck.strategies._messages import _decode_messages
from asgicheck.strategies._paths import _decode_path
from asgicheck.strategies._programs import (
    _PATH_SAFE,
    _check_size,
    _check_version,
    _Programs,
    _programs,
)
from asgicheck.strategies._queries import _decode_query
from asgicheck.strategies._requests import METHODS, Parts, request_programs, scope

__all__ = ["METHODS", "http_scopes", "websocket_scopes", "websocket_sessions"]

# -- scopes -----------------------------------------------------------------------------------

_DEFAULT_PATH = partial(_decode_path, max_segments=6, unicode=True, allow_empty=True,
                        allow_dots=False, encoded_slashes=True)
_DEFAULTS = Parts(_DEFAULT_PATH, partial(_decode_query, max_pairs=5, allow_invalid_utf8=True,
                                         allow_blank=True),
                  partial(_decode_headers, max_headers=6, mixed_case=False, duplicates=True,
                          latin1=True, host=b"testserver"))
_OFFERED = 3  # the bytes of a websocket program that say which subprotocols are offered
# subprotocols, then what paths() draws
_WS_PROGRAMS = _programs("websocket", 4, 24, prefix=_OFFERED)
_REQUEST_PROGRAMS = request_programs()
_METHODS = st.sampled_from(METHODS)


@st.composite
def _http_scopes(draw: st.DrawFn, methods: SearchStrategy[str] | None,
                 paths: SearchStrategy[tuple[str, bytes]] | None,
                 queries: SearchStrategy[bytes] | None,
                 headers: SearchStrategy[list[list[bytes]]] | None,
                 spec_version: str) -> dict[str, Any]:
    # The default parts come from one request program (_requests), decoded here: one choice
    # for all three (and the method, its field), no span for a .map() around it.
    if paths is None or queries is None or headers is None:
        program = _REQUEST_PROGRAMS.draw(draw)
        path, raw_path, query, hdrs = _DEFAULTS.read(_REQUEST_PROGRAMS.live(program))
        method = METHODS[_REQUEST_PROGRAMS.fields(program)[0] % len(METHODS)] \
            if methods is None else draw(methods)
    else:
        method = draw(methods if methods is not None else _METHODS)
    if paths is not None:
        path, raw_path = draw(paths)
    if queries is not None:
        query = draw(queries)
    if headers is not None:
        hdrs = draw(headers)
    return scope("http", path, raw_path, query, hdrs, spec_version, method=method)


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
def _decode_subprotocols(program: bytes, start: Sequence[str] = ()) -> list[str]:
    """The subprotocols offered: bytes 01-60 pick one (the first two picks count); with none,
    ``start``, unless a byte 61-70 says none at all."""
    picked = dict.fromkeys(_SUBPROTOCOLS[(b - 1) % 32] for b in program if 0 < b <= 0x60)
    if picked:
        return list(picked)[:2]
    if start and not any(0x60 < b <= 0x70 for b in program):
        return list(start)
    return []


@st.composite
def _websocket_scopes(draw: st.DrawFn, paths: SearchStrategy[tuple[str, bytes]] | None,
                      subprotocols: SearchStrategy[list[str]] | None,
                      spec_version: str) -> dict[str, Any]:
    # One program for both defaults: its first bytes offer subprotocols, the rest is the path.
    program = _WS_PROGRAMS.draw(draw) if paths is None or subprotocols is None else b"\0" * 4
    if paths is not None:
        path, raw_path = draw(paths)
    else:
        path, raw_path = _DEFAULT_PATH(_WS_PROGRAMS.live(program))
    protocols = draw(subprotocols) if subprotocols is not None else _decode_subprotocols(
        _WS_PROGRAMS.fields(program))
    return scope("websocket", path, raw_path, b"", [[b"host", b"testserver"]], spec_version,
                  subprotocols=protocols)


def websocket_scopes(*, paths: SearchStrategy[tuple[str, bytes]] | None = None,
                     subprotocols: SearchStrategy[list[str]] | None = None,
                     spec_version: str = "2.4") -> SearchStrategy[dict[str, Any]]:
    """Complete, spec-valid ``websocket`` scopes; shrinks toward ``/`` with no subprotocols."""
    _check_version(spec_version)
    return _websocket_scopes(paths, subprotocols, spec_version)


def _session(programs: _Programs, program: bytes, *, path: str, query: bytes,
             subprotocols: Sequence[str], messages: Callable[[bytes], list[dict[str, Any]]],
             spec_version: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    # One program: its fields offer subprotocols, its live bytes are what the client sends.
    protocols = _decode_subprotocols(programs.fields(program), subprotocols)
    return (scope("websocket", path, _raw_path(path), query, [[b"host", b"testserver"]],
                  spec_version, subprotocols=protocols), messages(programs.live(program)))


def websocket_sessions(path: str = "/", *, query_string: bytes = b"",
                       subprotocols: Sequence[str] = (), max_messages: int = 5,
                       close_code: bool = True, spec_version: str = "2.4"
                       ) -> SearchStrategy[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Whole websocket sessions at ``path``, ``(scope, events)``: a ``websocket`` scope
    offering ``subprotocols`` (or generated ones instead), and what the client sends once
    accepted, as ``websocket_message_sequences()`` gives it. Shrinks toward the scope with your
    subprotocols and an immediate disconnect with code 1000.
    """
    _check_version(spec_version)
    _check_size("max_messages", max_messages)
    if not isinstance(path, str) or not path.startswith("/"):
        raise InvalidArgument(f"path={path!r} must be a path starting with /")
    messages = partial(_decode_messages, max_messages=max_messages, close_code=close_code)
    programs = _programs("session", 4, 8 * max_messages + 2, prefix=_OFFERED)
    return programs.map(partial(
        _session, programs, path=path, query=query_string, subprotocols=tuple(subprotocols),
        messages=messages, spec_version=spec_version), whole=True)


def _raw_path(path: str) -> bytes:
    return quote(path, safe=_PATH_SAFE + "/").encode("ascii")
