"""The house rules of asgicheck/ and reference_app/, read from the code's own imports.

Every import counts, wherever it stands: at the top, inside a function (a lazy import) or under
``if TYPE_CHECKING:``. A circle hidden behind either is still a circle: the two modules cannot be
understood, tested or moved apart. docs/architecture.md says which way the imports run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("asgicheck", "reference_app")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for package in PACKAGES
                            for p in sorted((ROOT / package).rglob("*.py"))}


def imported(path: Path) -> Iterator[tuple[str, int]]:
    """The modules of this project that ``path`` imports, with the line of each import."""
    package = module_name(path) if path.name == "__init__.py" else \
        module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] not in PACKAGES:
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in MODULES:  # ``from pkg import submodule``
                    yield sub, node.lineno
                elif base in MODULES:
                    yield base, node.lineno


GRAPH: dict[str, dict[str, int]] = {
    name: {target: line for target, line in imported(path) if target != name}
    for name, path in MODULES.items()
}


def circles() -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_modules() -> None:
    # A walk that found nothing would pass every rule below.
    assert "asgicheck.validator._http" in MODULES
    assert "asgicheck.contract" in GRAPH["asgicheck.scenarios._base"]


def test_no_import_circles() -> None:
    described = [" <-> ".join(group) + ": " + "; ".join(
        f"{a} imports {b} (line {GRAPH[a][b]})" for a in group for b in group if b in GRAPH[a])
        for group in circles()]
    assert not described, "\n".join(described)


def private_owner(target: str) -> str | None:
    """The package whose private module ``target`` is (``asgicheck.driver`` for
    ``asgicheck.driver._wire``), or None when every part of its name is public."""
    parts = target.split(".")
    for position, part in enumerate(parts):
        if part.startswith("_"):
            return ".".join(parts[:position])
    return None


@pytest.mark.parametrize("package", PACKAGES)
def test_private_modules_are_imported_only_inside_their_package(package: str) -> None:
    trespasses = [f"{importer} imports {target} (line {line})"
                  for importer, targets in GRAPH.items() if importer.split(".")[0] == package
                  for target, line in targets.items()
                  if (owner := private_owner(target)) is not None
                  and not (importer == owner or importer.startswith(owner + "."))]
    assert not trespasses, "\n".join(trespasses)
