"""Which build of validate()'s fast lane runs (asgicheck.validator.COMPILED), and that it is the
one asked for: a suite run on a compiled install (``ASGICHECK_COMPILE=1 pip install -e .``, then
the tests with the variable still set) would prove nothing if a stale or missing extension left
the pure modules in place unnoticed. CI installs the pure build; test_compiled_build runs
these tests on a compiled copy too."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest

from asgicheck.validator import COMPILED, _http_fast, _scope_fields, wrapper


def test_compiled_says_whether_the_lane_is_native_code() -> None:
    # A mypyc-compiled function is a builtin, not a Python function with a code object.
    for function in (_scope_fields.plain_http, _http_fast.start_length,
                     wrapper.HttpLane.send):
        assert inspect.isfunction(function) is not COMPILED, function


def test_no_compiled_module_is_older_than_its_source() -> None:
    # An extension shadows its .py: built in place and then left behind by an edit or a
    # checkout, it would run the old code while every test reads the new. Rebuild, or delete
    # the .so files to go back to pure Python (docs/validate.md).
    if not COMPILED:
        pytest.skip("the pure build: nothing to be stale")
    for module in (_scope_fields, _http_fast, wrapper):
        built = Path(module.__file__ or "")
        source = built.parent / (module.__name__.rpartition(".")[2] + ".py")
        assert source.exists() and built.stat().st_mtime >= source.stat().st_mtime, built


def test_the_build_is_the_one_asked_for() -> None:
    asked = os.environ.get("ASGICHECK_COMPILE")
    if asked is None:
        pytest.skip("ASGICHECK_COMPILE is not set: either build may be installed")
    assert COMPILED is (asked == "1")
