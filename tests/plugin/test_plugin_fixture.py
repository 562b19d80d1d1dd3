"""The ``asgi_exchange`` fixture: scripted exchanges in the user's own tests."""

from __future__ import annotations

import pytest
from _runs import run

from asgicheck.plugin import APP_OPTION

TESTS = """
    import pytest
    import apps
    from asgicheck import ViolationError

    def test_good(asgi_exchange):
        transcript = asgi_exchange("POST", "/echo", body=b"hi", app=apps.good)
        assert transcript.status == 200 and transcript.body == b"ok"
        assert transcript.violations == ()

    def test_bad_raises_with_the_transcript(asgi_exchange):
        with pytest.raises(ViolationError) as caught:
            asgi_exchange("GET", "/", app=apps.bad)
        assert {v.rule for v in caught.value.violations} >= {"HTTP-SEND-002", "HTTP-SEND-011"}
        assert "http GET / (spec 2.4)" in str(caught.value)

    def test_unchecked(asgi_exchange):
        transcript = asgi_exchange("GET", "/", app=apps.bad, check=False)
        assert "HTTP-SEND-008" in {v.rule for v in transcript.violations}

    def test_websocket_asgi2_and_lifespan(asgi_exchange):
        transcript = asgi_exchange("WS", "/ws", app=apps.Legacy, messages=[{"text": "hi"}],
                                   lifespan=True)
        assert transcript.sent_types[:2] == ("websocket.accept", "websocket.send")

    def test_default_app(asgi_exchange):
        assert asgi_exchange("GET", "/").status == 200
"""


def test_asgi_exchange(project: pytest.Pytester) -> None:
    project.makepyfile(test_exchanges=TESTS)
    result = run(project, f"{APP_OPTION}=apps:good", "test_exchanges.py", "-k", "test_")
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] == 5 and "failed" not in outcomes


def test_asgi_exchange_needs_an_app_without_the_option(project: pytest.Pytester) -> None:
    project.makepyfile(test_exchanges=TESTS)
    result = run(project, "-k", "default_app")
    result.assert_outcomes(failed=1, deselected=4)
    result.stdout.no_fnmatch_line("*plugin.py*")
    result.stdout.fnmatch_lines(["E * TypeError: asgi_exchange needs app=... (or --asgicheck=*"])
