"""``bodies()``, ``chunkings()`` and ``disconnect_points()``: what the client sends after the
scope, and when it leaves."""

from __future__ import annotations

from functools import partial

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from asgicheck.strategies._programs import (
    _check_size,
    _label,
)

__all__ = ["bodies", "chunkings", "disconnect_points"]


def _decode_body(program: bytes, start: bytes) -> bytes:
    """With a ``start`` body: none (``b""``), the start; else a first byte under 80 replaces it
    with the rest (``b"\\x00"``: the empty body), one from 80 up appends the rest to it."""
    if not start:
        return program
    if not program:
        return start
    return program[1:] if program[0] < 0x80 else start + program[1:]


def _body_programs(max_size: int, start: bytes) -> SearchStrategy[bytes]:
    return st.binary(max_size=max_size + 1 if start else max_size)


def bodies(*, max_size: int = 256, start: bytes = b"") -> SearchStrategy[bytes]:
    """Request bodies of up to ``max_size`` bytes, shrinking toward ``b""``. With ``start``
    (your request's own body): that body, or up to ``max_size`` bytes instead of it or after
    it (a body that no longer parses); shrinks toward ``start``, then ``b""``."""
    _check_size("max_size", max_size)
    if type(start) is not bytes:
        raise InvalidArgument(f"start={start!r} must be bytes")
    if not start:
        return st.binary(max_size=max_size)
    return _body_programs(max_size, start).map(partial(_decode_body, start=start))


# -- chunkings --------------------------------------------------------------------------------
# One byte per cut (the first max_chunks - 1 bytes count): 00-7F cut at that offset, or at the
# end of a shorter body (00: an empty first chunk); 80-BF at a fraction of the body, for long
# ones; C0-FF at the end (a final empty chunk, falcon#2024). Equal cuts make empty chunks in
# the middle. Small bytes are offsets, so shrinking the body leaves a cut where it was (or at
# the end, where it stays).


def _cut(body: bytes, program: bytes, cuts: int, allow_empty: bool) -> list[bytes]:
    size = len(body)
    at = sorted(min(b, size) if b < 0x80 else size if b >= 0xC0 else
                (b - 0x80) * (size + 1) // 0x40 for b in program[:cuts])
    chunks = [body[a:b] for a, b in zip([0, *at], [*at, size], strict=True)]
    if not allow_empty:
        chunks = [c for c in chunks if c] or [b""]
    return chunks


@st.composite
def _chunked(draw: st.DrawFn, source: SearchStrategy[bytes], cuts: int,
             allow_empty: bool) -> list[bytes]:
    return _cut(draw(source), draw(_cut_programs(cuts), label=_CUTS), cuts, allow_empty)


_CUTS = _label("cuts")  # not st.binary's: the body is one too (see _programs._label)


def _cut_programs(cuts: int) -> SearchStrategy[bytes]:
    # At least 8 bytes long (only the first ``cuts`` count): Hypothesis generates a string
    # bounded to one or two bytes after another draw up to three times slower.
    return st.binary(max_size=max(cuts, 8))


def chunkings(body: SearchStrategy[bytes] | bytes, *, max_chunks: int = 5,
              allow_empty_chunks: bool = True) -> SearchStrategy[list[bytes]]:
    """Ways to split a body into ``http.request`` chunks, at most ``max_chunks``;
    ``b"".join`` gives the body back. Empty chunks (first, middle and final) are legal and
    included unless ``allow_empty_chunks=False``. Shrinks toward one chunk.
    """
    _check_size("max_chunks", max_chunks, low=1)
    if not isinstance(body, bytes | SearchStrategy):
        raise InvalidArgument(f"body={body!r} must be bytes or a strategy for bytes")
    if max_chunks == 1:
        return st.just([body]) if isinstance(body, bytes) else body.map(lambda b: [b])
    if isinstance(body, bytes):
        return _cut_programs(max_chunks - 1).map(
            partial(_cut, body, cuts=max_chunks - 1, allow_empty=allow_empty_chunks))
    return _chunked(body, max_chunks - 1, allow_empty_chunks)


def disconnect_points(*, max_point: int = 6) -> SearchStrategy[int | None]:
    """Where the client goes away, counted in messages the app has sent; None (the client
    stays) is the simplest and comes first.
    """
    _check_size("max_point", max_point)
    return st.integers(0, max_point + 1).map(_disconnect_point)


def _disconnect_point(drawn: int) -> int | None:
    return None if drawn == 0 else drawn - 1
