"""The driver's watchdog: hostile apps end within their deadline, stalls are measured, a wedged
loop is replaced, and what an exchange leaves behind is cleaned up. Also the borrowed host tasks
an exchange runs as (``_hosts``) and the loop's thread between jobs."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from bad_apps.hostile import (
    blocks,
    generator_exit,
    keyboard_interrupt,
    never_returns,
    not_async,
    returns_42,
    sends_a_str,
    spins,
    swallows_cancellation,
    system_exit,
)
from driver_support import echo_app, rules

from asgicheck.driver import (
    Gate,
    _watchdog,
    http_scope,
    http_script,
    run,
    run_many,
)


def test_tasks_an_isolated_exchange_leaves_behind_are_cancelled() -> None:
    cancelled = threading.Event()

    async def background() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def app(scope: Any, receive: Any, send: Any) -> None:
        asyncio.ensure_future(background())
        await asyncio.sleep(0)  # let it start
        await echo_app()(scope, receive, send)

    run(app, http_script(http_scope()))
    run(echo_app(), http_script(http_scope()))  # the next exchange lets it see the cancel
    assert cancelled.wait(1)


def test_the_portable_loop_driver_works_too() -> None:
    from asgicheck.driver._server import _run_on
    from asgicheck.selection import DEFAULT

    runner = _watchdog.Runner(portable=True)
    try:
        scripts = [http_script(http_scope("POST", "/", body=b"x"), [b"x"], delay=0.01)]
        t = _run_on(runner, echo_app(), scripts, DEFAULT, state=None, isolate=True)[0]
        assert t.body == b"x" and t.ended == "returned"
    finally:
        runner.retire()
        runner.join(1)


# -- hostile apps -----------------------------------------------------------------------------

DEADLINE = 0.3


@pytest.mark.parametrize("app, ended, finding", [
    (never_returns, "timeout", "OPS-APP-002"),
    (swallows_cancellation, "timeout", "OPS-APP-002"),
    (blocks, "timeout", "OPS-APP-003"),
    (spins, "timeout", "OPS-APP-002"),
    (keyboard_interrupt, "raised", None),
    (system_exit, "raised", None),
    (generator_exit, "raised", None),
    (returns_42, "returned", "OPS-APP-004"),
    (sends_a_str, "returned", "GEN-APP-003"),
    (not_async, "returned", "GEN-APP-001"),
], ids=lambda v: getattr(v, "__name__", str(v)))
def test_hostile_apps_end_within_the_deadline(app: Any, ended: str, finding: str | None
                                              ) -> None:
    started = time.perf_counter()
    t = run(app, http_script(http_scope(), deadline=DEADLINE))
    assert time.perf_counter() - started < DEADLINE + 1
    assert t.ended == ended, t.render()
    if finding:
        assert finding in rules(t), t.render()
    if ended == "raised":
        assert t.exception is not None
    assert run(echo_app(), http_script(http_scope())).ended == "returned"  # the driver lives


def test_blocking_under_the_deadline_is_reported_with_its_stall() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        time.sleep(0.25)
        await echo_app()(scope, receive, send)

    t = run(app, http_script(http_scope(), deadline=2.0, block_threshold=0.1))
    assert t.ended == "returned"
    assert t.max_stall >= 0.15
    assert "OPS-APP-003" in rules(t)


def test_a_wedged_loop_is_replaced() -> None:
    before = _watchdog.shared_runner()
    t = run(blocks, http_script(http_scope(), deadline=DEADLINE))
    assert t.ended == "timeout"
    assert before.retired
    after = _watchdog.shared_runner()
    assert after is not before and not after.retired


def test_gate_names_are_stable() -> None:
    assert {g.value for g in Gate} == {"call", "started", "streaming", "complete", "accept",
                                       "idle", "signal"}


# -- stalls and wedges --------------------------------------------------------------------------

def test_a_stall_after_the_app_went_on_in_the_loop_is_measured_too() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(0.01)  # no longer the first step: the heartbeat watches now
        time.sleep(0.25)
        await echo_app()(scope, receive, send)

    t = run(app, http_script(http_scope(), deadline=2.0, block_threshold=0.1))
    assert t.ended == "returned", t.render()
    assert t.max_stall >= 0.2 and "OPS-APP-003" in rules(t)


def test_a_trivial_exchange_reports_no_stall() -> None:
    t = run(echo_app(), http_script(http_scope()))
    assert t.ended == "returned" and t.max_stall < 0.1 and not rules(t)


def test_a_batch_that_wedges_goes_on_on_a_fresh_loop() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/block":
            time.sleep(1.0)  # past the deadline; the abandoned thread wakes up later
        await echo_app()(scope, receive, send)

    before = _watchdog.shared_runner()
    found = run_many(app, [http_script(http_scope("GET", path), deadline=DEADLINE)
                           for path in ("/", "/block", "/")])
    assert [t.ended for t in found] == ["returned", "timeout", "returned"]
    assert "OPS-APP-002" in rules(found[1]) and not rules(found[2])
    assert before.retired and not _watchdog.shared_runner().retired


def test_run_many_gives_what_run_gives() -> None:
    scripts = [http_script(http_scope("POST", "/", body=bytes([65 + n])), [bytes([65 + n])])
               for n in range(3)]
    batch = run_many(echo_app(), scripts)
    one_by_one = [run(echo_app(), s) for s in scripts]
    assert [t.body for t in batch] == [t.body for t in one_by_one] == [b"A", b"B", b"C"]
    assert [[type(e).__name__ for e in t.entries] for t in batch] == \
        [[type(e).__name__ for e in t.entries] for t in one_by_one]
    assert [t.violations for t in batch] == [t.violations for t in one_by_one]


def test_a_turn_for_leftovers_never_waits_for_a_later_timer() -> None:
    runner = _watchdog.shared_runner()

    def leave_timers(ticket: Any) -> None:
        loop = runner.loop
        loop.call_at(loop.time() - 1, _nothing).cancel()  # due, but cancelled: heads the heap
        loop.call_later(3, _nothing)  # the next real timer, far off

    runner.call(leave_timers, 5)
    started = time.perf_counter()
    assert run(echo_app(), http_script(http_scope())).ended == "returned"
    assert time.perf_counter() - started < 1.0


def _nothing() -> None:
    pass


# -- the task an exchange runs as -----------------------------------------------------------------

def test_the_app_has_one_current_task_before_and_after_it_first_waits() -> None:
    seen: list[object] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(asyncio.current_task())
        await asyncio.sleep(0.01)  # from here on the loop runs it
        seen.append(asyncio.current_task())
        await echo_app()(scope, receive, send)

    assert run(app, http_script(http_scope())).ended == "returned"
    assert seen[0] is not None and seen[0] is seen[1]


def test_anyio_cancel_scopes_and_task_groups_span_the_first_wait() -> None:
    import anyio

    async def app(scope: Any, receive: Any, send: Any) -> None:
        with anyio.CancelScope():
            async with anyio.create_task_group() as group:
                group.start_soon(anyio.sleep, 0.01)
                await anyio.sleep(0)
        await echo_app()(scope, receive, send)

    t = run(app, http_script(http_scope()))
    assert t.ended == "returned", t.render()


def test_a_host_task_is_reused_but_not_once_cancelled() -> None:
    tasks: list[object] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        tasks.append(asyncio.current_task())
        await echo_app()(scope, receive, send)

    run(app, http_script(http_scope()))
    run(app, http_script(http_scope()))
    assert tasks[0] is tasks[1]

    async def hangs(scope: Any, receive: Any, send: Any) -> None:
        tasks.append(asyncio.current_task())
        await asyncio.Event().wait()

    assert run(hangs, http_script(http_scope(), deadline=DEADLINE)).ended == "timeout"
    run(app, http_script(http_scope()))
    assert tasks[3] is not tasks[2]


@pytest.mark.parametrize("then_wait", [False, True], ids=["returns", "waits"])
def test_an_app_that_cancels_its_own_task(then_wait: bool) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        if then_wait:
            await asyncio.sleep(0)  # where a task gets its CancelledError

    t = run(app, http_script(http_scope(), deadline=DEADLINE))
    assert t.ended == ("cancelled" if then_wait else "returned"), t.render()
    assert run(echo_app(), http_script(http_scope())).ended == "returned"


def test_an_app_may_return_any_awaitable() -> None:
    class Call:
        def __init__(self, *args: Any) -> None:
            self.args = args

        def __await__(self) -> Any:
            return echo_app()(*self.args).__await__()

    t = run(Call, http_script(http_scope("POST", "/", body=b"x"), [b"x"], delay=0.01))
    assert t.ended == "returned" and t.body == b"x", t.render()


def test_without_a_synchronous_first_step_the_loop_takes_it(monkeypatch: Any) -> None:
    from asgicheck.driver import _connection

    monkeypatch.setattr(_connection, "enter_task", None)  # as where asyncio lacks _enter_task
    t = run(echo_app(), http_script(http_scope("POST", "/", body=b"x"), [b"x"]))
    assert t.ended == "returned" and t.body == b"x", t.render()
    assert run(never_returns, http_script(http_scope(), deadline=DEADLINE)).ended == "timeout"
    assert run(not_async, http_script(http_scope())).ended == "returned"


# -- stopping the thread an app wedged (_stopping) --------------------------------------------

def test_an_app_blocked_in_time_sleep_is_abandoned_and_its_stack_named() -> None:
    t = run(blocks, http_script(http_scope(), deadline=DEADLINE))
    hang = next(v.message for v in t.violations if v.rule == "OPS-APP-002")
    assert "blocked at hostile.py:" in hang and "in blocks" in hang, hang
    assert "no exception can interrupt" in hang, hang
    assert any("in blocks" in line for line in t.render().splitlines()), t.render()


def test_app_code_that_is_no_exchange_runs_under_the_watchdog() -> None:
    from asgicheck.driver import AppCodeFailed, call_app_code

    assert call_app_code(lambda: threading.current_thread().name, 1.0) == \
        "asgicheck-app-runner"

    def exits() -> None:
        raise SystemExit(2)

    def interrupts() -> None:
        raise KeyboardInterrupt

    for fn, kind in ((exits, "SystemExit(2)"), (interrupts, "KeyboardInterrupt()")):
        with pytest.raises(AppCodeFailed) as failed:
            call_app_code(fn, 1.0, what="the app's openapi()")
        assert str(failed.value).startswith(f"the app's openapi() raised {kind} at "
                                            f"test_driver_watchdog.py:"), failed.value
        assert not failed.value.hung

    def sleeps() -> None:
        time.sleep(1.0)  # the thread is abandoned; it ends when the sleep does

    started = time.perf_counter()
    with pytest.raises(AppCodeFailed) as failed:
        call_app_code(sleeps, 0.2)
    assert time.perf_counter() - started < 0.9
    assert failed.value.hung and failed.value.stop is not None
    assert failed.value.stop.outcome == "blocked", failed.value
    assert "did not return within 0.2 s" in str(failed.value)
    assert call_app_code(lambda: 42, 1.0) == 42  # a fresh runner took over


SPINNING = '''
import json, sys, threading, time
from asgicheck.driver import AppCodeFailed, call_app_code, http_scope, http_script, resident, run
from asgicheck.driver import Stranded


def spin():
    while True:
        pass


def swallow():
    while True:
        try:
            spin()
        except BaseException:
            pass


async def app(scope, receive, send):
    if scope["path"] == "/spin":
        spin()
    if scope["path"] == "/swallow":
        swallow()
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def runners():
    time.sleep(0.2)  # a stopped thread closes its loop on the way out
    return sum(t.name == "asgicheck-app-runner" and t.is_alive() for t in threading.enumerate())


def exchange(path):
    started = time.perf_counter()
    t = run(app, http_script(http_scope("GET", path), deadline=0.3))
    return {"ended": t.ended, "seconds": time.perf_counter() - started, "text": t.render(),
            "hang": [v.message for v in t.violations if v.rule == "OPS-APP-002"]}


found = {"spin": exchange("/spin"), "spin_runners": runners()}
found["after_spin"] = exchange("/")
try:
    call_app_code(spin, 0.3, what="the app's openapi()")
except AppCodeFailed as failed:
    found["call"] = str(failed)
found["call_runners"] = runners()
try:
    resident(lambda: run(app, http_script(http_scope("GET", "/spin"), deadline=0.3)))
except Stranded as stranded:
    found["resident"] = [t.render() for t in stranded.transcripts]
found["resident_runners"] = runners()
found["swallow"] = exchange("/swallow")
found["swallow_runners"] = runners()
found["after_swallow"] = exchange("/")
print(json.dumps(found))
'''


def test_a_spinning_app_is_stopped_where_it_spins_and_the_run_goes_on(tmp_path: Any) -> None:
    # In a subprocess: a thread that swallows the interrupt spins until its process ends.
    import json
    import subprocess
    import sys

    script = tmp_path / "spinning.py"
    script.write_text(SPINNING, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, check=True)
    found = json.loads(done.stdout)

    spin = found["spin"]
    assert spin["ended"] == "timeout" and spin["seconds"] < 1.5, spin
    assert len(spin["hang"]) == 1, spin["text"]
    assert "it spun at spinning.py:" in spin["hang"][0], spin["hang"]
    assert "in spin (called from spinning.py:" in spin["hang"][0], spin["hang"]
    assert "asgicheck stopped its thread" in spin["hang"][0], spin["hang"]
    assert "its thread was stopped" in spin["text"], spin["text"]
    assert "= still running at the deadline; stopped where it spun" in spin["text"], spin["text"]
    assert found["spin_runners"] == 0  # the stopped thread ended
    assert found["after_spin"]["ended"] == "returned"

    assert found["call"].startswith("the app's openapi() did not return within 0.3 s: it "
                                    "spun at spinning.py:"), found["call"]
    assert found["call_runners"] == 0

    assert len(found["resident"]) == 1 and "asgicheck stopped its thread" in \
        found["resident"][0], found["resident"]
    assert found["resident_runners"] == 0

    swallow = found["swallow"]
    assert swallow["ended"] == "timeout" and swallow["seconds"] < 2.0, swallow
    assert "swallowed the exception asgicheck raised there 5 times" in swallow["hang"][0], \
        swallow["hang"]
    assert "in swallow" in swallow["hang"][0], swallow["hang"]
    assert found["swallow_runners"] == 1  # abandoned, still spinning: a fresh runner serves
    assert found["after_swallow"]["ended"] == "returned"
