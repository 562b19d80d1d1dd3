"""How the plugin tests run pytest.

Every run leaves out the slow plugins the tests do not need (Hypothesis, benchmark, anyio):
starting a pytest with them costs about a second more. The fuzzing items are off too (a few
seconds a run); the tests about them (test_plugin_fuzz.py) turn them on with ``FUZZ``.
"""

from __future__ import annotations

import pytest

PLUGINS_OFF = ("-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:anyio")
QUIET = (*PLUGINS_OFF, "--asgicheck-no-fuzz")
FUZZ = "--asgicheck-fuzz"  # later on the command line than QUIET's --asgicheck-no-fuzz: wins


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """``pytest ARGS`` in a fresh interpreter: no module caching between runs."""
    return pytester.runpytest_subprocess(*QUIET, *args)


def run_inline(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """``pytest ARGS`` in this process, for runs that stop at a usage error."""
    pytester.syspathinsert()
    return pytester.runpytest_inprocess(*QUIET, *args)
