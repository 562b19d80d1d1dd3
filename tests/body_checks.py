"""What a generated body is: the tests of the strategies and of the fuzzing examples share them."""

from __future__ import annotations

import json


def is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def not_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False
