"""asgicheck's pytest plugin: ``pytest --asgicheck=module:app`` runs every conformance scenario
against the app as one pytest item each.

This module only wires: options and ini keys, the report header, the collector and item, the
report hooks and the ``asgi_exchange`` fixture. Settings live in ``asgicheck.config``, loading in
``asgicheck.loading``, targets in ``asgicheck.discovery`` and the texts in ``asgicheck.reports``.
Loading the plugin imports neither the user's app, nor Hypothesis, nor reference_app; the
collecting plugin object is registered only when an app is named.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from asgicheck import __version__, suites
from asgicheck.config import (
    APP_ENV,
    APP_INI,
    APP_OPTION,
    DEADLINE_INI,
    DEADLINE_OPTION,
    FUZZ_INI_KEYS,
    FUZZ_OPTIONS,
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
    WEBSOCKET_PATHS_INI,
    XFAIL_INI,
    ConfigError,
    Settings,
    add_fuzz_options,
    read_tool_table,
    resolve,
)
from asgicheck.contract import RunOptions, Scenario
from asgicheck.discovery import Discovery, DiscoveryCall, discover
from asgicheck.loading import ACCEPTED_FORMS, AppLoadError, detect_style, single_callable
from asgicheck.reports import (
    Campaign,
    format_failure,
    github,
    json_report,
    result_record,
    summary_lines,
    write_json,
)
from asgicheck.selection import DEFAULT
from asgicheck.violations import ViolationError

if TYPE_CHECKING:
    from asgicheck.transcript import Transcript

__all__ = [
    "APP_ENV", "APP_INI", "APP_OPTION", "DEADLINE_OPTION", "HTML_OPTION", "IGNORE_OPTION",
    "JSON_OPTION", "MAX_TARGETS_OPTION", "ONLY_OPTION", "SELECT_OPTION", "SPEC_VERSION_OPTION",
    "STRICT_OPTION", "TARGET_OPTION", "AsgiCheckCollector", "AsgiCheckItem", "asgi_exchange",
]

NODE_PREFIX = "asgicheck::"  # every item's node ID starts with this
RUN_KEY = pytest.StashKey["AsgiCheckRun"]()
SCENARIO_KEY = pytest.StashKey[Scenario]()
RECORD_KEY = pytest.StashKey[dict[str, Any]]()
_RESULT_ATTRIBUTE = "asgicheck_result"  # on TestReports; survives xdist serialization
_OPTIONS = (APP_OPTION, SELECT_OPTION, IGNORE_OPTION, STRICT_OPTION, SPEC_VERSION_OPTION,
            DEADLINE_OPTION, JSON_OPTION, HTML_OPTION, TARGET_OPTION, MAX_TARGETS_OPTION,
            ONLY_OPTION, SERVER_OPTION, MIDDLEWARE_OPTION, MIDDLEWARE_KWARGS_OPTION)
_INI_KEYS = (APP_INI, SELECT_INI, IGNORE_INI, STRICT_INI, SPEC_VERSION_INI, DEADLINE_INI,
             JSON_INI, HTML_INI, TARGETS_INI, WEBSOCKET_PATHS_INI, MAX_TARGETS_INI, XFAIL_INI,
             SERVER_INI, MIDDLEWARE_INI, MIDDLEWARE_KWARGS_INI)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("asgicheck", "ASGI conformance checks (asgicheck)")
    group.addoption(APP_OPTION, metavar="MODULE:APP", default=None,
                    help=f"check this ASGI app, written {ACCEPTED_FORMS} (also env {APP_ENV}, "
                         f"ini {APP_INI}, pyproject [tool.asgicheck] app)")
    group.addoption(SELECT_OPTION, metavar="IDS", default=None,
                    help="report only these rule IDs or prefixes, comma-separated "
                         "(see `asgicheck rules`)")
    group.addoption(IGNORE_OPTION, metavar="IDS", default=None,
                    help="never report these rule IDs or prefixes, comma-separated")
    group.addoption(STRICT_OPTION, action="store_true", default=None,
                    help="SHOULD-level warnings fail the run too")
    group.addoption(SPEC_VERSION_OPTION, metavar="X.Y", default=None,
                    help=f"HTTP/WebSocket spec version the simulated server announces: "
                         f"{', '.join(SPEC_VERSIONS)} (default 2.4)")
    group.addoption(DEADLINE_OPTION, metavar="SECONDS", default=None,
                    help="hard time limit for one exchange (default 5)")
    group.addoption(JSON_OPTION, metavar="PATH", default=None,
                    help="write every result to a JSON report at PATH")
    group.addoption(HTML_OPTION, metavar="PATH", default=None,
                    help="write a self-contained HTML report at PATH")
    group.addoption(TARGET_OPTION, metavar="TARGET", action="append", default=None,
                    help=f"a request to check instead of discovered routes; repeatable; "
                         f"forms: {TARGET_FORMS}")
    group.addoption(MAX_TARGETS_OPTION, metavar="N", default=None,
                    help="at most N discovered targets (default 20)")
    group.addoption(ONLY_OPTION, action="store_true", default=None,
                    help="collect only the asgicheck items, not the test files")
    group.addoption(SERVER_OPTION, metavar="NAME", action="append", default=None,
                    help="also run the app inside this real server on 127.0.0.1 (uvicorn, "
                         "hypercorn); repeatable")
    group.addoption(MIDDLEWARE_OPTION, metavar="MODULE:FACTORY", default=None,
                    help="check an ASGI middleware: wrap it around asgicheck's known-good "
                         "inner apps (needs no --asgicheck)")
    group.addoption(MIDDLEWARE_KWARGS_OPTION, metavar="K=V,...", default=None,
                    help="keyword arguments for the middleware factory, as Python literals")
    add_fuzz_options(group, parser)
    ini_help = {
        APP_INI: f"ASGI app to check, {ACCEPTED_FORMS}", SELECT_INI: "rule IDs/prefixes to report",
        IGNORE_INI: "rule IDs/prefixes never to report", STRICT_INI: "true: warnings fail",
        SPEC_VERSION_INI: "spec version announced", DEADLINE_INI: "seconds per exchange",
        JSON_INI: "path of the JSON report", HTML_INI: "path of the HTML report",
        TARGETS_INI: "requests to check, one a line",
        WEBSOCKET_PATHS_INI: "WebSocket paths to check, one a line",
        MAX_TARGETS_INI: "cap on discovered targets",
        XFAIL_INI: "scenario IDs expected to fail ('ID' or 'ID: reason'; * wildcards)",
        SERVER_INI: "real servers to run the app in, comma-separated",
        MIDDLEWARE_INI: "middleware factory to check, MODULE:FACTORY",
        MIDDLEWARE_KWARGS_INI: "keyword arguments for the middleware factory",
    }
    for name in _INI_KEYS:
        if name in (TARGETS_INI, WEBSOCKET_PATHS_INI, XFAIL_INI):
            parser.addini(name, ini_help[name], type="linelist", default=[])
        else:
            parser.addini(name, ini_help[name], type="string", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "asgicheck: an ASGI conformance scenario generated by asgicheck")
    if config.getoption("help", False):
        return
    try:
        settings = resolve({name: config.getoption(name)
                            for name in _OPTIONS + FUZZ_OPTIONS},
                           {name: config.getini(name)
                            for name in _INI_KEYS + FUZZ_INI_KEYS}, os.environ,
                           read_tool_table(config.rootpath), rootdir=config.rootpath)
        if settings is None:
            if config.getoption(ONLY_OPTION):
                raise ConfigError(f"{ONLY_OPTION} needs an app: pass {APP_OPTION}=MODULE:APP, "
                                  f"or set {APP_ENV}, the ini key {APP_INI} or "
                                  f"[tool.asgicheck] app")
            return
        suite = suites.prepare(settings)
    except (ConfigError, AppLoadError) as exc:
        raise pytest.UsageError(f"asgicheck: {exc}") from None
    run = AsgiCheckRun(settings=settings, suite=suite)
    # Node IDs given as arguments (pasted from a FAILED line) are not paths: take them out of
    # the arguments and select those items at the end of collection instead.
    run.picked = [arg for arg in config.args if arg.startswith(NODE_PREFIX)]
    config.args[:] = [arg for arg in config.args if not arg.startswith(NODE_PREFIX)]
    config.stash[RUN_KEY] = run
    config.pluginmanager.register(run, "asgicheck-run")


class AsgiCheckCollector(pytest.Collector):
    """Discovers the app's targets and yields one item per scenario."""

    def collect(self) -> Iterator[pytest.Item]:
        run = self.config.stash[RUN_KEY]
        settings = run.settings
        loaded = run.suite.loaded
        if loaded is not None and loaded.is_asgi:
            run.discovery = discover(loaded.original, loaded.app, declared=settings.targets,
                                     websocket_paths=settings.websocket_paths,
                                     max_targets=settings.max_targets,
                                     timeout=settings.deadline)
        targets = list(run.discovery.targets) if run.discovery else []
        try:
            found = run.suite.scenarios(targets, run.options)
        except ConfigError as exc:
            raise pytest.UsageError(f"asgicheck: {exc}") from None
        if run.discovery and run.discovery.problems:  # a call that hung or raised SystemExit
            found = [*map(DiscoveryCall, run.discovery.problems), *found]
        seen: set[str] = set()
        for scenario in found:
            if scenario.id in seen:
                raise RuntimeError(f"asgicheck: two scenarios share the ID {scenario.id!r}")
            seen.add(scenario.id)
            # An explicit node ID: pytest 9.2 parses stored IDs (--lf) into name and
            # "[params]", and would not match the ID it derives from a name with brackets.
            item = AsgiCheckItem.from_parent(self, name=scenario.id,
                                             nodeid=f"{self.nodeid}::{scenario.id}")
            item.stash[SCENARIO_KEY] = scenario
            item.add_marker(pytest.mark.asgicheck)
            item.extra_keyword_matches.update(scenario.rules)
            for entry in settings.xfail:
                if entry.matches(scenario.id):
                    item.add_marker(pytest.mark.xfail(reason=entry.reason))
                    break
            yield item


