"""Each property catches a planted defect that shows only for some inputs, and shrinks it to a
minimal example; the correct app passes them all."""

from __future__ import annotations

from typing import Any

import planted
import pytest
from asgi_blocks import read_body, respond

from asgicheck.contract import Outcome, RunOptions, Target
from asgicheck.driver import Script, run
from asgicheck.fuzzing import (
    PROPERTIES,
    FuzzSettings,
    HTTPExample,
    WebSocketExample,
    build_property_scenarios,
)
from asgicheck.scenarios import close_sessions
from asgicheck.transcript import Transcript

FAST = RunOptions(deadline=0.5, linger=0.3, hold_back=0.05)
GET_ROOT = Target(path="/")
SEARCH = Target(path="/search")
ITEM = Target(path="/items/1")
ECHO = Target(method="POST", path="/echo")
STREAM = Target(path="/stream")
WS = Target(kind="websocket", path="/ws")


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Any:
    yield
    close_sessions()


def run_property(app: Any, target: Target, number: str, *, examples: int = 60,
                 seed: int = 0, **settings: Any) -> Outcome:
    fuzz = FuzzSettings(seed=seed, max_examples=examples, max_total_examples=None,
                        properties=(number,), app_spec=f"planted:{app.__name__}", **settings)
    (scenario,) = build_property_scenarios([target], FAST, settings=fuzz)
    return scenario.run(app, FAST)


def shrunk(outcome: Outcome) -> HTTPExample | WebSocketExample:
    from asgicheck.fuzzing import example_from_json

    assert outcome.status == "failed", outcome
    data = outcome.details["example"]
    assert isinstance(data, dict)
    return example_from_json(data)


# (app, target, property, rule, what the shrunk example must be). Where two examples are equally
# minimal, either may come out: Hypothesis also draws constants from the modules a process has
# imported, so what a search meets first depends on what else ran.
PLANTED = [
    ("non_ascii_path", GET_ROOT, "P2", "OPS-APP-001", {"path": "/é"}),
    ("invalid_utf8_query", SEARCH, "P2", "OPS-APP-001", {"query_string": {b"a=%FF", b"%FF"}}),
    ("latin1_header", GET_ROOT, "P2", "OPS-APP-001", {"headers": ((b"accept", b"\xe9"),)}),
    ("empty_segment", ITEM, "P2", "OPS-APP-001", {"path": {"/items/", "/items/1/"}}),
    ("repeated_query_key", SEARCH, "P1", "HTTP-SEND-002", {"query_string": b"a&a"}),
    ("first_chunk_only", ECHO, "P3", "HTTP-RECV-002",
     {"body": b"\x00", "chunks": (b"", b"\x00")}),
    ("body_after_disconnect", ECHO, "P4", "HTTP-RECV-004", {"disconnect": "first"}),
    ("streams_after_disconnect", STREAM, "P4", "HTTP-RECV-005", {"disconnect": "started"}),
    ("text_only_websocket", WS, "P5", "OPS-APP-001", {"messages": (("bytes", b"", False),)}),
    ("empty_frame_websocket", WS, "P5", "OPS-APP-001", {"messages": (("bytes", b"", False),)}),
]


@pytest.mark.parametrize(("name", "target", "number", "rule", "minimal"), PLANTED,
                         ids=[p[0] for p in PLANTED])
def test_property_catches_the_planted_defect_and_shrinks_it(
        name: str, target: Target, number: str, rule: str, minimal: dict[str, Any]) -> None:
    outcome = run_property(getattr(planted, name), target, number)
    example = shrunk(outcome)
    assert rule in [v.rule for v in outcome.violations]
    for field, value in minimal.items():
        assert getattr(example, field) in (value if isinstance(value, set) else {value}), example
    # Everything the defect does not need stays at its simplest.
    if isinstance(example, HTTPExample):
        simplest = {"path": target.path, "query_string": b"", "headers": ()}
        for field, value in simplest.items():
            if field not in minimal:
                assert getattr(example, field) == value, (field, example)


@pytest.mark.parametrize("number", ["P1", "P2", "P3", "P4"])
def test_a_correct_app_passes_the_http_properties(number: str) -> None:
    outcome = run_property(planted.good, ECHO, number, examples=15)
    assert outcome.status == "passed", outcome.transcript
    assert outcome.violations == ()
    assert 0 < int(str(outcome.details["examples"])) <= 15


def test_a_correct_app_passes_the_websocket_property() -> None:
    outcome = run_property(planted.good, WS, "P5", examples=15)
    assert outcome.status == "passed", outcome.transcript


