"""Which real servers live mode can drive, found without importing them.

A server is *known* when asgicheck has a runner for it, and *available* when its package can be
found on the path (``importlib.util.find_spec``, which reads no module code). The runner module
of a server, and the server itself, are imported only when a server of that kind is started.
"""

from __future__ import annotations

import importlib
import importlib.util

from asgicheck.live._runner import LiveServer, LiveServerError

__all__ = ["CLIENTS", "KNOWN", "SERVERS", "available", "missing_clients", "require_clients",
           "resolve", "runner_class"]


# name -> (the package that must be importable, the asgicheck module with its runner)
KNOWN: dict[str, tuple[str, str]] = {
    "uvicorn": ("uvicorn", "asgicheck.live._uvicorn"),
    "hypercorn": ("hypercorn", "asgicheck.live._hypercorn"),
}
# The client libraries live mode drives every server with (the ``live`` extra).
CLIENTS = ("httpx", "websockets")


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # a broken or half-installed package
        return False


def missing_clients() -> tuple[str, ...]:
    """The client libraries of ``CLIENTS`` that cannot be found (nothing is imported)."""
    return tuple(package for package in CLIENTS if not _installed(package))


def require_clients() -> None:
    """LiveServerError naming the ``live`` extra when a client library is missing."""
    missing = missing_clients()
    if missing:
        raise LiveServerError(
            f"live mode drives the servers with httpx and websockets, and "
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed: "
            f"pip install 'asgicheck[live]'")


def available() -> tuple[str, ...]:
    """The known servers whose package is installed, in a stable order."""
    return tuple(name for name, (package, _) in KNOWN.items() if _installed(package))


SERVERS: tuple[str, ...] = available()


def resolve(name: str) -> str:
    """The canonical name of an installed server; LiveServerError names the alternatives.

    Nothing is imported: this is safe to call while pytest collects.
    """
    key = name.strip().lower()
    installed = available()
    listing = ", ".join(installed) if installed else "none"
    if key not in KNOWN:
        raise LiveServerError(
            f"unknown live server {name!r}: asgicheck can drive {', '.join(KNOWN)}; "
            f"installed here: {listing}")
    if key not in installed:
        raise LiveServerError(
            f"live server {key!r} is not installed (pip install {KNOWN[key][0]}); "
            f"installed here: {listing}")
    return key


def runner_class(name: str) -> type[LiveServer]:
    """The runner class for server ``name``; imports the server itself."""
    key = resolve(name)
    try:
        module = importlib.import_module(KNOWN[key][1])
    except ImportError as exc:
        raise LiveServerError(f"live server {key!r} is installed but cannot be imported: "
                              f"{type(exc).__name__}: {exc}") from exc
    runner: type[LiveServer] = module.Runner
    return runner
