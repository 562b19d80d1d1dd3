"""The rule catalogue is complete, cites real spec sections, and every check has been seen failing.

"A check that was never seen failing is not a check": every rule the validator claims to judge
(detection STATIC or SEQUENCE) must be the one and only rule reported by some known-bad exchange
in ``bad_cases_*.py``.
"""

from __future__ import annotations

import importlib
import pathlib
import re

import pytest
from cases import Case

import asgicheck
from asgicheck.rules import RULES, matching
from asgicheck.violations import Detection, Party

ROOT = pathlib.Path(__file__).parents[2]
SPEC = ROOT / "asgicheck" / "spec"
SHARED_SPEC = ROOT.parent / "shared" / "asgi-spec"
HERE = pathlib.Path(__file__).parent
VALIDATOR_DETECTIONS = {Detection.STATIC, Detection.SEQUENCE}


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(HERE.glob("bad_cases_*.py")):
        cases += importlib.import_module(path.stem).CASES
    return cases


def headings(text: str) -> set[str]:
    lines = text.splitlines()
    found = set()
    for above, line in zip(lines, lines[1:], strict=False):
        if above.strip() and re.fullmatch(r"([-=~^'\"])\1{2,}", line.strip()):
            found.add(above.replace("``", "").strip())
    return found


def test_ids_are_well_formed_and_grouped_by_party() -> None:
    for rule_id, rule in RULES.items():
        assert re.fullmatch(r"[A-Z]+-[A-Z]+-\d{3}", rule_id), rule_id
        assert rule.id == rule_id
        area = rule_id.split("-")[1]
        assert (rule.party is Party.SERVER) == (area in {"SCOPE", "EVT", "SRV", "ADP"})
        assert rule.summary and rule.source


def test_every_cited_section_exists_in_the_bundled_spec() -> None:
    texts = {path.name: headings(path.read_text()) for path in SPEC.glob("*.rst")}
    for rule in RULES.values():
        current = None
        for part in rule.source.split(";"):
            part = part.split("→")[0].strip()
            if part.startswith("RFC") or "§" not in part:
                continue  # an RFC or a tracker thread, not a spec section
            name, _, section = part.rpartition("§")
            name = name.strip() or current
            current = name
            if not section.strip() or name not in texts:
                assert name in texts, f"{rule.id} cites unknown file {name!r}"
                continue
            # "(HTTP)", "(note)", "(2.3)" and "(example implementation)" qualify a heading.
            title = re.sub(r"\s*\([^)]*\)$", "", section.strip())
            assert title in texts[name], f"{rule.id} cites {name} § {title!r}, not a heading"


@pytest.mark.skipif(not SHARED_SPEC.is_dir(), reason="shared/asgi-spec is not beside the clone")
def test_bundled_spec_is_the_shared_copy() -> None:
    for path in SPEC.glob("*.rst"):
        assert path.read_text() == (SHARED_SPEC / path.name).read_text(), path.name


def test_every_validator_rule_has_been_seen_failing() -> None:
    seen = {rule for case in all_cases() for rule in case.expect}
    claimed = {r.id for r in RULES.values() if r.detection in VALIDATOR_DETECTIONS}
    missing = sorted(claimed - seen)
    assert not missing, f"rules the validator claims to check with no bad case: {missing}"


def test_bad_cases_name_rules_the_validator_claims() -> None:
    for case in all_cases():
        for rule_id in case.expect:
            assert RULES[rule_id].detection in VALIDATOR_DETECTIONS, (
                f"{case.id}: {rule_id} is reported by the validator but its detection is "
                f"{RULES[rule_id].detection.value}")


def test_every_rule_id_in_the_code_is_in_the_catalogue() -> None:
    pattern = re.compile(r"[\"']((?:GEN|HTTP|WS|LS|TRL|PUSH|ZC|PS|EH|DBG|WSD|TLS|X|OPS)"
                         r"-[A-Z]+-\d{3})[\"']")
    for path in (ROOT / "asgicheck").rglob("*.py"):
        if path.parent.name == "rules":
            continue
        for rule_id in pattern.findall(path.read_text()):
            assert rule_id in RULES, f"{path.name} names {rule_id}, which is not a rule"


# IDs from the documents the catalogue was written from, which users do not have: ambiguities
# (A1-A23), bug classes (C5, K14) and their sections ("§5"). Scenario names (S01-S17, W05, L01)
# are zero-padded or S-numbered and stay legitimate: they are pytest items users see. A § after
# an RFC number ("RFC 9110 §8.6") is a real citation.
INTERNAL_ID = re.compile(r"\b(?:[A-S][1-9]|[A-R][1-9]\d)\b|(?<![0-9] )§ ?\d")


@pytest.mark.parametrize(("text", "internal"), [
    ("servers differ (A1)", True), ("(A19).", True), ("bug class C5", True), ("K14", True),
    ("(see §5)", True), ("[script S10/S17]", False), ("[script L01]", False),
    ("Script W05 runs", False), ("S01-after-response", False), ("RFC 9110 §8.6", False),
    ("HTTP/2 and 1xx", False), ("X-WS-002, asgiref#74", False), ("within T", False),
])
def test_the_internal_id_pattern(text: str, internal: bool) -> None:
    assert bool(INTERNAL_ID.search(text)) is internal


def test_texts_cite_no_internal_ids() -> None:
    for rule in RULES.values():
        for name in ("summary", "how"):
            found = INTERNAL_ID.search(getattr(rule, name))
            assert found is None, (f"{rule.id} {name} cites {found and found.group()!r}, an ID "
                                   f"from a document users do not have: say what it meant")


def test_manual_rules_are_reported_by_no_code() -> None:
    # A MANUAL rule that some check reports should say how it is detected instead.
    manual = {r.id for r in RULES.values() if r.detection is Detection.MANUAL}
    for path in (ROOT / "asgicheck").rglob("*.py"):
        if path.parent.name == "rules":
            continue
        text = path.read_text()
        named = {rule_id for rule_id in manual if f'"{rule_id}"' in text or f"'{rule_id}'" in text}
        assert not named, f"{path.name} reports {sorted(named)}, which the catalogue calls manual"


def test_selectors_match_ids_and_prefixes() -> None:
    assert [r.id for r in matching("HTTP-SEND-002")] == ["HTTP-SEND-002"]
    assert {r.id.split("-")[0] for r in matching("WS")} == {"WS"}
    assert not matching("HTTP-SEN")


def test_public_names_exist() -> None:
    for name in asgicheck.__all__:
        assert hasattr(asgicheck, name), name
