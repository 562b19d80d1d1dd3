"""How a fuzzing run is configured, and the Hypothesis ``settings`` it turns into.

``FuzzSettings`` is plain data the plugin builds from its options. ``hypothesis_settings`` and
``item_seed`` turn it into what ``@given`` needs for one property item, using Hypothesis's
public API only: ``settings(...)`` for the budget and the database, ``@seed`` for reproducible
runs. Hypothesis ties seeds and the database together, and so do we:

* ``derandomize`` (the default when the ``CI`` environment variable is set and no database is
  named): every item gets a fixed seed derived from its ID, and the default database is not
  read or written, as with Hypothesis's own ``derandomize=True``;
* ``seed=N``: the same, from ``N`` (``@seed`` implies ``database=None`` in Hypothesis);
* otherwise: random generation, and failing examples are saved to the example database
  (``.hypothesis/asgicheck`` by default) and replayed first on the next run.

A database named on purpose (``database_named``, or a profile's own ``database=``) is another
matter: it is what the user asked for, so it is used whatever the mode (a seeded run then
replays what it holds first), and ``CI`` alone no longer derandomizes. Hypothesis refuses
``derandomize=True`` with a database, so such runs get their fixed seeds through ``@seed``.

Every item shares one ``@given`` function, so one directory would mix their examples: each
item's keys are prefixed with its ID (``Namespaced``).
"""

from __future__ import annotations

import math
import os
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis.database import ExampleDatabase

from asgicheck.fuzzing._database import open_database, shown

__all__ = ["CAMPAIGN_EXAMPLES", "DEFAULT_DATABASE", "MIN_ITEM_SECONDS", "PROPERTY_NUMBERS",
           "FuzzSettings", "Namespaced", "duration_label", "hypothesis_settings", "item_seed"]

DEFAULT_DATABASE = os.path.join(".hypothesis", "asgicheck")
# A time-budget campaign's examples cap per item: never reached, the time ends each item.
CAMPAIGN_EXAMPLES = 1_000_000
# However many items share the run's time, each may take at least this long: a few examples
# of an app that takes a second per request.
MIN_ITEM_SECONDS = 1.0
PROPERTY_NUMBERS = ("P1", "P2", "P3", "P4", "P5")


