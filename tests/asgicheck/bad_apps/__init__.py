"""One minimal, deliberately broken raw ASGI app per SCENARIO-detection rule the scenarios check.

Each app is correct apart from its one bug (it falls back on ``good``, which serves ``GET /``,
``POST /echo``, ``WS /ws`` and lifespan) and is registered with the rule it breaks and the
scenario that shows it: ``BAD_APPS[rule_id] -> [BadApp(...)]``. test_scenarios.py runs each
through its scenario and asserts the rule is reported. ``control.app`` is the well-behaved app.
"""

from bad_apps import _general, _http, _lifespan, _variants, _websocket  # noqa: F401 - they register
from bad_apps._support import (
    BAD_APPS,
    GET,
    POST,
    WS,
    BadApp,
    breaks,
    good,
    lifespan,
    read_body,
    respond,
    websocket_echo,
)

__all__ = ["BAD_APPS", "GET", "POST", "WS", "BadApp", "breaks", "good", "lifespan", "read_body",
           "respond", "websocket_echo"]
