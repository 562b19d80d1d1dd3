"""The HTML report: what it shows for a failing and a passing run, that everything is escaped,
and that the page fetches nothing."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from _report_runs import Page, Run
from report_apps import SCRIPT

from asgicheck.config import HTML_INI, HTML_OPTION, JSON_OPTION, resolve
from asgicheck.reports.html import render_html, reportable_rules, rerun_command
from asgicheck.rules import RULES


def test_a_failing_run_shows_verdict_totals_timeline_spec_and_reproduction(
        failing_run: Run) -> None:
    assert failing_run.returncode == 1
    assert "HTML report: out/report.html" in failing_run.stdout
    page = Page(failing_run.html)
    (verdict, text), = page.find("section", "verdict failed")
    assert verdict["id"] == "summary" and "FAILED" in text
    totals = page.find("table", "totals")[0][1]
    assert all(word in totals for word in ("http", "lifespan", "total", "passed", "skipped"))
    # The timeline: the offending message row carries its rule's badge.
    marked = page.find("tr", "sent offending")
    assert any("http.response.start" in row and "HTTP-SEND-008" in row for _, row in marked)
    assert any("http.response.body" in row and "HTTP-SEND-011" in row for _, row in marked)
    assert page.find("tr", "received")  # the events the app got are on the timeline too
    # The rule's spec section, quoted from the bundled www.rst, and the wrong/right examples.
    quotes = " ".join(text for _, text in page.find("blockquote", "spec"))
    assert "Header names must be" in quotes and "Response Start - ``send`` event" in quotes
    assert page.find("div", "examples")
    commands = [text for _, text in page.find("pre", "code")]
    assert ("pytest --asgicheck=report_apps:broken '--asgicheck-target=GET /' "
            "'asgicheck::http/S01-plain[GET /]'") in commands
    assert any("asgicheck explain HTTP-SEND-008" in c for c in commands)
    # A warning gets a card of its own, folded.
    warned = page.find("details", "finding warned")
    assert warned and all("open" not in attrs for attrs, _ in warned)


def test_the_matrix_lists_every_reportable_rule_by_protocol(failing_run: Run) -> None:
    page = Page(failing_run.html)
    rows = {attrs["id"].removeprefix("rule-"): (attrs["class"], text)
            for attrs, text in page.find("tr") if attrs.get("id", "").startswith("rule-")}
    expected = {rule.id for rule in reportable_rules(failing_run.document)}
    assert set(rows) == expected
    assert {"HTTP-SEND-008", "HTTP-SEND-011", "WS-SEND-001", "LS-SEND-001"} <= expected
    assert not any(RULES[rule].detection.value == "live" for rule in expected)
    assert rows["HTTP-SEND-008"][0] == "failed" and "MUST" in rows["HTTP-SEND-008"][1]
    assert rows["HTTP-RECV-005"][0] == "warned"
    assert rows["HTTP-SEND-001"][0] == "clean"
    groups = [text.split()[0] for _, text in page.find("details", "protocol")]
    assert groups[:4] == ["http", "websocket", "lifespan", "general"]


def test_a_passing_run_says_so_and_the_ini_key_names_the_file(passing_run: Run) -> None:
    assert passing_run.returncode == 0
    page = Page(passing_run.html)
    (_, text), = page.find("section", "verdict passed")
    assert "PASSED" in text
    assert "No scenario failed or warned." in passing_run.html
    assert not page.find("tr", "offending")
    assert not [attrs for attrs, _ in page.find("tr") if attrs.get("class") == "failed"]


def test_everything_from_the_run_is_escaped(failing_run: Run) -> None:
    assert "<script" not in failing_run.html.lower()
    assert "&lt;script&gt;alert(" in failing_run.html  # the app's body, shown as text
    page = Page(failing_run.html)
    assert any(SCRIPT in text for _, text in page.find("td", "fields"))


def _poison(value: Any, key: str = "") -> Any:
    """Every free-text string of a report replaced by markup an attacker would write."""
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    free_text = {"spec", "description", "source", "scenario_id", "title", "message", "transcript",
                 "text", "end", "label", "path", "skip_reason", "version", "targets", "select"}
    if isinstance(value, dict):
        return {k: _poison(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, key) for v in value]
    if isinstance(value, str) and (key in free_text or key == "details"):
        return value + evil
    return value


def test_markup_in_any_field_is_escaped(failing_run: Run) -> None:
    document = _poison(copy.deepcopy(failing_run.document))
    for record in document["results"]:
        record["details"] = {"<b>key</b>": "<script>x</script>"}
    page = render_html(document)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


_FETCHING = ("src", "href", "srcset", "action", "formaction", "poster", "data", "background",
             "xlink:href", "manifest", "ping")


@pytest.mark.parametrize("which", ["failing_run", "passing_run"])
def test_the_page_fetches_nothing(which: str, request: pytest.FixtureRequest) -> None:
    run: Run = request.getfixturevalue(which)
    page = Page(run.html)
    tags = {tag for tag, _, _ in page.elements}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "video", "audio",
                       "source", "base", "form"}
    for tag, attrs, _ in page.elements:
        for name in _FETCHING:
            assert not re.match(r"\s*(https?:)?//", attrs.get(name, ""), re.I), (tag, attrs)
            if name == "href" and name in attrs:
                assert attrs[name].startswith("#"), (tag, attrs)  # in-page links only
    assert "url(" not in page.style and "@import" not in page.style
    (policy,) = [attrs["content"] for tag, attrs, _ in page.elements
                 if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in policy
    # URLs may appear only as text (a spec's own source link, say), never as a resource.
    for url in re.findall(r"https?://[^\s\"'<>]+", run.html):
        assert f'="{url}' not in run.html and f"url({url}" not in run.html


def test_the_rerun_command_repeats_what_shapes_the_scenarios(failing_run: Run) -> None:
    document = copy.deepcopy(failing_run.document)
    document["options"].update(strict=True, select=["HTTP"], ignore=["HTTP-SEND-013"],
                               spec_version="2.3", deadline=2.5, max_targets=3)
    document["targets"].append({"label": "POST /echo", "kind": "http", "method": "POST",
                                "path": "/echo", "source": "config"})
    assert rerun_command(document, "http/S02-chunked-body[POST /echo]") == (
        "pytest --asgicheck=report_apps:broken '--asgicheck-target=GET /' --asgicheck-strict "
        "--asgicheck-select=HTTP --asgicheck-ignore=HTTP-SEND-013 "
        "--asgicheck-spec-version=2.3 --asgicheck-deadline=2.5 --asgicheck-max-targets=3 "
        "'asgicheck::http/S02-chunked-body[POST /echo]'")


@pytest.mark.parametrize(("options", "ini", "tool", "expected"), [
    ({HTML_OPTION: "a.html"}, {HTML_INI: "b.html"}, {"html": "c.html"}, "a.html"),
    ({}, {HTML_INI: "b.html"}, {"html": "c.html"}, "b.html"),
    ({}, {}, {"html": "c.html"}, "c.html"),
    ({JSON_OPTION: "r.json"}, {}, {}, None),
], ids=["option", "ini", "pyproject", "unset"])
def test_the_html_path_resolves_option_then_ini_then_pyproject(
        options: dict[str, str], ini: dict[str, str], tool: dict[str, str],
        expected: str | None) -> None:
    settings = resolve({"--asgicheck": "m:app", **options}, ini, {}, tool)
    assert settings is not None and settings.html_path == expected


def test_where_the_app_raised_is_shown_under_its_exchange(failing_run: Run) -> None:
    document = copy.deepcopy(failing_run.document)
    result = next(r for r in document["results"] if r["exchanges"] and r["status"] == "failed")
    result["exchanges"][0]["ended"] = "raised"
    result["exchanges"][0]["raised_at"] = [
        {"file": "myapp.py", "line": 12, "function": "startup", "code": "raise Boom('<db>')"}]
    html = render_html(document)
    assert '<div class="end frame">at myapp.py:12 in startup: <code>raise Boom(&#x27;&lt;db' \
        in html
