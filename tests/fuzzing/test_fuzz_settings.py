"""FuzzSettings, the Hypothesis settings they become, and the items build_property_scenarios
makes."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import settings as hypothesis_profiles
from hypothesis.errors import InvalidArgument

from asgicheck.contract import RunOptions, Target
from asgicheck.fuzzing import (
    FuzzSettings,
    PropertyScenario,
    build_property_scenarios,
    plan_shares,
)
from asgicheck.fuzzing._settings import (
    CAMPAIGN_EXAMPLES,
    Namespaced,
    duration_label,
    hypothesis_settings,
    item_seed,
)

OPTIONS = RunOptions()
TARGETS = [Target(path="/"), Target(method="POST", path="/echo"),
           Target(kind="websocket", path="/ws"), Target(path="/")]


@pytest.mark.parametrize(
    "kwargs",
    [{"max_examples": 0}, {"max_examples": 2.5}, {"min_examples": 0},
     {"max_total_examples": 0}, {"seed": "7"}, {"time_budget": 0}, {"properties": ("P9",)}],
    ids=["examples-0", "examples-float", "min-0", "total-0", "seed-str", "budget-0",
         "unknown-property"],
)
def test_bad_settings_are_refused_up_front(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="FuzzSettings"):
        FuzzSettings(**kwargs)


def test_ci_derandomizes_by_default() -> None:
    assert FuzzSettings().derandomized({"CI": "true"}) is True
    assert FuzzSettings().derandomized({}) is False
    assert FuzzSettings(derandomize=False).derandomized({"CI": "1"}) is False
    assert FuzzSettings(derandomize=True).derandomized({}) is True


def test_a_profile_supplies_the_default_for_derandomize() -> None:
    hypothesis_profiles.register_profile("asgicheck-test-derandomized", derandomize=True)
    fuzz = FuzzSettings(profile="asgicheck-test-derandomized")
    assert fuzz.derandomized({}) is True
    assert hypothesis_settings(fuzz, "x", 5, {}).database is None


def test_hypothesis_settings() -> None:
    fuzz = FuzzSettings(database="some/dir")
    random_run = hypothesis_settings(fuzz, "fuzz/P1-conformant[GET /]", 9, {})
    assert random_run.max_examples == 9 and random_run.deadline is None
    assert random_run.derandomize is False and random_run.report_multiple_bugs is False
    assert isinstance(random_run.database, Namespaced)
    assert hypothesis_settings(fuzz, "x", 9, {"CI": "1"}).database is None
    assert hypothesis_settings(FuzzSettings(database=None), "x", 9, {}).database is None
    assert hypothesis_settings(FuzzSettings(seed=1), "x", 9, {}).database is None


def test_item_seeds() -> None:
    assert item_seed(FuzzSettings(), "a", {}) is None  # random run: Hypothesis picks
    fixed = item_seed(FuzzSettings(seed=5), "a", {})
    assert fixed == item_seed(FuzzSettings(seed=5), "a", {})
    assert fixed != item_seed(FuzzSettings(seed=5), "b", {})  # items explore differently
    assert fixed != item_seed(FuzzSettings(seed=6), "a", {})
    assert item_seed(FuzzSettings(), "a", {"CI": "1"}) is not None


def test_the_total_cap_shares_examples_out() -> None:
    assert FuzzSettings().examples_per_item(10) == 25
    assert FuzzSettings(max_total_examples=500).examples_per_item(57) == 8
    assert FuzzSettings(max_total_examples=100).examples_per_item(57) == 5  # min_examples
    assert FuzzSettings(max_total_examples=None).examples_per_item(1000) == 25


def test_items_for_each_target() -> None:
    found = build_property_scenarios(TARGETS, OPTIONS, settings=FuzzSettings())
    assert [s.id for s in found] == [
        "fuzz/P1-conformant[GET /]", "fuzz/P2-no-server-error[GET /]",
        "fuzz/P3-chunking-invariance[GET /]", "fuzz/P4-disconnect-anywhere[GET /]",
        "fuzz/P1-conformant[POST /echo]", "fuzz/P2-no-server-error[POST /echo]",
        "fuzz/P3-chunking-invariance[POST /echo]", "fuzz/P4-disconnect-anywhere[POST /echo]",
        "fuzz/P5-websocket-state[WS /ws]"]
    assert all(isinstance(s, PropertyScenario) for s in found)
    assert [s.protocol for s in found].count("websocket") == 1
    assert all(s.rules and s.title for s in found)


def test_items_can_be_chosen_and_use_templates() -> None:
    targets = [Target(path="/items/1", template="/items/{item_id:int}")]
    found = build_property_scenarios(targets, OPTIONS,
                                     settings=FuzzSettings(properties=("P2", "P5")))
    assert [s.id for s in found] == ["fuzz/P2-no-server-error[GET /items/{item_id}]"]


def test_an_unknown_profile_is_refused_when_building() -> None:
    with pytest.raises(InvalidArgument):
        build_property_scenarios(TARGETS, OPTIONS, settings=FuzzSettings(profile="no-such"))


def test_describe() -> None:
    assert "seed 3, no database (none named)" in FuzzSettings(seed=3).describe({})
    assert "random, database .hypothesis" in FuzzSettings().describe({})
    assert "derandomized (CI is set), no database (none named)" in \
        FuzzSettings().describe({"CI": "1"})
    assert FuzzSettings(database=None).describe({}).endswith("random, no database")


def test_a_named_database_wins_over_the_ci_default() -> None:
    named = FuzzSettings(database="shared/db", database_named=True)
    assert named.derandomized({"CI": "true"}) is False
    assert named.uses_database({"CI": "true"})
    assert isinstance(hypothesis_settings(named, "x", 9, {"CI": "true"}).database, Namespaced)
    assert "random (CI is set, but a database is named), database shared/db" in \
        named.describe({"CI": "true"})
    # ... and a seeded or derandomized run uses it too (it replays what it holds first).
    for mode in ({"seed": 4}, {"derandomize": True}):
        fixed = FuzzSettings(database="shared/db", database_named=True, **mode)
        assert fixed.uses_database({})
        chosen = hypothesis_settings(fixed, "x", 9, {})
        assert isinstance(chosen.database, Namespaced) and chosen.derandomize is False
        assert item_seed(fixed, "x", {}) is not None
    # The default database stays for random runs only.
    assert not FuzzSettings(database="default/db", seed=4).uses_database({})


def test_an_explicit_derandomize_wins_over_ci_and_says_so() -> None:
    off = FuzzSettings(derandomize=False)
    assert off.derandomized({"CI": "true"}) is False
    assert "random (asked for, though CI is set), database" in off.describe({"CI": "true"})
    on = FuzzSettings(derandomize=True)
    assert "derandomized (asked for), no database (none named)" in on.describe({})


def test_a_profiles_own_database_is_used() -> None:
    from hypothesis.database import InMemoryExampleDatabase

    shared = InMemoryExampleDatabase()
    hypothesis_profiles.register_profile("asgicheck-test-shared-db", database=shared)
    fuzz = FuzzSettings(profile="asgicheck-test-shared-db")
    assert fuzz.example_store() == (shared, True)
    chosen = hypothesis_settings(fuzz, "x", 5, {"CI": "true"}).database
    assert isinstance(chosen, Namespaced) and chosen.inner is shared
    # A named option still wins over the profile.
    assert FuzzSettings(profile="asgicheck-test-shared-db", database=None,
                        database_named=True).example_store() == (None, True)
    # A profile that leaves Hypothesis's default directory alone gets asgicheck's default.
    hypothesis_profiles.register_profile("asgicheck-test-no-db-choice", max_examples=3,
                                         parent=hypothesis_profiles.get_profile("default"))
    plain = FuzzSettings(profile="asgicheck-test-no-db-choice", database="mine")
    assert plain.example_store() == ("mine", False)


def test_a_time_campaign_spreads_its_seconds_over_the_items_and_workers() -> None:
    fuzz = FuzzSettings(budget_seconds=600)
    assert fuzz.campaign and fuzz.budget_label() == "10m"
    examples, seconds = fuzz.campaign_share(60, workers=2)
    assert seconds == 20.0 and examples == CAMPAIGN_EXAMPLES  # the time ends each item
    assert fuzz.campaign_share(60)[1] == 10.0
    assert "fuzz: campaign of 10m over the property items, random" in fuzz.describe({})


def test_an_examples_campaign_shares_its_examples_without_a_time_limit() -> None:
    fuzz = FuzzSettings(budget_examples=20000, max_examples=25, max_total_examples=500)
    assert fuzz.budget_label() == "20000 examples"
    assert fuzz.campaign_share(57, workers=2) == (350, math.inf)
    assert fuzz.examples_per_item(57) == 350  # the per-item cap and the total do not apply
    assert fuzz.campaign_share(50000) == (1, math.inf)


def test_campaign_budgets_are_checked() -> None:
    with pytest.raises(ValueError, match="one budget"):
        FuzzSettings(budget_seconds=5, budget_examples=5)
    with pytest.raises(ValueError, match="budget_seconds"):
        FuzzSettings(budget_seconds=0)
    with pytest.raises(ValueError, match="budget_examples"):
        FuzzSettings(budget_examples=0)


def test_duration_labels() -> None:
    assert [duration_label(s) for s in (600, 5400, 90, 2.5, 3600, 45)] == [
        "10m", "1h30m", "1m30s", "2.5s", "1h", "45s"]


def test_a_campaign_plan_sets_each_items_share() -> None:
    fuzz = FuzzSettings(budget_seconds=30)
    found = build_property_scenarios(TARGETS, OPTIONS, settings=fuzz)
    assert {(s.examples, s.time_budget) for s in found} == {(CAMPAIGN_EXAMPLES, 30 / 9)}
    chosen = found[:3]  # what -k or a pytest-split group left for this machine
    plan_shares(chosen, fuzz, workers=2)
    assert {s.time_budget for s in chosen} == {20.0}
    plain = build_property_scenarios(TARGETS, OPTIONS, settings=FuzzSettings())
    plan_shares(plain, FuzzSettings(), workers=2)  # the run's 60 s exceed 10 s for each
    assert {(s.examples, s.time_budget) for s in plain} == {(25, 10.0)}


@pytest.mark.parametrize(("total", "items", "workers", "share"), [
    (60.0, 20, 1, 3.0),  # a run's default: 20 items share a minute
    (60.0, 20, 2, 6.0),  # two workers run them side by side, each for a minute
    (60.0, 3, 1, 10.0),  # never more than an item's own 10 s
    (60.0, 500, 1, 1.0),  # never less than a second, however many items
    (None, 500, 1, 10.0),  # no cap over the run: every item keeps its 10 s
])
def test_the_items_share_the_runs_time(total: float | None, items: int, workers: int,
                                       share: float) -> None:
    assert FuzzSettings(max_total_time=total).time_share(items, workers) == share


def test_outside_a_campaign_a_plan_shares_the_time_and_keeps_the_examples() -> None:
    fuzz = FuzzSettings(max_total_time=6.0)
    found = build_property_scenarios(TARGETS, OPTIONS, settings=fuzz)
    plan_shares(found[:4], fuzz, workers=1)
    assert {(s.examples, s.time_budget) for s in found[:4]} == {(25, 1.5)}
    with pytest.raises(ValueError, match="max_total_time"):
        FuzzSettings(max_total_time=0)
