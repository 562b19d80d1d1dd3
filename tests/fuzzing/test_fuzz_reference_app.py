"""reference_app's demo passes every property on every discovered target (dogfood)."""

from __future__ import annotations

from typing import Any

import pytest

from asgicheck.contract import RunOptions
from asgicheck.discovery import discover
from asgicheck.fuzzing import FuzzSettings, build_property_scenarios
from asgicheck.loading import load_app
from asgicheck.reports import format_failure, result_record
from asgicheck.scenarios import close_sessions

SPEC = "reference_app.demo:app"


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Any:
    yield
    close_sessions()


def test_the_demo_app_passes_every_property() -> None:
    loaded = load_app(SPEC)
    targets = list(discover(loaded.original, loaded.app).targets)
    options = RunOptions()
    fuzz = FuzzSettings(seed=7, max_examples=6, max_total_examples=None, app_spec=SPEC)
    scenarios = build_property_scenarios(targets, options, settings=fuzz)
    assert len(scenarios) == 4 * sum(t.kind == "http" for t in targets) + 1
    # Discovery hands over route templates: path parameters get generated values of their kind.
    assert "fuzz/P1-conformant[GET /items/{item_id}]" in {s.id for s in scenarios}
    failures = []
    for scenario in scenarios:
        outcome = scenario.run(loaded.app, options)
        if outcome.status == "failed":
            record = result_record(scenario, outcome, options.selection)
            failures.append(f"{scenario.id}\n{format_failure(record)}")
    assert not failures, "\n\n".join(failures)
