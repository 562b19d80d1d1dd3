"""Hypothesis strategies for ASGI: scopes, paths, query strings, headers, bodies and chunkings.

Public API in Hypothesis's own style: plural-noun names, keyword-only tuning arguments, a
``SearchStrategy`` return, arguments validated up front (``InvalidArgument``), and output that is
spec-valid unless asked otherwise. Everything shrinks toward the simplest request: ``GET /``,
no query, no headers beyond ``host``, an empty body in one chunk, no disconnect.

    from hypothesis import given
    from asgicheck import strategies as asgi

    @given(asgi.http_scopes(paths=asgi.paths()), asgi.chunkings(asgi.bodies()))
    def test_my_app(scope, chunks): ...

How they are built, and why: Hypothesis's cost per example grows with the number of choices it
makes and records (each ``draw`` of an integer, a string, a list element, a ``one_of`` branch),
not with the size of what is drawn. So each part of a request is *one* choice: a short byte
string that a small decoder reads as a program, one byte an operation (a character or a word
to append, a new segment, an encoded slash, a repeated key, a latin-1 value byte, a new
message...). Each module opens with its table: what each byte value does. Byte 0 is the simplest
operation and the bytes come in shortlex order, so Hypothesis's shrinking (shorter, then
smaller bytes) shrinks the request too: to ``/``, to one ``a``, to ``é`` for a non-ASCII
character, to ``%FF`` for an invalid escape. ``http_scopes()`` makes four choices per scope where
a tree of ``lists``/``one_of``/``flatmap`` made about forty. Each kind of program is drawn under a
span label of its own, so Hypothesis's mutator does not copy one kind over another when you draw
several side by side. Fastest of all: ``http_requests()`` and ``websocket_sessions()``, a whole
request or session as one program.

This package imports Hypothesis; ``import asgicheck`` does not import it.
"""

from __future__ import annotations

from asgicheck.strategies._bodies import bodies, chunkings, disconnect_points
from asgicheck.strategies._headers import header_lists
from asgicheck.strategies._messages import websocket_message_sequences
from asgicheck.strategies._paths import paths
from asgicheck.strategies._queries import query_strings
from asgicheck.strategies._requests import http_requests
from asgicheck.strategies._scopes import METHODS as METHODS  # the methods http_scopes() draws
from asgicheck.strategies._scopes import http_scopes, websocket_scopes, websocket_sessions

__all__ = [
    "bodies",
    "chunkings",
    "disconnect_points",
    "header_lists",
    "http_requests",
    "http_scopes",
    "paths",
    "query_strings",
    "websocket_message_sequences",
    "websocket_scopes",
    "websocket_sessions",
]