class AsgiCheckItem(pytest.Item):
    """One scenario against the app; fails with the rules it broke and the transcript."""

    def runtest(self) -> None:
        run = self.config.stash[RUN_KEY]
        scenario = self.stash[SCENARIO_KEY]
        options = run.options
        outcome = scenario.run(run.suite.app, options)
        record = result_record(scenario, outcome, options.selection)
        self.stash[RECORD_KEY] = record
        if outcome.status == "skipped":
            pytest.skip(outcome.skip_reason or "not applicable to this app")
        if outcome.status == "failed":
            raise ViolationError([v for v in outcome.violations if options.selection.fails(v)])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | Any:
        if isinstance(excinfo.value, ViolationError) and RECORD_KEY in self.stash:
            record: dict[str, Any] = self.stash[RECORD_KEY]
            return format_failure(record)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"asgicheck: {self.name}"


@pytest.fixture
def asgi_exchange(request: pytest.FixtureRequest) -> Callable[..., Transcript]:
    """Run one scripted exchange against an app with the validator on; returns the transcript.

    ``asgi_exchange("POST", "/echo", body=b"hi", app=app)``; ``asgi_exchange("WS", "/ws",
    messages=[{"text": "hi"}])``. The app defaults to the one ``--asgicheck`` names; ASGI 2
    apps are wrapped. A finding that fails a run (under ``--asgicheck-select``/``-ignore``/
    ``-strict``) raises ``ViolationError`` with the transcript, unless ``check=False``; the
    transcript's ``violations``, ``sent``, ``status`` and ``body`` are there to assert on.
    ``lifespan=True`` runs the exchange inside a lifespan startup/shutdown; the other keywords
    (``body``, ``chunks``, ``headers``, ``query_string``, ``messages``, ``subprotocols``,
    ``spec_version``, ``deadline``) are those of ``asgicheck.driver.exchange``.
    """
    from asgicheck import driver  # the driver's thread and loop start only when used

    run: AsgiCheckRun | None = request.config.stash.get(RUN_KEY, None)
    selection = run.settings.selection if run else DEFAULT

    def exchange(method: str = "GET", path: str = "/", *, app: object = None,
                 check: bool = True, **options: Any) -> Transcript:
        __tracebackhide__ = True  # failures point at the user's test, not at this helper
        target = app if app is not None else run.suite.app if run else None
        if target is None:
            raise TypeError(f"asgi_exchange needs app=... (or {APP_OPTION}=MODULE:APP)")
        if detect_style(target)[0] == "asgi2":
            target = single_callable(target)
        transcript = driver.exchange(target, method, path, selection=selection, **options)
        failing = [v for v in transcript.violations if selection.fails(v)]
        if check and failing:
            error = ViolationError(failing)
            error.args = (f"{error}\n\n{transcript.render()}",)
            raise error
        return transcript

    return exchange


