"""Regression runs: the example database, replay files, seeds, and the reproduction code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import planted
import pytest
from hypothesis.database import DirectoryBasedExampleDatabase, InMemoryExampleDatabase

from asgicheck.contract import Outcome, RunOptions, Target
from asgicheck.fuzzing import FuzzSettings, build_property_scenarios, load_replay
from asgicheck.fuzzing._settings import Namespaced
from asgicheck.scenarios import close_sessions

FAST = RunOptions(deadline=0.5, linger=0.3)
SEARCH = Target(path="/search")
ECHO = Target(method="POST", path="/echo")


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Any:
    yield
    close_sessions()


def run(app: Any, target: Target, number: str, **settings: Any) -> Outcome:
    settings.setdefault("max_examples", 60)
    settings.setdefault("app_spec", f"planted:{app.__name__}")
    fuzz = FuzzSettings(max_total_examples=None, properties=(number,), **settings)
    (scenario,) = build_property_scenarios([target], FAST, settings=fuzz)
    return scenario.run(app, FAST)


def test_failing_examples_are_saved_and_replayed_first(tmp_path: Path) -> None:
    database = DirectoryBasedExampleDatabase(tmp_path / "db")
    first = run(planted.fails_on_any_query, SEARCH, "P2", database=database,
                derandomize=False)
    assert first.status == "failed"
    assert any((tmp_path / "db").iterdir())
    again = run(planted.fails_on_any_query, SEARCH, "P2", database=database,
                derandomize=False)
    assert again.status == "failed"
    assert again.details["example"] == first.details["example"]
    # Replayed from the database: no search, just the stored example (and its shrink check).
    assert int(str(again.details["examples"])) <= 3


def test_items_keep_their_examples_apart(tmp_path: Path) -> None:
    shared = InMemoryExampleDatabase()
    a, b = Namespaced(shared, "fuzz/P1[GET /a]"), Namespaced(shared, "fuzz/P1[GET /b]")
    a.save(b"key", b"value")
    assert list(a.fetch(b"key")) == [b"value"]
    assert list(b.fetch(b"key")) == []
    a.move(b"key", b"other", b"value")
    assert list(a.fetch(b"other")) == [b"value"]
    a.delete(b"other", b"value")
    assert list(a.fetch(b"other")) == []


def test_derandomized_and_seeded_runs_use_no_database(tmp_path: Path) -> None:
    for settings in ({"derandomize": True}, {"seed": 3, "derandomize": False}):
        outcome = run(planted.fails_on_any_query, SEARCH, "P2",
                      database=str(tmp_path / "db"), **settings)
        assert outcome.status == "failed"
        assert not (tmp_path / "db").exists()


def test_a_fixed_seed_gives_the_same_run() -> None:
    runs = [run(planted.first_chunk_only, ECHO, "P3", seed=42) for _ in range(2)]
    assert runs[0].details == runs[1].details
    assert runs[0].details["seed"] == 42 and runs[0].details["item_seed"] is not None


def test_replay_files_are_written_replayed_and_cleared(tmp_path: Path) -> None:
    outcome = run(planted.invalid_utf8_query, SEARCH, "P2", replay_dir=tmp_path, seed=1)
    path = Path(str(outcome.details["replay_file"]))
    replay = load_replay(path)
    assert replay.scenario_id == outcome.scenario_id == "fuzz/P2-no-server-error[GET /search]"
    assert replay.example.to_json() == outcome.details["example"]
    assert replay.data["findings"][0]["rule"] == "OPS-APP-001"
    assert "def test_fuzz_p2_no_server_error_get_search" in replay.data["reproduction"]
    # The next run tries the stored example first, and stops there.
    again = run(planted.invalid_utf8_query, SEARCH, "P2", replay_dir=tmp_path, seed=2)
    assert again.details["example"] == outcome.details["example"]
    assert again.details["examples"] == 1
    # Once the app is fixed, the property passes and the stale file goes away.
    fixed = run(planted.good, SEARCH, "P2", replay_dir=tmp_path, seed=2)
    assert fixed.status == "passed"
    assert not path.exists()


def test_replay_files_refuse_other_json(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"hello": 1}')
    with pytest.raises(ValueError, match="not an asgicheck replay file"):
        load_replay(tmp_path / "x.json")


REPRODUCED = [
    ("invalid_utf8_query", SEARCH, "P2"),
    ("repeated_query_key", SEARCH, "P1"),
    ("first_chunk_only", ECHO, "P3"),
    ("body_after_disconnect", ECHO, "P4"),
    ("streams_after_disconnect", Target(path="/stream"), "P4"),
    ("text_only_websocket", Target(kind="websocket", path="/ws"), "P5"),
]


@pytest.mark.parametrize(("name", "target", "number"), REPRODUCED, ids=[r[0] for r in REPRODUCED])
def test_the_reproduction_fails_without_hypothesis(name: str, target: Target,
                                                   number: str) -> None:
    outcome = run(getattr(planted, name), target, number, seed=0)
    code = str(outcome.details["reproduction"])
    assert "hypothesis" not in code.lower()
    for line in code.splitlines():
        if line.startswith("from "):
            for name in line.split(" import ")[1].split(" as ")[-1].split(", "):
                assert len(re.findall(rf"\b{name}\b", code)) > 1, f"{name} is not used"
    namespace: dict[str, Any] = {}
    exec(compile(code, f"<reproduction of {outcome.scenario_id}>", "exec"), namespace)
    (test,) = [value for key, value in namespace.items() if key.startswith("test_")]
    with pytest.raises(AssertionError):
        test()
    # ... and passes against the correct app.
    namespace["app"] = planted.good
    test()


LIFESPAN = [
    ("lifespan_invalid_utf8_query", SEARCH, "P2"),
    ("lifespan_first_chunk_only", ECHO, "P3"),
    ("lifespan_body_after_disconnect", ECHO, "P4"),
]


@pytest.mark.parametrize(("name", "target", "number"), LIFESPAN, ids=[r[0] for r in LIFESPAN])
def test_the_reproduction_runs_inside_a_lifespan_session_when_the_app_has_one(
        name: str, target: Target, number: str) -> None:
    outcome = run(getattr(planted, name), target, number, seed=0, app_spec=None)
    code = str(outcome.details["reproduction"])
    assert f"from planted import {name} as app" in code  # found where it lives
    assert "with Server(app, selection=SELECTION" in code
    namespace: dict[str, Any] = {}
    exec(compile(code, f"<reproduction of {outcome.scenario_id}>", "exec"), namespace)
    (test,) = [value for key, value in namespace.items() if key.startswith("test_")]
    with pytest.raises(AssertionError):
        test()
    namespace["app"] = planted.lifespan_good
    test()
