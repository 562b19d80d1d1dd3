"""Starting and stopping real servers: the registry, the runner's lifecycle, and the errors a
user meets (unknown server, port in use, an app that will not start)."""

from __future__ import annotations

import logging
import subprocess
import sys
import time

import httpx
import pytest
from live_apps import TARGETS, failing_startup_app, hanging_startup_app, raw_app

from asgicheck.contract import RunOptions
from asgicheck.live import (
    HOST,
    SERVERS,
    LiveServerError,
    _registry,
    build_live_scenarios,
    live_threads,
    serve,
)
from asgicheck.live._hosting import hosted
from asgicheck.live._runner import bind_socket


def test_servers_are_found_without_importing_them() -> None:
    code = ("import sys, asgicheck.live as live; "
            "print(live.SERVERS, 'uvicorn' in sys.modules, 'hypercorn' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.split() == ["('uvicorn',", "'hypercorn')", "False", "False"]
    assert SERVERS == ("uvicorn", "hypercorn")


def test_building_scenarios_imports_no_server() -> None:
    code = ("import sys; from asgicheck.live import build_live_scenarios; "
            "from asgicheck.scenarios import RunOptions, Target; "
            "found = build_live_scenarios(object(), 'hypercorn', [Target()], RunOptions()); "
            "print(len(found), 'hypercorn' in sys.modules, 'httpx' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)
    count, hypercorn, _ = result.stdout.split()
    assert int(count) > 5 and hypercorn == "False"


def test_unknown_server_names_the_installed_ones() -> None:
    with pytest.raises(LiveServerError, match=r"unknown live server 'gunicorn': asgicheck can "
                                              r"drive uvicorn, hypercorn; installed here: "
                                              r"uvicorn, hypercorn"):
        build_live_scenarios(raw_app, "gunicorn", TARGETS, RunOptions())


def test_known_but_missing_server_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setitem(_registry.KNOWN, "nosuchserver",
                        ("asgicheck_no_such_package", "asgicheck.live._uvicorn"))
    with pytest.raises(LiveServerError, match=r"'nosuchserver' is not installed \(pip install "
                                              r"asgicheck_no_such_package\)"):
        build_live_scenarios(raw_app, "nosuchserver", TARGETS, RunOptions())


def test_server_names_are_case_insensitive() -> None:
    found = build_live_scenarios(raw_app, " Uvicorn ", TARGETS, RunOptions())
    assert found[0].id == "live-uvicorn/lifespan"


def test_serve_runs_on_loopback_and_stops(server_name: str) -> None:
    with serve(raw_app, server_name) as live:
        assert live.running and live.url.startswith(f"http://{HOST}:")
        assert [t.name for t in live_threads()] == [f"asgicheck-live-{server_name}-{live.port}"]
        with httpx.Client(trust_env=False, timeout=2) as client:
            response = client.get(live.url + "/")
        assert (response.status_code, response.text) == (200, "hello")
    assert not live.running
    assert live_threads() == []


def test_a_port_in_use_is_a_clear_error(server_name: str) -> None:
    taken = bind_socket()
    try:
        port = taken.getsockname()[1]
        with pytest.raises(LiveServerError, match=rf"cannot listen on 127.0.0.1:{port}: .*"
                                                  rf"\(the port is in use\)"):
            serve(raw_app, server_name, port=port).start()
    finally:
        taken.close()
    assert live_threads() == []


def test_an_app_failing_startup_is_a_clear_error_with_the_log(server_name: str) -> None:
    with pytest.raises(LiveServerError) as raised:
        serve(failing_startup_app, server_name).start()
    text = str(raised.value)
    assert text.startswith(f"{server_name} failed to start on 127.0.0.1:")
    assert "database unreachable" in text  # uvicorn logs it; hypercorn raises it
    assert f"--- {server_name} log (last lines) ---" in text
    assert live_threads() == []


def test_an_app_hanging_at_startup_fails_within_the_bound(server_name: str) -> None:
    started = time.monotonic()
    with pytest.raises(LiveServerError, match=f"{server_name} failed to start"):
        serve(hanging_startup_app, server_name, startup_timeout=0.5, stop_timeout=2).start()
    assert time.monotonic() - started < 5
    assert live_threads() == []


def test_a_failed_start_is_reported_by_every_scenario_without_retrying(server_name: str
                                                                       ) -> None:
    scenarios = build_live_scenarios(failing_startup_app, server_name, TARGETS, RunOptions())
    with pytest.raises(LiveServerError) as first:
        scenarios[0].run(failing_startup_app, RunOptions())
    started = time.monotonic()
    with pytest.raises(LiveServerError) as second:
        scenarios[1].run(failing_startup_app, RunOptions())
    assert second.value is first.value
    assert time.monotonic() - started < 0.5


def test_a_server_gone_mid_run_is_a_clear_error(server_name: str) -> None:
    scenarios = build_live_scenarios(raw_app, server_name, TARGETS, RunOptions())
    scenarios[1].run(raw_app, RunOptions())  # starts it
    hosted(server_name, raw_app, RunOptions().selection).server.stop()  # behind its back
    with pytest.raises(LiveServerError, match=f"{server_name} stopped while the run still "
                                              f"needed it on 127.0.0.1:.*thread ended"):
        scenarios[2].run(raw_app, RunOptions())


def test_uvicorn_gives_back_the_access_logger_it_silences() -> None:
    access = logging.getLogger("uvicorn.access")
    marker = logging.NullHandler()
    access.addHandler(marker)
    propagated = access.propagate  # another test in this process may have configured uvicorn
    try:
        taken = bind_socket()
        with pytest.raises(LiveServerError):  # a start that fails before the thread
            serve(raw_app, "uvicorn", port=taken.getsockname()[1]).start()
        taken.close()
        with serve(raw_app, "uvicorn"), serve(raw_app, "uvicorn"):
            assert marker not in access.handlers and not access.propagate
        assert marker in access.handlers and access.propagate == propagated
    finally:
        access.removeHandler(marker)


def test_the_public_names_exist() -> None:
    import asgicheck.live as live

    assert all(hasattr(live, name) for name in live.__all__)
    assert live.resolve_server(" Hypercorn") == "hypercorn"
