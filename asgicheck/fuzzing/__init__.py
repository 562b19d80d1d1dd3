"""Property-based fuzzing: five properties checked with Hypothesis around every target.

Fixed scenarios find the bugs their authors thought of; these find the ones behind inputs nobody
wrote down (a non-ASCII path, ``%FF`` in a query string, a latin-1 header value, an empty
segment, a repeated key, a body split at an odd place, a disconnect at an odd moment)::

    from asgicheck.fuzzing import FuzzSettings, build_property_scenarios

    for scenario in build_property_scenarios(targets, options, settings=FuzzSettings()):
        outcome = scenario.run(app, options)   # like any Scenario: never raises for the app

Items are named ``fuzz/P1-conformant[GET /items/{item_id}]`` and so on (see ``PROPERTIES``).
A failure's ``Outcome`` carries the shrunk counterexample as a transcript, a ready-to-paste
pytest test in ``details["reproduction"]`` (also at the end of the transcript text), and, with
``FuzzSettings(replay_dir=...)``, a JSON replay file.

The plugin adds the items after the fixed scenarios, with the same ``RunOptions`` object (so
both share the run's lifespan session) and ``close_sessions()`` at the end as before. This
package imports Hypothesis: import it only when fuzzing is on. docs/fuzzing.md has the rest.
"""

from __future__ import annotations

from asgicheck.fuzzing._campaign import plan_shares
from asgicheck.fuzzing._database import ExampleDatabaseError
from asgicheck.fuzzing._examples import (
    Example,
    HTTPExample,
    WebSocketExample,
    example_from_json,
)
from asgicheck.fuzzing._properties import PROPERTIES, Property, Verdict
from asgicheck.fuzzing._reproduce import Replay, load_replay, reproduction
from asgicheck.fuzzing._scenario import PropertyScenario, build_property_scenarios
from asgicheck.fuzzing._settings import DEFAULT_DATABASE, FuzzSettings
from asgicheck.fuzzing._strategies import http_examples, websocket_examples

__all__ = [
    "DEFAULT_DATABASE",
    "PROPERTIES",
    "Example",
    "ExampleDatabaseError",
    "FuzzSettings",
    "HTTPExample",
    "Property",
    "PropertyScenario",
    "Replay",
    "Verdict",
    "WebSocketExample",
    "build_property_scenarios",
    "example_from_json",
    "http_examples",
    "load_replay",
    "plan_shares",
    "reproduction",
    "websocket_examples",
]
