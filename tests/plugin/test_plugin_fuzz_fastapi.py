"""A real framework bug the fuzzing finds in a default run (issue 15): FastAPI 0.165, a route
with a JSON body, a body that is not UTF-8 and no content-type. FastAPI passes the raw bytes to
validation, and its handler for the validation error decodes them as UTF-8 to write the 422:
the UnicodeDecodeError leaves the app as a 500 (with ``content-type: application/json`` the
same body gets a 400). Only a request whose client sends no content-type shows it, so the
examples must sometimes leave the target's own out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _runs import PLUGINS_OFF

from asgicheck.config import JSON_OPTION
from asgicheck.plugin import APP_OPTION

pytest.importorskip("fastapi")

BROKEN = """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str


@app.post("/items")
async def create(item: Item):
    return item
"""
# The twin answers the validation error itself, without echoing the raw body back.
FIXED = BROKEN.replace("from fastapi import FastAPI", """from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse""") + """

@app.exception_handler(RequestValidationError)
async def invalid(request, exc):
    return JSONResponse({"detail": "the body is not an Item"}, status_code=422)
"""
P2 = "fuzz/P2-no-server-error[POST /items]"


def default_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                app: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    """``pytest --asgicheck=fapp:app`` as a CI job runs it: the defaults, a fixed seed."""
    pytester.makepyfile(fapp=app)
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest_subprocess(*PLUGINS_OFF, f"{APP_OPTION}=fapp:app",
                                           f"{JSON_OPTION}=r.json")
    report = json.loads((pytester.path / "r.json").read_text())
    return result, {r["scenario_id"]: r for r in report["results"]}


def test_a_default_run_finds_the_unicode_error_and_shrinks_it(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result, results = default_run(pytester, monkeypatch, BROKEN)
    assert result.ret == 1, result.stdout.str()
    failed = [name for name, r in results.items() if r["status"] == "failed"]
    assert failed == [P2], result.stdout.str()
    found = results[P2]
    assert {v["rule"] for v in found["violations"]} == {"OPS-APP-001"}
    messages = " ".join(v["message"] for v in found["violations"])
    assert "UnicodeDecodeError" in messages and "status 500" in messages
    example = found["details"]["example"]
    body = example["body"].encode("latin-1")  # the JSON form writes bytes as latin-1 text
    assert not any(name.lower() == "content-type" for name, _ in example["headers"]), example
    assert len(body) <= 2 and example["method"] == "POST", example
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "scope = http_scope('POST', '/items', body=" in found["transcript"]


def test_the_twin_that_answers_the_validation_error_itself_passes(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result, results = default_run(pytester, monkeypatch, FIXED)
    assert result.ret == 0, result.stdout.str()
    assert results[P2]["status"] == "passed"
