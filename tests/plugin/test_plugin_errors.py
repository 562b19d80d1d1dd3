"""Every bad input stops the run with a usage error: one line saying what and how to fix it."""

from __future__ import annotations

import pytest
from _runs import run_inline

from asgicheck.config import (
    DEADLINE_OPTION,
    IGNORE_OPTION,
    MAX_TARGETS_OPTION,
    ONLY_OPTION,
    SELECT_OPTION,
    SPEC_VERSION_OPTION,
    TARGET_OPTION,
)
from asgicheck.plugin import APP_OPTION

CASES = {
    "no-colon": ([f"{APP_OPTION}=apps"],
                 "*app 'apps' has no colon; write 'package.module:app' or *"),
    "empty-module": ([f"{APP_OPTION}=:good"], "*app ':good' is malformed; write *"),
    "empty-attribute": ([f"{APP_OPTION}=apps:"], "*app 'apps:' is malformed; write *"),
    "not-identifiers": ([f"{APP_OPTION}=my-app:app"], "*app 'my-app:app' is malformed*"),
    "module-missing": ([f"{APP_OPTION}=nosuchmodule:app"],
                       "*cannot import module 'nosuchmodule' (from app 'nosuchmodule:app'): "
                       "No module named 'nosuchmodule'; it is not on sys.path (*, ...): *"),
    "module-raises": ([f"{APP_OPTION}=explodes:app"],
                      "*importing 'explodes' (from app 'explodes:app') raised RuntimeError: boom"
                      " at *explodes.py:1; fix the module so that *import explodes* works"),
    "attribute-missing": ([f"{APP_OPTION}=apps:application"],
                          "*'apps' has no attribute 'application' (from app 'apps:application'); "
                          "ASGI-looking names there: bad, good, warn"),
    "not-callable": ([f"{APP_OPTION}=apps:NOT_CALLABLE"],
                     "*'apps:NOT_CALLABLE' is a int, not callable; point --asgicheck at *"),
    "select-unknown": ([f"{APP_OPTION}=apps:good", f"{SELECT_OPTION}=HTTP-NOPE-001"],
                       "*'HTTP-NOPE-001' matches no asgicheck rule*see `asgicheck rules`*"),
    "ignore-unknown": ([f"{APP_OPTION}=apps:good", f"{IGNORE_OPTION}=HTTP-SEND,XYZ"],
                       "*'XYZ' matches no asgicheck rule*"),
    "spec-version": ([f"{APP_OPTION}=apps:good", f"{SPEC_VERSION_OPTION}=3"],
                     "*--asgicheck-spec-version='3' is not an HTTP/WebSocket spec version "
                     "asgicheck knows; use one of 2.0, 2.1, 2.2, 2.3, 2.4, 2.5"),
    "deadline-zero": ([f"{APP_OPTION}=apps:good", f"{DEADLINE_OPTION}=0"],
                      "*--asgicheck-deadline='0' is not a positive number of seconds*"),
    "deadline-text": ([f"{APP_OPTION}=apps:good", f"{DEADLINE_OPTION}=soon"],
                      "*--asgicheck-deadline='soon' is not a positive number*"),
    "deadline-inf": ([f"{APP_OPTION}=apps:good", f"{DEADLINE_OPTION}=inf"],
                     "*--asgicheck-deadline='inf' is not a positive number*"),
    "max-targets": ([f"{APP_OPTION}=apps:good", f"{MAX_TARGETS_OPTION}=none"],
                    "*--asgicheck-max-targets='none' is not a positive whole number*"),
    "target-no-path": ([f"{APP_OPTION}=apps:good", f"{TARGET_OPTION}=GET items"],
                       "*target 'GET items' is not 'METHOD /path [[]...]'; accepted forms: *"),
    "target-extra": ([f"{APP_OPTION}=apps:good", f"{TARGET_OPTION}=GET / colour=red"],
                     "*target 'GET / colour=red': cannot read 'colour=red'; accepted forms:*"),
    "only-without-app": ([ONLY_OPTION], "*--asgicheck-only needs an app: pass --asgicheck=*"),
}


@pytest.mark.parametrize("args, message", CASES.values(), ids=CASES.keys())
def test_bad_input_is_a_usage_error(project: pytest.Pytester, args: list[str],
                                    message: str) -> None:
    project.makepyfile(explodes="raise RuntimeError('boom')\n")
    result = run_inline(project, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: asgicheck: {message.lstrip('*')}"])


def test_bad_ini_values_are_usage_errors_too(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nasgicheck_app = apps:good\nasgicheck_strict = maybe\n")
    result = run_inline(project)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: asgicheck: --asgicheck-strict='maybe' is not a boolean*"])


def test_unknown_pyproject_keys_are_usage_errors(project: pytest.Pytester) -> None:
    project.makepyprojecttoml('[tool.asgicheck]\napp = "apps:good"\ntimeout = 3\n')
    result = run_inline(project)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: asgicheck: [[]tool.asgicheck] has unknown key(s) "
                                 "timeout; accepted keys: app, targets, *"])
