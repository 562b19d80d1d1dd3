"""The fuzzing options: their names, how their values are read, and the ``FuzzSettings`` they
become.

Reading happens in ``config.resolve`` like every other setting (command line, then ini, then
``[tool.asgicheck]``) and gives plain data, ``FuzzOptions``. Only ``fuzz_settings`` imports
Hypothesis, and ``suites.prepare`` calls it only when fuzzing is on: a run with fuzzing off, or
without Hypothesis installed, never imports it. Bad values raise ``ValueError`` with the
option, what was wrong and an example; ``config`` turns that into its ``ConfigError``.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # config imports this module, and nothing there imports pytest at run time
    import pytest

    from asgicheck.fuzzing import FuzzSettings

__all__ = ["DEFAULT_DATABASE", "INI_KEYS", "OPTIONS", "TOOL_KEYS", "FuzzOptions", "add_options",
           "check_profile", "fuzz_settings", "read"]

FUZZ_OPTION = "--asgicheck-fuzz"
NO_FUZZ_OPTION = "--asgicheck-no-fuzz"
FUZZ_INI = "asgicheck_fuzz"
EXAMPLES_OPTION = "--asgicheck-examples"
EXAMPLES_INI = "asgicheck_examples"
TOTAL_OPTION = "--asgicheck-max-examples-total"
TOTAL_INI = "asgicheck_max_examples_total"
SEED_OPTION = "--asgicheck-seed"
SEED_INI = "asgicheck_seed"
ALLOW_5XX_OPTION = "--asgicheck-allow-5xx"
ALLOW_5XX_INI = "asgicheck_allow_5xx"
REPLAY_DIR_OPTION = "--asgicheck-replay-dir"
REPLAY_DIR_INI = "asgicheck_replay_dir"
PROFILE_OPTION = "--asgicheck-hypothesis-profile"
PROFILE_INI = "asgicheck_hypothesis_profile"
DATABASE_OPTION = "--asgicheck-fuzz-database"
DATABASE_INI = "asgicheck_fuzz_database"
READ_ONLY_OPTION = "--asgicheck-fuzz-database-readonly"
READ_ONLY_INI = "asgicheck_fuzz_database_readonly"
DERANDOMIZE_OPTION = "--asgicheck-derandomize"
NO_DERANDOMIZE_OPTION = "--no-asgicheck-derandomize"
DERANDOMIZE_INI = "asgicheck_derandomize"
BUDGET_OPTION = "--asgicheck-fuzz-budget"
BUDGET_INI = "asgicheck_fuzz_budget"
TIME_OPTION = "--asgicheck-fuzz-time"
TIME_INI = "asgicheck_fuzz_time"

# (option, ini key, [tool.asgicheck] key), in the order the help lists them.
_KEYS = ((FUZZ_OPTION, FUZZ_INI, "fuzz"), (EXAMPLES_OPTION, EXAMPLES_INI, "examples"),
         (TOTAL_OPTION, TOTAL_INI, "max_examples_total"), (SEED_OPTION, SEED_INI, "seed"),
         (ALLOW_5XX_OPTION, ALLOW_5XX_INI, "allow_5xx"),
         (REPLAY_DIR_OPTION, REPLAY_DIR_INI, "replay_dir"),
         (PROFILE_OPTION, PROFILE_INI, "hypothesis_profile"),
         (DATABASE_OPTION, DATABASE_INI, "fuzz_database"),
         (READ_ONLY_OPTION, READ_ONLY_INI, "fuzz_database_readonly"),
         (DERANDOMIZE_OPTION, DERANDOMIZE_INI, "derandomize"),
         (BUDGET_OPTION, BUDGET_INI, "fuzz_budget"), (TIME_OPTION, TIME_INI, "fuzz_time"))
OPTIONS = tuple(option for option, _, _ in _KEYS)
INI_KEYS = tuple(ini for _, ini, _ in _KEYS)
TOOL_KEYS = tuple(tool for _, _, tool in _KEYS)
# Mirrors asgicheck.fuzzing.DEFAULT_DATABASE, which cannot be imported without Hypothesis.
DEFAULT_DATABASE = Path(".hypothesis", "asgicheck")
_NO_DATABASE = ("none", "off", "no", "false")


@dataclass(frozen=True, slots=True, kw_only=True)
class FuzzOptions:
    """The fuzzing options as given; None means "``FuzzSettings``' own default"."""

    enabled: bool = False
    examples: int | None = None
    max_total: int | None = None
    seed: int | None = None
    allow_5xx: bool = False
    replay_dir: str | None = None
    profile: str | None = None
    database: str | None = None  # a directory or a redis:// URL; None: no example database
    database_named: bool = False  # given on purpose (not the default): used in every mode
    read_only: bool = False  # only read the database; save this run's finds locally
    local_database: str | None = None  # the default directory (where read-only runs save)
    derandomize: bool | None = None  # None: the profile's choice, else $CI
    budget_seconds: float | None = None  # campaign mode, a time budget ...
    budget_examples: int | None = None  # ... or an examples budget
    max_total_time: float | None = None  # the items' time over the run; None: the default
    no_total_time: bool = False  # "none": no cap over the run (each item keeps its own)


def add_options(group: pytest.OptionGroup, parser: pytest.Parser) -> None:
    """The command-line options and ini keys (``[tool.asgicheck]`` keys are ``TOOL_KEYS``)."""
    group.addoption(FUZZ_OPTION, action="store_true", dest="asgicheck_fuzz", default=None,
                    help="add the property-based fuzzing items (fuzz/P1-P5) to the suite "
                         "(default: on when Hypothesis is installed)")
    group.addoption(NO_FUZZ_OPTION, action="store_false", dest="asgicheck_fuzz", default=None,
                    help="leave the fuzzing items out")
    group.addoption(EXAMPLES_OPTION, metavar="N", default=None,
                    help="fuzzing: at most N examples per property and target (default 25)")
    group.addoption(TOTAL_OPTION, metavar="N", default=None,
                    help="fuzzing: at most N examples over the whole run, shared out among the "
                         "items (default 500)")
    group.addoption(SEED_OPTION, metavar="N", default=None,
                    help="fuzzing: a fixed seed, for reproducible runs (no example database)")
    group.addoption(ALLOW_5XX_OPTION, action="store_true", default=None,
                    help="fuzzing: a 5xx answer is not a failure (apps that use 5xx on purpose)")
    group.addoption(REPLAY_DIR_OPTION, metavar="DIR", default=None,
                    help="fuzzing: write each failing example to DIR/<item id>.json and try it "
                         "first next time")
    group.addoption(PROFILE_OPTION, metavar="NAME", default=None,
                    help="fuzzing: a registered Hypothesis settings profile to start from")
    group.addoption(DATABASE_OPTION, metavar="DIR|redis://HOST:PORT/DB|none", default=None,
                    help="fuzzing: Hypothesis example database: a directory, a Redis server "
                         "shared by many machines (needs asgicheck[redis]), or 'none' "
                         "(default <rootdir>/.hypothesis/asgicheck, used by random runs only; "
                         "one named here is used by seeded and derandomized runs too)")
    group.addoption(READ_ONLY_OPTION, action="store_true", default=None,
                    help="fuzzing: only read the example database (replay what it holds) and "
                         "save this run's finds in <rootdir>/.hypothesis/asgicheck: for "
                         "pull-request runs against a shared database")
    group.addoption(DERANDOMIZE_OPTION, action="store_true", dest="asgicheck_derandomize",
                    default=None,
                    help="fuzzing: fixed seeds from the item IDs, the same examples every run "
                         "(default: when CI is set and no database is named)")
    group.addoption(NO_DERANDOMIZE_OPTION, action="store_false", dest="asgicheck_derandomize",
                    default=None, help="fuzzing: random examples, also when CI is set")
    group.addoption(BUDGET_OPTION, metavar="TIME|N", default=None,
                    help="fuzzing campaign: spread this budget over the property items, a time "
                         "(10m, 90s, 1h30m: wall-clock time of this run, shared by its xdist "
                         "workers) or a number of examples (20000); prints progress and what "
                         "it found")
    group.addoption(TIME_OPTION, metavar="TIME|none", default=None,
                    help="fuzzing: the property items share this much of the run's wall-clock "
                         "time (60s, 2m; shared by xdist workers), each at most 10 s and at "
                         "least 1 s, so a slow app's fuzzing ends in about this time; 'none': "
                         "10 s for every item (default 60s)")
    helps = {FUZZ_INI: "true/false: add the fuzzing items", EXAMPLES_INI: "examples per item",
             TOTAL_INI: "examples over the whole run", SEED_INI: "fixed fuzzing seed",
             ALLOW_5XX_INI: "true: 5xx answers do not fail fuzzing items",
             REPLAY_DIR_INI: "directory for replay files of failing examples",
             PROFILE_INI: "Hypothesis profile for the fuzzing items",
             DATABASE_INI: "example database: a directory, redis://HOST:PORT/DB, or none",
             READ_ONLY_INI: "true: only read the example database, save finds locally",
             DERANDOMIZE_INI: "true/false: fixed seeds from the item IDs (default: $CI)",
             BUDGET_INI: "fuzzing campaign budget: 10m, 1h30m, or a number of examples",
             TIME_INI: "the fuzzing items' time over the run: 60s, 2m, or none"}
    for name in INI_KEYS:
        parser.addini(name, helps[name], type="string", default="")


def read(pick: Callable[[str, str, str], Any], rootdir: Path | None = None) -> FuzzOptions:
    """The options from ``pick(option, ini key, tool key)`` (the first source that sets it)."""
    enabled = _boolean(pick(FUZZ_OPTION, FUZZ_INI, "fuzz"), FUZZ_OPTION)
    if enabled is None:
        enabled = importlib.util.find_spec("hypothesis") is not None  # finds, never imports
    elif enabled and importlib.util.find_spec("hypothesis") is None:
        raise ValueError(f"{FUZZ_OPTION}: fuzzing needs Hypothesis; `pip install hypothesis` "
                         f"(or `pip install asgicheck[pytest]`), or pass {NO_FUZZ_OPTION}")
    database = pick(DATABASE_OPTION, DATABASE_INI, "fuzz_database")
    named = database is not None
    local = str((rootdir or Path()) / DEFAULT_DATABASE)
    if database is None:
        database = local
    elif str(database).strip().lower() in _NO_DATABASE:
        database = None
    replay_dir = pick(REPLAY_DIR_OPTION, REPLAY_DIR_INI, "replay_dir")
    profile = pick(PROFILE_OPTION, PROFILE_INI, "hypothesis_profile")
    return FuzzOptions(
        enabled=enabled,
        examples=_count(pick(EXAMPLES_OPTION, EXAMPLES_INI, "examples"), EXAMPLES_OPTION, 25),
        max_total=_count(pick(TOTAL_OPTION, TOTAL_INI, "max_examples_total"), TOTAL_OPTION,
                         500),
        seed=_seed(pick(SEED_OPTION, SEED_INI, "seed")),
        allow_5xx=bool(_boolean(pick(ALLOW_5XX_OPTION, ALLOW_5XX_INI, "allow_5xx"),
                                ALLOW_5XX_OPTION)),
        replay_dir=str(replay_dir).strip() if replay_dir is not None else None,
        profile=str(profile).strip() if profile is not None else None,
        database=str(database).strip() if database is not None else None,
        database_named=named,
        read_only=bool(_boolean(pick(READ_ONLY_OPTION, READ_ONLY_INI, "fuzz_database_readonly"),
                                READ_ONLY_OPTION)),
        local_database=local,
        derandomize=_boolean(pick(DERANDOMIZE_OPTION, DERANDOMIZE_INI, "derandomize"),
                             DERANDOMIZE_OPTION),
        **_budget(pick(BUDGET_OPTION, BUDGET_INI, "fuzz_budget")),
        **_total_time(pick(TIME_OPTION, TIME_INI, "fuzz_time")),
    )


def fuzz_settings(options: FuzzOptions, app_spec: str | None) -> FuzzSettings:
    """The ``FuzzSettings`` for a run (imports Hypothesis); ValueError for values they refuse.
    The profile must be registered by now, as for Hypothesis's own ``--hypothesis-profile``:
    the conftest.py files pytest loads before configuring (rootdir, ``test*`` folders,
    testpaths) can register it."""
    from asgicheck.fuzzing import ExampleDatabaseError, FuzzSettings

    check_profile(options.profile)

    given: dict[str, Any] = {"seed": options.seed, "allow_5xx": options.allow_5xx,
                             "replay_dir": options.replay_dir, "profile": options.profile,
                             "database": options.database,
                             "database_named": options.database_named,
                             "read_only": options.read_only,
                             "derandomize": options.derandomize, "app_spec": app_spec,
                             "budget_seconds": options.budget_seconds,
                             "budget_examples": options.budget_examples}
    if options.examples is not None:
        given["max_examples"] = options.examples
        # A small per-item budget would otherwise be raised to the default minimum share.
        given["min_examples"] = min(options.examples, 5)
    if options.max_total is not None:
        given["max_total_examples"] = options.max_total
    if options.local_database is not None:
        given["local_database"] = options.local_database
    if options.no_total_time:
        given["max_total_time"] = None
    elif options.max_total_time is not None:
        given["max_total_time"] = options.max_total_time
    fuzz = FuzzSettings(**given)
    try:
        fuzz.open_database()  # a Redis server that cannot be reached stops the run now
    except ExampleDatabaseError as exc:
        raise ValueError(f"{DATABASE_OPTION}: {exc}; start it, fix the URL, or pass "
                         f"{DATABASE_OPTION}=none to run without one") from None
    return fuzz


def check_profile(name: str | None) -> None:
    """ValueError naming the option when ``name`` is not a registered Hypothesis profile."""
    if name is None:
        return
    from hypothesis import settings
    from hypothesis.errors import InvalidArgument

    try:
        settings.get_profile(name)
    except InvalidArgument as exc:
        raise ValueError(
            f"{PROFILE_OPTION}={name!r}: {exc}; register it in a conftest.py with "
            f"hypothesis.settings.register_profile({name!r}, ...), or name a registered one "
            f"(Hypothesis has 'default' and 'ci')") from None


def _count(value: Any, option: str, example: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        count = int(str(value).strip())
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f"{option}={value!r} is not a positive whole number; write e.g. "
                         f"{option}={example}")
    return count


_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?")


def _budget(value: Any) -> dict[str, Any]:
    """``10m``, ``1h30m``, ``90s`` (a time) or ``20000`` (examples), as FuzzOptions fields."""
    if value in (None, ""):
        return {}
    text = str(value).strip().lower().replace(" ", "")
    if text.isdigit() and int(text) > 0:
        return {"budget_examples": int(text)}
    total = _seconds(text)
    if total is not None:
        return {"budget_seconds": total}
    raise ValueError(f"{BUDGET_OPTION}={value!r} is neither a time nor a number of examples; "
                     f"write e.g. {BUDGET_OPTION}=10m, {BUDGET_OPTION}=1h30m or "
                     f"{BUDGET_OPTION}=20000")


def _total_time(value: Any) -> dict[str, Any]:
    """``60s``, ``2m``, ``90`` (seconds) or ``none``, as FuzzOptions fields."""
    if value in (None, ""):
        return {}
    text = str(value).strip().lower().replace(" ", "")
    if text in _NO_DATABASE:  # the same words for "no cap" as for "no database"
        return {"no_total_time": True}
    try:
        number: float | None = float(text)
    except ValueError:
        number = _seconds(text)
    if number is not None and number > 0 and number != float("inf"):
        return {"max_total_time": number}
    raise ValueError(f"{TIME_OPTION}={value!r} is not a time; write e.g. {TIME_OPTION}=60s, "
                     f"{TIME_OPTION}=2m, or {TIME_OPTION}=none for 10 s on every item")


def _seconds(text: str) -> float | None:
    """``1h30m``, ``10m``, ``90s`` in seconds; None for anything else or no time at all."""
    match = _DURATION.fullmatch(text)
    if match and any(match.groups()):
        hours, minutes, seconds = (float(group or 0) for group in match.groups())
        total = hours * 3600 + minutes * 60 + seconds
        if total > 0:
            return total
    return None


def _seed(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        seed = int(str(value).strip())
    except ValueError:
        seed = -1
    if seed < 0:
        raise ValueError(f"{SEED_OPTION}={value!r} is not a whole number >= 0; write e.g. "
                         f"{SEED_OPTION}=1234")
    return seed


def _boolean(value: Any, option: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    if text == "":
        return None
    raise ValueError(f"{option}={value!r} is not a boolean; write true or false")
