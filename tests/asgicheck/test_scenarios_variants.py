"""Request variants (HEAD, V01-V06) against Starlette and FastAPI apps: bugs in the user code a
framework lets through, each caught with its rule, beside a conforming twin that passes.

The raw bad apps of the same rules are in bad_apps/_variants.py (test_scenarios.py runs them).
"""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asgicheck.contract import Outcome, RunOptions, Target
from asgicheck.scenarios import build_scenarios, close_sessions

pytest.importorskip("fastapi")

from fastapi import FastAPI, Request  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.middleware.cors import CORSMiddleware  # noqa: E402
from starlette.middleware.gzip import GZipMiddleware  # noqa: E402
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


# -- V01: accept-encoding: gzip -------------------------------------------------------------------

class NaiveGzip:
    """User-written compression middleware: compresses the body, keeps the old content-length."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        accepts = any(n == b"accept-encoding" and b"gzip" in v for n, v in scope.get("headers", ()))
        if scope["type"] != "http" or not accepts:
            return await self.app(scope, receive, send)
        start: dict[str, Any] = {}

        async def compressing(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message, headers=[*message["headers"],
                                               (b"content-encoding", b"gzip")])
            elif message["type"] == "http.response.body":
                await send(start)  # one-message bodies only, as the bug's author assumed
                await send({**message, "body": gzip.compress(message.get("body", b""))})
        await self.app(scope, receive, compressing)


def test_gzip_middleware_that_keeps_the_content_length_fails_v01() -> None:
    message = failed_with(run(NaiveGzip(text_app()), "V01-accept-gzip"), "X-HTTP-001")
    assert f"content-length is {len(TEXT)}" in message


def test_starlette_gzip_middleware_passes_v01() -> None:
    from starlette.middleware import Middleware
    app = text_app(middleware=[Middleware(GZipMiddleware, minimum_size=16)])
    outcome = run(app, "V01-accept-gzip")
    passes(outcome)
    assert outcome.details["content_encoding"] == "gzip"  # it did compress


# -- V02: range ---------------------------------------------------------------------------------

def fastapi_range(*, status: int) -> FastAPI:
    app = FastAPI(openapi_url=None)

    @app.get("/")
    async def index(request: Request) -> Response:
        wanted = request.headers.get("range", "")
        if wanted.startswith("bytes="):  # hand-made range support
            first, _, last = wanted[6:].partition("-")
            part = TEXT.encode()[int(first):int(last) + 1]
            headers = {"content-range": f"bytes {first}-{last}/{len(TEXT)}"} \
                if status == 206 else {}
            return Response(part, status_code=status, headers=headers)
        return PlainTextResponse(TEXT)
    return app


def test_a_range_answered_with_status_200_fails_v02() -> None:
    message = failed_with(run(fastapi_range(status=200), "V02-range"), "X-HTTP-008")
    assert "a 200 carries the whole representation" in message


def test_a_hand_made_206_passes_v02() -> None:
    passes(run(fastapi_range(status=206), "V02-range"))


def test_starlette_file_response_ranges_pass_v02(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text(TEXT)

    async def page(request: Request) -> Response:
        return FileResponse(tmp_path / "page.txt")
    outcome = run(Starlette(routes=[Route("/", page)]), "V02-range")
    passes(outcome)
    assert "status=206" in outcome.transcript


# -- V03: if-none-match -------------------------------------------------------------------------

def fastapi_etag(*, compare: bool) -> FastAPI:
    app = FastAPI(openapi_url=None)
    fields = {"etag": '"v7"', "cache-control": "max-age=60"}

    @app.get("/")
    async def index(request: Request) -> Response:
        wanted = request.headers.get("if-none-match")
        if wanted is not None and (not compare or '"v7"' in wanted):
            return Response(status_code=304, headers=fields)
        return PlainTextResponse(TEXT, headers=fields)
    return app


def test_304_for_any_if_none_match_fails_v03() -> None:
    message = failed_with(run(fastapi_etag(compare=False), "V03-if-none-match"), "X-HTTP-009")
    assert "a tag the app never gave" in message


def test_304_for_the_current_tag_only_passes_v03() -> None:
    outcome = run(fastapi_etag(compare=True), "V03-if-none-match")
    passes(outcome)
    assert "status=304" in outcome.transcript


# -- V04: CORS preflight ------------------------------------------------------------------------

def fastapi_cors(*, middleware: bool) -> FastAPI:
    app = FastAPI(openapi_url=None)

    @app.get("/")
    async def index() -> Response:
        return PlainTextResponse(TEXT)

    if middleware:
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"])
    else:
        @app.middleware("http")
        async def allow_everyone(request: Request, call_next: Any) -> Response:
            response: Response = await call_next(request)  # OPTIONS: the router's 405
            response.headers["access-control-allow-origin"] = "*"
            return response
    return app


def test_cors_headers_added_after_routing_fail_v04() -> None:
    message = failed_with(run(fastapi_cors(middleware=False), "V04-cors-preflight"),
                          "X-HTTP-010")
    assert "answered 405 with access-control-allow-origin" in message


def test_starlette_cors_middleware_passes_v04() -> None:
    passes(run(fastapi_cors(middleware=True), "V04-cors-preflight"))


# -- V05: expect: 100-continue, V06: a chunked upload ------------------------------------------

def fastapi_echo(*, expect: bool = True, by_length: bool = False) -> FastAPI:
    app = FastAPI(openapi_url=None)

    @app.post("/echo")
    async def echo(request: Request) -> Response:
        if by_length:  # reads what content-length declares: nothing when there is none
            length = int(request.headers.get("content-length", "0"))
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) >= length:
                    break
        else:
            body = await request.body()
        return Response(body, media_type="application/octet-stream")

    if not expect:
        @app.middleware("http")
        async def no_expectations(request: Request, call_next: Any) -> Response:
            if "expect" in request.headers:
                return PlainTextResponse("expectation failed", status_code=417)
            response: Response = await call_next(request)
            return response
    return app


def test_refusing_expect_100_continue_fails_v05() -> None:
    message = failed_with(run(fastapi_echo(expect=False), "V05-expect-continue", ECHO),
                          "X-HTTP-011")
    assert "100-continue can always be met" in message


def test_fastapi_echo_passes_v05_and_v06() -> None:
    passes(run(fastapi_echo(), "V05-expect-continue", ECHO))
    passes(run(fastapi_echo(), "V06-chunked-upload", ECHO))


def test_reading_content_length_bytes_loses_a_chunked_body_in_v06() -> None:
    outcome = run(fastapi_echo(by_length=True), "V06-chunked-upload", ECHO)
    (found,) = [v for v in outcome.violations if v.rule == "HTTP-RECV-002"]
    assert "where the plain request got b'hello variants'" in found.message
    assert outcome.status in ("failed", "warned")  # the rule's level decides


def test_variants_are_built_for_every_target_where_they_apply() -> None:
    names = {s.id for s in build_scenarios([ROOT, ECHO, dataclasses.replace(ROOT, path="/a")],
                                           OPTIONS)}
    for label in ("GET /", "POST /echo", "GET /a"):
        for variant in ("V01-accept-gzip", "V02-range", "V03-if-none-match",
                        "V04-cors-preflight"):
            assert f"http/{variant}[{label}]" in names
    assert "http/V05-expect-continue[POST /echo]" in names
    assert "http/V06-chunked-upload[POST /echo]" in names
    assert "http/V05-expect-continue[GET /]" not in names  # no body: no 100-continue
