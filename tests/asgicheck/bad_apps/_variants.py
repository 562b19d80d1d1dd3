"""Bad apps: request variants (HEAD).

Each is ``good`` apart from the branch its variant wakes. The framework apps that make the same
mistakes in user code, and their conforming twins, are in test_scenarios_variants.py.
"""

from __future__ import annotations

from typing import Any

from bad_apps._support import breaks, good, read_body, respond


@breaks("X-HTTP-006", "head-request")
async def answers_head_with_the_body(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["method"] == "HEAD":
        await read_body(receive)
        await respond(send)  # the GET's answer, body and all
    else:
        await good(scope, receive, send)
