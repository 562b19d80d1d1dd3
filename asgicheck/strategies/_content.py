"""What a request's body is and what it says it is: ``http_requests(content_types=True)``.

One byte of the request program (a field: see ``_requests``) says both:

* bits 0-2, the content-type header: 0-2 as your ``headers`` give it (for a generated JSON
  document or form, its own), 3-5 none at all (a client that sends none: yours left out, a
  generated one too), 6 the body's own (``application/octet-stream`` for bytes), 7 another
  one (a JSON body sent as a form, bytes sent as JSON, ...);
* bits 3-4, when the request has no start body and a body is generated: its shape, 0 the bytes
  as generated, 1 and 3 a small JSON document made from them (the commonest body), 2 a
  urlencoded form made from them. No bytes make an empty body in every shape.

Byte 0 is your request as it is, so a failure shrinks toward your headers and plain bytes; one
that needs no content-type shrinks to byte 3, one that needs a JSON body to byte 8 and ``{}``.
"""

from __future__ import annotations

import json

from asgicheck.strategies._headers import Headers

__all__: list[str] = []  # read by _requests only

# A body's content-types: as given (None: the headers' own), its own, another one.
Types = tuple["bytes | None", "bytes | None", "bytes | None"]

_CONTENT_TYPE = b"content-type"
_JSON, _FORM = b"application/json", b"application/x-www-form-urlencoded"
_OCTETS, _TEXT = b"application/octet-stream", b"text/plain"
_TYPES: tuple[Types, ...] = ((None, _OCTETS, _JSON), (_JSON, _JSON, _FORM),
                            (_FORM, _FORM, _JSON), (_JSON, _JSON, _FORM))
START: Types = (None, None, _TEXT)  # a start body's own is the one your headers give
NO_BODY: Types = (None, None, None)  # a request without a body gets no content-type
# Text in JSON strings: ASCII first, then what decoders trip on (escapes, controls, non-ASCII,
# astral, line and paragraph separators, a BOM).
_CHARS = (*"abcdefghijklmnopqrstuvwxyz0123456789 ", "\"", "\\", "/", "\x00", "\n", "é", "日本",
          "😀", "\u2028", "\ufeff", "\U0010ffff", "ß")


def _text(data: bytes) -> str:
    return "".join(_CHARS[b % len(_CHARS)] for b in data)


# No bytes make no document (an empty body, as for bytes): a failure that needs a body then
# shrinks from a document to plain bytes, one byte at a time, rather than stopping at "{}"
# (which it cannot leave for b"\x00" without changing two bytes of the program at once).

def _json(data: bytes) -> bytes:
    """A JSON document: its first byte picks the form, the rest is the text in it."""
    if not data:
        return b""
    text = json.dumps(_text(data[1:]), ensure_ascii=False)
    form = data[0] % 8
    document = ("{}", f'{{"name": {text}}}', f"[{text}, 1, null]", text,
                str(int.from_bytes(data[1:9] or b"\x01", "big") * (-1) ** data[0]),
                f'{{"a": {{"b": [true, false, null, {text}]}}}}',
                f'{{"name": {text}, "name": "x"}}', f'{{"id": 1.5e300, "name": {text}}}')[form]
    return document.encode("utf-8")


def _form(data: bytes) -> bytes:
    """A urlencoded form: its first byte picks the form, the rest is a value, percent-encoded
    byte by byte (so ``%FF`` and other escapes that are not UTF-8 show up)."""
    if not data:
        return b""
    value = "".join(chr(b) if chr(b).isalnum() and b < 0x80 else f"%{b:02X}"
                    for b in data[1:]).encode("ascii")
    return (b"name=" + value, b"a=" + value + b"&a=" + value, value or b"a",
            b"a=1&b=" + value + b"&c")[data[0] % 4]


def shaped(byte: int, generated: bytes) -> tuple[bytes, Types]:
    """The body of a request with no start body, and its content-types."""
    shape = (byte >> 3) & 3
    body = _form(generated) if shape == 2 else _json(generated) if shape else generated
    return body, _TYPES[shape]


def labelled(byte: int, headers: Headers, types: Types, at: int) -> Headers:
    """``headers`` with the content-type this byte says, of ``types``; a new one goes at
    ``at`` (after the start headers)."""
    choice = byte & 7
    if 3 <= choice < 6:
        return [h for h in headers if h[0].lower() != _CONTENT_TYPE]
    value = types[0 if choice < 3 else choice - 5]
    if value is None:
        return headers
    found = [k for k, h in enumerate(headers) if h[0].lower() == _CONTENT_TYPE]
    if found:
        headers = list(headers)
        headers[found[0]] = [headers[found[0]][0], value]
        return headers
    return [*headers[:at], [_CONTENT_TYPE, value], *headers[at:]]
