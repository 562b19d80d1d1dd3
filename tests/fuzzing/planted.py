"""Apps with one planted defect each, visible only for some inputs (and correct otherwise).

Each is a raw ASGI function built of the correct blocks of ``asgi_blocks``.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from asgi_blocks import read_body, respond, websocket_echo


async def good(scope: Any, receive: Any, send: Any) -> None:
    """Correct for every input: echoes the body."""
    if scope["type"] == "websocket":
        return await websocket_echo(receive, send)
    if scope["type"] != "http":
        raise ValueError("no lifespan here")
    body = await read_body(receive)
    if body is not None:
        await respond(send, body)


async def non_ascii_path(scope: Any, receive: Any, send: Any) -> None:
    """Crashes (P2) when the path has a non-ASCII character."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    body = await read_body(receive)
    if body is not None:
        await respond(send, scope["path"].encode("ascii"))


async def invalid_utf8_query(scope: Any, receive: Any, send: Any) -> None:
    """Crashes (P2) when the query string decodes to something that is not UTF-8."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    text = unquote_to_bytes(scope["query_string"]).decode("utf-8")
    await respond(send, text.encode())


async def latin1_header(scope: Any, receive: Any, send: Any) -> None:
    """Answers 500 (P2) for a header value outside ASCII."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    try:
        for _, value in scope["headers"]:
            value.decode("ascii")
    except UnicodeDecodeError:
        return await respond(send, b"server error", 500)
    await respond(send)


async def empty_segment(scope: Any, receive: Any, send: Any) -> None:
    """Answers 502 (P2) when a path segment is empty (``/a//b``, ``/a/``)."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    segments = scope["path"].split("/")[1:]
    await respond(send, b"bad gateway" if "" in segments and scope["path"] != "/" else b"ok",
                  502 if "" in segments and scope["path"] != "/" else 200)


async def repeated_query_key(scope: Any, receive: Any, send: Any) -> None:
    """Sends http.response.start twice (P1) when a query key repeats."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    keys = [key for key, _ in parse_qsl(scope["query_string"].decode("latin-1"),
                                        keep_blank_values=True)]
    if len(keys) != len(set(keys)):
        await send({"type": "http.response.start", "status": 200, "headers": []})
    await respond(send)


async def first_chunk_only(scope: Any, receive: Any, send: Any) -> None:
    """Echoes only the first chunk of the body (P3); fine when the body comes in one."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    message = await receive()
    body = message.get("body", b"")
    while message.get("more_body"):
        message = await receive()  # drains the rest, but forgets it
    await respond(send, body)


async def body_after_disconnect(scope: Any, receive: Any, send: Any) -> None:
    """Reads ``message["body"]`` even from http.disconnect (P4: a KeyError once the client
    leaves mid-body)."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    body, more = b"", True
    while more:
        message = await receive()
        body += message["body"]
        more = message.get("more_body", False)
    await respond(send, body)


async def streams_after_disconnect(scope: Any, receive: Any, send: Any) -> None:
    """Streams three chunks and ignores ClientDisconnected from send() (P4)."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for part in (b"a", b"b", b"c"):
        try:
            await send({"type": "http.response.body", "body": part, "more_body": True})
        except OSError:
            pass
        await asyncio.sleep(0)
    try:
        await send({"type": "http.response.body", "body": b""})
    except OSError:
        pass


async def accept_and_reply(receive: Any, send: Any, reply: Any) -> None:
    """Accept the socket, then send ``reply(message)`` for each message until the client goes."""
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        await send({"type": "websocket.send", **reply(message)})


async def text_only_websocket(scope: Any, receive: Any, send: Any) -> None:
    """A websocket echo that assumes every message is text (P5: crashes on a binary one)."""
    if scope["type"] != "websocket":
        return await good(scope, receive, send)
    await accept_and_reply(receive, send, lambda m: {"text": m["text"].upper()})


async def empty_frame_websocket(scope: Any, receive: Any, send: Any) -> None:
    """A websocket echo that picks the payload with ``get("bytes") or ["text"]`` (Quart 0.22
    does): an empty binary frame is falsy, so it reads the absent text key (P5)."""
    if scope["type"] != "websocket":
        return await good(scope, receive, send)

    def reply(message: dict[str, Any]) -> dict[str, Any]:
        payload = message.get("bytes") or message["text"]
        return {"bytes" if isinstance(payload, bytes) else "text": payload}

    await accept_and_reply(receive, send, reply)


async def int64_item_id(scope: Any, receive: Any, send: Any) -> None:
    """Packs the last path segment into a signed 64-bit int (P2: OverflowError beyond it)."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    try:
        item_id = int(scope["path"].rsplit("/", 1)[1])
    except ValueError:
        return await respond(send, b"not found", 404)
    await respond(send, item_id.to_bytes(8, "big", signed=True).hex().encode())


async def hangs_on_query(scope: Any, receive: Any, send: Any) -> None:
    """Never answers (P1: OPS-APP-002) when the query string has a percent sign."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    if b"%" in scope["query_string"]:
        await asyncio.sleep(3600)
    await respond(send)


async def fails_on_any_query(scope: Any, receive: Any, send: Any) -> None:
    """Answers 500 (P2) whenever there is a query string: found by any run."""
    if scope["type"] != "http":
        return await good(scope, receive, send)
    await read_body(receive)
    await respond(send, b"", 500 if scope["query_string"] else 200)


def with_lifespan(app: Any) -> Any:
    """``app``, plus a lifespan that completes startup and shutdown."""

    async def lifespan_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return

    return lifespan_app


# The same defects in apps that complete lifespan startup: their exchanges (and reproductions)
# run inside a lifespan session.
lifespan_invalid_utf8_query = with_lifespan(invalid_utf8_query)
lifespan_first_chunk_only = with_lifespan(first_chunk_only)
lifespan_body_after_disconnect = with_lifespan(body_after_disconnect)
lifespan_good = with_lifespan(good)