@dataclass(frozen=True, slots=True, kw_only=True)
class FuzzSettings:
    """What the property items do.

    ``max_examples`` is per property and target; ``max_total_examples`` caps the sum over all
    items of a run (each item then gets its share, at least ``min_examples``). ``time_budget``
    is the seconds one item may spend running the app: after that, examples not yet seen count
    as passing, so a slow or hanging app cannot make shrinking take minutes. ``database`` is a
    directory, a ``redis://HOST:PORT/DB`` URL (Hypothesis's ``RedisExampleDatabase``, shared by
    many machines), an ``ExampleDatabase`` or None; ``database_named`` says it was chosen on
    purpose (used in every mode) rather than left at the default (used by random runs only).
    ``read_only`` only reads it, and saves what this run finds in ``local_database`` instead
    (Hypothesis's ``ReadOnlyDatabase`` in a ``MultiplexedDatabase``: for pull-request runs).
    ``derandomize=None`` means "the profile's choice, else when the ``CI`` environment variable
    is set and no database is named". ``profile`` names a registered Hypothesis profile whose
    other settings (verbosity, health checks, phases, and its database if it names one) are the
    base. ``app_spec`` ("pkg.mod:app") is what the reproduction code imports; the plugin passes
    the spec it loaded. ``budget_seconds`` or ``budget_examples`` make a campaign: that one
    budget is spread over the items (``campaign_share``) in place of ``max_examples``,
    ``max_total_examples`` and ``time_budget``.
    """

    max_examples: int = 25
    max_total_examples: int | None = 500
    min_examples: int = 5
    seed: int | None = None
    derandomize: bool | None = None
    profile: str | None = None
    database: str | os.PathLike[str] | ExampleDatabase | None = DEFAULT_DATABASE
    database_named: bool = False
    read_only: bool = False
    local_database: str | os.PathLike[str] | None = DEFAULT_DATABASE
    allow_5xx: bool = False
    replay_dir: str | os.PathLike[str] | None = None
    properties: tuple[str, ...] = PROPERTY_NUMBERS
    time_budget: float = 10.0
    max_total_time: float | None = 60.0
    app_spec: str | None = None
    budget_seconds: float | None = None  # campaign mode: this much time over the items
    budget_examples: int | None = None  # campaign mode: this many examples over the items

    def __post_init__(self) -> None:
        for name in ("max_examples", "min_examples"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise ValueError(f"FuzzSettings({name}={value!r}): give an int >= 1")
        total = self.max_total_examples
        if total is not None and (type(total) is not int or total < 1):
            raise ValueError(f"FuzzSettings(max_total_examples={total!r}): give an int >= 1 "
                             f"or None for no cap")
        if self.seed is not None and type(self.seed) is not int:
            raise ValueError(f"FuzzSettings(seed={self.seed!r}): give an int or None")
        if not self.time_budget > 0:
            raise ValueError(f"FuzzSettings(time_budget={self.time_budget!r}): give seconds > 0")
        if self.max_total_time is not None and not self.max_total_time > 0:
            raise ValueError(f"FuzzSettings(max_total_time={self.max_total_time!r}): give "
                             f"seconds > 0 or None for no cap")
        if self.budget_seconds is not None and not self.budget_seconds > 0:
            raise ValueError(f"FuzzSettings(budget_seconds={self.budget_seconds!r}): give "
                             f"seconds > 0")
        examples = self.budget_examples
        if examples is not None and (type(examples) is not int or examples < 1):
            raise ValueError(f"FuzzSettings(budget_examples={examples!r}): give an int >= 1")
        if self.budget_seconds is not None and examples is not None:
            raise ValueError("FuzzSettings(budget_seconds=..., budget_examples=...): a campaign "
                             "has one budget, a time or an examples count")
        unknown = [p for p in self.properties if p not in PROPERTY_NUMBERS]
        if unknown:
            raise ValueError(f"FuzzSettings(properties=...): unknown {unknown}; choose from "
                             f"{', '.join(PROPERTY_NUMBERS)}")

    def derandomized(self, env: Mapping[str, str] | None = None) -> bool:
        """Whether runs are derandomized: as set, else the profile's choice, else ``$CI`` (but
        not when a database is named: an explicit choice wins over CI's default)."""
        if self.derandomize is not None:
            return self.derandomize
        if self.profile is not None:
            return bool(settings.get_profile(self.profile).derandomize)
        if self.example_store()[1]:
            return False
        return bool((os.environ if env is None else env).get("CI"))

    def example_store(self) -> tuple[str | os.PathLike[str] | ExampleDatabase | None, bool]:
        """Where failing examples go, and whether it was named on purpose: ``database`` when
        named, else the profile's own ``database=`` (when it is not Hypothesis's default
        directory, which asgicheck's default replaces), else the default."""
        if self.database_named:
            return self.database, True
        if self.profile is not None:
            chosen = settings.get_profile(self.profile).database
            if chosen != settings.get_profile("default").database:
                return chosen, True
        return self.database, False

    def uses_database(self, env: Mapping[str, str] | None = None) -> bool:
        """Whether the items read and write a database: a named one always, the default one
        only in random runs (as in Hypothesis, a seed or derandomize means none)."""
        where, named = self.example_store()
        if where is None:
            return False
        return named or (self.seed is None and not self.derandomized(env))

    def open_database(self, env: Mapping[str, str] | None = None) -> ExampleDatabase | None:
        """The database the items use (opened now, so a Redis server that cannot be reached
        is an ``ExampleDatabaseError`` before any item runs), or None."""
        if not self.uses_database(env):
            return None
        return open_database(self.example_store()[0], read_only=self.read_only,
                             local=self.local_database)

    def database_label(self) -> str:
        """Where failing examples are kept, for people: ``redis://host:6379/0 (read only;
        this run's finds go to .hypothesis/asgicheck)``, passwords hidden."""
        where = self.example_store()[0]
        label = shown(where)
        if self.read_only and where is not None:
            label += " (read only" + (f"; this run's finds go to {self.local_database})"
                                      if self.local_database is not None else ")")
        return label

    @property
    def campaign(self) -> bool:
        """Campaign mode: one budget spread over the items instead of per-item caps."""
        return self.budget_seconds is not None or self.budget_examples is not None

    def budget_label(self) -> str:
        """The campaign's budget for people: ``10m``, ``1h30m``, ``20000 examples``."""
        if self.budget_examples is not None:
            return f"{self.budget_examples} examples"
        return duration_label(self.budget_seconds or 0.0)

    def campaign_share(self, items: int, workers: int = 1) -> tuple[int, float]:
        """Each item's examples and seconds when ``items`` property items share the campaign's
        budget on ``workers`` processes: a time budget gives every item ``budget x workers /
        items`` seconds and no examples cap (the time ends it); an examples budget gives every
        item its share of the examples and no time limit (each exchange still has its
        deadline)."""
        items, workers = max(items, 1), max(workers, 1)
        if self.budget_examples is not None:
            return max(1, self.budget_examples // items), math.inf
        if self.budget_seconds is not None:
            return CAMPAIGN_EXAMPLES, self.budget_seconds * workers / items
        return self.examples_per_item(items), self.time_share(items, workers)

    def time_share(self, items: int, workers: int = 1) -> float:
        """The seconds each of ``items`` property items may run, ``workers`` processes running
        them side by side, outside a campaign: its share of ``max_total_time``, between
        ``MIN_ITEM_SECONDS`` and ``time_budget``."""
        if self.max_total_time is None:
            return self.time_budget
        share = self.max_total_time * max(workers, 1) / max(items, 1)
        return min(self.time_budget, max(MIN_ITEM_SECONDS, share))

    def examples_per_item(self, items: int) -> int:
        """Examples for each of ``items`` property items under the total cap."""
        if self.campaign:
            return self.campaign_share(items)[0]
        if self.max_total_examples is None or items == 0:
            return self.max_examples
        share = self.max_total_examples // items
        return max(self.min_examples, min(self.max_examples, share))

    def as_report(self, env: Mapping[str, str] | None = None) -> dict[str, object]:
        """The settings as the JSON report's ``options.fuzz`` records them."""
        return {"max_examples": self.max_examples, "max_total_examples": self.max_total_examples,
                "max_total_time": self.max_total_time, "seed": self.seed,
                "derandomized": self.seed is None and self.derandomized(env),
                "profile": self.profile, "allow_5xx": self.allow_5xx,
                "properties": list(self.properties)}

    def describe(self, env: Mapping[str, str] | None = None) -> str:
        """One line for a report header: ``fuzz: 25 examples/item, seed 7, database ...``,
        saying what is in force and, where it is not the plain default, why."""
        env = os.environ if env is None else env
        where, named = self.example_store()
        if self.uses_database(env):
            store = f"database {self.database_label()}"
        elif where is None:
            store = "no database"
        else:  # seeded or derandomized, and the default database is for random runs only
            store = "no database (none named)"
        caps = ([f"at most {self.max_total_examples} in all"]
                if self.max_total_examples is not None else [])
        if self.max_total_time is not None:
            caps.append(f"{duration_label(self.max_total_time)} of the run's time")
        total = f" ({', '.join(caps)})" if caps else ""
        budget = f"campaign of {self.budget_label()} over the property items" if self.campaign \
            else f"up to {self.max_examples} examples/property/target{total}"
        return f"fuzz: {budget}, {self._mode(env)}, {store}"

    def _mode(self, env: Mapping[str, str]) -> str:
        """How examples are chosen, with the reason when it is not the user's own word."""
        if self.seed is not None:
            return f"seed {self.seed}"
        word = "derandomized" if self.derandomized(env) else "random"
        ci = bool(env.get("CI"))
        if self.derandomize is not None:
            return word + (" (asked for, though CI is set)" if ci and not self.derandomize
                           else " (asked for)" if self.derandomize else "")
        if self.profile is not None:
            return f"{word} (profile {self.profile})" if ci or self.derandomized(env) else word
        if ci:
            return f"{word} (CI is set, but a database is named)" if self.example_store()[1] \
                else f"{word} (CI is set)"
        return word


class Namespaced(ExampleDatabase):
    """Another database's storage, with every key prefixed (one directory, many items)."""

    def __init__(self, inner: ExampleDatabase, namespace: str) -> None:
        super().__init__()
        self.inner = inner
        self.prefix = namespace.encode("utf-8") + b"\x00"

    def __repr__(self) -> str:
        return f"Namespaced({self.inner!r}, {self.prefix[:-1].decode('utf-8')!r})"

    def save(self, key: bytes, value: bytes) -> None:
        self.inner.save(self.prefix + key, value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        return self.inner.fetch(self.prefix + key)

    def delete(self, key: bytes, value: bytes) -> None:
        self.inner.delete(self.prefix + key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.inner.move(self.prefix + src, self.prefix + dest, value)


def duration_label(seconds: float) -> str:
    """``600`` as ``10m``, ``5400`` as ``1h30m``, ``90`` as ``1m30s``, ``2.5`` as ``2.5s``."""
    whole = round(seconds)
    if abs(seconds - whole) > 1e-9 or whole == 0:
        return f"{seconds:g}s"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s"))
                   if n) or "0s"


def item_seed(fuzz: FuzzSettings, item_id: str, env: Mapping[str, str] | None = None
              ) -> int | None:
    """The ``@seed`` of one item: fixed when seeded or derandomized, None for random runs.
    Each item gets its own (from its ID), so items do not all try the same choices."""
    if fuzz.seed is None and not fuzz.derandomized(env):
        return None
    return ((fuzz.seed or 0) ^ zlib.crc32(item_id.encode("utf-8"))) & 0xFFFFFFFF


def _database(fuzz: FuzzSettings, item_id: str, env: Mapping[str, str] | None
              ) -> ExampleDatabase | None:
    database = fuzz.open_database(env)  # one object per place: Hypothesis compares them
    return Namespaced(database, item_id) if database is not None else None


def hypothesis_settings(fuzz: FuzzSettings, item_id: str, examples: int,
                        env: Mapping[str, str] | None = None) -> settings:
    """The ``settings`` for one item. Hypothesis's own ``deadline`` is off: the driver's
    per-exchange deadline already ends a hanging app, and timing the whole property (several
    exchanges, maybe a lifespan startup) would only make a slow app look flaky."""
    parent = settings.get_profile(fuzz.profile) if fuzz.profile is not None else \
        settings.get_profile("default")
    database = _database(fuzz, item_id, env)
    # With a database, the fixed seeds of a derandomized run come from ``item_seed`` alone:
    # Hypothesis refuses derandomize=True beside a database.
    derandomize = fuzz.derandomized(env) and database is None
    phases = tuple(p for p in parent.phases if p not in (Phase.explain, Phase.target))
    return settings(
        parent,
        max_examples=examples,
        derandomize=derandomize,
        database=database,
        deadline=None,
        phases=phases,
        report_multiple_bugs=False,
        print_blob=False,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )
