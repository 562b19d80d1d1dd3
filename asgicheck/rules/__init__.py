"""The rule catalogue: every requirement asgicheck can report, with the spec section it cites.

Rules are data (the ``_*.py`` modules beside this one, one per spec area). Findings are built
only through :func:`violation`, so that no check can name a rule the catalogue lacks.

IDs follow ``<GROUP>-<AREA>-<NNN>`` and never change once published: ``GEN`` (asgi.rst),
``HTTP`` and ``WS`` (www.rst), ``LS`` (lifespan.rst), the extension groups ``TRL``, ``PUSH``,
``ZC``, ``PS``, ``EH``, ``DBG``, ``WSD`` and ``TLS``, ``X`` for HTTP/WebSocket RFC rules, and
``OPS`` for asgicheck's own crash/hang/block findings. Areas ``APP``, ``SEND``, ``RECV`` and
``MW`` bind applications; ``SCOPE``, ``EVT``, ``SRV`` and ``ADP`` bind servers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from asgicheck.rules import (
    _ext_connection,
    _ext_http,
    _general,
    _http_app,
    _http_server,
    _lifespan,
    _operational,
    _rfc,
    _websocket_app,
    _websocket_server,
)
from asgicheck.rules._consequences import CONSEQUENCES
from asgicheck.violations import Consequence, Rule, Severity, Violation

__all__ = ["RULES", "get", "matching", "violation"]


def _build(modules: Iterable[tuple[Rule, ...]]) -> Mapping[str, Rule]:
    table: dict[str, Rule] = {}
    for rules in modules:
        for rule in rules:
            if rule.id in table:
                raise RuntimeError(f"rule {rule.id} is defined twice")
            table[rule.id] = _with_consequence(rule)
    unknown = set(CONSEQUENCES) - set(table)
    if unknown:
        raise RuntimeError(f"consequences for rules the catalogue lacks: {sorted(unknown)}")
    return MappingProxyType(table)


def _with_consequence(rule: Rule) -> Rule:
    """The rule with what real servers do when it is broken; one that breaks something fails a
    run by default, so its severity is an error whatever its key word says."""
    if rule.id not in CONSEQUENCES:
        return rule
    kind, observed = CONSEQUENCES[rule.id]
    consequence = Consequence(kind)
    severity = Severity.ERROR if consequence.breaks else rule.severity
    return dataclasses.replace(rule, consequence=consequence, observed=observed,
                               severity=severity)


RULES: Mapping[str, Rule] = _build(
    module.RULES
    for module in (
        _general, _http_app, _http_server, _websocket_app, _websocket_server, _lifespan,
        _ext_http, _ext_connection, _rfc, _operational,
    )
)


def get(rule_id: str) -> Rule:
    """The rule with this ID; a KeyError that names close IDs when there is none."""
    try:
        return RULES[rule_id]
    except KeyError:
        near = [r for r in RULES if r.startswith(rule_id.rsplit("-", 1)[0])][:5]
        hint = f" (did you mean one of {', '.join(near)}?)" if near else ""
        raise KeyError(f"no asgicheck rule {rule_id!r}{hint}") from None


def matching(selector: str) -> list[Rule]:
    """Rules whose ID equals ``selector`` or starts with it as a prefix (``HTTP-SEND``, ``WS-``)."""
    selector = selector.strip().upper()
    return [rule for rule_id, rule in RULES.items() if rule_id == selector or
            rule_id.startswith(selector if selector.endswith("-") else selector + "-")]


def violation(rule_id: str, message: str, *, index: int | None = None,
              severity: Severity | None = None) -> Violation:
    """A finding against ``rule_id``; ``message`` must show the offending value."""
    rule = RULES[rule_id]
    assert rule.severity is not None
    return Violation(
        rule=rule_id,
        severity=severity or rule.severity,
        party=rule.party,
        spec=rule.spec,
        message=message,
        index=index,
    )
