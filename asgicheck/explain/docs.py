"""The rules reference, generated from the catalogue so that it cannot drift from it.

    python -m asgicheck.explain.docs > docs/rules.md          # print the page
    python -m asgicheck.explain.docs --write docs/rules.md    # the same, written to a file
    python -m asgicheck.explain.docs --check docs/rules.md    # exit 1 if the file is out of date

Every rule gets an entry under a heading that is just its ID (``#### HTTP-SEND-002``), so that
``docs/rules.md#http-send-002`` links to it. An entry gives the rule's key word, severity, party,
detection and whether it fails a run; its summary; the part of the spec section it cites, quoted
from the copy bundled in ``asgicheck/spec`` (found with ``_spec``); how asgicheck detects it; and
the wrong and right code of ``_examples`` when there is an example.
Each cited section is also quoted whole, once, at the end of the page, as ``asgicheck explain``
quotes it.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from asgicheck.explain._examples import EXAMPLES
from asgicheck.explain._spec import find_section, quote, sections
from asgicheck.rules import RULES
from asgicheck.violations import Detection, Level, Party, Rule, Severity

__all__ = ["GROUPS", "render", "spec_excerpt", "write"]


@dataclass(frozen=True, slots=True)
class Group:
    """A part of the page: one or more ID prefixes (``HTTP``, ``TRL``) under one title."""

    title: str
    prefixes: tuple[str, ...]
    intro: str


GROUPS: tuple[Group, ...] = (
    Group("General rules (asgi.rst)", ("GEN",),
          "What every ASGI application and server must do, whatever the protocol: the callable, "
          "the message dicts, the scope, errors."),
    Group("HTTP (www.rst)", ("HTTP",),
          "The HTTP connection scope, the request events an app receives and the response "
          "messages it sends."),
    Group("WebSocket (www.rst)", ("WS",),
          "The WebSocket scope, the handshake (accept, close or denial), messages both ways and "
          "disconnects."),
    Group("Lifespan (lifespan.rst)", ("LS",),
          "Startup and shutdown, talked over one long-lived lifespan scope, and the lifespan "
          "state handed to requests."),
    Group("Extensions (extensions.rst, tls.rst)", ("TRL", "PUSH", "ZC", "PS", "EH", "DBG", "WSD",
                                                   "TLS"),
          "Optional features a server advertises in ``scope[\"extensions\"]``. An app may use "
          "one only when it is advertised."),
    Group("HTTP and WebSocket RFCs (X)", ("X",),
          "Rules of HTTP (RFC 9110/9112/9113) and WebSocket (RFC 6455) that the ASGI text leaves "
          "to the protocols, but that real servers enforce by aborting the response."),
    Group("Operational (OPS)", ("OPS",),
          "asgicheck's own findings about how an app behaves as a program: crashes, hangs, a "
          "blocked event loop, state shared between connections."),
)

_PREFIX_TITLES = {
    "GEN": "", "HTTP": "", "WS": "", "LS": "", "X": "", "OPS": "",
    "TRL": "HTTP Trailers", "PUSH": "HTTP/2 Server Push", "ZC": "Zero Copy Send",
    "PS": "Path Send", "EH": "Early Hints", "DBG": "Debug", "WSD": "WebSocket Denial Response",
    "TLS": "TLS",
}
_AREAS = {  # in page order: the app's side first, then the server's
    "APP": "applications", "SEND": "what applications send", "RECV": "how applications receive",
    "MW": "middleware", "HTTP": "HTTP responses", "WS": "WebSocket messages",
    "SCOPE": "the scope a server builds", "EVT": "the events a server sends",
    "SRV": "what servers do", "ADP": "adapters (WSGI)",
}
_DETECTION = {
    Detection.STATIC: "static: one scope or message, judged by the validator on any exchange",
    Detection.SEQUENCE: "sequence: the order of messages, judged by the validator on any "
                        "exchange",
    Detection.SCENARIO: "scenario: needs one of the driver's scripted exchanges "
                        "(`pytest --asgicheck`)",
    Detection.LIVE: "live: needs a real server and client (`--asgicheck-server`)",
    Detection.MANUAL: "manual: not checked mechanically",
}
_QUOTED = re.compile(r'"([^"]{12,})"')
_KEY_FIRST = re.compile(r"^([a-z_][a-z0-9_]*)\b")
_ITEM = re.compile(r"^\s*(?:[*-]|#\.|\d+\.)\s")
MAX_EXCERPT_LINES = 24


def _norm(text: str) -> str:
    return " ".join(text.replace("``", "").replace("*", "").split()).lower()


def _anchor(text: str) -> str:
    """An ``id`` of our own: lowercase words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercased, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _prose(text: str) -> str:
    """Catalogue text as Markdown prose: one line, nothing read as HTML."""
    return " ".join(text.split()).replace("<", "&lt;")


