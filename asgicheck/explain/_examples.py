"""Minimal wrong and right code for the rules apps break most, shown by ``asgicheck explain``.

Data only: ``EXAMPLES[rule_id] = (wrong, right)``. Each snippet is the smallest piece of an ASGI
app that shows the point; ``send``/``receive``/``scope`` are the usual callables and scope.
Rules without an entry fall back to the catalogue's ``how`` text.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["EXAMPLES"]

EXAMPLES: Mapping[str, tuple[str, str]] = {
    "GEN-APP-001": (
        "def app(scope, receive, send):          # a sync function\n"
        "    ...",
        "async def app(scope, receive, send):    # a coroutine function\n"
        "    ...",
    ),
    "GEN-APP-003": (
        'await send(("http.response.start", 200))',
        'await send({"type": "http.response.start", "status": 200})',
    ),
    "GEN-APP-005": (
        'await send({"type": "http.response.body", "body": b"", "extra": object()})',
        'await send({"type": "http.response.body", "body": b""})',
    ),
    "GEN-APP-010": (
        "async def app(scope, receive, send):\n"
        '    if scope["type"] == "http":\n'
        "        ...\n"
        "    # any other scope type: silently returns",
        "async def app(scope, receive, send):\n"
        '    if scope["type"] == "http":\n'
        "        ...\n"
        "    else:\n"
        "        raise NotImplementedError(f\"unsupported scope {scope['type']!r}\")",
    ),
    "HTTP-RECV-002": (
        "message = await receive()\n"
        'body = message["body"]                  # only the first chunk',
        'body, more = b"", True\n'
        "while more:\n"
        "    message = await receive()\n"
        '    body += message.get("body", b"")\n'
        '    more = message.get("more_body", False)',
    ),
    "HTTP-RECV-003": (
        'body = message["body"]                  # KeyError when the server omits it',
        'body = message.get("body", b"")',
    ),
    "HTTP-RECV-004": (
        "message = await receive()\n"
        'body = message["body"]                  # KeyError on http.disconnect',
        "message = await receive()\n"
        'if message["type"] == "http.disconnect":\n'
        "    return\n"
        'body = message.get("body", b"")',
    ),
    "HTTP-SEND-001": (
        'await send({"type": "http.response.body", "body": b"hi"})',
        'await send({"type": "http.response.start", "status": 200, "headers": []})\n'
        'await send({"type": "http.response.body", "body": b"hi"})',
    ),
    "HTTP-SEND-002": (
        'await send({"type": "http.response.start", "status": 200})\n'
        'await send({"type": "http.response.start", "status": 500})   # on error',
        'await send({"type": "http.response.start", "status": 200})\n'
        "# once started, an error can only end the body (or raise)",
    ),
    "HTTP-SEND-003": (
        'await send({"type": "http.response.start", "status": 204})\n'
        "return",
        'await send({"type": "http.response.start", "status": 204})\n'
        'await send({"type": "http.response.body", "body": b""})',
    ),
    "HTTP-SEND-004": (
        'await send({"type": "http.response.body", "body": b"a", "more_body": True})\n'
        "return                                  # response never completed",
        'await send({"type": "http.response.body", "body": b"a", "more_body": True})\n'
        'await send({"type": "http.response.body", "body": b"b"})   # more_body False',
    ),
    "HTTP-SEND-006": (
        'await send({"type": "http.response.start", "status": "200"})',
        'await send({"type": "http.response.start", "status": 200})',
    ),
    "HTTP-SEND-007": (
        'headers = [("content-type", "text/plain")]          # str, not bytes',
        'headers = [(b"content-type", b"text/plain")]',
    ),
    "HTTP-SEND-008": (
        'headers = [(b"Content-Type", b"text/plain")]',
        'headers = [(b"content-type", b"text/plain")]',
    ),
    "HTTP-SEND-011": (
        'await send({"type": "http.response.body", "body": "hello"})',
        'await send({"type": "http.response.body", "body": "hello".encode()})',
    ),
    "HTTP-SEND-013": (
        'await send({"type": "http.response.body", "body": b"done"})\n'
        'await send({"type": "http.response.body", "body": b"more"})  # ignored',
        'await send({"type": "http.response.body", "body": b"done", "more_body": True})\n'
        'await send({"type": "http.response.body", "body": b"more"})',
    ),
    "WS-SEND-001": (
        'message = await receive()               # websocket.connect\n'
        'await send({"type": "websocket.send", "text": "hi"})',
        'message = await receive()               # websocket.connect\n'
        'await send({"type": "websocket.accept"})   # or websocket.close to deny\n'
        'await send({"type": "websocket.send", "text": "hi"})',
    ),
    "WS-SEND-002": (
        'await send({"type": "websocket.send", "text": "hi"})   # before accept',
        'await send({"type": "websocket.accept"})\n'
        'await send({"type": "websocket.send", "text": "hi"})',
    ),
    "WS-SEND-010": (
        'await send({"type": "websocket.send", "text": "a", "bytes": b"a"})',
        'await send({"type": "websocket.send", "text": "a"})',
    ),
    "WS-SEND-015": (
        'await send({"type": "websocket.close", "code": 1000})\n'
        'await send({"type": "websocket.send", "text": "bye"})',
        'await send({"type": "websocket.send", "text": "bye"})\n'
        'await send({"type": "websocket.close", "code": 1000})',
    ),
    "WS-RECV-003": (
        "message = await receive()\n"
        'text = message["text"]                  # KeyError on websocket.disconnect',
        "message = await receive()\n"
        'if message["type"] == "websocket.disconnect":\n'
        "    return\n"
        'text = message.get("text")',
    ),
    "LS-APP-001": (
        "async def app(scope, receive, send):\n"
        '    if scope["type"] == "lifespan":\n'
        "        return                          # the server waits, then guesses",
        "async def app(scope, receive, send):\n"
        '    if scope["type"] == "lifespan":\n'
        '        raise NotImplementedError("no lifespan support")',
    ),
    "LS-SEND-001": (
        "message = await receive()               # lifespan.startup\n"
        "await connect_database()                # no answer: the server never starts",
        "message = await receive()               # lifespan.startup\n"
        "await connect_database()\n"
        'await send({"type": "lifespan.startup.complete"})',
    ),
    "LS-SEND-004": (
        "message = await receive()               # lifespan.shutdown\n"
        "return",
        "message = await receive()               # lifespan.shutdown\n"
        'await send({"type": "lifespan.shutdown.complete"})',
    ),
    "OPS-APP-001": (
        'user_id = int(scope["path"].split("/")[-1])     # ValueError on /users/abc',
        "try:\n"
        '    user_id = int(scope["path"].split("/")[-1])\n'
        "except ValueError:\n"
        "    return await not_found(send)",
    ),
    "OPS-APP-002": (
        "while True:\n"
        "    message = await receive()          # loops forever after http.disconnect\n"
        '    if message.get("body"):\n'
        "        ...",
        "while True:\n"
        "    message = await receive()\n"
        '    if message["type"] == "http.disconnect":\n'
        "        return\n"
        "    ...",
    ),
    "OPS-APP-003": (
        "time.sleep(1)                           # blocks every connection",
        "await asyncio.sleep(1)                  # or await anyio.to_thread.run_sync(...)",
    ),
    "X-HTTP-001": (
        'headers = [(b"content-length", b"10")]\n'
        'await send({"type": "http.response.body", "body": b"short"})',
        'body = b"short"\n'
        'headers = [(b"content-length", str(len(body)).encode())]',
    ),
}
