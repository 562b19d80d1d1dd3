"""How the report tests run asgicheck: a real ``pytest --asgicheck=...`` in a fresh interpreter
(as pytester's ``runpytest_subprocess`` does) in a given directory. conftest.py uses it for the two
runs the tests share; under pytest-xdist the workers share them too (``shared_run``)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from asgicheck.config import APP_OPTION

HERE = Path(__file__).parent
QUIET = ("-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:anyio", "-p", "no:xdist",
         "--asgicheck-no-fuzz")


@dataclass(frozen=True)
class Run:
    directory: Path
    html_path: Path
    html: str
    document: dict[str, Any]
    stdout: str
    returncode: int


def run_asgicheck(directory: Path, app: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``pytest --asgicheck=report_apps:APP ARGS`` in ``directory``, outside GitHub Actions."""
    (directory / "report_apps.py").write_text((HERE / "report_apps.py").read_text())
    (directory / "asgi_blocks.py").write_text((HERE.parent / "asgi_blocks.py").read_text())
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_ACTIONS", "PYTEST_ADDOPTS", "ASGICHECK_APP")}
    env["PYTHONPATH"] = os.pathsep.join([str(directory), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "pytest", *QUIET, f"{APP_OPTION}=report_apps:{app}", *args],
        cwd=directory, env=env, capture_output=True, text=True, timeout=300, check=False)


def shared_run(root: Path, name: str, html_name: str,
               start: Callable[[Path], subprocess.CompletedProcess[str]]) -> Run:
    """The run ``start(directory)`` makes in ``root/name``, made once: the first process to get
    there runs it, the others (xdist workers sharing ``root``) read what it left."""
    directory = root / name
    with _locked(root / f"{name}.lock"):
        if not (directory / "returncode").is_file():
            directory.mkdir(exist_ok=True)
            done = start(directory)
            (directory / "stdout").write_text(done.stdout + done.stderr, encoding="utf-8")
            (directory / "returncode").write_text(str(done.returncode))
    html_path = directory / html_name
    stdout = (directory / "stdout").read_text(encoding="utf-8")
    assert html_path.is_file(), stdout
    return Run(directory=directory, html_path=html_path,
               html=html_path.read_text(encoding="utf-8"),
               document=json.loads((directory / "report.json").read_text(encoding="utf-8")),
               stdout=stdout, returncode=int((directory / "returncode").read_text()))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: every worker makes its own runs
        yield
        return
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class Page(HTMLParser):
    """The page as (tag, attributes, text inside) for every element, plus the <style> text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[tuple[str, dict[str, str], list[str]]] = []
        self.style = ""
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element: tuple[str, dict[str, str], list[str]] = (tag, {k: v or "" for k, v in attrs}, [])
        self.elements.append(element)
        if tag not in ("meta", "input", "br", "hr", "img", "link"):
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, _, texts in self.open:
            texts.append(data)
        if self.open and self.open[-1][0] == "style":
            self.style += data

    def find(self, tag: str, css: str = "") -> list[tuple[dict[str, str], str]]:
        """Elements of this tag whose class attribute has every class in ``css``."""
        wanted = set(css.split())
        return [(attrs, "".join(texts)) for name, attrs, texts in self.elements
                if name == tag and wanted <= set(attrs.get("class", "").split())]