def _sorted_ids(ids: Iterable[str]) -> list[str]:
    def key(rule_id: str) -> tuple[str, int, str]:
        head, _, number = rule_id.rpartition("-")
        return head, int(number) if number.isdigit() else 0, rule_id
    return sorted(ids, key=key)


def _spec_anchor(rule: Rule) -> str:
    return "spec-" + _anchor(rule.spec)


def _quoted_spec(rule: Rule) -> tuple[list[str], str]:
    """``asgicheck explain``'s quote of the rule's section as plain lines, and its overflow
    note ("... (N more lines in asgicheck/spec/www.rst)"), or ``([], reason)`` when there is no
    text to quote."""
    lines = quote(rule)
    if not lines or not lines[0].startswith("  |"):
        return [], " ".join(lines).strip().strip("()")
    overflow = ""
    if lines[-1].startswith("  | ... (") and "more lines in" in lines[-1]:
        overflow = lines.pop()[len("  | "):]
    return [line[4:] if line.startswith("  | ") else "" for line in lines], overflow


def _section_lines(rule: Rule) -> list[str]:
    """The whole cited section (the explain quote stops after 60 lines)."""
    spec_file = rule.spec_file.split()[0] if rule.spec_file else ""
    if rule.section and spec_file.endswith(".rst"):
        section = find_section(spec_file, rule.section)
        if section is not None:
            return section.text.splitlines()
    return _quoted_spec(rule)[0]


def _blocks(lines: Sequence[str]) -> list[list[str]]:
    """Paragraphs, with list items split apart, and the section's title left out."""
    body = list(lines[2:]) if len(lines) > 1 and set(lines[1].strip()) <= set("=-^~'\"`#*+") \
        else list(lines)
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in body:
        if not line.strip() or (_ITEM.match(line) and current):
            if current:
                blocks.append(current)
            current = [line] if line.strip() else []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def spec_excerpt(rule: Rule) -> list[str]:
    """The lines of the cited section that say what the rule says.

    The blocks (paragraphs or list items) that contain a phrase the summary quotes, or that
    define the key the summary starts with (``http_version: ...``); failing both, the opening
    of the section. Empty when the rule cites no section of the bundled spec.
    """
    blocks = _blocks(_section_lines(rule))
    if not blocks:
        return []
    keys = []
    for phrase in _QUOTED.findall(rule.summary):
        for piece in phrase.split("..."):
            if len(piece.strip()) >= 12:
                keys.append(_norm(piece)[:40])
    normalised = [_norm(" ".join(block)) for block in blocks]
    chosen = [i for i, text in enumerate(normalised) if any(key in text for key in keys)]
    first_key = _KEY_FIRST.match(rule.summary)
    if not chosen and first_key:
        name = f"``{first_key[1]}``"
        chosen = [i for i, block in enumerate(blocks) if block[0].lstrip(" *-").startswith(name)]
    if not chosen:
        chosen = [0] if len(blocks[0]) >= 3 or len(blocks) == 1 else [0, 1]
    shown: list[str] = []
    previous = -1
    for index in chosen:
        if shown and index != previous + 1:
            shown.append("...")
        elif shown:
            shown.append("")
        shown.extend(blocks[index])
        previous = index
        if len(shown) >= MAX_EXCERPT_LINES:
            break
    if len(shown) > MAX_EXCERPT_LINES:
        shown = [*shown[:MAX_EXCERPT_LINES], "..."]
    return textwrap.dedent("\n".join(shown)).splitlines()


