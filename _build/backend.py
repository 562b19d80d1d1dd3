"""The build backend: setuptools' own, plus mypy when a compiled build is asked for.

``ASGICHECK_COMPILE=1 pip install ...`` makes setup.py compile validate()'s fast lane with mypyc,
which ships in mypy; this in-tree backend (PEP 517 ``backend-path``) adds mypy to the build's
requirements only then, so an ordinary install (``pip install -e '.[dev]'``) fetches exactly
what it always did. Everything else is ``setuptools.build_meta`` unchanged.
"""

from __future__ import annotations

import os

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (the whole PEP 517/660 interface)

# The mypy the compiled build was measured and tested with (docs/benchmarks.md); mypyc's output
# and its `group_name` option depend on the version.
MYPYC_REQUIREMENT = "mypy>=2.4"


def _compiling() -> list[str]:
    return [MYPYC_REQUIREMENT] if os.environ.get("ASGICHECK_COMPILE", "") == "1" else []


def get_requires_for_build_wheel(config_settings: dict[str, object] | None = None) -> list[str]:
    return [*_setuptools.get_requires_for_build_wheel(config_settings), *_compiling()]


def get_requires_for_build_editable(config_settings: dict[str, object] | None = None
                                    ) -> list[str]:
    return [*_setuptools.get_requires_for_build_editable(config_settings), *_compiling()]
