"""GitHub Actions annotations: under ``GITHUB_ACTIONS=true`` the end of a run prints one
``::error`` (or ``::warning``) workflow command per rule broken, so the findings show on the
workflow run and, when the app's source file is in the repository, on that file's line.

One annotation per distinct (rule, message): a bug that fails six scenarios the same way is one
annotation that names them, not six (GitHub shows only the first ten of each kind per step).
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["Location", "app_location", "commands", "enabled", "for_run"]

Location = tuple[str, int | None]  # path relative to the workspace, line
MAX_SCENARIOS_NAMED = 3


def enabled(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS", "").lower() == "true"


def for_run(records: Iterable[Mapping[str, Any]], *, spec: str, app: object,
            env: Mapping[str, str], rootpath: Path) -> list[str]:
    """The annotations for a finished run, or none when not on GitHub Actions. Paths are
    relative to ``GITHUB_WORKSPACE`` (the checkout), else to pytest's rootdir."""
    if not enabled(env):
        return []
    root = Path(env.get("GITHUB_WORKSPACE") or rootpath)
    return commands(records, location=app_location(spec, app, root))


def commands(records: Iterable[Mapping[str, Any]], *,
             location: Location | None = None) -> list[str]:
    """The workflow commands for these results (the JSON report's ``results`` entries):
    ``::error`` for findings that fail the run, ``::warning`` for the warnings. Expected
    failures (``asgicheck_xfail``) are not annotated."""
    found: dict[tuple[str, str, str], list[str]] = {}  # (command, rule, message) -> scenarios
    for record in sorted(records, key=lambda r: str(r["scenario_id"])):
        if record.get("xfailed"):
            continue
        for v in record["violations"]:
            command = "error" if v["fails"] else "warning" if v["severity"] == "warning" else ""
            if command:
                found.setdefault((command, v["rule"], v["message"]), []).append(
                    str(record["scenario_id"]))
    lines = []
    ordered = sorted(found.items(), key=lambda item: (item[0][0] != "error", item[0][1]))
    for (command, rule, message), scenarios in ordered:
        named = ", ".join(scenarios[:MAX_SCENARIOS_NAMED])
        more = len(scenarios) - MAX_SCENARIOS_NAMED
        named += f" and {more} more" if more > 0 else ""
        text = f"{message} (in {named}; see `asgicheck explain {rule}`)"
        properties = {"file": location[0], "line": location[1]} if location else {}
        properties["title"] = rule
        props = ",".join(f"{k}={_property(str(v))}" for k, v in properties.items()
                         if v is not None)
        lines.append(f"::{command} {props}::{_data(text)}")
    return lines


def app_location(spec: str, app: object, root: Path) -> Location | None:
    """Where the app named ``module:attr`` is defined, relative to ``root`` (the repository):
    the function or class itself when Python knows its source, else the line of the module
    that assigns the name. None when the file is outside ``root`` (an installed framework's
    class) or cannot be found; best effort, never raises."""
    module_name, _, attribute = spec.partition(":")
    target: Any = inspect.unwrap(app) if callable(app) else app
    for candidate in (target, getattr(target, "__func__", None)):
        if inspect.isfunction(candidate) or inspect.isclass(candidate):
            try:
                file = inspect.getsourcefile(candidate)
                line = inspect.getsourcelines(candidate)[1]
            except (OSError, TypeError):
                continue
            if file and (relative := _within(file, root)):
                return relative, line
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    relative = _within(file, root) if file else None
    if relative is None or file is None:
        return None
    return relative, _assignment_line(Path(file), attribute.split(".")[0])


def _within(file: str, root: Path) -> str | None:
    try:
        return Path(file).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def _assignment_line(file: Path, name: str) -> int | None:
    pattern = re.compile(rf"(?:async\s+def|def|class)\s+{re.escape(name)}\b|"
                         rf"{re.escape(name)}\s*(?::[^=]*)?=[^=]")
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), None)


def _data(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped (GitHub's toolkit ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A workflow command's property value: also ``:`` and ``,`` (``escapeProperty``)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")
