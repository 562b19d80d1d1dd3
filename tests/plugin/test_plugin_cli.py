"""The ``asgicheck`` command: explain, rules, and running the checks like the plugin does."""

from __future__ import annotations

import sys

import pytest

from asgicheck.cli import main
from asgicheck.explain import EXAMPLES, explain, find_section, rules_table
from asgicheck.rules import RULES


def test_every_cited_bundled_section_is_found() -> None:
    for rule in RULES.values():
        if rule.section and rule.spec_file.endswith(".rst"):
            assert find_section(rule.spec_file, rule.section) is not None, rule.id


@pytest.mark.parametrize("name, title, parent", [
    ("Request - receive event", "Request - ``receive`` event", "HTTP"),
    ("Disconnect - receive event (HTTP)", "Disconnect - ``receive`` event", "HTTP"),
    ("Disconnect - receive event (WebSocket)", "Disconnect - ``receive`` event", "WebSocket"),
    ("Response Start/Body - send event", "Response Start - ``send`` event", "HTTP"),
])
def test_find_section_undoes_markup_and_protocol_suffixes(name: str, title: str,
                                                          parent: str) -> None:
    section = find_section("www.rst", name)
    assert section is not None and (section.title, section.parent) == (title, parent)


def test_explain_quotes_the_spec_and_shows_examples() -> None:
    text = explain("http-recv-004")
    assert text.startswith("HTTP-RECV-004  (MUST*, error, binds the app, detection: scenario)")
    assert "Spec: www.rst § Disconnect - receive event (HTTP)" in text
    assert "  | Sent to the application if receive is called after a response has been" in text
    assert "Wrong:\n" in text and "Right:\n" in text


def test_explain_falls_back_to_the_how_text_and_names_rfc_sources() -> None:
    rule = next(r for r in RULES.values() if r.id.startswith("X-") and r.id not in EXAMPLES)
    text = explain(rule.id)
    assert "(not in the ASGI text; read RFC" in text and "How asgicheck checks it:" in text
    assert "Wrong:" not in text


def test_examples_name_real_rules() -> None:
    assert set(EXAMPLES) <= set(RULES)


def test_rules_table_lists_by_prefix() -> None:
    lines = rules_table("LS-SEND").splitlines()
    assert lines[0].startswith("LS-SEND-001    MUST   error   Answer lifespan.startup")
    assert lines[-1] == f"{len(lines) - 1} rule(s); details: asgicheck explain RULE-ID"


def test_cli_explain_rules_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "HTTP-SEND-002"]) == 0
    assert capsys.readouterr().out.startswith("HTTP-SEND-002  (MUST*")
    assert main(["explain", "HTTP-SEND-999"]) == 2
    assert "no asgicheck rule 'HTTP-SEND-999' (did you mean" in capsys.readouterr().err
    assert main(["rules", "OPS"]) == 0
    assert "OPS-APP-001" in capsys.readouterr().out
    assert main(["rules", "NOPE"]) == 2
    assert main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: asgicheck MODULE:APP [pytest options]")


def test_cli_runs_only_the_conformance_items(project: pytest.Pytester) -> None:
    project.makepyfile(test_mine="def test_mine():\n    assert False\n")
    result = project.run(sys.executable, "-m", "asgicheck.cli", "apps:bad", "-p",
                         "no:hypothesispytest", "-p", "no:benchmark", "-k", "S01",
                         "--asgicheck-no-fuzz",
                         "--asgicheck-target=GET /")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["asgicheck: app=apps:bad (from option)",
                                 "FAILED asgicheck::http/*GET /*"])
    result.stdout.no_fnmatch_line("*test_mine*")
