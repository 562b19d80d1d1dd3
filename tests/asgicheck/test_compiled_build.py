"""The compiled fast lane (``ASGICHECK_COMPILE=1``, setup.py) passes the tests that judge it.

CI installs the pure build, so without this test nothing would notice a change that the
compiled build gets wrong: mypyc trusts declared types where Python does not (a declared
``None`` return once hid OPS-APP-004's returned 42), and a native class calls its own methods
past a patch. So the lane is compiled here, from this working tree, into a copy of it (never
into the installed package: an extension shadows its .py, and one left in place would go on
running old code), and the tests that read the lane's answers run on that copy, with
``ASGICHECK_COMPILE=1`` so that ``test_compiled`` fails if the pure modules were imported.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the build and the judged tests read; the tests import their siblings by name.
COPIED = ("asgicheck", "tests/asgicheck", "tests/conftest.py", "conftest.py",
          "pyproject.toml", "setup.py", "_build")
# The lane's own tests, and the tests of the modules it compiles and hands over to.
JUDGES = ("tests/asgicheck/test_compiled.py", "tests/asgicheck/test_lane.py",
          "tests/asgicheck/test_middleware.py", "tests/asgicheck/test_scope.py",
          "tests/asgicheck/test_http_machine.py")
BUILD_SECONDS, TEST_SECONDS = 300, 600


def missing_tools() -> str | None:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler!r} is not on PATH; apt-get install -y gcc)"
    if not Path(sysconfig.get_paths()["include"], "Python.h").exists():
        return "no Python headers (Python.h; on Debian, apt-get install -y python3-dev)"
    if importlib.util.find_spec("mypyc") is None:
        return "no mypyc (it ships in mypy: pip install 'mypy>=2.4')"
    return None


def copy_tree(into: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "build", ".hypothesis")
    for name in COPIED:
        source, target = ROOT / name, into / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def test_the_compiled_lane_passes_the_lane_tests(tmp_path: Path) -> None:
    missing = missing_tools()
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the compiled build, but there is {missing}")
        pytest.skip(f"cannot compile the lane here: {missing}")
    copy_tree(tmp_path)
    env = {**os.environ, "ASGICHECK_COMPILE": "1"}
    env.pop("PYTHONPATH", None)  # the copy, and only the copy, is the asgicheck imported
    built = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
                           cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=BUILD_SECONDS)
    assert built.returncode == 0, f"the compiled build failed:\n{built.stdout}\n{built.stderr}"
    assert list((tmp_path / "asgicheck" / "validator").glob("*.so")), built.stdout
    judged = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-p", "no:xdist", *JUDGES], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=TEST_SECONDS)
    assert judged.returncode == 0, f"on the compiled build:\n{judged.stdout[-6000:]}"
    assert " passed" in judged.stdout.splitlines()[-1], judged.stdout[-2000:]