@dataclass(eq=False)
class AsgiCheckRun:
    """The plugin object for one run: settings, the loaded app, and the results so far."""

    settings: Settings
    suite: suites.Suite
    discovery: Discovery | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    targets_line: str = ""  # Discovery.summary, carried from the xdist workers
    picked: list[str] = field(default_factory=list)  # node IDs named on the command line
    options: RunOptions = field(init=False)  # one object: the scenarios share state per options
    campaign: Campaign | None = None  # a fuzzing campaign's progress (--asgicheck-fuzz-budget)
    terminal: Any = None  # where progress lines go (not on xdist workers)

    def __post_init__(self) -> None:
        self.options = self.settings.run_options()
        fuzz = self.suite.fuzz
        if fuzz is not None and fuzz.campaign:
            self.campaign = Campaign(
                budget=fuzz.budget_label(), seconds=fuzz.budget_seconds,
                database=fuzz.database_label() if fuzz.uses_database() else None)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if not hasattr(session.config, "workerinput"):
            self.terminal = session.config.pluginmanager.get_plugin("terminalreporter")

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        settings, selection = self.settings, self.settings.selection
        picked = [f"select={','.join(selection.select)}"] if selection.select else []
        picked += [f"ignore={','.join(selection.ignore)}"] if selection.ignore else []
        picked += ["strict"] if selection.strict else []
        lines = [f"asgicheck: app={settings.app} (from {settings.app_source})"] \
            if settings.app else []
        loaded = self.suite.loaded
        what = f"{loaded.description}; " if loaded is not None else ""
        lines.append(f"asgicheck: {what}spec_version {settings.spec_version}, deadline "
                     f"{settings.deadline:g}s" + "".join(f", {p}" for p in picked))
        return lines + self.suite.header_lines(settings)

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector
                                   ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        report = yield
        if isinstance(collector, pytest.Session) and report.passed and self._wanted(collector):
            ours = AsgiCheckCollector.from_parent(collector, name="asgicheck",
                                                  nodeid="asgicheck")
            report.result = [ours] if self._only(collector) else [*report.result, ours]
        return report

    def _only(self, session: pytest.Session) -> bool:
        """Just the conformance items: asked for, or ``pytest --asgicheck=APP`` naming no test
        paths (testpaths and the current directory are pytest's defaults, not a request)."""
        explicit_paths = session.config.args_source is pytest.Config.ArgsSource.ARGS
        return self.settings.only or (self.settings.app_source == "option"
                                      and not explicit_paths)

    def _wanted(self, session: pytest.Session) -> bool:
        """Add the items unless the app came from env/ini/pyproject and the command line named
        test paths: ``pytest tests/test_x.py`` then runs just those (as an IDE expects)."""
        explicit_paths = session.config.args_source is pytest.Config.ArgsSource.ARGS
        return (self.settings.app_source == "option" or self.settings.only or bool(self.picked)
                or not explicit_paths)

    def pytest_collection_modifyitems(self, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        if not self.picked:
            return
        keep = [i for i in items if not i.nodeid.startswith(NODE_PREFIX)
                or any(i.nodeid == p or i.nodeid.startswith(p + "[") for p in self.picked)]
        if len(keep) < len(items):
            config.hook.pytest_deselected(items=[i for i in items if i not in keep])
            items[:] = keep

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # The items this process may run are known now (-k, --lf, pytest-split's group).
        chosen = [i.stash[SCENARIO_KEY] for i in session.items if SCENARIO_KEY in i.stash]
        worker = getattr(session.config, "workerinput", None)  # on an xdist worker only
        self.suite.plan(chosen, int(worker["workercount"]) if worker else 1)
        if self.campaign is not None and worker is None:
            self.campaign.expect(sum(s.id.startswith("fuzz/") for s in chosen), 1)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if self.campaign is not None:  # the controller collects nothing: its workers tell it
            self.campaign.expect(sum(i.startswith(f"{NODE_PREFIX}fuzz/") for i in ids),
                                 int(node.workerinput["workercount"]))

    def pytest_report_collectionfinish(self, config: pytest.Config) -> list[str]:
        return [f"asgicheck: {self.discovery.summary}"] if self.discovery else []

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.when == "call" and report.skipped and isinstance(item, AsgiCheckItem) and \
                isinstance(report.longrepr, tuple):
            # -rs names where a skip was raised: the item, not the plugin line raising it. No
            # line number (typed as int, but the summary leaves out a None one, as for a module).
            report.longrepr = (item.nodeid, None, report.longrepr[2])  # type: ignore[assignment]
        if call.when == "call" and RECORD_KEY in item.stash:
            stashed: dict[str, Any] = item.stash[RECORD_KEY]
            record = dict(stashed)
            record["xfailed"] = bool(getattr(report, "wasxfail", None)) and report.skipped
            setattr(report, _RESULT_ATTRIBUTE, record)
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report: pytest.TestReport
                                 ) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
        record = getattr(report, _RESULT_ATTRIBUTE, None)
        if record and report.passed and record["status"] == "warned" and \
                not hasattr(report, "wasxfail"):
            return "passed", "W", ("WARNED", {"yellow": True})
        return None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = getattr(report, _RESULT_ATTRIBUTE, None)
        if record:
            self.records.append(record)
            if self.campaign is not None and self.terminal is not None:
                for line in self.campaign.add(record):
                    # Under xdist the progress characters leave the line open: end it first.
                    if self.terminal.config.get_terminal_writer().width_of_current_line:
                        self.terminal.write("\n")
                    self.terminal.write_line(line)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        if not self.targets:  # xdist: every worker discovered the same targets
            self.targets = list(getattr(node, "workeroutput", {}).get("asgicheck_targets", []))
            self.targets_line = getattr(node, "workeroutput", {}).get("asgicheck_summary", "")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        suites.close()  # lifespan.shutdown for the app's shared server; stop live servers
        if self.discovery is not None and not self.targets:
            self.targets = [{"label": t.label, "kind": t.kind, "method": t.method,
                             "path": t.path, "source": t.source}
                            for t in self.discovery.targets]
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput["asgicheck_targets"] = self.targets
            workeroutput["asgicheck_summary"] = self.discovery.summary if self.discovery else ""
        elif self.settings.json_path or self.settings.html_path:
            loaded = self.suite.loaded
            app = {"spec": loaded.spec, "source": self.settings.app_source,
                   "style": loaded.style, "description": loaded.description} if loaded else {
                "spec": self.settings.middleware or "", "source": self.settings.app_source,
                "style": "middleware", "description": "middleware mode"}
            fuzz = self.suite.fuzz.as_report() if self.suite.fuzz is not None else None
            document = json_report(self.records, version=__version__, targets=self.targets,
                                   options={**self.settings.as_dict(), "fuzz": fuzz}, app=app)
            if self.settings.json_path:
                write_json(self.settings.json_path, document)
            if self.settings.html_path:
                from asgicheck.reports.html import (
                    write_html,  # its page templates load only when asked
                )

                write_html(self.settings.html_path, document)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.section("asgicheck summary")
        loaded = self.suite.loaded
        if loaded is not None:
            terminalreporter.line(f"app {self.settings.app}: {loaded.description}")
        if self.settings.middleware:
            terminalreporter.line(f"middleware {self.settings.middleware}")
        # The collection line's words ("3 target(s) from starlette routes"), in both places.
        line = self.discovery.summary if self.discovery else self.targets_line
        if line:
            terminalreporter.line(line)
        for line in summary_lines(self.records):
            terminalreporter.line(line)
        if self.settings.json_path:
            terminalreporter.line(f"JSON report: {self.settings.json_path}")
        if self.settings.html_path:
            terminalreporter.line(f"HTML report: {self.settings.html_path}")
        for line in github.for_run(self.records,
                                   spec=loaded.spec if loaded else self.settings.middleware or "",
                                   app=loaded.original if loaded else None,
                                   env=os.environ, rootpath=terminalreporter.config.rootpath):
            terminalreporter.write_line(line)  # GitHub Actions annotations
        if self.campaign is not None:
            terminalreporter.section("asgicheck campaign")
            reports = [p for p in (self.settings.json_path, self.settings.html_path) if p]
            for line in self.campaign.summary(reports):
                terminalreporter.line(line)
