"""docs/rules.md is generated from the catalogue: it must be current and cover every rule."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from asgicheck.explain import EXAMPLES, docs
from asgicheck.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
RULES_MD = ROOT / "docs" / "rules.md"
REGENERATE = "python -m asgicheck.explain.docs --write docs/rules.md"


def entries(text: str) -> dict[str, str]:
    """Rule ID -> the text of its entry (up to the next heading)."""
    parts = re.split(r"^#### ([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\n", text, flags=re.M)
    found = {}
    for rule_id, body in zip(parts[1::2], parts[2::2], strict=True):
        found[rule_id] = re.split(r"^#{2,4} ", body, maxsplit=1, flags=re.M)[0]
    return found


@functools.cache
def rendered() -> str:
    return docs.render()


def test_rules_md_is_up_to_date() -> None:
    assert RULES_MD.is_file(), f"docs/rules.md is missing: run `{REGENERATE}`"
    assert RULES_MD.read_text(encoding="utf-8") == rendered(), (
        f"docs/rules.md is out of date with the rule catalogue: run `{REGENERATE}`")


def test_every_rule_has_exactly_one_entry() -> None:
    text = RULES_MD.read_text(encoding="utf-8")
    headings = re.findall(r"^#### (\S+)$", text, flags=re.M)
    assert sorted(headings) == sorted(RULES), "rules without an entry, or entries without a rule"
    assert len(headings) == len(set(headings))


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_entry_content(rule_id: str) -> None:
    rule = RULES[rule_id]
    entry = entries(rendered())[rule_id]
    assert f"`{rule.keyword}`" in entry
    assert f"binds the {rule.party.value}" in entry
    assert "fails a run:" in entry
    assert " ".join(rule.summary.split()).replace("<", "&lt;") in entry
    if rule.spec_file.split()[0].endswith(".rst"):
        assert "```rst" in entry or "no section" in entry, "the spec text is not quoted"
    if rule_id in EXAMPLES:
        wrong, right = EXAMPLES[rule_id]
        assert wrong in entry and right in entry
    else:
        assert "Wrong:" not in entry


def test_excerpt_comes_from_the_bundled_spec() -> None:
    spec_dir = ROOT / "asgicheck" / "spec"
    corpus = {p.name: p.read_text(encoding="utf-8") for p in spec_dir.glob("*.rst")}
    for rule in RULES.values():
        spec_file = rule.spec_file.split()[0] if rule.spec_file else ""
        for line in docs.spec_excerpt(rule):
            if line.strip() and line != "...":
                assert line.strip() in corpus[spec_file], (rule.id, line)


def test_fatal_and_off_by_default_rules_say_so() -> None:
    found = entries(rendered())
    for rule in RULES.values():
        assert ("fails a run: always" in found[rule.id]) is rule.fatal
        assert ("off by default" in found[rule.id]) is (not rule.enabled_by_default)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "rules.md"
    assert docs.main(["--check", str(target)]) == 1
    assert docs.main(["--write", str(target)]) == 0
    assert docs.main(["--check", str(target)]) == 0
    assert docs.main([]) == 0
    assert capsys.readouterr().out == target.read_text(encoding="utf-8")
    assert docs.main(["--bogus"]) == 2
