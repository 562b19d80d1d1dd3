"""Small pieces every part of the HTML report uses. Every value from a report goes through
``esc``: transcripts carry whatever the app sent, ``<script>`` included."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

__all__ = ["PROTOCOLS", "STATUSES", "Record", "badge", "esc", "outcome_of", "rule_protocol",
           "slug"]

Record = Mapping[str, Any]
PROTOCOLS = ("http", "websocket", "lifespan", "general")
STATUSES = ("passed", "failed", "warned", "skipped", "xfailed")
# Which protocol a rule belongs to, by its ID's group (see asgicheck.rules).
_GROUP_PROTOCOL = {"HTTP": "http", "TRL": "http", "PUSH": "http", "ZC": "http", "PS": "http",
                   "EH": "http", "DBG": "http", "TLS": "http", "WS": "websocket",
                   "WSD": "websocket", "LS": "lifespan"}


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def slug(text: str) -> str:
    """An HTML id made of the text's letters and digits (``HTTP-SEND-002`` stays as it is)."""
    return "".join(c if c.isalnum() or c == "-" else "_" for c in text)


def badge(text: str, kind: str, *, href: str | None = None, title: str | None = None) -> str:
    """A small coloured label; ``kind`` is a status (``failed``...), a level or ``rule``."""
    hint = f' title="{esc(title)}"' if title else ""
    if href:
        return f'<a class="badge {esc(kind)}" href="{esc(href)}"{hint}>{esc(text)}</a>'
    return f'<span class="badge {esc(kind)}"{hint}>{esc(text)}</span>'


def outcome_of(record: Record) -> str:
    """The record's status, with expected failures (``asgicheck_xfail``) told apart."""
    return "xfailed" if record.get("xfailed") else str(record["status"])


def rule_protocol(rule_id: str) -> str:
    group, _, rest = rule_id.partition("-")
    if group == "X":
        return "websocket" if rest.startswith("WS") else "http"
    return _GROUP_PROTOCOL.get(group, "general")
