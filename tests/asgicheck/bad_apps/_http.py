"""Bad apps: HTTP requests, bodies and disconnects."""

from __future__ import annotations

import asyncio
import atexit
import tempfile
from typing import Any

from bad_apps._support import JSON_POST, POST, breaks, good, read_body, respond


@breaks("HTTP-RECV-001", "S09-delayed-request", POST)
async def answers_before_request(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await respond(send)
    else:
        await good(scope, receive, send)


@breaks("HTTP-RECV-002", "S02-chunked-body", POST)
async def reads_one_chunk(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        message = await receive()
        await respond(send, message.get("body", b""))
    else:
        await good(scope, receive, send)


@breaks("HTTP-RECV-002", "S03-trailing-empty-chunk", POST)
async def skips_empty_chunks(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    body = b""
    while True:  # falcon#2024: an empty chunk is skipped, so its more_body=False is never seen
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        if not message.get("body"):
            continue
        body += message["body"]
        if not message.get("more_body"):
            break
    await respond(send, body)


@breaks("HTTP-RECV-003", "S04-bare-request")
async def needs_body_key(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        message = await receive()
        await respond(send, b"got " + message["body"])
    else:
        await good(scope, receive, send)


@breaks("HTTP-RECV-003", "S04-bare-request", JSON_POST)
async def answers_500_without_body_key(scope: Any, receive: Any, send: Any) -> None:
    """Litestar 2.25 on a POST route: the body's absence is taken for a failure, so the bare
    event (declared body emptied) gets 500 where ``body=b""`` gets 200."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    message = await receive()
    if "body" not in message:
        return await respond(send, b"Internal Server Error", status=500)
    await respond(send, message["body"])


@breaks("HTTP-RECV-004", "S05-disconnect-mid-body", POST)
async def body_of_disconnect(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    body = b""
    while True:
        message = await receive()
        body += message["body"]  # KeyError on http.disconnect
        if not message.get("more_body"):
            break
    await respond(send, body)


@breaks("HTTP-RECV-004", "S06-disconnect-first")
async def spins_after_disconnect(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    while True:  # waits for a final http.request that never comes
        message = await receive()
        if message["type"] == "http.request" and not message.get("more_body"):
            break
    await respond(send)


@breaks("HTTP-RECV-005", "S06-disconnect-first")
async def answers_gone_client(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    if await read_body(receive) is None:
        try:
            await respond(send, b"bad request", 400)
        except OSError:
            pass
        return
    await respond(send)


async def _stream(send: Any, *, forever: bool = False) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    count = 0
    while forever or count < 3:
        await send({"type": "http.response.body", "body": b"tick\n", "more_body": True})
        count += 1
        await asyncio.sleep(0.001)
    await send({"type": "http.response.body", "body": b""})


@breaks("HTTP-RECV-006", "S07-disconnect-mid-stream")
async def renames_client_disconnected(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    failed = False
    try:
        await _stream(send)
    except OSError:
        failed = True
    if failed:
        raise RuntimeError("stream aborted")


@breaks("HTTP-RECV-007", "S08-disconnect-mid-stream-2.3")
async def streams_forever(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await _stream(send, forever=True)


@breaks("HTTP-RECV-008", "S12-header-case")
async def case_sensitive_headers(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    host = dict(scope["headers"]).get(b"host", b"<none>")
    await read_body(receive)
    await respond(send, host)


@breaks("HTTP-RECV-009", "S14-h2-cookies")
async def first_cookie_only(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    cookie = next((v for n, v in scope["headers"] if n == b"cookie"), b"")
    await read_body(receive)
    await respond(send, cookie)


@breaks("HTTP-RECV-010", "S13-root-path")
async def ignores_root_path(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    await respond(send, status=200 if scope["path"] == "/" else 404)


@breaks("TLS-APP-002", "tls-values-none")
async def compares_tls_version(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    tls = scope.get("extensions", {}).get("tls")
    modern = tls is not None and tls["tls_version"] >= 0x0303  # TypeError on None
    await read_body(receive)
    await respond(send, b"modern" if modern else b"plain")


@breaks("ZC-APP-004", "S16-extensions")
async def leaks_zerocopy_file(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    if "http.response.zerocopysend" not in scope.get("extensions", {}):
        return await respond(send)
    file = tempfile.TemporaryFile()
    file.write(b"ok")
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.zerocopysend", "file": file, "offset": 0})
    _leaked.append(file)  # not closed: ZC-APP-004


_leaked: list[Any] = []
atexit.register(lambda: [file.close() for file in _leaked])  # at the end of the run, not before




@breaks("OPS-APP-001", "S18-empty-body", POST)
async def fails_on_an_empty_body(scope: Any, receive: Any, send: Any) -> None:
    # The JSON-body handler of many an app: an empty body is "invalid JSON", answered 500.
    if scope["type"] != "http":
        return await good(scope, receive, send)
    body = await read_body(receive)
    if body is not None:
        await respond(send, body or b"internal error", 200 if body else 500)
