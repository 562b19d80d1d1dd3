"""The example database on a real Redis server (Hypothesis's RedisExampleDatabase): failing
examples saved there are replayed by later runs, the read-only mode replays without writing, and
a server that is down, silent or gone mid-run is an error naming the URL, never a hang and never
a run without a database."""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import planted
import pytest
import redis
from redis_server import free_port, redis_server

from asgicheck.contract import Outcome, RunOptions, Target
from asgicheck.fuzzing import ExampleDatabaseError, FuzzSettings, build_property_scenarios
from asgicheck.fuzzing._database import shown
from asgicheck.scenarios import close_sessions

FAST = RunOptions(deadline=0.5, linger=0.3)
ROOT = Target(path="/")


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Any:
    yield
    close_sessions()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module; each test takes its own database number."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url.rsplit("/", 1)[0]


def keys(url: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return sorted(client.keys("*"))
    finally:
        client.close()


def fuzz(database: str, **settings: Any) -> FuzzSettings:
    settings.setdefault("max_examples", 40)
    settings.setdefault("time_budget", 120.0)  # a loaded machine must not cut the search short
    return FuzzSettings(database=database, database_named=True, max_total_examples=None,
                        properties=("P2",), app_spec="planted:non_ascii_path", **settings)


def run(settings: FuzzSettings, app: Any = planted.non_ascii_path) -> Outcome:
    (scenario,) = build_property_scenarios([ROOT], FAST, settings=settings)
    return scenario.run(app, FAST)


def test_a_failure_saved_in_redis_is_replayed_by_another_seed(server: str) -> None:
    url = f"{server}/1"
    first = run(fuzz(url, seed=1))
    assert first.status == "failed" and first.details["example"]["path"] == "/é"
    stored = keys(url)
    assert stored and all(k.startswith(b"hypothesis-example:fuzz/P2-no-server-error[GET /]")
                          for k in stored)
    # One example of its own, another seed: only the replay can fail it, the same way.
    again = run(fuzz(url, seed=2, max_examples=1))
    assert again.status == "failed"
    assert again.details["example"] == first.details["example"]
    assert int(str(again.details["examples"])) <= 3
    fresh = run(fuzz(f"{server}/2", seed=2, max_examples=1))
    assert fresh.status == "passed"


def test_read_only_replays_the_shared_database_and_saves_locally(server: str,
                                                                 tmp_path: Path) -> None:
    url = f"{server}/3"
    run(fuzz(url, seed=1))  # a main-branch run fills the shared database
    before = keys(url)
    local = tmp_path / "local"
    pull_request = fuzz(url, seed=2, max_examples=1, read_only=True, local_database=local)
    assert "database " + url + f" (read only; this run's finds go to {local})" in \
        pull_request.describe({})
    outcome = run(pull_request)
    assert outcome.status == "failed" and outcome.details["example"]["path"] == "/é"
    assert keys(url) == before  # nothing written, nothing deleted
    assert any(path.is_file() for path in local.rglob("*"))
    # A failure only the pull request sees stays local too.
    other = fuzz(f"{server}/4", seed=1, read_only=True, local_database=tmp_path / "other")
    assert run(other).status == "failed"
    assert keys(f"{server}/4") == []
    assert any(path.is_file() for path in (tmp_path / "other").rglob("*"))


def refused_quickly(url: str, message: str) -> None:
    """Opening ``url`` raises ``ExampleDatabaseError`` matching ``message`` within 5 s."""
    started = time.monotonic()
    with pytest.raises(ExampleDatabaseError, match=message):
        fuzz(url).open_database()
    assert time.monotonic() - started < 5


def test_a_server_that_is_down_is_named_at_once() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    refused_quickly(url, f"cannot reach the Redis example database {url}: .*refused")


def test_a_server_that_never_answers_times_out_with_its_url() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel's backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        refused_quickly(f"redis://127.0.0.1:{port}/0?socket_timeout=0.3",
                        f"Redis example database redis://127.0.0.1:{port}/0.*Timeout")


def test_a_server_gone_mid_run_fails_the_item_with_its_url(tmp_path: Path) -> None:
    with redis_server(tmp_path / "redis") as url:
        settings = fuzz(url, seed=1)
        settings.open_database()  # reachable when the run starts
    started = time.monotonic()
    with pytest.raises(ExampleDatabaseError, match=f"the example database {url} failed while "
                                                   f"fetching examples"):
        run(settings)
    assert time.monotonic() - started < 10


def test_passwords_are_not_printed() -> None:
    assert shown("redis://:hunter2@127.0.0.1:6379/0") == "redis://:***@127.0.0.1:6379/0"
    assert shown("redis://me:hunter2@localhost/0") == "redis://me:***@localhost/0"
    assert shown("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert "hunter2" not in fuzz("redis://:hunter2@127.0.0.1:6379/0").describe({})


def test_a_redis_url_without_the_redis_package_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # as if not installed
    with pytest.raises(ExampleDatabaseError, match=r"pip install 'asgicheck\[redis\]'"):
        fuzz("redis://127.0.0.1:6390/5").open_database()