def test_path_parameters_get_generated_values_of_their_kind() -> None:
    users = Target(path="/users/x", template="/users/{name}")
    outcome = run_property(planted.non_ascii_path, users, "P2")
    assert outcome.scenario_id == "fuzz/P2-no-server-error[GET /users/{name}]"
    assert shrunk(outcome).path == "/users/é"


def test_int_parameters_get_ints_and_shrink_to_the_first_that_fails() -> None:
    items = Target(path="/items/1", template="/items/{item_id:int}")
    outcome = run_property(planted.int64_item_id, items, "P2", examples=100)
    assert outcome.scenario_id == "fuzz/P2-no-server-error[GET /items/{item_id}]"
    assert shrunk(outcome).path == "/items/9223372036854775808"


def test_allow_5xx_relaxes_only_the_status_check() -> None:
    assert run_property(planted.empty_segment, ITEM, "P2", allow_5xx=True).status == "passed"
    assert run_property(planted.non_ascii_path, GET_ROOT, "P2",
                        allow_5xx=True).status == "failed"  # an exception still fails


def test_a_hanging_app_cannot_hang_the_property() -> None:
    outcome = run_property(planted.hangs_on_query, SEARCH, "P1", time_budget=1.5)
    assert outcome.status == "failed"
    assert "OPS-APP-002" in [v.rule for v in outcome.violations]
    # the first hang ends the property, long before the budget would: one deadline, unshrunk
    assert outcome.duration < 1.5, outcome.duration
    assert outcome.details["hung"] is True and outcome.details["over_budget"] is False
    assert "counterexample (not shrunk: it hung" in outcome.transcript


def test_the_failure_shows_the_transcript_and_a_reproduction() -> None:
    outcome = run_property(planted.invalid_utf8_query, SEARCH, "P2")
    text = outcome.transcript
    assert text.startswith(("shrunk counterexample: GET /search?a=%FF\n",
                            "shrunk counterexample: GET /search?%FF\n"))
    assert "http GET /search (spec 2.4)" in text
    assert "raised UnicodeDecodeError" in text
    code = str(outcome.details["reproduction"])
    assert "query_string=b'a=%FF'" in code or "query_string=b'%FF'" in code
    assert code.splitlines()[2].strip() in text  # the code is appended, indented


# -- P3's exchanges: the second one-chunk run is made only when it can change the verdict ------

SPLIT = HTTPExample(method="POST", path="/echo", body=b"abc", chunks=(b"a", b"", b"bc"))


def judge_p3(app: Any, example: HTTPExample = SPLIT) -> tuple[list[Transcript], list[str]]:
    """P3's verdict on one example, and the transcripts of every exchange it made, in order."""
    made: list[Transcript] = []

    def exchange(script: Script) -> Transcript:
        made.append(run(app, script))
        return made[-1]

    verdict = PROPERTIES["P3"].check(exchange, example, FAST, FuzzSettings())
    return made, [v.rule for v in verdict.findings]


def counting() -> Any:
    """An app that tells the body it read, and how many requests it has answered so far."""
    calls = [0]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = await read_body(receive)
        calls[0] += 1
        await respond(send, b"%d:%s" % (calls[0], body))
    return app


def test_p3_needs_two_exchanges_when_the_split_run_answers_alike() -> None:
    made, found = judge_p3(planted.good)
    assert found == []
    assert [len(t.received) for t in made] == [1, 3]  # the body in one chunk, then in three
    assert [t.body for t in made] == [b"abc", b"abc"]


def test_p3_judges_a_different_body_against_a_second_one_chunk_run() -> None:
    made, found = judge_p3(planted.first_chunk_only)
    assert found == ["HTTP-RECV-002"]
    assert [t.body for t in made] == [b"abc", b"a", b"abc"]  # one, split, again: stable


def test_p3_compares_only_the_status_of_an_app_whose_body_changes_every_call() -> None:
    made, found = judge_p3(counting())
    assert found == []
    assert [t.body for t in made] == [b"1:abc", b"2:abc", b"3:abc"]


def test_p3_a_split_run_that_ends_otherwise_fails_without_a_second_run() -> None:
    async def crashes_on_chunks(scope: Any, receive: Any, send: Any) -> None:
        if (await receive()).get("more_body"):
            raise RuntimeError("chunked bodies are not supported")
        await respond(send)

    made, found = judge_p3(crashes_on_chunks)
    assert found == ["HTTP-RECV-002"]
    assert [t.ended for t in made] == ["returned", "raised"]  # whatever a second run showed
