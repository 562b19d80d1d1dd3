"""The sans-IO parts of middleware mode: scope snapshots, summaries, and the blame rule."""

from __future__ import annotations

from typing import Any

from asgicheck.mwmode._blame import blame, summary
from asgicheck.mwmode._probe import diff, snapshot
from asgicheck.violations import Party, Severity


def scope() -> dict[str, Any]:
    return {"type": "http", "path": "/", "headers": [[b"host", b"testserver"]],
            "state": {"db": object()}, "extensions": {"x": {}}}


def test_an_untouched_scope_has_no_changes() -> None:
    live = scope()
    assert diff(snapshot(live), live) == []


def test_changes_are_found_at_any_depth_and_named_by_path() -> None:
    live = scope()
    before = snapshot(live)
    live["path"] = "/rewritten"
    live["headers"][0][1] = b"evil"
    live["root_path"] = "/mnt"
    del live["extensions"]
    assert diff(before, live) == [
        "scope['path']: '/' -> '/rewritten'",
        "scope['headers'][0][1]: b'testserver' -> b'evil'",
        "scope['extensions'] removed",
        "scope['root_path'] added: '/mnt'",
    ]


def test_a_list_that_grows_is_one_change() -> None:
    live = scope()
    before = snapshot(live)
    live["headers"].append([b"x", b"1"])
    assert diff(before, live) == ["scope['headers']: 1 items -> 2 items"]


def test_keys_added_to_the_lifespan_state_copy_are_allowed() -> None:
    live = scope()
    before = snapshot(live)
    live["state"]["request_id"] = 1
    assert diff(before, live) == []
    live["state"] = {}
    assert diff(before, live) == []  # replacing the copy is the middleware's own business


def test_objects_are_compared_by_identity_and_the_list_is_capped() -> None:
    thing = object()
    live = {"a": thing, "b": 1, "c": 2, "d": 3, "e": 4, "f": 5}
    before = snapshot(live)
    assert before["a"] is thing
    live["a"] = object()
    for key in "bcdef":
        live[key] = -1
    assert len(diff(before, live)) == 4


def test_summary_is_a_compact_account_of_one_side() -> None:
    sent = [{"type": "http.response.start", "status": 200,
             "headers": [[b"content-type", b"text/plain"], [b"content-length", b"3"]]},
            {"type": "http.response.body", "body": b"ab", "more_body": True},
            {"type": "http.response.body", "body": b"c"}]
    assert summary(sent) == ("http.response.start 200 [content-type, content-length: 3] + "
                             "2 body message(s) (3 B, completed)")
    assert summary([]) == "nothing"
    assert summary([{"type": "websocket.accept"}, {"type": "websocket.send"},
                    {"type": "websocket.send"}]) == "websocket.accept, 2 × websocket.send"
    assert summary(["junk", {"type": "http.response.start", "status": 500}]) == \
        "1 non-dict message(s) and http.response.start 500 [no headers]"


def test_server_rules_broken_by_the_middleware_are_charged_to_it() -> None:
    finding = blame("HTTP-EVT-004", "replayed", index=3)
    assert (finding.rule, finding.party, finding.index) == ("HTTP-EVT-004", Party.APP, 3)
    assert finding.severity is Severity.ERROR
    assert blame("GEN-MW-001", "x", severity=Severity.WARNING).severity is Severity.WARNING