def _fails(rule: Rule) -> str:
    if rule.detection is Detection.MANUAL:
        return "never (nothing reports it)"
    if rule.fatal:
        return "always (fatal: whatever its level)"
    if rule.breaks and rule.level is not Level.MUST:
        return f"yes (it breaks something under real servers, whatever its {rule.level.value})"
    if rule.severity is Severity.ERROR:
        return "yes"
    if rule.severity is Severity.WARNING:
        return "only with `--asgicheck-strict`"
    return "never (an info note in the summary)"


def _generic_note(rule: Rule) -> str:
    if rule.detection is Detection.MANUAL:
        return ("Not checked mechanically: it is listed so that the catalogue covers the whole "
                "text.")
    if rule.party is Party.SERVER:
        where = ("in live-server mode, on a real server's wire behaviour"
                 if rule.detection is Detection.LIVE else
                 "on the scope and events a server hands to an app wrapped in "
                 "`asgicheck.validate()`, and in live-server mode")
        return (f"This rule binds servers (and middleware, towards the app it wraps), so an "
                f"app cannot break it. asgicheck reports it {where}. If your server breaks it, "
                f"your app has to tolerate it until the server is fixed.")
    return ("No code example for this rule yet: the summary says what the spec expects, and "
            f"`asgicheck explain {rule.id}` prints this entry in a terminal.")


def _rule_entry(rule: Rule) -> list[str]:
    assert rule.severity is not None
    facts = [f"`{rule.keyword}`", rule.severity.value, f"binds the {rule.party.value}",
             f"detection: {_DETECTION[rule.detection]}", f"fails a run: {_fails(rule)}"]
    if not rule.enabled_by_default:
        facts.append(f"off by default (`--asgicheck-select={rule.id}` turns it on)")
    out = [f"#### {rule.id}", "", " · ".join(facts), "", _prose(rule.summary), ""]
    if rule.consequence is not None:
        said = f"breaks {rule.observed}" if rule.breaks else rule.observed
        out += [f"Under real servers (**{rule.consequence.value}**, measured): "
                f"{_prose(said)}.", ""]
    spec_file = rule.spec_file.split()[0] if rule.spec_file else ""
    if spec_file.endswith(".rst"):
        excerpt = spec_excerpt(rule)
        cites = f"Cites {_prose(rule.source)}"
        if excerpt:
            out += [f"{cites} ([whole section](#{_spec_anchor(rule)})):", "", "```rst",
                    *excerpt, "```", ""]
        else:
            _, reason = _quoted_spec(rule)
            out += [f"{cites} ({_prose(reason)}).", ""]
    else:
        out += [f"Not in the ASGI text: cites {_prose(rule.source)}.", ""]
    if rule.how:
        out += [f"How asgicheck detects it: {_prose(rule.how)}", ""]
    if rule.id in EXAMPLES:
        wrong, right = EXAMPLES[rule.id]
        out += ["Wrong:", "", "```python", wrong, "```", "", "Right:", "", "```python", right,
                "```", ""]
    else:
        out += [_generic_note(rule), ""]
    return out


def _area_title(prefix: str, area: str) -> str:
    name = _PREFIX_TITLES[prefix]
    described = _AREAS.get(area, area.lower())
    label = f"{name}: {described}" if name else described[0].upper() + described[1:]
    return f"{label} ({prefix}-{area})"


