"""Settings for a run: option names, value parsing, and where each value came from.

Every setting resolves in one order: the command-line option, then the pytest ini key, then the
``[tool.asgicheck]`` table of ``pyproject.toml`` in the rootdir, then the default (``_options``;
the fuzzing options in ``_fuzz_options``). Nothing here imports pytest or Hypothesis at run time;
bad values raise ``ConfigError`` with one line of what was wrong and the accepted forms, and the
plugin turns that into ``pytest.UsageError``.
"""

from __future__ import annotations

from asgicheck.config._fuzz_options import INI_KEYS as FUZZ_INI_KEYS
from asgicheck.config._fuzz_options import OPTIONS as FUZZ_OPTIONS
from asgicheck.config._fuzz_options import FuzzOptions, fuzz_settings
from asgicheck.config._fuzz_options import add_options as add_fuzz_options
from asgicheck.config._options import (
    APP_ENV,
    APP_INI,
    APP_OPTION,
    DEADLINE_INI,
    DEADLINE_OPTION,
    HTML_INI,
    HTML_OPTION,
    IGNORE_INI,
    IGNORE_OPTION,
    JSON_INI,
    JSON_OPTION,
    MAX_TARGETS_INI,
    MAX_TARGETS_OPTION,
    MIDDLEWARE_INI,
    MIDDLEWARE_KWARGS_INI,
    MIDDLEWARE_KWARGS_OPTION,
    MIDDLEWARE_OPTION,
    ONLY_OPTION,
    SELECT_INI,
    SELECT_OPTION,
    SERVER_INI,
    SERVER_OPTION,
    SPEC_VERSION_INI,
    SPEC_VERSION_OPTION,
    SPEC_VERSIONS,
    STRICT_INI,
    STRICT_OPTION,
    TARGET_FORMS,
    TARGET_OPTION,
    TARGETS_INI,
    TOOL_KEYS,
    WEBSOCKET_PATHS_INI,
    XFAIL_INI,
    ConfigError,
    Settings,
    XfailEntry,
    parse_target,
    read_tool_table,
    resolve,
)

__all__ = [
    "APP_ENV",
    "APP_INI",
    "APP_OPTION",
    "ConfigError",
    "DEADLINE_INI",
    "DEADLINE_OPTION",
    "FUZZ_INI_KEYS",
    "FUZZ_OPTIONS",
    "FuzzOptions",
    "HTML_INI",
    "HTML_OPTION",
    "IGNORE_INI",
    "IGNORE_OPTION",
    "JSON_INI",
    "JSON_OPTION",
    "MAX_TARGETS_INI",
    "MAX_TARGETS_OPTION",
    "MIDDLEWARE_INI",
    "MIDDLEWARE_KWARGS_INI",
    "MIDDLEWARE_KWARGS_OPTION",
    "MIDDLEWARE_OPTION",
    "ONLY_OPTION",
    "SELECT_INI",
    "SELECT_OPTION",
    "SERVER_INI",
    "SERVER_OPTION",
    "SPEC_VERSIONS",
    "SPEC_VERSION_INI",
    "SPEC_VERSION_OPTION",
    "STRICT_INI",
    "STRICT_OPTION",
    "Settings",
    "TARGETS_INI",
    "TARGET_FORMS",
    "TARGET_OPTION",
    "TOOL_KEYS",
    "WEBSOCKET_PATHS_INI",
    "XFAIL_INI",
    "XfailEntry",
    "add_fuzz_options",
    "fuzz_settings",
    "parse_target",
    "read_tool_table",
    "resolve",
]
