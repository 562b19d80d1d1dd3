"""Settings for a run: option names, value parsing, and where each value came from.

Every setting resolves in one order: the command-line option, then the pytest ini key, then the
``[tool.asgicheck]`` table of ``pyproject.toml`` in the rootdir, then the default. The app is the
exception: ``--asgicheck``, then the ``ASGICHECK_APP`` environment variable, then the ini key,
then the table. Nothing here imports pytest; bad values raise :class:`ConfigError` with one line
of what was wrong and the accepted forms, and the plugin turns that into ``pytest.UsageError``.
"""

from __future__ import annotations

import math
import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asgicheck.config import _fuzz_options
from asgicheck.config._fuzz_options import FuzzOptions
from asgicheck.contract import RunOptions, Target
from asgicheck.selection import Selection

__all__ = [
    "APP_ENV", "APP_INI", "APP_OPTION", "DEADLINE_INI", "DEADLINE_OPTION", "HTML_INI",
    "HTML_OPTION", "IGNORE_INI", "IGNORE_OPTION", "JSON_INI", "JSON_OPTION", "MAX_TARGETS_INI",
    "MAX_TARGETS_OPTION", "ONLY_OPTION", "SELECT_INI", "SELECT_OPTION", "SPEC_VERSIONS",
    "SPEC_VERSION_INI", "SPEC_VERSION_OPTION", "STRICT_INI", "STRICT_OPTION", "TARGETS_INI",
    "TARGET_FORMS", "TARGET_OPTION", "TOOL_KEYS", "WEBSOCKET_PATHS_INI", "XFAIL_INI",
    "MIDDLEWARE_INI", "MIDDLEWARE_KWARGS_INI", "MIDDLEWARE_KWARGS_OPTION", "MIDDLEWARE_OPTION",
    "SERVER_INI", "SERVER_OPTION", "ConfigError", "Settings", "XfailEntry", "parse_target",
    "read_tool_table", "resolve",
]

APP_OPTION = "--asgicheck"
APP_ENV = "ASGICHECK_APP"
APP_INI = "asgicheck_app"
SELECT_OPTION = "--asgicheck-select"
SELECT_INI = "asgicheck_select"
IGNORE_OPTION = "--asgicheck-ignore"
IGNORE_INI = "asgicheck_ignore"
STRICT_OPTION = "--asgicheck-strict"
STRICT_INI = "asgicheck_strict"
SPEC_VERSION_OPTION = "--asgicheck-spec-version"
SPEC_VERSION_INI = "asgicheck_spec_version"
DEADLINE_OPTION = "--asgicheck-deadline"
DEADLINE_INI = "asgicheck_deadline"
JSON_OPTION = "--asgicheck-json"
JSON_INI = "asgicheck_json"
HTML_OPTION = "--asgicheck-html"
HTML_INI = "asgicheck_html"
TARGET_OPTION = "--asgicheck-target"
TARGETS_INI = "asgicheck_targets"
WEBSOCKET_PATHS_INI = "asgicheck_websocket_paths"
MAX_TARGETS_OPTION = "--asgicheck-max-targets"
MAX_TARGETS_INI = "asgicheck_max_targets"
ONLY_OPTION = "--asgicheck-only"
XFAIL_INI = "asgicheck_xfail"
SERVER_OPTION = "--asgicheck-server"
SERVER_INI = "asgicheck_server"
MIDDLEWARE_OPTION = "--asgicheck-middleware"
MIDDLEWARE_INI = "asgicheck_middleware"
MIDDLEWARE_KWARGS_OPTION = "--asgicheck-middleware-kwargs"
MIDDLEWARE_KWARGS_INI = "asgicheck_middleware_kwargs"

SPEC_VERSIONS = ("2.0", "2.1", "2.2", "2.3", "2.4", "2.5")
DEFAULT_MAX_TARGETS = 20
TARGET_FORMS = ("'GET /items/1', 'GET /search?q=x', 'POST /echo header=content-type:text/plain "
                "body=hello', 'WS /ws', 'WS /chat subprotocol=chat.v1'")
TOOL_KEYS = ("app", "targets", "websocket_paths", "select", "ignore", "strict", "deadline",
             "spec_version", "max_targets", "json", "html", "xfail", "servers", "middleware",
             "middleware_kwargs", *_fuzz_options.TOOL_KEYS)
