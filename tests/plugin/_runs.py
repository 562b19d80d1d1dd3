"""How the plugin tests run pytest.

Every run leaves out the slow plugins the tests do not need (Hypothesis, benchmark, anyio):
starting a pytest with them costs about a second more.
"""

from __future__ import annotations

import pytest

QUIET = ("-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:anyio")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """``pytest ARGS`` in a fresh interpreter: no module caching between runs."""
    return pytester.runpytest_subprocess(*QUIET, *args)


def run_inline(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """``pytest ARGS`` in this process, for runs that stop at a usage error."""
    pytester.syspathinsert()
    return pytester.runpytest_inprocess(*QUIET, *args)
