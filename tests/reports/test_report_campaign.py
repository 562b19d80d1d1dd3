"""A campaign's progress lines and closing summary, from result records, on a clock the test
moves."""

from __future__ import annotations

from typing import Any

from asgicheck.reports import Campaign


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def record(scenario_id: str, examples: int, *, failed: bool = False,
           replay_file: str | None = None) -> dict[str, Any]:
    details: dict[str, Any] = {"examples": examples}
    if replay_file:
        details["replay_file"] = replay_file
    return {"scenario_id": scenario_id, "status": "failed" if failed else "passed",
            "violations": [{"rule": "OPS-APP-001", "fails": True}] if failed else [],
            "transcript": "shrunk counterexample: GET /é\n\n..." if failed else "",
            "details": details}


def test_progress_as_items_finish_and_failures_at_once() -> None:
    clock = Clock()
    campaign = Campaign(budget="1m", seconds=60, clock=clock)
    campaign.expect(items=4, workers=2)
    clock.now += 1
    assert campaign.add(record("fuzz/P1-conformant[GET /]", 300)) == [
        "asgicheck campaign: 1/4 property items, 300 examples (300/s), 0 failing, 1.0s of 1m"]
    assert campaign.add(record("http/S01-plain[GET /]", 0)) == []  # not a property item
    clock.now += 1
    assert campaign.add(record("fuzz/P2-no-server-error[GET /]", 100)) == []  # too soon
    clock.now += 1
    assert campaign.add(record("fuzz/P3-chunking-invariance[GET /]", 2, failed=True)) == [
        "asgicheck campaign: found fuzz/P3-chunking-invariance[GET /]: OPS-APP-001; shrunk "
        "counterexample: GET /é",
        "asgicheck campaign: 3/4 property items, 402 examples (134/s), 1 failing, 3.0s of 1m"]
    clock.now += 61
    assert campaign.add(record("fuzz/P4-disconnect-anywhere[GET /]", 1198)) == [
        "asgicheck campaign: 4/4 property items, 1,600 examples (25/s), 1 failing, 1m04s of 1m"]


def test_the_summary_says_what_was_found_and_where_it_is_kept() -> None:
    clock = Clock()
    campaign = Campaign(budget="1m", seconds=60, database="redis://127.0.0.1:6379/0",
                        clock=clock)
    campaign.expect(items=2, workers=2)
    clock.now += 50
    campaign.add(record("fuzz/P1-conformant[GET /]", 4000))
    campaign.add(record("fuzz/P2-no-server-error[GET /]", 1000, failed=True,
                        replay_file="replays/p2.json"))
    assert campaign.summary(["r.json"]) == [
        "budget 1m on 2 worker(s): 2 property items, 60.0 s each",
        "ran 5,000 examples in 50.0s: 100.0 examples/s",
        "found 1 failing property item(s):",
        "  fuzz/P2-no-server-error[GET /]: OPS-APP-001; shrunk counterexample: GET /é",
        "saved in the example database redis://127.0.0.1:6379/0: every run that uses it "
        "replays these first",
        "replay files: replays/p2.json",
        "report: r.json"]


def test_a_quiet_campaign_and_one_without_a_database() -> None:
    planned = Campaign(budget="10m", seconds=600)
    planned.expect(items=40, workers=4)  # pytest --co: the plan alone
    assert planned.summary() == ["budget 10m on 4 worker(s): 40 property items, 60.0 s each"]
    clean = Campaign(budget="20000 examples")
    clean.add(record("fuzz/P1-conformant[GET /]", 20000))
    assert clean.summary()[0] == "budget 20000 examples on 1 worker(s): 1 property items"
    assert clean.summary()[-1] == "found no failing property"
    unsaved = Campaign(budget="5m", seconds=300)
    unsaved.add(record("fuzz/P1-conformant[GET /]", 3, failed=True))
    assert "saved in no example database (none in use: name one with " \
           "--asgicheck-fuzz-database)" in unsaved.summary()
