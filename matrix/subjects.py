"""What the matrix runs: the framework apps, the middlewares, the modes, and their versions.

A *subject* is one row group of the table: a framework app (``matrix/apps/<name>_app.py``), the
raw control app, or a middleware (a factory and its keyword arguments). A subject whose
packages are not installed is reported as such, never imported.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["MODES", "SUBJECTS", "Subject", "installed", "select", "versions"]

Kind = Literal["control", "framework", "middleware"]
# mode key -> (label for frameworks, label for middleware rows)
MODES: dict[str, tuple[str, str]] = {
    "driver": ("in-process driver", "middleware mode (in-process)"),
    "uvicorn": ("live uvicorn", "live uvicorn (around the raw app)"),
    "hypercorn": ("live hypercorn", "live hypercorn (around the raw app)"),
}
TRUSTED = ["testserver", "127.0.0.1", "localhost"]  # the driver's Host, then live mode's


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    name: str  # the row's key, as given to --frameworks
    kind: Kind
    label: str  # as shown in the table
    target: str  # "module:attribute": the app, or the middleware factory
    packages: tuple[str, ...]  # distributions it needs (their versions are recorded)
    kwargs: dict[str, Any] = field(default_factory=dict)  # middleware arguments

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]


def _app(name: str, label: str, *packages: str) -> Subject:
    return Subject(name=name, kind="framework", label=label,
                   target=f"matrix.apps.{name}_app:app", packages=packages)


def _mw(name: str, label: str, target: str, packages: tuple[str, ...],
        **kwargs: Any) -> Subject:
    return Subject(name=name, kind="middleware", label=label, target=target,
                   packages=packages, kwargs=kwargs)


SUBJECTS: tuple[Subject, ...] = (
    Subject(name="raw", kind="control", label="raw ASGI (control)",
            target="matrix.apps.raw_app:app", packages=()),
    _app("starlette", "Starlette", "starlette"),
    _app("fastapi", "FastAPI", "fastapi", "starlette"),
    _app("django", "Django", "django"),
    _app("quart", "Quart", "quart"),
    _app("litestar", "Litestar", "litestar"),
    _app("falcon", "Falcon (asgi.App)", "falcon"),
    _app("blacksheep", "BlackSheep", "blacksheep"),
    _mw("gzip", "GZipMiddleware(minimum_size=16)",
        "starlette.middleware.gzip:GZipMiddleware", ("starlette",), minimum_size=16),
    _mw("cors", "CORSMiddleware(allow_origins=['*'])",
        "starlette.middleware.cors:CORSMiddleware", ("starlette",), allow_origins=["*"]),
    _mw("trustedhost", "TrustedHostMiddleware",
        "starlette.middleware.trustedhost:TrustedHostMiddleware", ("starlette",),
        allowed_hosts=TRUSTED),
    _mw("session", "SessionMiddleware", "starlette.middleware.sessions:SessionMiddleware",
        ("starlette", "itsdangerous"), secret_key="asgicheck-matrix-not-a-secret"),
    _mw("basehttp", "BaseHTTPMiddleware no-op",
        "matrix.apps.noop_middleware:NoOpMiddleware", ("starlette",)),
    _mw("correlation-id", "asgi-correlation-id CorrelationIdMiddleware",
        "asgi_correlation_id:CorrelationIdMiddleware", ("asgi-correlation-id", "starlette")),
)
GROUPS = {"all": [s.name for s in SUBJECTS],
          "frameworks": [s.name for s in SUBJECTS if s.kind != "middleware"],
          "middleware": [s.name for s in SUBJECTS if s.kind == "middleware"]}


def select(names: list[str] | None) -> list[Subject]:
    """The subjects named (or in the groups named), in the table's order; ValueError for an
    unknown name."""
    if not names:
        return list(SUBJECTS)
    wanted: set[str] = set()
    known = {s.name for s in SUBJECTS}
    for raw in names:
        for name in (part.strip().lower() for part in raw.split(",") if part.strip()):
            if name in GROUPS:
                wanted.update(GROUPS[name])
            elif name in known:
                wanted.add(name)
            else:
                raise ValueError(f"unknown subject {name!r}; choose from "
                                 f"{', '.join([*GROUPS, *known])}")
    return [s for s in SUBJECTS if s.name in wanted]


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def installed(subject: Subject) -> str | None:
    """None when the subject can run; else what is missing."""
    missing = [p for p in subject.packages if _version(p) is None]
    return f"not installed: {', '.join(missing)}" if missing else None


def versions(subjects: list[Subject]) -> dict[str, str]:
    """Every version the run depended on, by distribution name."""
    names = ["asgicheck", "asgiref", "uvicorn", "hypercorn", "httptools", "h11", "wsproto",
             "websockets", "httpx"]
    names += [p for s in subjects for p in s.packages]
    found = {"python": platform.python_version()}
    for name in dict.fromkeys(names):
        version = _version(name)
        if version is not None:
            found[name] = version
    if "uvicorn" in found:  # what `--http auto` picks changes what live uvicorn rows run on
        found["uvicorn --http auto"] = "httptools" if "httptools" in found else "h11"
    return found
