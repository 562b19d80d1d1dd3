"""How the fuzzing items choose their examples and where they keep failures, from each source of
the setting: an explicit database or derandomize wins over the ``CI`` default, and the report
header says what is in force."""

from __future__ import annotations

from pathlib import Path

import pytest
from _runs import FUZZ, run, run_inline

from asgicheck.config import TARGET_OPTION
from asgicheck.plugin import APP_OPTION

PLANTED = Path(__file__).parents[1] / "fuzzing" / "planted.py"
APP = f"{APP_OPTION}=apps:good"
ROOT = f"{TARGET_OPTION}=GET /"


@pytest.fixture
def ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")


def header(project: pytest.Pytester, *args: str) -> str:
    """The ``asgicheck: fuzz:`` header line of a collect-only run."""
    result = run_inline(project, APP, ROOT, FUZZ, "--co", *args)
    assert result.ret == 0, result.stderr.str()
    (line,) = [line for line in result.outlines if line.startswith("asgicheck: fuzz:")]
    return line


@pytest.mark.usefixtures("ci")
def test_an_explicit_database_wins_over_ci(project: pytest.Pytester) -> None:
    line = header(project, "--asgicheck-fuzz-database=shared-db")
    assert line.endswith("random (CI is set, but a database is named), database shared-db")
    assert header(project).endswith("derandomized (CI is set), no database (none named)")


@pytest.mark.usefixtures("ci")
@pytest.mark.parametrize("source", ["ini", "pyproject"])
def test_the_database_from_ini_and_pyproject_wins_over_ci(project: pytest.Pytester,
                                                          source: str) -> None:
    if source == "ini":
        project.makeini("[pytest]\nasgicheck_fuzz_database = shared-db\n")
    else:
        project.makepyprojecttoml('[tool.asgicheck]\nfuzz_database = "shared-db"\n')
    assert header(project).endswith(", database shared-db")


@pytest.mark.usefixtures("ci")
def test_derandomize_from_each_source(project: pytest.Pytester) -> None:
    assert ", random (asked for, though CI is set), database " in \
        header(project, "--no-asgicheck-derandomize")
    project.makeini("[pytest]\nasgicheck_derandomize = false\n")
    assert ", random (asked for, though CI is set), database " in header(project)
    # The command line wins over the ini file ...
    assert ", derandomized (asked for), no database (none named)" in \
        header(project, "--asgicheck-derandomize")
    # ... and the ini file over pyproject.toml.
    project.makepyprojecttoml("[tool.asgicheck]\nderandomize = true\n")
    assert ", random (asked for, though CI is set)" in header(project)
    (project.path / "tox.ini").unlink()
    assert ", derandomized (asked for), no database" in header(project)


def test_derandomize_on_with_a_named_database_uses_both(project: pytest.Pytester) -> None:
    line = header(project, "--asgicheck-derandomize", "--asgicheck-fuzz-database=db")
    assert line.endswith("derandomized (asked for), database db")


def test_a_bad_derandomize_value_is_a_usage_error(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nasgicheck_derandomize = sometimes\n")
    result = run_inline(project, APP, ROOT, FUZZ, "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: asgicheck: --asgicheck-derandomize='sometimes' is not "
                                 "a boolean; write true or false"])


@pytest.mark.usefixtures("ci")
def test_a_profiles_database_is_used_under_ci(project: pytest.Pytester) -> None:
    project.makeconftest("""
        from hypothesis import settings
        from hypothesis.database import DirectoryBasedExampleDatabase

        settings.register_profile("asgicheck-test-profile-db", parent=settings.get_profile(
            "default"), database=DirectoryBasedExampleDatabase("profile-db"))
    """)
    line = header(project, "--asgicheck-hypothesis-profile=asgicheck-test-profile-db")
    assert line.endswith(", random (profile asgicheck-test-profile-db), "
                         "database DirectoryBasedExampleDatabase(PosixPath('profile-db'))")


@pytest.mark.usefixtures("ci")
def test_under_ci_a_named_directory_keeps_the_failure_and_replays_it(
        project: pytest.Pytester) -> None:
    project.makepyfile(planted=PLANTED.read_text(encoding="utf-8"))
    args = (f"{APP_OPTION}=planted:non_ascii_path", ROOT, FUZZ, "-k", "fuzz/P2")
    # 40 examples as a campaign: no time limit, so a loaded machine cannot cut the search.
    first = run(project, *args, "--asgicheck-fuzz-database=kept", "--asgicheck-seed=1",
                "--asgicheck-fuzz-budget=40")
    assert first.ret == 1
    first.stdout.fnmatch_lines(["asgicheck: fuzz: *, seed 1, database kept",
                                "*shrunk counterexample: GET /é*"])
    assert any(path.is_file() for path in (project.path / "kept").rglob("*"))
    # Another seed, one example: only the database can make it fail the same way.
    again = run(project, *args, "--asgicheck-fuzz-database=kept", "--asgicheck-seed=2",
                "--asgicheck-examples=1")
    assert again.ret == 1
    again.stdout.fnmatch_lines(["*shrunk counterexample: GET /é*"])
    control = run(project, *args, "--asgicheck-fuzz-database=fresh", "--asgicheck-seed=2",
                  "--asgicheck-examples=1")
    assert control.ret == 0, control.stdout.str()


@pytest.mark.parametrize("source", ["option", "ini", "pyproject"])
def test_read_only_from_each_source(project: pytest.Pytester, source: str) -> None:
    args = ["--asgicheck-fuzz-database=shared-db"]
    if source == "option":
        args.append("--asgicheck-fuzz-database-readonly")
    elif source == "ini":
        project.makeini("[pytest]\nasgicheck_fuzz_database_readonly = true\n")
    else:
        project.makepyprojecttoml("[tool.asgicheck]\nfuzz_database_readonly = true\n")
    local = project.path / ".hypothesis" / "asgicheck"
    assert header(project, *args).endswith(
        f", database shared-db (read only; this run's finds go to {local})")
