"""Responses (reference_app/responses.py and files.py), each run on its own as an ASGI app.

asgicheck rules these keep honest: HTTP-SEND-002..008 and 011/012 (one start, int status,
lowercase byte headers, bytes body, final more_body False), HTTP-SEND-013 (nothing after the
end), X-HTTP-001 (content-length equals the bytes sent), X-HTTP-002 (no body for HEAD, 1xx, 204,
304), X-HTTP-003 (no CR/LF/NUL in values), HTTP-RECV-005..007 (stop streaming when the client
leaves, under spec 2.3 and 2.4), PS-APP-001..003 and GEN-APP-015 (pathsend only when advertised).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import ClientGone, check_http, exchange, http_scope, request_event

from reference_app import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from reference_app.responses import encode_header


def send(response: Response, method: str = "GET", **options: Any) -> list[dict[str, Any]]:
    scope_options = {k: options.pop(k) for k in list(options) if k not in ("client_leaves_after",)}
    return exchange(response, http_scope("/", method, **scope_options), request_event(), **options)


# -- headers ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("x-a", "a\r\nset-cookie: evil=1"),
        ("x-a", "a\nb"),
        ("x-a", b"a\x00b"),
        ("bad name", "v"),
        ("", "v"),
        ("x-é", "v"),
        ("x-a", "snowman \u2603"),  # not latin-1
        ("Transfer-Encoding", "chunked"),  # framing is the server's job
    ],
)
def test_bad_headers_are_refused_when_the_response_is_built(name: Any, value: Any) -> None:
    with pytest.raises(ValueError):
        Response(b"", headers=[(name, value)])


def test_header_names_are_lowercased_bytes_and_values_bytes() -> None:
    response = Response(b"", headers={"X-Custom": "café", "Set-Cookie": "a=1"})
    response.append_header("Set-Cookie", "b=2")
    assert (b"x-custom", "café".encode("latin-1")) in response.raw_headers
    assert [v for n, v in response.raw_headers if n == b"set-cookie"] == [b"a=1", b"b=2"]
    response.set_header("SET-COOKIE", "c=3")
    assert [v for n, v in response.raw_headers if n == b"set-cookie"] == [b"c=3"]
    assert encode_header(b"X-Raw", b"v") == (b"x-raw", b"v")


def test_content_length_is_always_computed_from_the_body() -> None:
    response = PlainTextResponse("héllo", headers={"Content-Length": "999"})
    result = check_http(send(response))
    assert result.header_list("content-length") == ["6"]
    assert result.header("content-type") == "text/plain; charset=utf-8"
    assert result.body == "héllo".encode()


def test_head_gets_the_same_headers_and_no_body() -> None:
    get = check_http(send(HTMLResponse("<p>x</p>")))
    head = check_http(send(HTMLResponse("<p>x</p>"), "HEAD"), "HEAD")
    assert head.headers == get.headers
    assert head.body == b""


@pytest.mark.parametrize("status", [204, 304, 103])
def test_bodiless_statuses_send_no_body_and_no_content_length(status: int) -> None:
    result = check_http(send(JSONResponse({"would": "be dropped"}, status_code=status)))
    assert result.status == status and result.body == b""


@pytest.mark.parametrize("status", [99, 600, "200", True])
def test_invalid_status_codes(status: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        Response(b"", status_code=status)


def test_json_refuses_nan_and_renders_compact_utf8() -> None:
    assert JSONResponse({"a": "é", "b": [1]}).body == '{"a":"é","b":[1]}'.encode()
    with pytest.raises(ValueError):
        JSONResponse({"x": float("nan")})
    with pytest.raises(TypeError):
        Response(123)


def test_redirect_quotes_the_location() -> None:
    result = check_http(send(RedirectResponse("/a b/é?q=1")))
    assert result.status == 307
    assert result.header("location") == "/a%20b/%C3%A9?q=1"
    with pytest.raises(ValueError):
        RedirectResponse("/", status_code=200)


def test_a_response_object_can_be_sent_many_times() -> None:
    response = PlainTextResponse("same")
    assert check_http(send(response)).body == check_http(send(response)).body == b"same"


# -- streaming ------------------------------------------------------------------------------
def test_streaming_sends_chunks_then_an_empty_final_message() -> None:
    async def parts() -> AsyncIterator[str | bytes]:
        yield "a"
        yield b""  # skipped: an empty message would say nothing
        yield b"b"

    sent = send(StreamingResponse(parts(), media_type="text/plain"))
    result = check_http(sent)
    assert result.body == b"ab"
    assert result.header("content-length") is None
    assert [m.get("more_body") for m in sent[1:]] == [True, True, False]


def test_streaming_a_plain_iterator_steps_it_in_a_thread() -> None:
    assert check_http(send(StreamingResponse(iter([b"x", b"y"])))).body == b"xy"


def test_streaming_head_never_starts_the_generator() -> None:
    started = []

    async def parts() -> AsyncIterator[bytes]:
        started.append(True)
        yield b"x"

    result = check_http(send(StreamingResponse(parts()), "HEAD"), "HEAD")
    assert result.body == b"" and started == []


class Endless:
    """An infinite async iterator that records whether it was closed."""

    def __init__(self) -> None:
        self.produced = 0
        self.closed = False

    def __aiter__(self) -> Endless:
        return self

    async def __anext__(self) -> bytes:
        self.produced += 1
        await asyncio.sleep(0)
        return b"tick\n"

    async def aclose(self) -> None:
        self.closed = True


@pytest.mark.parametrize("spec_version", ["2.3", "2.4"])
def test_streaming_stops_when_the_client_leaves(spec_version: str) -> None:
    # 2.3: send() silently drops, so only watching receive() can stop the stream (S08).
    # 2.4: send() raises ClientGone(OSError) as well (S07).
    content = Endless()
    sent = send(StreamingResponse(content), spec_version=spec_version, client_leaves_after=1)
    assert sent[0]["type"] == "http.response.start"
    assert content.closed
    assert content.produced < 50


def test_streaming_send_error_alone_stops_the_stream() -> None:
    content = Endless()
    calls = 0

    async def receive() -> dict[str, Any]:
        await asyncio.Event().wait()  # a receive() that never reports the disconnect
        raise AssertionError

    async def send_fails(message: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        if calls > 3:
            raise ClientGone()

    asyncio.run(asyncio.wait_for(StreamingResponse(content)(http_scope(), receive, send_fails), 5))
    assert content.closed and calls == 4


def test_an_error_mid_stream_is_reraised_without_a_fake_clean_end() -> None:
    async def parts() -> AsyncIterator[bytes]:
        yield b"first"
        raise RuntimeError("boom")

    sent: list[dict[str, Any]] = []

    async def run() -> None:
        async def receive() -> dict[str, Any]:
            await asyncio.Event().wait()
            raise AssertionError

        async def record(message: dict[str, Any]) -> None:
            sent.append(message)

        await StreamingResponse(parts())(http_scope(), receive, record)

    with pytest.raises(RuntimeError, match="boom"):
        asyncio.run(run())
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[-1]["more_body"] is True  # truncated, and visibly so


def test_sync_generator_is_closed_after_a_disconnect() -> None:
    closed = []

    def parts() -> Iterator[bytes]:
        try:
            while True:
                yield b"x"
        finally:
            closed.append(True)

    send(StreamingResponse(parts()), spec_version="2.4", client_leaves_after=2)
    assert closed == [True]


# -- files --------------------------------------------------------------------------------
@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.txt"
    path.write_bytes(b"0123456789" * 10)
    return path


def test_file_is_read_in_chunks_with_its_length(data_file: Path) -> None:
    response = FileResponse(data_file)
    response.chunk_size = 30
    sent = send(response)
    result = check_http(sent)
    assert result.body == data_file.read_bytes()
    assert result.header("content-length") == "100"
    assert result.header("content-type") == "text/plain; charset=utf-8"
    assert len(sent) == 1 + 4  # 30 + 30 + 30 + 10


def test_pathsend_only_when_the_server_advertises_it(data_file: Path) -> None:
    extensions = {"http.response.pathsend": {}}
    sent = send(FileResponse(data_file), extensions=extensions)
    check_http(sent)
    assert sent[-1] == {"type": "http.response.pathsend", "path": str(data_file)}
    assert dict(sent[0]["headers"])[b"content-length"] == b"100"
    for no_extension in ({}, None):
        sent = send(FileResponse(data_file), extensions=no_extension)
        assert all(m["type"] != "http.response.pathsend" for m in sent)


def test_file_head_and_empty_file(data_file: Path, tmp_path: Path) -> None:
    head = check_http(send(FileResponse(data_file), "HEAD"), "HEAD")
    assert head.header("content-length") == "100" and head.body == b""
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    result = check_http(send(FileResponse(empty, filename="e.bin")))
    assert result.body == b"" and result.header("content-length") == "0"
    assert result.header("content-disposition") == 'attachment; filename="e.bin"'


def test_missing_file_raises_404_before_anything_is_sent(tmp_path: Path) -> None:
    from reference_app import HTTPException

    with pytest.raises(HTTPException) as info:
        send(FileResponse(tmp_path / "missing"))
    assert info.value.status_code == 404


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    from reference_app import HTTPException

    with pytest.raises(HTTPException) as info:
        send(FileResponse(tmp_path))
    assert info.value.status_code == 404
