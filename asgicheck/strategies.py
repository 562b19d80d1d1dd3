"""Hypothesis strategies for ASGI: scopes, paths, query strings, headers, bodies and chunkings.

Public API in Hypothesis's own style: plural-noun names, keyword-only tuning arguments, a
``SearchStrategy`` return, arguments validated up front (``InvalidArgument``), and output that is
spec-valid unless asked otherwise. Everything shrinks toward the simplest request: ``GET /``,
no query, no headers beyond ``host``, an empty body in one chunk, no disconnect.

    from hypothesis import given
    from asgicheck import strategies as asgi

    @given(asgi.http_scopes(paths=asgi.paths()), asgi.chunkings(asgi.bodies()))
    def test_my_app(scope, chunks): ...

This module imports Hypothesis; ``import asgicheck`` does not import it.
"""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import quote, unquote

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

__all__ = [
    "bodies",
    "chunkings",
    "disconnect_points",
    "header_lists",
    "http_scopes",
    "paths",
    "query_strings",
    "websocket_message_sequences",
    "websocket_scopes",
]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_TOKEN = string.ascii_lowercase + string.digits + "-"
_SEGMENT_ALPHABET = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="/?#")


def _check_size(name: str, value: int, low: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise InvalidArgument(f"{name}={value!r} must be an int >= {low}")


def _segments(*, unicode: bool, allow_empty: bool, allow_dots: bool) -> SearchStrategy[str]:
    ascii_segment = st.text(_TOKEN, min_size=1, max_size=12)
    options: list[SearchStrategy[str]] = [ascii_segment]
    if unicode:
        options.append(st.text(_SEGMENT_ALPHABET, min_size=1, max_size=12))
    if allow_empty:
        options.append(st.just(""))
    if allow_dots:
        options.append(st.sampled_from([".", ".."]))
    return st.one_of(*options)


@st.composite
def _path_pairs(draw: st.DrawFn, *, max_segments: int, unicode: bool, allow_empty: bool,
                allow_dots: bool, encoded_slashes: bool) -> tuple[str, bytes]:
    segments = draw(st.lists(_segments(unicode=unicode, allow_empty=allow_empty,
                                       allow_dots=allow_dots), max_size=max_segments))
    raw_parts = []
    for segment in segments:
        # An encoded slash is a real character of a segment that `path` cannot tell from a
        # separator (A12): only `raw_path` keeps the difference.
        if encoded_slashes and segment and draw(st.booleans()):
            segment = segment + "/" + segment
        raw_parts.append(quote(segment, safe="!$&'()*+,;=:@"))
    raw = "/" + "/".join(raw_parts)
    return unquote(raw), raw.encode("ascii")


def paths(*, max_segments: int = 6, unicode: bool = True, allow_empty_segments: bool = True,
          allow_dot_segments: bool = False, encoded_slashes: bool = True
          ) -> SearchStrategy[tuple[str, bytes]]:
    """``(path, raw_path)`` pairs: the decoded ``path`` and a consistent percent-encoded
    ``raw_path`` (www.rst: ``path`` has "percent-encoded sequences and UTF-8 byte sequences
    decoded into characters"). Shrinks toward ``("/", b"/")``.
    """
    _check_size("max_segments", max_segments)
    return _path_pairs(max_segments=max_segments, unicode=unicode,
                       allow_empty=allow_empty_segments, allow_dots=allow_dot_segments,
                       encoded_slashes=encoded_slashes)


def query_strings(*, max_pairs: int = 5, allow_invalid_utf8: bool = True,
                  allow_blank: bool = True) -> SearchStrategy[bytes]:
    """Raw, percent-encoded query strings as a server delivers them: repeated keys, valueless
    keys, ``+`` for space, ``;`` inside values, non-ASCII escapes, and (unless
    ``allow_invalid_utf8=False``) escapes such as ``%FF`` that are not UTF-8. Shrinks to ``b""``.
    """
    _check_size("max_pairs", max_pairs)
    word = st.text(_TOKEN + "_.~", max_size=8)
    specials = [st.just("+"), st.just("%20"), st.just("%26"), st.just("%3D"), st.just(";"),
                st.text(_SEGMENT_ALPHABET, min_size=1, max_size=4).map(
                    lambda text: quote(text, safe=""))]
    if allow_invalid_utf8:
        specials.append(st.sampled_from(["%FF", "%C3", "%80%80", "%E2%82"]))
    piece = st.lists(st.one_of(word, *specials), max_size=3).map("".join)
    pair = st.tuples(piece, st.one_of(st.none(), piece) if allow_blank else piece)
    keys = st.lists(pair, max_size=max_pairs)

    def render(pairs: list[tuple[str, str | None]]) -> bytes:
        return "&".join(k if v is None else f"{k}={v}" for k, v in pairs).encode("ascii")

    # Repeating a drawn key exercises "repeated keys kept" without waiting for luck.
    repeated = keys.flatmap(lambda ps: st.just(ps + ps[:1]) if ps else st.just(ps))
    return st.one_of(keys, repeated).map(render)


def header_lists(*, max_headers: int = 6, mixed_case: bool = False,
                 duplicates: bool = True, latin1_values: bool = True,
                 host: bytes | None = b"testserver") -> SearchStrategy[list[list[bytes]]]:
    """Request header lists as ``[[name, value], ...]`` byte pairs. Names are tokens (mixed
    case only with ``mixed_case=True``: servers lowercase, the spec only says "should");
    values are latin-1 without CR, LF or NUL. ``host`` comes first when given. Shrinks toward
    ``[[b"host", host]]``.
    """
    _check_size("max_headers", max_headers)
    names = st.text(_TOKEN, min_size=1, max_size=12).map(str.encode).filter(
        lambda n: n not in (b"host", b"content-length", b"transfer-encoding"))
    if mixed_case:
        names = names.flatmap(lambda n: st.sampled_from([n, n.upper(), n.title()]))
    alphabet = st.characters(min_codepoint=0x20, max_codepoint=0xFF if latin1_values else 0x7E,
                             exclude_characters="\x7f")
    values = st.text(alphabet, max_size=20).map(lambda v: v.strip().encode("latin-1"))
    pairs = st.lists(st.tuples(names, values).map(list), max_size=max_headers)
    if duplicates:
        pairs = pairs.flatmap(
            lambda ps: st.just(ps + [[ps[0][0], b"again"]]) if ps else st.just(ps))
    if host is not None:
        return pairs.map(lambda ps: [[b"host", host], *ps])
    return pairs


def bodies(*, max_size: int = 256) -> SearchStrategy[bytes]:
    """Request bodies, shrinking toward ``b""``."""
    _check_size("max_size", max_size)
    return st.binary(max_size=max_size)


@st.composite
def _chunked(draw: st.DrawFn, body: bytes, max_chunks: int, allow_empty: bool) -> list[bytes]:
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=max_chunks - 1)))
    chunks = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    if not allow_empty:
        chunks = [c for c in chunks if c] or [b""]
    elif draw(st.booleans()):
        chunks.append(b"")  # the final-empty chunk real servers send (falcon#2024)
    return chunks


