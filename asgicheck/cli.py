"""The ``asgicheck`` command.

    asgicheck MODULE:APP [PYTEST OPTIONS]   run the conformance scenarios (pytest underneath)
    asgicheck [PYTEST OPTIONS]              the same, app from ASGICHECK_APP / ini / pyproject
    asgicheck explain RULE-ID               a rule, the spec text it cites, wrong and right code
    asgicheck rules [PREFIX]                list the rules (all, or e.g. HTTP-SEND)
    asgicheck merge-reports A.json B.json -o ALL.json [--html ALL.html]
                                            the JSON reports of a run's shards as one

A run is ``python -m pytest --asgicheck=MODULE:APP --asgicheck-only`` plus the options given:
only the conformance items are collected, not the project's test files, and the current
directory is importable, as it is for uvicorn.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

from asgicheck.config import APP_OPTION, ONLY_OPTION

__all__ = ["USAGE", "main"]

USAGE = """\
usage: asgicheck MODULE:APP [pytest options]   check an ASGI app (e.g. myproject.asgi:app)
       asgicheck [pytest options]              app from ASGICHECK_APP, ini or pyproject.toml
       asgicheck explain RULE-ID               explain one rule (e.g. HTTP-SEND-002)
       asgicheck rules [PREFIX]                list rules (e.g. asgicheck rules HTTP-SEND)
       asgicheck merge-reports A.json B.json -o ALL.json [--html ALL.html]
                                               merge the JSON reports of a run's shards

Useful pytest options: -k EXPR, -x, --lf, -n 2, --junitxml=PATH; asgicheck's own options
(--asgicheck-select, --asgicheck-strict, --asgicheck-json, ...) are listed by `pytest --help`.
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["-h"], ["--help"], ["help"]):
        sys.stdout.write(USAGE)
        return 0
    if args[:1] == ["explain"]:
        return _explain(args[1:])
    if args[:1] == ["rules"]:
        return _rules(args[1:])
    if args[:1] == ["merge-reports"]:
        return _merge_reports(args[1:])
    return _run(args)


def _explain(args: list[str]) -> int:
    from asgicheck.explain import explain

    if len(args) != 1:
        sys.stderr.write("usage: asgicheck explain RULE-ID (list them with `asgicheck rules`)\n")
        return 2
    try:
        sys.stdout.write(explain(args[0]))
    except KeyError as exc:
        sys.stderr.write(f"asgicheck: {exc.args[0]}; list the rules with `asgicheck rules`\n")
        return 2
    return 0


def _rules(args: list[str]) -> int:
    from asgicheck.explain import rules_table

    if len(args) > 1:
        sys.stderr.write("usage: asgicheck rules [PREFIX]\n")
        return 2
    try:
        sys.stdout.write(rules_table(args[0] if args else ""))
    except KeyError as exc:
        sys.stderr.write(f"asgicheck: {exc.args[0]}\n")
        return 2
    return 0


def _merge_reports(args: list[str]) -> int:
    import argparse
    import json

    from asgicheck.reports import MergeError, merge_reports, write_json

    parser = argparse.ArgumentParser(
        prog="asgicheck merge-reports",
        description="Merge the JSON reports of the shards of one run (pytest-split groups, one "
                    "per CI machine) into one, and render it as HTML.")
    parser.add_argument("reports", nargs="+", metavar="REPORT.json")
    parser.add_argument("-o", "--output", required=True, metavar="ALL.json",
                        help="where the merged JSON report goes")
    parser.add_argument("--html", metavar="ALL.html", help="also render it as an HTML page")
    try:
        options = parser.parse_args(args)
    except SystemExit as exc:  # argparse has printed the usage
        return int(exc.code or 0)
    documents = []
    for name in options.reports:
        try:
            with open(name, encoding="utf-8") as handle:
                documents.append((name, json.load(handle)))
        except (OSError, ValueError) as exc:
            sys.stderr.write(f"asgicheck merge-reports: cannot read {name}: {exc}\n")
            return 2
    try:
        merged, notes = merge_reports(documents)
    except MergeError as exc:
        sys.stderr.write(f"asgicheck merge-reports: {exc}\n")
        return 2
    for note in notes:
        sys.stderr.write(f"asgicheck merge-reports: note: {note}\n")
    write_json(options.output, merged)
    written = [options.output]
    if options.html:
        from asgicheck.reports.html import write_html

        write_html(options.html, merged)
        written.append(options.html)
    total = merged["summary"]["total"]
    counts = ", ".join(f"{total[k]} {k}" for k in ("failed", "passed", "warned", "skipped")
                       if total.get(k))
    sys.stdout.write(f"merged {len(documents)} reports: {len(merged['results'])} results "
                     f"({counts or 'none'}) -> {', '.join(written)}\n")
    return 0


def _run(args: list[str]) -> int:
    pytest_args = [ONLY_OPTION]
    if args and not args[0].startswith("-") and ":" in args[0]:
        pytest_args.insert(0, f"{APP_OPTION}={args.pop(0)}")
    # A fresh interpreter: pytest must import asgicheck itself to rewrite its asserts (in this
    # one it is already imported), and `python -m` puts the current directory on sys.path.
    try:
        return subprocess.call([sys.executable, "-m", "pytest", *pytest_args, *args])
    except KeyboardInterrupt:  # pytest in the child reports the interruption itself
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