_TARGET_KEYS = ("method", "path", "query", "headers", "body", "kind", "subprotocols")
_METHOD = re.compile(r"[A-Za-z][A-Za-z-]*")


class ConfigError(ValueError):
    """A setting has a value asgicheck cannot use; the message names it and the accepted forms."""


@dataclass(frozen=True, slots=True, kw_only=True)
class XfailEntry:
    """Scenarios expected to fail: a scenario ID, ``*``/``?`` wildcards allowed."""

    pattern: str
    reason: str

    def matches(self, scenario_id: str) -> bool:
        escaped = re.escape(self.pattern).replace(r"\*", ".*").replace(r"\?", ".")
        return re.fullmatch(escaped, scenario_id) is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    app: str | None  # None in a middleware-only run
    app_source: str  # "option", "env ASGICHECK_APP", "ini asgicheck_app", "pyproject.toml ..."
    selection: Selection
    spec_version: str
    deadline: float
    json_path: str | None
    html_path: str | None
    targets: tuple[Target, ...]  # declared by the user; empty means discover
    websocket_paths: tuple[str, ...]
    max_targets: int
    xfail: tuple[XfailEntry, ...]
    only: bool
    servers: tuple[str, ...] = ()  # live-server mode: run the app inside these servers too
    middleware: str | None = None  # middleware mode: MODULE:FACTORY
    middleware_kwargs: str = ""
    fuzz: FuzzOptions = FuzzOptions()  # property-based fuzzing items (_fuzz_options)

    def run_options(self) -> RunOptions:
        return RunOptions(deadline=self.deadline, spec_version=self.spec_version,
                          selection=self.selection)

    def as_dict(self) -> dict[str, object]:
        """The options as the JSON report records them."""
        return {
            "select": list(self.selection.select), "ignore": list(self.selection.ignore),
            "strict": self.selection.strict, "spec_version": self.spec_version,
            "deadline": self.deadline, "max_targets": self.max_targets,
            "targets": [t.label for t in self.targets],
            "websocket_paths": list(self.websocket_paths),
        }


def resolve(options: Mapping[str, Any], ini: Mapping[str, Any], env: Mapping[str, str],
            tool: Mapping[str, Any], *, rootdir: Path | None = None) -> Settings | None:
    """Merge the sources (keys are the option/ini names above); None when no app is named.
    ``rootdir`` anchors the default fuzzing example database."""
    unknown = sorted(set(tool) - set(TOOL_KEYS))
    if unknown:
        raise ConfigError(f"[tool.asgicheck] has unknown key(s) {', '.join(unknown)}; "
                          f"accepted keys: {', '.join(TOOL_KEYS)}")
    app, source = _first((options.get(APP_OPTION), "option"), (env.get(APP_ENV), f"env {APP_ENV}"),
                         (ini.get(APP_INI), f"ini {APP_INI}"),
                         (tool.get("app"), "pyproject.toml [tool.asgicheck]"))
    middleware, middleware_source = _first(
        (options.get(MIDDLEWARE_OPTION), "option"), (ini.get(MIDDLEWARE_INI), "ini"),
        (tool.get("middleware"), "pyproject.toml [tool.asgicheck]"))
    if not app and not middleware:
        return None
    if not app:
        source = middleware_source

    def pick(option: str | None, ini_key: str, tool_key: str) -> Any:
        return pick_from(option, ini_key, tool_key)[0]

    def pick_from(option: str | None, ini_key: str, tool_key: str) -> tuple[Any, str]:
        return _first((options.get(option) if option else None, "option"),
                      (ini.get(ini_key), "ini"), (tool.get(tool_key), "config"))

    try:
        selection = Selection.parse(
            _comma_text(pick(SELECT_OPTION, SELECT_INI, "select"), "select"),
            _comma_text(pick(IGNORE_OPTION, IGNORE_INI, "ignore"), "ignore"),
            strict=_boolean(pick(STRICT_OPTION, STRICT_INI, "strict"), STRICT_OPTION))
    except ValueError as exc:
        raise ConfigError(f"{exc}; list them with `asgicheck rules [PREFIX]`") from None
    json_path = pick(JSON_OPTION, JSON_INI, "json")
    html_path = pick(HTML_OPTION, HTML_INI, "html")
    try:
        fuzz = _fuzz_options.read(pick, rootdir)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return Settings(
        app=str(app).strip() if app else None, app_source=source, selection=selection,
        spec_version=_spec_version(pick(SPEC_VERSION_OPTION, SPEC_VERSION_INI, "spec_version")),
        deadline=_deadline(pick(DEADLINE_OPTION, DEADLINE_INI, "deadline")),
        json_path=str(json_path) if json_path else None,
        html_path=str(html_path) if html_path else None,
        targets=_targets(*pick_from(TARGET_OPTION, TARGETS_INI, "targets")),
        websocket_paths=_websocket_paths(pick(None, WEBSOCKET_PATHS_INI, "websocket_paths")),
        max_targets=_max_targets(pick(MAX_TARGETS_OPTION, MAX_TARGETS_INI, "max_targets")),
        xfail=_xfail(pick(None, XFAIL_INI, "xfail")),
        only=bool(options.get(ONLY_OPTION)),
        servers=_servers(pick(SERVER_OPTION, SERVER_INI, "servers")),
        middleware=str(middleware).strip() if middleware else None,
        middleware_kwargs=str(pick(MIDDLEWARE_KWARGS_OPTION, MIDDLEWARE_KWARGS_INI,
                                   "middleware_kwargs") or ""),
        fuzz=fuzz,
    )


