"""Optional compiled build of validate()'s fast lane (docs/benchmarks.md, "validate() compiled").

Everything is in pyproject.toml; this file only adds extension modules, and only when asked:
``ASGICHECK_COMPILE=1 pip install .`` compiles the modules below with mypyc (part of mypy; the
in-tree backend ``_build/backend.py`` asks for it only then). The .py files stay the source and
the fallback: a compiled module, when present, shadows its .py, and without the variable the
install is pure Python, exactly as it always was.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

# The per-request path of validate(): the scope proof, the response-start proof and the lane.
# Each was measured to pay; the rest of the validator runs only off the lane, where a compiled
# module would cost a build for little (docs/benchmarks.md).
COMPILED = [
    "asgicheck/validator/_scope_fields.py",
    "asgicheck/validator/_http_fast.py",
    "asgicheck/validator/wrapper.py",
]


def compiled_modules() -> list[object]:
    if os.environ.get("ASGICHECK_COMPILE", "") != "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        # setuptools runs this file (as `egg_info`) to learn the build's requirements before
        # any are installed; mypy is one of them (_build/backend.py), so there is none yet.
        if "egg_info" in sys.argv:
            return []
        raise SystemExit("ASGICHECK_COMPILE=1 needs mypy (it ships mypyc) where the build runs:"
                         " pip installs it unless --no-build-isolation is given, and then"
                         " `pip install 'mypy>=2.4'` first") from None

    # One shared library, named inside the package (not a hash at the top of site-packages).
    return list(mypycify(COMPILED, opt_level="3", debug_level="0",
                         group_name="asgicheck.validator._lane"))


setup(ext_modules=compiled_modules())
