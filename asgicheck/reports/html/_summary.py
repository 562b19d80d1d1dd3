"""The report's overview: the verdict, the app and options, totals by protocol, the matrix of
rules by outcome, and the list of every scenario."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence

from asgicheck.reports.html._markup import (
    PROTOCOLS,
    STATUSES,
    Record,
    badge,
    esc,
    outcome_of,
    rule_protocol,
    slug,
)
from asgicheck.rules import RULES
from asgicheck.selection import Selection
from asgicheck.violations import Detection, Party, Rule

__all__ = ["matrix", "overview", "reportable_rules", "scenario_table", "verdict"]

VALIDATOR = (Detection.STATIC, Detection.SEQUENCE)  # judged on every exchange


def verdict(document: Record) -> str:
    results = document["results"]
    outcomes = Counter(outcome_of(r) for r in results)
    failed = bool(document["summary"]["failed"])
    kind = "failed" if failed else "warned" if outcomes["warned"] else "passed"
    word = {"failed": "FAILED", "warned": "PASSED with warnings", "passed": "PASSED"}[kind]
    if not results:
        kind, word = "warned", "NO RESULTS"
    lines = {
        "failed": f"{outcomes['failed']} scenario(s) broke a rule that fails the run.",
        "warned": "Only SHOULD-level findings; --asgicheck-strict would make them fail.",
        "passed": "Every scenario that applies to this app passed.",
    }
    note = lines[kind] if results else "No scenario ran (all deselected?)."
    counts = "".join(f'<div class="count"><b>{outcomes[s]}</b><span>{s}</span></div>'
                     for s in STATUSES if outcomes[s] or s in ("passed", "failed"))
    return (f'<section id="summary" class="verdict {kind}"><div><div class="word">{esc(word)}'
            f'</div><div class="muted">{esc(note)}</div></div><div class="counts">{counts}'
            f"</div></section>")


def overview(document: Record) -> str:
    """The app, the options and the targets beside the totals by protocol."""
    app, options = document["app"], document["options"]
    facts = [("app", f"<code>{esc(app['spec'])}</code>"), ("kind", esc(app["description"])),
             ("named by", esc(app["source"])),
             ("asgicheck", esc(document["tool"]["version"]))]
    opts = [("spec_version", options["spec_version"]), ("deadline", f"{options['deadline']:g} s"),
            ("strict", "yes" if options["strict"] else "no"),
            ("select", ", ".join(options["select"]) or "all rules on by default"),
            ("ignore", ", ".join(options["ignore"]) or "none"),
            ("max_targets", options["max_targets"])]
    targets = ", ".join(f"{t['label']} ({t['source']})" for t in document["targets"])
    opts.append(("targets", targets or "none recorded"))
    left = _facts(facts + [(k, esc(v)) for k, v in opts])
    return (f'<div class="grid"><div class="card"><h3>App and options</h3>{left}</div>'
            f'<div class="card"><h3>Outcomes by protocol</h3>{_totals(document)}</div></div>')


def _facts(rows: Sequence[tuple[str, str]]) -> str:
    """``rows`` hold HTML already escaped by the caller."""
    return '<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows) \
        + "</dl>"


def _totals(document: Record) -> str:
    by_protocol: dict[str, Counter[str]] = {}
    for record in document["results"]:
        by_protocol.setdefault(record["protocol"], Counter())[outcome_of(record)] += 1
    if not by_protocol:
        return '<p class="muted">No results.</p>'
    columns = [s for s in STATUSES if s != "xfailed" or
               any(c["xfailed"] for c in by_protocol.values())]
    head = "".join(f'<th class="num">{s}</th>' for s in columns)
    rows = []
    ordered = sorted(by_protocol, key=lambda p: (PROTOCOLS + (p,)).index(p))
    for name in ordered:
        rows.append(_count_row(name, by_protocol[name], columns, bar=True))
    rows.append(_count_row("total", sum(by_protocol.values(), Counter()), columns, bar=False,
                           css="total"))
    return f'<table class="totals"><tr><th>protocol</th>{head}<th></th></tr>{"".join(rows)}' \
           f"</table>"


def _count_row(name: str, counts: Counter[str], columns: Sequence[str], *, bar: bool,
               css: str = "") -> str:
    cells = "".join(f'<td class="num {"zero" if not counts[s] else "n-" + s}">{counts[s]}</td>'
                    for s in columns)
    total = sum(counts.values()) or 1
    parts = "".join(f'<span class="{s}" style="width:{100 * counts[s] / total:.2f}%"></span>'
                    for s in columns if counts[s])
    graph = f'<div class="bar">{parts}</div>' if bar else ""
    return f'<tr class="{css}"><td>{esc(name)}</td>{cells}<td>{graph}</td></tr>'


def reportable_rules(document: Record) -> list[Rule]:
    """Every rule this run could report: the validator's app rules (judged on every exchange),
    the rules the scenarios exercise, and anything found, as the run's select/ignore leave them.
    """
    options = document["options"]
    selection = Selection.parse(",".join(options["select"]), ",".join(options["ignore"]),
                                strict=bool(options["strict"]))
    chosen = {r.id for r in RULES.values() if r.party is Party.APP and r.detection in VALIDATOR}
    chosen |= {rule for record in document["results"] for rule in record.get("rules", ())}
    chosen = {rule for rule in chosen if selection.enabled(rule)}
    chosen |= {v["rule"] for record in document["results"] for v in record["violations"]}
    return [RULES[rule] for rule in RULES if rule in chosen]


def matrix(document: Record, first_card: dict[str, str]) -> str:
    """Rules × outcome, a table per protocol. ``first_card``: rule ID -> the anchor of the first
    finding card that shows it."""
    results = document["results"]
    by_rule = document["summary"]["by_rule"]
    exercising: Counter[str] = Counter(rule for r in results if r["status"] != "skipped"
                                       for rule in r.get("rules", ()))
    ran = sum(1 for r in results if r["status"] != "skipped")
    groups: dict[str, list[str]] = {p: [] for p in PROTOCOLS}
    tallies: dict[str, Counter[str]] = {p: Counter() for p in PROTOCOLS}
    for rule in reportable_rules(document):
        counts = by_rule.get(rule.id, {})
        state = ("failed" if counts.get("failed") else "warned" if counts.get("warned") else
                 "noted" if counts.get("info") else "clean")
        checked = ("every exchange" if rule.detection in VALIDATOR and ran
                   else f"{exercising[rule.id]} scenario(s)")
        if state == "clean" and not (ran if rule.detection in VALIDATOR
                                     else exercising[rule.id]):
            state = "unrun"
        protocol = rule_protocol(rule.id)
        tallies[protocol][state] += 1
        groups[protocol].append(_matrix_row(rule, state, counts, checked,
                                            first_card.get(rule.id)))
    parts = ['<label class="filter"><input type="checkbox" id="only-findings"> show only rules '
             "with findings</label>"]
    for protocol in PROTOCOLS:
        if not groups[protocol]:
            continue
        tally = tallies[protocol]
        summary = " · ".join(f"{tally[s]} {label}" for s, label in
                             (("failed", "failed"), ("warned", "warned"), ("noted", "noted"),
                              ("clean", "no finding"), ("unrun", "not exercised")) if tally[s])
        parts.append(
            f'<details class="protocol" open><summary>{esc(protocol)} <span class="muted">'
            f"{len(groups[protocol])} rules</span><span class=\"tally\">{esc(summary)}</span>"
            f'</summary><table class="matrix"><tr><th>rule</th><th>level</th><th>requirement'
            f'</th><th>checked by</th><th class="num">failed</th><th class="num">warned</th>'
            f'<th class="num">info</th><th>outcome</th></tr>{"".join(groups[protocol])}'
            f"</table></details>")
    return "".join(parts)


_STATE_LABEL = {"failed": "failed", "warned": "warned", "noted": "noted", "clean": "no finding",
                "unrun": "not exercised"}


def _matrix_row(rule: Rule, state: str, counts: Record, checked: str, card: str | None) -> str:
    level = badge(rule.level.value + (" · fatal" if rule.fatal else ""), rule.level.value,
                  title=rule.keyword)
    name = f'<a href="#{esc(card)}">{esc(rule.id)}</a>' if card else esc(rule.id)
    summary = " ".join(rule.summary.split())
    cells = "".join(f'<td class="num {"zero" if not counts.get(k) else "n-" + s}">'
                    f'{counts.get(k) or "–"}</td>'
                    for k, s in (("failed", "failed"), ("warned", "warned"), ("info", "info")))
    return (f'<tr class="{state}" id="rule-{slug(rule.id)}"><td class="rule">{name}</td>'
            f'<td class="level">{level}</td><td class="summary" title="{esc(summary)}">'
            f'{esc(textwrap.shorten(summary, 120, placeholder=" …"))}</td>'
            f'<td class="checked muted">{esc(checked)}</td>{cells}'
            f"<td>{badge(_STATE_LABEL[state], state)}</td></tr>")


def scenario_table(document: Record, cards: dict[str, str]) -> str:
    """Every scenario with its outcome; those with a finding card link to it."""
    rows = []
    for record in document["results"]:
        outcome = outcome_of(record)
        sid = str(record["scenario_id"])
        name = f'<a href="#{esc(cards[sid])}">{esc(sid)}</a>' if sid in cards else esc(sid)
        rules = " ".join(dict.fromkeys(v["rule"] for v in record["violations"]))
        why = record.get("skip_reason") or record.get("title") or ""
        rows.append(f'<tr><td class="sid">{name}</td><td>{esc(record["protocol"])}</td>'
                    f"<td>{badge(outcome, outcome)}</td>"
                    f'<td class="num">{float(record["duration"]) * 1000:.1f} ms</td>'
                    f'<td class="mono">{esc(rules)}</td><td class="muted">{esc(why)}</td></tr>')
    if not rows:
        return '<div class="empty">No scenario ran.</div>'
    return (f'<details class="protocol"><summary>all {len(rows)} scenarios</summary>'
            f'<table class="scenarios"><tr><th>scenario</th><th>protocol</th><th>outcome</th>'
            f'<th class="num">time</th><th>findings</th><th>about</th></tr>{"".join(rows)}'
            f"</table></details>")