def _servers(value: Any) -> tuple[str, ...]:
    """``--asgicheck-server`` is repeatable and comma-separated; the table takes a list."""
    if not value:
        return ()
    parts = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(part, str) for part in parts):
        raise ConfigError(f"servers={value!r}: give server names, e.g. ['uvicorn', 'hypercorn']")
    names = [name.strip().lower() for part in parts for name in part.split(",") if name.strip()]
    return tuple(dict.fromkeys(names))


def read_tool_table(rootdir: Path) -> dict[str, Any]:
    """``[tool.asgicheck]`` of ``rootdir/pyproject.toml``, or ``{}``."""
    path = rootdir / "pyproject.toml"
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    if "asgicheck" not in text:  # most projects: no need to parse
        return {}
    if sys.version_info >= (3, 11):
        import tomllib as toml
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as toml  # type: ignore[import-not-found,unused-ignore]
        except ModuleNotFoundError:
            raise ConfigError(f"{path} has a [tool.asgicheck] table, and reading it on Python "
                              f"< 3.11 needs tomli: `pip install tomli`") from None
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix it or remove "
                          f"[tool.asgicheck]") from None
    table = data.get("tool", {}).get("asgicheck", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.asgicheck must be a table")
    return table


def parse_target(text: str, source: str = "option") -> Target:
    """``"GET /items/1"``, ``"POST /echo header=name:value body=..."``, ``"WS /ws"``."""
    head, has_body, body = text.strip().partition(" body=")
    try:
        words = shlex.split(head)
    except ValueError as exc:
        raise ConfigError(f"target {text!r}: {exc}; accepted forms: {TARGET_FORMS}") from None
    if len(words) < 2 or not _METHOD.fullmatch(words[0]) or not words[1].startswith("/"):
        raise ConfigError(f"target {text!r} is not 'METHOD /path [...]'; accepted forms: "
                          f"{TARGET_FORMS}")
    method, raw_path, extras = words[0].upper(), words[1], words[2:]
    path, _, query = raw_path.partition("?")
    headers: list[tuple[bytes, bytes]] = []
    subprotocols: list[str] = []
    websocket = method in ("WS", "WSS", "WEBSOCKET")
    for extra in extras:
        key, equals, value = extra.partition("=")
        if key == "header" and ":" in value:
            name, _, header_value = value.partition(":")
            headers.append((name.strip().lower().encode("latin-1"),
                            header_value.strip().encode("latin-1")))
        elif key == "subprotocol" and websocket and value:
            subprotocols.append(value)
        else:
            raise ConfigError(f"target {text!r}: cannot read {extra!r}; accepted forms: "
                              f"{TARGET_FORMS}")
    if websocket:
        if has_body:
            raise ConfigError(f"target {text!r}: a websocket target has no body")
        return Target(kind="websocket", method="GET", path=path, query_string=query.encode(),
                      headers=tuple(headers), subprotocols=tuple(subprotocols), source=source)
    return Target(method=method, path=path, query_string=query.encode(), headers=tuple(headers),
                  body=body.encode(), source=source)


def _target_from_table(entry: Any) -> Target:
    if isinstance(entry, str):
        return parse_target(entry, source="config")
    if not isinstance(entry, dict) or "path" not in entry:
        raise ConfigError(f"[tool.asgicheck] targets entry {entry!r} is not a table with a "
                          f"'path' (or a string such as {TARGET_FORMS})")
    unknown = sorted(set(entry) - set(_TARGET_KEYS))
    if unknown:
        raise ConfigError(f"[tool.asgicheck] targets entry {entry!r} has unknown key(s) "
                          f"{', '.join(unknown)}; accepted: {', '.join(_TARGET_KEYS)}")
    path = str(entry["path"])
    if not path.startswith("/"):
        raise ConfigError(f"[tool.asgicheck] target path {path!r} must start with '/'")
    raw_headers = entry.get("headers", {})
    pairs = raw_headers.items() if isinstance(raw_headers, dict) else raw_headers
    try:
        headers = tuple((str(k).lower().encode("latin-1"), str(v).encode("latin-1"))
                        for k, v in pairs)
    except (TypeError, ValueError):
        raise ConfigError(f"[tool.asgicheck] target headers {raw_headers!r}: write a table "
                          f"{{name = \"value\"}} or a list of [name, value] pairs") from None
    websocket = str(entry.get("kind", "http")).lower() in ("websocket", "ws")
    method = str(entry.get("method", "GET")).upper()
    if not _METHOD.fullmatch(method):
        raise ConfigError(f"[tool.asgicheck] target method {method!r} is not an HTTP method")
    return Target(kind="websocket" if websocket else "http",
                  method="GET" if websocket else method, path=path,
                  query_string=str(entry.get("query", "")).lstrip("?").encode(),
                  headers=headers, body=str(entry.get("body", "")).encode(),
                  subprotocols=tuple(entry.get("subprotocols", ())), source="config")


def _targets(value: Any, source: str) -> tuple[Target, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        value = [line for line in value.splitlines() if line.strip()]
    if not isinstance(value, list | tuple):
        raise ConfigError(f"targets {value!r} must be a list; accepted forms: {TARGET_FORMS}")
    return tuple(_target_from_table(entry) if not isinstance(entry, str)
                 else parse_target(entry, source=source) for entry in value)


def _websocket_paths(value: Any) -> tuple[str, ...]:
    paths = tuple(value.split() if isinstance(value, str) else value or ())
    for path in paths:
        if not isinstance(path, str) or not path.startswith("/"):
            raise ConfigError(f"websocket path {path!r} must be a string starting with '/'")
    return paths


def _spec_version(value: Any) -> str:
    if value in (None, ""):
        return RunOptions().spec_version
    text = str(value).strip()
    if text not in SPEC_VERSIONS:
        raise ConfigError(f"{SPEC_VERSION_OPTION}={text!r} is not an HTTP/WebSocket spec version "
                          f"asgicheck knows; use one of {', '.join(SPEC_VERSIONS)}")
    return text


def _deadline(value: Any) -> float:
    if value in (None, ""):
        return RunOptions().deadline
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"{DEADLINE_OPTION}={value!r} is not a positive number of seconds; "
                          f"write e.g. {DEADLINE_OPTION}=2 or {DEADLINE_OPTION}=0.5")
    return seconds


def _max_targets(value: Any) -> int:
    if value in (None, ""):
        return DEFAULT_MAX_TARGETS
    try:
        count = int(str(value))
    except ValueError:
        count = 0
    if count < 1:
        raise ConfigError(f"{MAX_TARGETS_OPTION}={value!r} is not a positive whole number; "
                          f"write e.g. {MAX_TARGETS_OPTION}=20")
    return count


def _xfail(value: Any) -> tuple[XfailEntry, ...]:
    lines = value.splitlines() if isinstance(value, str) else list(value or ())
    entries = []
    for line in lines:
        pattern, _, reason = str(line).partition(": ")
        if pattern.strip():
            entries.append(XfailEntry(pattern=pattern.strip(),
                                      reason=reason.strip() or f"{XFAIL_INI}: {pattern.strip()}"))
    return tuple(entries)


def _boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean; write true or false")


def _comma_text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, str):
        return value.replace("\n", ",")
    raise ConfigError(f"{name} {value!r} must be rule IDs or prefixes, comma-separated")


def _first(*candidates: tuple[Any, str]) -> tuple[Any, str]:
    for value, source in candidates:
        if value not in (None, "", [], ()):
            return value, source
    return None, ""
