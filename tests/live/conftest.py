"""Live-mode tests: every server they start is stopped by the end of each module, and no
server thread outlives it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_apps import LIVE_SERVERS

from asgicheck.live import close_live_servers, live_threads


@pytest.fixture(scope="module", autouse=True)
def _no_server_left_running() -> Iterator[None]:
    yield
    close_live_servers()
    assert live_threads() == [], "a live server thread outlived the tests"


@pytest.fixture(params=LIVE_SERVERS)
def server_name(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name
