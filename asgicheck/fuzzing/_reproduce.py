"""What a failing property leaves behind: a pytest test to paste, and a replay file.

The test reproduces the shrunk example with ``asgicheck.driver`` alone (no Hypothesis): the
same scope and script the property ran, through the same kind of server (inside a lifespan
session when the app supports one), and the property's assertion spelled out. The replay file
is the example as JSON, with the scenario ID and the code; ``load_replay`` reads it back and a
later run tries it first (as an ``@example``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asgicheck.contract import RunOptions
from asgicheck.fuzzing._examples import Example, HTTPExample, example_from_json, linger
from asgicheck.selection import DEFAULT

__all__ = ["Replay", "app_import", "load_replay", "replay_path", "reproduction",
           "write_replay"]

REPLAY_FORMAT = 1
_ASSERTIONS = {
    "P1": ["failing = [v for v in transcript.violations",
           "           if SELECTION.fails(v) and v.rule != 'OPS-APP-001']",
           "assert not failing, transcript.render()"],
    "P2": ["assert transcript.ended != 'raised', transcript.render()",
           "assert (transcript.status or 0) < 500, transcript.render()"],
    "P4": ["assert transcript.ended != 'timeout', transcript.render()  # ends once the client left",
           "assert not (transcript.ended == 'raised' and transcript.exception_type in",
           "            ('KeyError', 'TypeError', 'AttributeError', 'IndexError')), "
           "transcript.render()",
           "assert transcript.receives_after_disconnect() <= {spin}, transcript.render()",
           "results = [e.result for e in transcript.entries if isinstance(e, Sent)]",
           "assert 'raised' not in results[:-1], transcript.render()  # none after one raised"],
    "P5": ["failing = [v for v in transcript.violations if SELECTION.fails(v)]",
           "assert not failing, transcript.render()"],
}


def app_import(app: object, spec: str | None) -> tuple[list[str], list[str]]:
    """The imports (asgicheck's, then the app's) and the lines that give the code its ``app``."""
    if spec:
        return ["from asgicheck.loading import load_app"], [f"app = load_app({spec!r}).app"]
    for name, module in list(sys.modules.items()):
        if name == "__main__" or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if value is app and not attribute.startswith("_"):
                return [], [f"from {name} import {attribute} as app"]
    return [], ["app = ...  # your ASGI application (asgicheck could not tell where it lives)"]


def _scope_code(example: HTTPExample, options: RunOptions) -> str:
    args = [repr(example.method), repr(example.path)]
    if example.raw_path is not None:
        args.append(f"raw_path={example.raw_path!r}")
    if example.query_string:
        args.append(f"query_string={example.query_string!r}")
    if example.headers:
        args.append(f"headers={list(example.headers)!r}")
    if example.body:
        args.append(f"body={example.body!r}")
    if options.spec_version != "2.4":
        args.append(f"spec_version={options.spec_version!r}")
    return f"http_scope({', '.join(args)})"


def _timing(options: RunOptions, *, gone: bool) -> str:
    extra = f", deadline={options.deadline!r}" if options.deadline != 5.0 else ""
    if options.block_threshold != 0.1:
        extra += f", block_threshold={options.block_threshold!r}"
    return extra + (f", linger={linger(options)!r}" if gone else "")


def _script_code(example: Example, options: RunOptions, name: str,
                 chunks: tuple[bytes, ...] | None = None) -> list[str]:
    if not isinstance(example, HTTPExample):
        args = [repr(example.path)]
        if example.query_string:
            args.append(f"query_string={example.query_string!r}")
        if example.subprotocols:
            args.append(f"subprotocols={list(example.subprotocols)!r}")
        if options.spec_version != "2.4":
            args.append(f"spec_version={options.spec_version!r}")
        return [f"scope = websocket_scope({', '.join(args)})",
                f"{name} = websocket_script(scope, {example.events()!r},",
                f"    disconnect={example.disconnect!r}, code={example.close_code!r}"
                f"{_timing(options, gone=True)})"]
    parts = list(example.chunks if chunks is None else chunks)
    where = example.disconnect
    timing = _timing(options, gone=where is not None)
    if where is None or where in ("first", "streaming"):
        how = "" if where is None else \
            f", disconnect={'first' if where == 'first' else 'mid_stream'!r}"
        return [f"{name} = http_script(scope, {parts!r}{how}{timing})"]
    lines = [f"{name} = Script(scope=scope, steps=("]
    for step in example.steps():
        gate = "" if step.gate.name == "CALL" else f", gate=Gate.{step.gate.name}"
        lines.append(f"    Step(event={step.event!r}{gate}),")
    lines.append(f"){timing})")
    return lines


def reproduction(scenario_id: str, number: str, example: Example, options: RunOptions, *,
                 app: object, spec: str | None, lifespan: bool, allow_5xx: bool = False) -> str:
    """A pytest test that fails the way the property failed, without Hypothesis."""
    selection = options.selection
    names = {"run"} if not lifespan else {"Server"}
    if isinstance(example, HTTPExample):
        names.add("http_scope")
        if example.disconnect and example.disconnect.split(":")[0] in ("body", "started"):
            names |= {"Script", "Step"} | ({"Gate"} if example.disconnect == "started" else set())
        if number == "P3" or not names & {"Script"}:
            names.add("http_script")
    else:
        names |= {"websocket_scope", "websocket_script"}
    imports = [f"from asgicheck.driver import {', '.join(sorted(names, key=_isort))}",
               "from asgicheck.selection import DEFAULT" if selection == DEFAULT else
               "from asgicheck.selection import Selection"]
    if number == "P4":
        imports.append("from asgicheck.transcript import Sent")
    more, give_app = app_import(app, spec)
    header = [f"# asgicheck {scenario_id}: the shrunk counterexample as a plain test",
              *sorted(imports + more), "", *give_app,
              "SELECTION = DEFAULT" if selection == DEFAULT else
              f"SELECTION = Selection(select={selection.select!r}, "
              f"ignore={selection.ignore!r}, strict={selection.strict!r})"]
    server = (f"Server(app, selection=SELECTION{_timing(options, gone=False)}"
              f"{', linger=' + repr(options.linger) if options.linger != 1.0 else ''})")
    body = [f"def {_test_name(scenario_id)}() -> None:"]
    if isinstance(example, HTTPExample):
        body.append(f"    scope = {_scope_code(example, options)}")
    if number == "P3":
        assert isinstance(example, HTTPExample)
        body += ["    " + line for line in _script_code(example, options, "one", (example.body,))]
        body += ["    " + line for line in _script_code(example, options, "split")]
        run = [f"with {server} as server:",
               "    first, again, second = (server.run(s) for s in (one, one, split))"] \
            if lifespan else \
            ["first, again, second = (run(app, s, selection=SELECTION) for s in (one, one, split))"]
        check = ["assert (second.ended, second.status) == (first.ended, first.status), "
                 "second.render()",
                 "if again.body == first.body:  # the app answers the same body every time",
                 "    assert second.body == first.body, second.render()"]
    else:
        body += ["    " + line for line in _script_code(example, options, "script")]
        run = [f"with {server} as server:", "    transcript = server.run(script)"] \
            if lifespan else ["transcript = run(app, script, selection=SELECTION)"]
        check = [line.format(spin=options.spin_limit) for line in _ASSERTIONS[number]]
        if number == "P2" and allow_5xx:
            check = check[:1]
    body += ["    " + line for line in run + check]
    return "\n".join([*header, "", "", *body]) + "\n"


def _isort(name: str) -> tuple[int, str]:
    """isort's (and ruff's) order inside one import: constants, classes, then the rest."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def _test_name(scenario_id: str) -> str:
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", scenario_id).strip("_").lower()
    return f"test_{slug}"[:90].rstrip("_")


# -- replay files ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Replay:
    scenario_id: str
    property: str
    example: Example
    data: dict[str, Any]


def replay_path(directory: str | os.PathLike[str], scenario_id: str) -> Path:
    slug = re.sub(r"[^0-9A-Za-z._-]+", "_", scenario_id).strip("_")
    return Path(directory) / f"{slug}.json"


def write_replay(directory: str | os.PathLike[str], scenario_id: str, number: str,
                 example: Example, *, findings: list[dict[str, Any]], code: str,
                 target: dict[str, Any]) -> Path:
    path = replay_path(directory, scenario_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"asgicheck_replay": REPLAY_FORMAT, "scenario_id": scenario_id,
                "property": number, "target": target, "example": example.to_json(),
                "findings": findings, "reproduction": code}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_replay(path: str | os.PathLike[str]) -> Replay:
    """A replay file written by a failing property item."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("asgicheck_replay") != REPLAY_FORMAT:
        raise ValueError(f"{path}: not an asgicheck replay file (format {REPLAY_FORMAT})")
    return Replay(scenario_id=str(data["scenario_id"]), property=str(data["property"]),
                  example=example_from_json(data["example"]), data=data)
