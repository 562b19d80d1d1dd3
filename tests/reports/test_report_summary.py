"""The end-of-run summary table (``asgicheck.reports.summary_lines``)."""

from __future__ import annotations

from asgicheck.reports import summary_lines


def record(scenario_id: str, protocol: str, status: str = "passed") -> dict[str, object]:
    return {"scenario_id": scenario_id, "protocol": protocol, "status": status,
            "violations": []}


def test_protocol_rows_are_in_name_order_whatever_the_scenario_ids() -> None:
    # fuzz/ items run http exchanges and sort before general/: the http row must not move up.
    lines = summary_lines([
        record("fuzz/P1-conformant[GET /]", "http"), record("general/S15", "general"),
        record("lifespan/L01-full", "lifespan"), record("http/S01-plain[GET /]", "http", "failed"),
        record("websocket/W01-echo[WS /ws]", "websocket", "skipped")])
    rows = [line.split()[0] for line in lines[1:lines.index(next(
        line for line in lines if line.startswith("total")))]]
    assert rows == ["general", "http", "lifespan", "websocket"]
    http = next(line for line in lines if line.startswith("http"))
    assert http.split()[1:3] == ["1", "1"]  # one passed (the fuzz item), one failed
