"""Middleware mode and live-server mode, wired through the plugin's options."""

from __future__ import annotations

import pytest
from _runs import run, run_inline

from asgicheck.config import MIDDLEWARE_KWARGS_OPTION, MIDDLEWARE_OPTION, SERVER_OPTION

MIDDLEWARES = """
class PassThrough:
    def __init__(self, app, greeting="hi"):
        self.app = app
        self.greeting = greeting

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)


class StaleLength:
    # Rewrites the body but forwards the inner app's content-length unchanged.
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def rewriting_send(message):
            if message["type"] == "http.response.body" and message.get("body"):
                message = dict(message, body=message["body"] + b"!")
            await send(message)

        await self.app(scope, receive, rewriting_send)
"""


def test_a_correct_middleware_passes_without_an_app(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(mws=MIDDLEWARES)
    result = run(pytester, f"{MIDDLEWARE_OPTION}=mws:PassThrough",
                 f"{MIDDLEWARE_KWARGS_OPTION}=greeting='hello'")
    result.stdout.fnmatch_lines(
        ["asgicheck: middleware=mws:PassThrough; built as PassThrough(app, greeting='hello')"])
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) > 10 and "failed" not in outcomes


def test_a_broken_middleware_is_blamed_with_the_rule(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(mws=MIDDLEWARES)
    result = run(pytester, f"{MIDDLEWARE_OPTION}=mws:StaleLength", "-k", "plain")
    result.stdout.fnmatch_lines(["*X-HTTP-001*"])
    assert result.parseoutcomes().get("failed", 0) >= 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((f"{MIDDLEWARE_OPTION}=nosuchmodule:Factory",), "*cannot import module 'nosuchmodule'*"),
        ((f"{MIDDLEWARE_KWARGS_OPTION}=a=1", "--asgicheck=apps:good"),
         f"*{MIDDLEWARE_KWARGS_OPTION} needs {MIDDLEWARE_OPTION}*"),
        ((f"{SERVER_OPTION}=gunicorn-ish", "--asgicheck=apps:good"), "*unknown live server*"),
        ((f"{SERVER_OPTION}=uvicorn", f"{MIDDLEWARE_OPTION}=mws:PassThrough"),
         "*--asgicheck-server runs an app inside real servers*"),
    ],
    ids=["factory-not-importable", "kwargs-without-middleware", "unknown-server",
         "server-without-app"],
)
def test_bad_mode_options_are_usage_errors(project: pytest.Pytester, args: tuple[str, ...],
                                           message: str) -> None:
    project.makepyfile(mws=MIDDLEWARES)
    result = run_inline(project, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_live_mode_adds_the_server_scenarios(project: pytest.Pytester) -> None:
    result = run(project, "--asgicheck=apps:good", "--asgicheck-target=GET /",
                 f"{SERVER_OPTION}=uvicorn", "-k", "live-uvicorn and http-get")
    result.stdout.fnmatch_lines(["asgicheck: live servers: uvicorn*"])
    result.assert_outcomes(passed=1)


def test_live_mode_without_its_clients_names_the_live_extra(project: pytest.Pytester) -> None:
    # A None in sys.modules is how Python marks a module as not importable: find_spec gives
    # None and ``import httpx`` raises ModuleNotFoundError, as with only asgicheck[pytest].
    project.makepyfile(hide_clients="import sys\nsys.modules['httpx'] = None\n"
                                    "sys.modules['websockets'] = None\n")
    project.syspathinsert()
    result = run(project, "-p", "hide_clients", "--asgicheck=apps:good",
                 f"{SERVER_OPTION}=uvicorn")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = result.stdout.str() + result.stderr.str()
    assert ("asgicheck: live mode drives the servers with httpx and websockets, and httpx and "
            "websockets are not installed: pip install 'asgicheck[live]'") in output
    assert "Traceback" not in output


def test_closing_live_mode_imports_nothing_when_no_server_started() -> None:
    import subprocess
    import sys

    # suites.close() runs at every session's end once asgicheck.live is loaded: with no server
    # ever hosted it must not import the hosting module (and with it httpx).
    code = ("import sys\nsys.modules['httpx'] = None\nfrom asgicheck import live\n"
            "live.close_live_servers()\nassert 'asgicheck.live._hosting' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
