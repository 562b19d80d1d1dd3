"""Request variants (HEAD) against Starlette and FastAPI apps: bugs in the user code a
framework lets through, each caught with its rule, beside a conforming twin that passes.

The raw bad apps of the same rules are in bad_apps/_variants.py (test_scenarios.py runs them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asgicheck.contract import Outcome, RunOptions, Target
from asgicheck.scenarios import build_scenarios, close_sessions

pytest.importorskip("fastapi")

from fastapi import Request  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import FileResponse, PlainTextResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

# Frameworks do real work per exchange: a generous deadline and stall threshold.
OPTIONS = RunOptions(deadline=2.0, linger=0.3, hold_back=0.05, block_threshold=0.5)
TEXT = "asgicheck variant body, long enough to be worth compressing\n" * 4
ROOT, ECHO = Target(path="/"), Target(method="POST", path="/echo", body=b"hello variants")


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Iterator[None]:
    yield
    close_sessions()


def run(app: Any, name: str, target: Target = ROOT) -> Outcome:
    (scenario,) = [s for s in build_scenarios([target], OPTIONS)
                   if s.id.split("/", 1)[1].split("[")[0] == name]
    return scenario.run(app, OPTIONS)


def failed_with(outcome: Outcome, rule: str) -> str:
    """The message of ``rule``'s failing finding (the outcome must have failed on it)."""
    assert outcome.status == "failed", f"{outcome.status}\n{outcome.transcript}"
    found = [v for v in outcome.violations if v.rule == rule]
    assert found, f"{[v.rule for v in outcome.violations]}\n{outcome.transcript}"
    return found[0].message


def passes(outcome: Outcome) -> None:
    assert outcome.status == "passed", \
        f"{[str(v) for v in outcome.violations]}\n{outcome.transcript}"


def text_app(**options: Any) -> Starlette:
    async def index(request: Request) -> Response:
        return PlainTextResponse(TEXT)
    return Starlette(routes=[Route("/", index)], **options)


# -- HEAD ---------------------------------------------------------------------------------------

def test_starlette_answers_head_with_the_get_body() -> None:
    message = failed_with(run(text_app(), "head-request"), "X-HTTP-006")
    assert f"the whole GET body ({len(TEXT)} bytes)" in message


def test_starlette_file_response_answers_head_with_headers_only(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text(TEXT)

    async def page(request: Request) -> Response:
        return FileResponse(tmp_path / "page.txt")
    passes(run(Starlette(routes=[Route("/", page)]), "head-request"))
