"""Settings: where each value comes from, and how option text becomes values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from asgicheck.config import (
    APP_ENV,
    APP_INI,
    APP_OPTION,
    DEADLINE_INI,
    DEADLINE_OPTION,
    STRICT_OPTION,
    TARGET_OPTION,
    TARGETS_INI,
    ConfigError,
    Settings,
    XfailEntry,
    parse_target,
    read_tool_table,
    resolve,
)
from asgicheck.contract import Target


def settings(options: dict[str, Any] | None = None, ini: dict[str, Any] | None = None,
             env: dict[str, str] | None = None, tool: dict[str, Any] | None = None) -> Settings:
    found = resolve(options or {}, ini or {}, env or {}, tool or {})
    assert found is not None
    return found


def test_no_app_anywhere_means_no_run() -> None:
    assert resolve({}, {APP_INI: ""}, {}, {}) is None


def test_app_precedence_option_env_ini_pyproject() -> None:
    sources = ({APP_OPTION: "a:o"}, {APP_INI: "a:i"}, {APP_ENV: "a:e"}, {"app": "a:t"})
    assert settings(*sources).app_source == "option"
    assert settings({}, *sources[1:]).app_source == f"env {APP_ENV}"
    assert settings({}, sources[1], {}, sources[3]).app_source == f"ini {APP_INI}"
    assert settings(tool=sources[3]).app_source == "pyproject.toml [tool.asgicheck]"


def test_values_resolve_option_then_ini_then_pyproject() -> None:
    app = {APP_OPTION: "a:b"}
    assert settings(app, {DEADLINE_INI: "3"}, tool={"deadline": 4}).deadline == 3.0
    assert settings({**app, DEADLINE_OPTION: "0.5"}, {DEADLINE_INI: "3"}).deadline == 0.5
    assert settings(app, tool={"deadline": 4, "strict": True}).selection.strict is True
    assert settings({**app, STRICT_OPTION: None}).selection.strict is False
    assert settings(app).deadline == 5.0 and settings(app).spec_version == "2.4"


@pytest.mark.parametrize("text, target", [
    ("GET /items/1", Target(path="/items/1", source="option")),
    ("get /search?q=x&n=2", Target(path="/search", query_string=b"q=x&n=2", source="option")),
    ("POST /echo header=content-type:text/plain body=hello world",
     Target(method="POST", path="/echo", headers=((b"content-type", b"text/plain"),),
            body=b"hello world", source="option")),
    ("WS /chat subprotocol=chat.v1", Target(kind="websocket", path="/chat",
                                            subprotocols=("chat.v1",), source="option")),
    ("PUT '/a b'", Target(method="PUT", path="/a b", source="option")),
])
def test_target_forms(text: str, target: Target) -> None:
    assert parse_target(text) == target


@pytest.mark.parametrize("text", ["/items", "GET", "GET items", "WS /ws body=x", "GET / x=1",
                                  "GET 'unclosed"])
def test_bad_targets(text: str) -> None:
    with pytest.raises(ConfigError, match="accepted forms|websocket target has no body"):
        parse_target(text)


def test_targets_from_ini_lines_and_pyproject_tables() -> None:
    app = {APP_OPTION: "a:b"}
    from_ini = settings(app, {TARGETS_INI: ["GET /a", "WS /b"]}).targets
    assert [(t.label, t.source) for t in from_ini] == [("GET /a", "ini"), ("WS /b", "ini")]
    tool = {"targets": [{"method": "post", "path": "/e", "query": "?x=1", "body": "hi",
                         "headers": {"Content-Type": "text/plain"}},
                        {"kind": "websocket", "path": "/ws"}, "GET /c"],
            "websocket_paths": ["/live"]}
    found = settings(app, tool=tool)
    assert found.targets == (
        Target(method="POST", path="/e", query_string=b"x=1", body=b"hi",
               headers=((b"content-type", b"text/plain"),), source="config"),
        Target(kind="websocket", path="/ws", source="config"),
        Target(path="/c", source="config"))
    assert found.websocket_paths == ("/live",)
    assert settings({**app, TARGET_OPTION: ["GET /o"]}, tool=tool).targets[0].source == "option"


@pytest.mark.parametrize("entry, message", [
    ({"path": "/a", "verb": "GET"}, "unknown key"),
    ({"method": "GET"}, "not a table with a 'path'"),
    ({"path": "a"}, "must start with '/'"),
    ({"path": "/a", "headers": [["x"]]}, "list of \\[name, value\\] pairs"),
])
def test_bad_pyproject_targets(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings({APP_OPTION: "a:b"}, tool={"targets": [entry]})


def test_xfail_entries_match_ids_with_wildcards_but_brackets_literally() -> None:
    entry = XfailEntry(pattern="http/S0?-*[GET /]", reason="r")
    assert entry.matches("http/S01-simple[GET /]")
    assert not entry.matches("http/S01-simple[POST /]")
    found = settings({APP_OPTION: "a:b"}, {"asgicheck_xfail": ["ws/*: flaky", "http/x"]}).xfail
    assert [(e.pattern, e.reason) for e in found] == [("ws/*", "flaky"),
                                                      ("http/x", "asgicheck_xfail: http/x")]


def test_read_tool_table(tmp_path: Path) -> None:
    assert read_tool_table(tmp_path) == {}
    (tmp_path / "pyproject.toml").write_text('[tool.asgicheck]\napp = "m:a"\n')
    assert read_tool_table(tmp_path) == {"app": "m:a"}
    (tmp_path / "pyproject.toml").write_text('[tool.asgicheck\n')
    with pytest.raises(ConfigError, match="is not valid TOML"):
        read_tool_table(tmp_path)


def test_options_as_recorded_in_the_json_report() -> None:
    found = settings({APP_OPTION: "a:b", TARGET_OPTION: ["GET /x"]})
    assert found.as_dict() == {"select": [], "ignore": [], "strict": False, "spec_version": "2.4",
                               "deadline": 5.0, "max_targets": 20, "targets": ["GET /x"],
                               "websocket_paths": []}