def _areas(group: Group) -> list[tuple[str, list[Rule]]]:
    """(title, rules) for every area of a group, the app's areas before the server's."""
    found: dict[tuple[str, str], list[Rule]] = {}
    for rule_id in _sorted_ids(RULES):
        prefix, area = rule_id.split("-")[:2]
        if prefix in group.prefixes:
            found.setdefault((prefix, area), []).append(RULES[rule_id])
    order = list(_AREAS)

    def key(item: tuple[tuple[str, str], list[Rule]]) -> tuple[int, int, str]:
        (prefix, area), rules = item
        server_side = rules[0].party is Party.SERVER
        return group.prefixes.index(prefix), server_side, \
            f"{order.index(area) if area in order else len(order):02d}{area}"

    return [(_area_title(prefix, area), rules)
            for (prefix, area), rules in sorted(found.items(), key=key)]


def _appendix() -> list[str]:
    cited: dict[str, list[Rule]] = {}
    for rule_id in _sorted_ids(RULES):
        rule = RULES[rule_id]
        if rule.spec_file.split()[0].endswith(".rst") if rule.spec_file else False:
            cited.setdefault(rule.spec, []).append(rule)
    files = ("asgi.rst", "www.rst", "lifespan.rst", "extensions.rst", "tls.rst")
    out = ["## The spec sections cited", "",
           "Each section a rule cites, quoted once from the copy of the ASGI specification "
           "bundled in [`asgicheck/spec`](../asgicheck/spec/README.md) (as `asgicheck explain` "
           "quotes it, at most 60 lines).", ""]
    def position(spec: str) -> tuple[int, int, str]:
        spec_file, _, section = spec.partition(" § ")
        spec_file = spec_file.split()[0]
        found = find_section(spec_file, section) if section else None
        where = sections(spec_file).index(found) if found in sections(spec_file) else -1
        return files.index(spec_file) if spec_file in files else len(files), where, spec

    for spec in sorted(cited, key=position):
        rules = cited[spec]
        lines, overflow = _quoted_spec(rules[0])
        links = ", ".join(f"[{r.id}](#{r.id.lower()})" for r in rules)
        out += [f'<a id="{_spec_anchor(rules[0])}"></a>', "", f"### {spec}", "",
                f"Cited by {links}.", ""]
        if lines:
            out += ["```rst", *lines, "```", ""]
            if overflow:
                spec_file = spec.split()[0]
                out += [f"Cut after {len(lines)} lines: the rest is in "
                        f"[`asgicheck/spec/{spec_file}`](../asgicheck/spec/{spec_file}).", ""]
        else:
            out += [f"_{_prose(overflow)}_", ""]
    return out


def _below_must() -> list[str]:
    """The audit of every app rule below MUST: what breaking it does, and its verdict."""
    rules = [RULES[i] for i in _sorted_ids(RULES) if RULES[i].level is not Level.MUST
             and RULES[i].party is Party.APP and RULES[i].consequence is not None]
    out = ["## What breaks under real servers", "",
           "Each app rule below MUST was broken on purpose under uvicorn 0.55 and hypercorn 0.18 "
           "with real clients. Where that gives an error, a broken connection, a failed "
           "handshake or a failed start-up, the rule fails a run by default, whatever the "
           "spec's own word; where servers tolerate it, it keeps its warning or note, and "
           "`--asgicheck-strict` holds the app to the spec's letter. "
           "`tests/live/test_consequences.py` measures the rules that fail by default again, "
           "under the servers installed.", "",
           "| rule | key word | under real servers | default verdict |", "|---|---|---|---|"]
    for rule in rules:
        assert rule.consequence is not None and rule.severity is not None
        verdict = {Severity.ERROR: "**fails**", Severity.WARNING: "warns",
                   Severity.INFO: "note"}[rule.severity]
        out.append(f"| [{rule.id}](#{rule.id.lower()}) | `{rule.keyword}` | "
                   f"{rule.consequence.value} | {verdict} |")
    return [*out, ""]


