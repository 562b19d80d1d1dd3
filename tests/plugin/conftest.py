"""The ``project`` fixture: a pytester directory holding ``apps.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A directory with ``apps.py``, a copy of sample_apps.py."""
    pytester.makepyfile(apps=(HERE / "sample_apps.py").read_text(encoding="utf-8"),
                        asgi_blocks=(HERE.parent / "asgi_blocks.py").read_text(encoding="utf-8"))
    return pytester
