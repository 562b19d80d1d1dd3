"""One card per failed or warned scenario: its findings, each exchange as a timeline with the
offending step marked, the spec text of each rule it broke, and how to run it again."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable

from asgicheck.explain import EXAMPLES, quote
from asgicheck.reports.html._markup import Record, badge, esc, outcome_of, slug
from asgicheck.rules import RULES

__all__ = ["finding_cards", "rerun_command"]

OPEN_CARDS = 12  # the first failures are shown open; later ones, and all warnings, folded
_ARROWS = {"received": "receive →", "sent": "← send", "note": "··", "omitted": "…",
           "finding": "!!", "text": ""}


def finding_cards(document: Record) -> tuple[str, dict[str, str], dict[str, str]]:
    """The cards, plus two maps for links into them: scenario ID -> card anchor and rule ID ->
    the first card that shows the rule."""
    chosen = [r for r in document["results"] if outcome_of(r) in ("failed", "warned", "xfailed")]
    order = {"failed": 0, "xfailed": 1, "warned": 2}
    chosen.sort(key=lambda r: (order[outcome_of(r)], str(r["scenario_id"])))
    cards: list[str] = []
    by_scenario: dict[str, str] = {}
    by_rule: dict[str, str] = {}
    for number, record in enumerate(chosen, 1):
        anchor = f"finding-{number}"
        by_scenario[str(record["scenario_id"])] = anchor
        for violation in record["violations"]:
            by_rule.setdefault(violation["rule"], anchor)
        opened = outcome_of(record) == "failed" and number <= OPEN_CARDS
        cards.append(_card(document, record, anchor, opened))
    if not cards:
        cards.append('<div class="empty">No scenario failed or warned.</div>')
    return "".join(cards), by_scenario, by_rule


def _marks(record: Record) -> dict[str, str]:
    """Rule ID -> how this scenario reported it: failed, warned or noted."""
    marks: dict[str, str] = {}
    for v in record["violations"]:
        kind = "failed" if v["fails"] else "warned" if v["severity"] == "warning" else "noted"
        if marks.get(v["rule"]) != "failed":
            marks[v["rule"]] = kind
    return marks


def _card(document: Record, record: Record, anchor: str, opened: bool) -> str:
    outcome = outcome_of(record)
    marks = _marks(record)
    badges = " ".join(badge(rule, f"rule {kind}", href=f"#{anchor}-{slug(rule)}")
                      for rule, kind in marks.items())
    title = f'<span class="title">{esc(record["title"])}</span>' if record.get("title") else ""
    body = [_violations(record), "<h4>Exchange</h4>", _exchanges(record, marks)]
    body += ["<h4>What the spec says</h4>",
             *(_rule_box(rule, f"{anchor}-{slug(rule)}", kind, opened=n == 0)
               for n, (rule, kind) in enumerate(marks.items()))]
    body += ["<h4>Reproduce</h4>", _reproduce(document, record, marks)]
    if record.get("details"):
        body += ["<h4>Details</h4>", f'<pre class="code">{esc(_dump(record["details"]))}</pre>']
    return (f'<details class="finding {outcome}" id="{anchor}"{" open" if opened else ""}>'
            f'<summary>{badge(outcome, outcome)} <span class="sid">'
            f'{esc(record["scenario_id"])}</span> {badges}{title}</summary>'
            f'<div class="body">{"".join(body)}</div></details>')


def _violations(record: Record) -> str:
    items = []
    for v in record["violations"]:
        kind = "failed" if v["fails"] else "warned" if v["severity"] == "warning" else "noted"
        where = f" · message #{v['index']}" if v["index"] is not None else ""
        level = badge(str(v["level"]), str(v["level"])) if v["level"] else ""
        items.append(f'<li>{badge(v["rule"], f"rule {kind}")} {level} '
                     f'<span class="muted">{esc(v["party"])} at fault{esc(where)} · '
                     f'{esc(v["spec"])}</span><div class="message">{esc(v["message"])}</div>'
                     f"</li>")
    if not items:
        return '<p class="muted">No finding names a rule; see the exchange.</p>'
    return f'<h4>Findings</h4><ul class="violations">{"".join(items)}</ul>'


def _exchanges(record: Record, marks: dict[str, str]) -> str:
    exchanges = record.get("exchanges") or []
    if not exchanges:
        text = record.get("transcript") or "(no transcript recorded)"
        return f'<pre class="code">{esc(text)}</pre>'
    notes = (record.get("details") or {}).get("notes") or []
    return "".join([*(f'<p class="muted">note: {esc(note)}</p>' for note in notes),
                    *(_timeline(exchange, marks) for exchange in exchanges)])


def _timeline(exchange: Record, marks: dict[str, str]) -> str:
    rows = []
    for entry in exchange["entries"]:
        rules = entry["rules"]
        kinds = {marks.get(rule, "noted") for rule in rules}
        css = [entry["kind"]]
        if kinds & {"failed", "warned"}:
            css += ["offending", *(["warned"] if "failed" not in kinds else [])]
        flags = " ".join(
            badge(rule, f"rule {marks.get(rule, 'noted')}",
                  title=None if rule in marks else "found here, reported by another scenario")
            for rule in rules)
        index = f"#{entry['index']}" if entry["index"] is not None else ""
        time = f"+{entry['time']:.3f}" if entry["time"] is not None else ""
        fields = entry["text"]
        if entry["send_result"] in ("raised", "ignored"):
            fields += "  (send raised ClientDisconnected)" if entry["send_result"] == "raised" \
                else "  (ignored: the connection was over)"
        rows.append(f'<tr class="{" ".join(css)}"><td class="idx">{esc(index)}</td>'
                    f'<td class="time">{esc(time)}</td><td class="dir">'
                    f'{esc(_ARROWS.get(entry["kind"], ""))}</td>'
                    f'<td class="type"><span>{esc(entry["type"] or "")}</span></td>'
                    f'<td class="fields">{esc(fields)}</td><td class="marks">{flags}</td></tr>')
    end = f'<div class="end">= {esc(exchange["end"])}</div>' if exchange.get("end") else ""
    end += "".join(  # raised_at: since schema 6
        f'<div class="end frame">at {esc(f["file"])}:{f["line"]} in {esc(f["function"])}: '
        f'<code>{esc(f["code"])}</code></div>' for f in exchange.get("raised_at", ()))
    table = f'<table class="timeline">{"".join(rows)}</table>' if rows else ""
    return f'<div class="exchange"><div class="head">{esc(exchange["title"])}</div>{table}' \
           f"{end}</div>"


def _rule_box(rule_id: str, anchor: str, kind: str, *, opened: bool) -> str:
    rule = RULES.get(rule_id)
    if rule is None:
        return f'<div class="rulebox" id="{esc(anchor)}">{esc(rule_id)}: not in this ' \
               f"asgicheck's catalogue</div>"
    quoted = quote(rule)
    if all(line.startswith("  |") for line in quoted):
        text = "\n".join(line[4:] for line in quoted)
        spec = f'<blockquote class="spec">{esc(text)}</blockquote>'
    else:
        spec = f'<p class="muted">{esc(" ".join(line.strip() for line in quoted))}</p>'
    parts = [f'<p class="muted">Spec: {esc(rule.source)} · key word <b>{esc(rule.keyword)}</b>'
             f"</p>", spec]
    if rule.how:
        parts.append(f'<p><span class="muted">How asgicheck checks it:</span> {esc(rule.how)}'
                     f"</p>")
    if rule.id in EXAMPLES:
        wrong, right = EXAMPLES[rule.id]
        parts.append(f'<div class="examples"><div class="wrong"><div class="label">Wrong</div>'
                     f'<pre class="code">{esc(wrong)}</pre></div><div class="right">'
                     f'<div class="label">Right</div><pre class="code">{esc(right)}</pre>'
                     f"</div></div>")
    return (f'<details class="rulebox" id="{esc(anchor)}"{" open" if opened else ""}><summary>'
            f'{badge(rule.id, f"rule {kind}")} {badge(rule.level.value, rule.level.value)} '
            f'{esc(" ".join(rule.summary.split()))}</summary><div class="inner">'
            f'{"".join(parts)}</div></details>')


def rerun_command(document: Record, scenario_id: str) -> str:
    """``pytest`` with the app, the options that shape the scenarios, and the item's node ID.
    Targets declared in an ini file or pyproject.toml are not repeated: run it from the same
    directory and they apply again."""
    options = document["options"]
    words = ["pytest", f"--asgicheck={document['app']['spec']}"]
    words += [f"--asgicheck-target={t['label']}" for t in document["targets"]
              if t["source"] == "option"]
    words += ["--asgicheck-strict"] if options["strict"] else []
    words += [f"--asgicheck-select={','.join(options['select'])}"] if options["select"] else []
    words += [f"--asgicheck-ignore={','.join(options['ignore'])}"] if options["ignore"] else []
    if options["spec_version"] != "2.4":
        words.append(f"--asgicheck-spec-version={options['spec_version']}")
    if float(options["deadline"]) != 5.0:
        words.append(f"--asgicheck-deadline={options['deadline']:g}")
    if int(options["max_targets"]) != 20:
        words.append(f"--asgicheck-max-targets={options['max_targets']}")
    words.append(f"asgicheck::{scenario_id}")
    return " ".join(shlex.quote(word) for word in words)


def _reproduce(document: Record, record: Record, marks: dict[str, str]) -> str:
    explain = _lines(f"asgicheck explain {rule}" for rule in marks)
    # A fuzzing failure's test that replays the shrunk example (details.reproduction), as it
    # was written: in a <pre>, so it can be copied from the page and run.
    code = (record.get("details") or {}).get("reproduction")
    return (f'<div class="repro"><div class="muted">Run this scenario again (scenario ID '
            f'<code>{esc(record["scenario_id"])}</code>):</div><pre class="code">'
            f'{esc(rerun_command(document, str(record["scenario_id"])))}</pre>'
            + (f'<div class="muted">Reproduce without Hypothesis (paste into a test file):'
               f'</div><pre class="code reproduction">{esc(code)}</pre>'
               if isinstance(code, str) and code else "")
            + (f'<div class="muted">Read about the rules:</div><pre class="code">{esc(explain)}'
               f"</pre>" if marks else "") + "</div>")


def _lines(lines: Iterable[str]) -> str:
    return "\n".join(lines)


def _dump(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=repr)
