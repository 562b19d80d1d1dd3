"""docs/fuzzing.md's runnable example runs, and its tests pass against reference_app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).parents[2] / "docs" / "fuzzing.md"
EXAMPLE = re.compile(r"<!-- runnable example -->\n```python\n(.*?)```", re.DOTALL)


def test_the_docs_example_runs(pytester: pytest.Pytester) -> None:
    (code,) = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    pytester.makepyfile(test_app_fuzz=code)
    pytester.syspathinsert(Path(__file__).parents[2])
    # In-process, asgicheck is already imported, so pytest cannot assertion-rewrite it again.
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:benchmark", "-W", "error",
                                "-W", "ignore::pytest.PytestAssertRewriteWarning")
    result.assert_outcomes(passed=3)
