"""``asgicheck explain RULE-ID`` and ``asgicheck rules [PREFIX]``: the catalogue, readable.

``explain`` quotes the spec section a rule cites (``_spec``) and shows its wrong and right code
(``_examples``) when there is an example.
"""

from __future__ import annotations

import textwrap

from asgicheck.explain._examples import EXAMPLES
from asgicheck.explain._spec import quote
from asgicheck.rules import RULES, get, matching

__all__ = ["explain", "rules_table"]


def explain(rule_id: str) -> str:
    """Everything about one rule: level, summary, the spec text, how it is checked, examples."""
    rule = get(rule_id.strip().upper())
    assert rule.severity is not None
    flags = [rule.keyword, f"{rule.severity.value}", f"binds the {rule.party.value}",
             f"detection: {rule.detection.value}"]
    flags += ["fatal: fails a run whatever its level"] if rule.fatal else []
    flags += ["off by default: select it by ID"] if not rule.enabled_by_default else []
    wrap = textwrap.TextWrapper(width=96, initial_indent="  ", subsequent_indent="  ")
    lines = [f"{rule.id}  ({', '.join(flags)})", "", wrap.fill(rule.summary), ""]
    if rule.consequence is not None:
        lines += [f"Under real servers ({rule.consequence.value}"
                  f"{', so it fails a run' if rule.breaks else ''}):",
                  wrap.fill(f"breaks {rule.observed}" if rule.breaks else rule.observed), ""]
    lines += [f"Spec: {rule.source}", *quote(rule), ""]
    if rule.how:
        lines += ["How asgicheck checks it:", wrap.fill(rule.how), ""]
    if rule.id in EXAMPLES:
        wrong, right = EXAMPLES[rule.id]
        lines += ["Wrong:", textwrap.indent(wrong, "    "), "", "Right:",
                  textwrap.indent(right, "    "), ""]
    return "\n".join(lines).rstrip() + "\n"


def rules_table(prefix: str = "") -> str:
    """One line per rule (all, or those matching an ID prefix such as ``HTTP-SEND``)."""
    chosen = matching(prefix) if prefix else list(RULES.values())
    if not chosen:
        raise KeyError(f"no asgicheck rule matches {prefix!r}; prefixes look like GEN, HTTP-SEND, "
                       f"WS, LS-APP, OPS")
    lines = []
    for rule in chosen:
        assert rule.severity is not None
        summary = " ".join(rule.summary.split())
        flag = "" if rule.enabled_by_default else " (off by default)"
        lines.append(f"{rule.id:<14} {rule.level.value:<6} {rule.severity.value:<7} "
                     f"{textwrap.shorten(summary, 70, placeholder='...')}{flag}")
    return "\n".join(lines) + f"\n{len(chosen)} rule(s); details: asgicheck explain RULE-ID\n"