def chunkings(body: SearchStrategy[bytes] | bytes, *, max_chunks: int = 5,
              allow_empty_chunks: bool = True) -> SearchStrategy[list[bytes]]:
    """Ways to split a body into ``http.request`` chunks; ``b"".join`` gives the body back.
    Empty chunks (middle and final) are legal and included unless ``allow_empty_chunks=False``.
    Shrinks toward one chunk.
    """
    _check_size("max_chunks", max_chunks, low=1)
    source = st.just(body) if isinstance(body, bytes) else body
    if not isinstance(source, SearchStrategy):
        raise InvalidArgument(f"body={body!r} must be bytes or a strategy for bytes")
    return source.flatmap(lambda b: _chunked(b, max_chunks, allow_empty_chunks))


def disconnect_points(*, max_point: int = 6) -> SearchStrategy[int | None]:
    """Where the client goes away, counted in messages the app has sent; None (the client
    stays) is the simplest and comes first.
    """
    _check_size("max_point", max_point)
    return st.one_of(st.none(), st.integers(0, max_point))


def _scope(kind: str, path: str, raw_path: bytes, query: bytes, headers: list[list[bytes]],
           spec_version: str, **more: Any) -> dict[str, Any]:
    return {
        "type": kind, "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1", "scheme": "http" if kind == "http" else "ws", "path": path,
        "raw_path": raw_path, "query_string": query, "root_path": "", "headers": headers,
        "client": ["127.0.0.1", 50000], "server": ["testserver", 80], **more,
    }