def render() -> str:
    """The whole rules reference as Markdown."""
    severities = {s: sum(1 for r in RULES.values() if r.severity is s) for s in Severity}
    out = [
        "# Rules reference",
        "",
        "<!-- Generated by `python -m asgicheck.explain.docs > docs/rules.md` from the rule "
        "catalogue (asgicheck/rules). Do not edit by hand: tests/docs fails when this file is out "
        "of date. -->",
        "",
        f"Every requirement asgicheck can report: {len(RULES)} rules "
        f"({severities[Severity.ERROR]} errors, {severities[Severity.WARNING]} warnings, "
        f"{severities[Severity.INFO]} info notes), each under a heading that is its ID. "
        "In a terminal, `asgicheck explain RULE-ID` prints the same entry and "
        "`asgicheck rules [PREFIX]` lists them.",
        "",
        "## How to read an entry",
        "",
        "* **ID**: `<GROUP>-<AREA>-<NNN>`, stable once published. Areas `APP`, `SEND`, `RECV` "
        "and `MW` bind applications (and middleware); `SCOPE`, `EVT`, `SRV` and `ADP` bind "
        "servers.",
        "* **Key word**: the spec's own word (`MUST`, `SHOULD NOT`, `MAY`, ...). A trailing `*` "
        "marks an obligation the text implies (a declared type, a default, an order) rather "
        "than states with a key word.",
        "* **Severity**: errors fail a run; warnings fail only with `--asgicheck-strict`; info "
        "notes never fail. A MUST is an error. Below MUST the verdict follows the consequence: "
        "a rule whose breaking breaks something under real servers is an error whatever its "
        "key word (see [what breaks under real servers](#what-breaks-under-real-servers)), "
        "the others are warnings or notes. A *fatal* rule (a crash, a hang, a blocked event "
        "loop) fails a run whatever its level.",
        "* **Under real servers**: what uvicorn and hypercorn, and real clients, do when an app "
        "breaks the rule, measured by running it (server rules, which an app cannot break, "
        "have none).",
        "* **Party**: who is at fault when the rule is broken, the app or the server.",
        "* **Detection**: what it takes to see the rule broken. *static* and *sequence* rules "
        "are judged by the sans-IO validator on any exchange (a `pytest --asgicheck` run, "
        "`asgicheck.validate()`, middleware and live-server modes); *scenario* rules need one "
        "of the scripted exchanges of `pytest --asgicheck`; *live* rules need "
        "`--asgicheck-server`; *manual* rules are not checked mechanically.",
        "* **Cites**: the spec section, with the part of it that states the rule. Every cited "
        "section is quoted whole [at the end of the page](#the-spec-sections-cited).",
        "",
        "Select or silence rules by ID or prefix: see [selecting rules](selecting-rules.md).",
        "",
        *_below_must(),
        "## Contents",
        "",
    ]
    body: list[str] = []
    for group in GROUPS:
        areas = _areas(group)
        count = sum(len(rules) for _, rules in areas)
        out.append(f"* [{group.title}](#{_slug(group.title)}): {count} rules")
        body += [f"## {group.title}", "", group.intro, ""]
        for title, rules in areas:
            out.append(f"  * [{title}](#{_slug(title)}): "
                       + ", ".join(f"[{r.id.rsplit('-', 1)[1]}](#{r.id.lower()})"
                                   for r in rules))
            body += [f"### {title}", ""]
            for rule in rules:
                body += _rule_entry(rule)
    out.append("* [The spec sections cited](#the-spec-sections-cited)")
    out += ["", *body, *_appendix()]
    return "\n".join(out).rstrip() + "\n"


def write(path: str | Path) -> None:
    """Write the rules reference to ``path``."""
    Path(path).write_text(render(), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        sys.stdout.write(render())
        return 0
    if len(args) == 2 and args[0] == "--write":
        write(args[1])
        return 0
    if len(args) == 2 and args[0] == "--check":
        path = Path(args[1])
        if path.is_file() and path.read_text(encoding="utf-8") == render():
            return 0
        sys.stderr.write(f"{path} is out of date with the rule catalogue; regenerate it with "
                         f"`python -m asgicheck.explain.docs --write {path}`\n")
        return 1
    sys.stderr.write("usage: python -m asgicheck.explain.docs [--write PATH | --check PATH]\n")
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
