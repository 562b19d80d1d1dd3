"""``websocket_message_sequences()``: what a websocket client sends, one byte program each."""

from __future__ import annotations

from functools import partial
from typing import Any

from hypothesis.strategies import SearchStrategy

from asgicheck.strategies._programs import (
    _UNICODE_ATOMS,
    _check_size,
    _latin1_from_e_acute,
    _programs,
)

__all__ = ["websocket_message_sequences"]

# -- websocket messages -----------------------------------------------------------------------
#   00     nothing
#   01-40  a new message: bits 0-1 of (byte - 1) its shape ({"text"}, {"text", "bytes": None},
#          {"bytes"}, {"bytes", "text": None}), bits 2-5 its payload: 0-7 an empty frame (the
#          easiest to mishandle; nothing is appended to it), else a typical payload
#   41-60  the close code (1000, 1001, 1005, 1006, 1011, 4000 in turn; the last one counts)
#   61-FF  a payload character (text: printable ASCII from "a", latin-1 from "é", controls,
#          emoji, CJK...) or byte (binary), appended to the last message unless it is an empty
#          frame (a text message begins if there is none to append to)
_PAYLOADS = ("",) * 8 + ("a", "hello", '{"a": 1}', "é", "日本", "😀", "\x00", "\ufeff")
_BINARY_PAYLOADS = (b"",) * 8 + (b"a", b"{}", b"\x00", b"\xff", b"\x00\x01\x02", b"\x80",
                                  b"\xc3\xa9", b"\xfe\xff")
_CLOSE_CODES = (1000, 1001, 1005, 1006, 1011, 4000)
_MESSAGE_CHARS = tuple(chr(0x20 + (k + 0x41) % 95) for k in range(95)) + (
    "\x00", "\t", "\n", "\r", "\x7f") + tuple(_latin1_from_e_acute(40)) + (
    "\x85", *_UNICODE_ATOMS, "\U0001f600\U0001f601", "\U0010ffff")
_MESSAGE_BYTES = bytes((0x61 + k) & 0xFF for k in range(159))
assert len(_MESSAGE_CHARS) == 159


def _decode_messages(program: bytes, *, max_messages: int, close_code: bool
                     ) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    code = 1000
    open_ = False  # whether payload bytes go to the last message
    for byte in program:
        if byte == 0:
            continue
        if byte <= 0x40:
            if len(events) >= max_messages:
                continue
            shape, payload = (byte - 1) & 3, (byte - 1) >> 2
            if shape < 2:
                event: dict[str, Any] = {"type": "websocket.receive", "text": _PAYLOADS[payload]}
                if shape:
                    event["bytes"] = None
            else:
                event = {"type": "websocket.receive", "bytes": _BINARY_PAYLOADS[payload]}
                if shape == 3:
                    event["text"] = None
            events.append(event)
            open_ = payload >= 8
        elif byte <= 0x60:
            if close_code:
                code = _CLOSE_CODES[(byte - 0x41) % 6]
        else:
            if not open_:
                if len(events) >= max_messages:
                    continue
                events.append({"type": "websocket.receive", "text": ""})
                open_ = True
            event = events[-1]
            if event.get("text") is not None:
                event["text"] += _MESSAGE_CHARS[byte - 0x61]
            else:
                event["bytes"] += _MESSAGE_BYTES[byte - 0x61:byte - 0x60]
    return [*events, {"type": "websocket.disconnect", "code": code}]


def websocket_message_sequences(*, max_messages: int = 5, close_code: bool = True
                                ) -> SearchStrategy[list[dict[str, Any]]]:
    """What a client sends after the handshake: ``websocket.receive`` events in every legal
    shape (``text`` or ``bytes``, the other key absent or None; empty frames often), then a
    ``websocket.disconnect`` (a code other than 1000 only with ``close_code=True``). Shrinks
    toward an immediate disconnect with code 1000; a message toward an empty text frame.
    """
    _check_size("max_messages", max_messages)
    return _programs("messages", 4, 8 * max_messages + 2).map(partial(
        _decode_messages, max_messages=max_messages, close_code=close_code))