def http_scopes(*, methods: SearchStrategy[str] | None = None,
                paths: SearchStrategy[tuple[str, bytes]] | None = None,
                query_strings: SearchStrategy[bytes] | None = None,
                headers: SearchStrategy[list[list[bytes]]] | None = None,
                spec_version: str = "2.4") -> SearchStrategy[dict[str, Any]]:
    """Complete, spec-valid ``http`` scopes. Each part can be replaced by a strategy of your
    own (``paths=st.just(("/items/1", b"/items/1"))``). Shrinks toward ``GET /``.
    """
    _check_version(spec_version)
    return st.builds(
        lambda method, path, query, hdrs: _scope("http", path[0], path[1], query, hdrs,
                                                 spec_version, method=method),
        methods if methods is not None else st.sampled_from(METHODS),
        paths if paths is not None else _paths(),
        query_strings if query_strings is not None else _query_strings(),
        headers if headers is not None else header_lists(),
    )


def websocket_scopes(*, paths: SearchStrategy[tuple[str, bytes]] | None = None,
                     subprotocols: SearchStrategy[list[str]] | None = None,
                     spec_version: str = "2.4") -> SearchStrategy[dict[str, Any]]:
    """Complete, spec-valid ``websocket`` scopes; shrinks toward ``/`` with no subprotocols."""
    _check_version(spec_version)
    return st.builds(
        lambda path, protocols: _scope("websocket", path[0], path[1], b"",
                                       [[b"host", b"testserver"]], spec_version,
                                       subprotocols=protocols),
        paths if paths is not None else _paths(),
        subprotocols if subprotocols is not None else st.lists(
            st.text(_TOKEN, min_size=1, max_size=8), max_size=2, unique=True),
    )


def websocket_message_sequences(*, max_messages: int = 5, close_code: bool = True
                                ) -> SearchStrategy[list[dict[str, Any]]]:
    """What a client sends after the handshake: ``websocket.receive`` events in every legal
    shape (``text`` or ``bytes``, the other key absent or None), then a
    ``websocket.disconnect``. Shrinks toward an immediate disconnect with code 1000.
    """
    _check_size("max_messages", max_messages)
    # Empty frames are legal and easy to mishandle (a falsy b"" sends `get("bytes") or
    # event["text"]` to the absent key): they are drawn far more often than plain text() would.
    text = (st.text(max_size=20) | st.just("")).flatmap(
        lambda t: _payload_shapes("text", "bytes", t))
    binary = (st.binary(max_size=20) | st.just(b"")).flatmap(
        lambda b: _payload_shapes("bytes", "text", b))
    receive = st.one_of(text, binary).map(_receive_event)
    codes = st.sampled_from([1000, 1001, 1005, 1006, 1011, 4000]) if close_code else st.just(
        1000)
    disconnect = codes.map(lambda code: {"type": "websocket.disconnect", "code": code})
    return st.tuples(st.lists(receive, max_size=max_messages), disconnect).map(
        lambda pair: [*pair[0], pair[1]])


def _payload_shapes(key: str, other: str, value: object) -> SearchStrategy[dict[str, Any]]:
    # www.rst "Receive - receive event": "One or both keys may be present, however."
    shapes: list[dict[str, Any]] = [{key: value}, {key: value, other: None}]
    return st.sampled_from(shapes)


def _receive_event(payload: dict[str, Any]) -> dict[str, Any]:
    return {"type": "websocket.receive", **payload}


def _check_version(spec_version: str) -> None:
    major, _, minor = spec_version.partition(".")
    if not (major == "2" and minor.isdigit()):
        raise InvalidArgument(f"spec_version={spec_version!r} must look like '2.3' or '2.4'")


# The scope builders take arguments named like the strategies above; these keep them reachable.
_paths, _query_strings = paths, query_strings
