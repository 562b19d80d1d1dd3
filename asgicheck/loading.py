"""From ``"package.module:app"`` to an ASGI 3 callable, with errors that say how to fix them.

The style of the object is detected the way ``asgiref.compatibility.is_double_callable`` does
(hint attributes, then classes, then an async ``__call__``, then the function itself), with one
correction: asgiref takes *every* sync callable for an ASGI 2 app, including a plain
``def app(scope, receive, send)``, which it would then wrap and call wrongly. Here a sync
callable counts as ASGI 2 only when it can be called with the scope alone; one that takes
``(scope, receive, send)`` is refused with a message (asgi.rst § Applications, GEN-APP-001).
ASGI 2 apps are accepted through ``guarantee_single_callable`` and the header says so
(asgi.rst § Legacy Applications, GEN-APP-002).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import signal
import sys
import threading
import traceback
from dataclasses import dataclass
from typing import Any, Literal

from asgiref.compatibility import guarantee_single_callable
from asgiref.sync import iscoroutinefunction

from asgicheck.types import ASGIApp

__all__ = ["ACCEPTED_FORMS", "AppLoadError", "LoadedApp", "NotAnASGIApp", "detect_style",
           "load_app", "parse_spec", "search_cwd_for", "single_callable"]

ACCEPTED_FORMS = "'package.module:app' or 'package.module:object.attribute'"
Style = Literal["asgi3", "asgi2", "not-asgi"]
_LIKELY_NAMES = ("app", "application", "asgi", "asgi_app", "api")


class AppLoadError(Exception):
    """The app spec cannot be turned into an ASGI app; the message says why and how to fix it."""


class NotAnASGIApp(AppLoadError):
    """The object is a plain ``def app(scope, receive, send)``: the most basic conformance
    failure (GEN-APP-001), which a run reports as a failed item rather than a usage error."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadedApp:
    spec: str
    app: ASGIApp  # always single-callable (ASGI 3)
    original: object  # what the spec named, before any wrapping
    style: Style
    detected: str  # how the style was decided, for the report header

    @property
    def is_asgi(self) -> bool:
        return self.style != "not-asgi"

    @property
    def description(self) -> str:
        if self.style == "not-asgi":
            return "not an ASGI app (a sync callable taking (scope, receive, send))"
        if self.style == "asgi3":
            return f"ASGI 3 ({self.detected})"
        return (f"ASGI 2 ({self.detected}), run through "
                f"asgiref.compatibility.guarantee_single_callable")


def parse_spec(spec: str, *, what: str = "app", forms: str = ACCEPTED_FORMS,
               example: str = "--asgicheck=myproject.asgi:application") -> tuple[str, str]:
    """Split ``"pkg.mod:obj.attr"``; AppLoadError for anything else (``what`` names the thing
    in the message: "app", "middleware")."""
    module, colon, attribute = spec.strip().partition(":")
    if not colon:
        raise AppLoadError(f"{what} {spec!r} has no colon; write {forms} (it is malformed), "
                           f"e.g. {example}")
    parts = [*module.split("."), *attribute.split(".")]
    if not module or not attribute or not all(part.isidentifier() for part in parts):
        raise AppLoadError(f"{what} {spec!r} is malformed; write {forms} with Python "
                           f"identifiers on both sides of the colon, e.g. {example}")
    return module, attribute


def import_object(spec: str, *, what: str = "app", forms: str = ACCEPTED_FORMS,
                  example: str = "--asgicheck=myproject.asgi:application") -> tuple[Any, str]:
    """The object ``"pkg.mod:obj.attr"`` names and its module's name. The module is imported as
    uvicorn would (the current directory searched last); AppLoadError says what was wrong."""
    module_name, attribute = parse_spec(spec, what=what, forms=forms, example=example)
    module = _import(module_name, spec, what)
    obj: object = module
    for depth, name in enumerate(attribute.split(".")):
        if not hasattr(obj, name):
            owner = ".".join([module_name, *attribute.split(".")[:depth]])
            found = f"; {_candidates(obj, module_name)}" if what == "app" else ""
            raise AppLoadError(f"{owner!r} has no attribute {name!r} (from {what} {spec!r})"
                               f"{found}")
        obj = getattr(obj, name)
    return obj, module_name


def load_app(spec: str) -> LoadedApp:
    """Import the module, fetch the attribute, detect ASGI 2 or 3 and wrap ASGI 2 apps."""
    obj, _ = import_object(spec)
    if not callable(obj):
        raise AppLoadError(f"{spec!r} is a {type(obj).__name__}, not callable; point "
                           f"--asgicheck at the ASGI application object itself")
    try:
        style, detected = detect_style(obj, spec)
    except NotAnASGIApp as exc:
        style, detected = "not-asgi", str(exc)
    app = single_callable(obj) if style == "asgi2" else obj
    return LoadedApp(spec=spec, app=app, original=obj, style=style, detected=detected)


def single_callable(app: Any) -> ASGIApp:
    """An ASGI 2 app as an ASGI 3 one (asgiref's wrapper); an ASGI 3 app unchanged."""
    return guarantee_single_callable(app)  # type: ignore[no-any-return,no-untyped-call]


def detect_style(obj: Any, spec: str = "app") -> tuple[Style, str]:
    """``("asgi3" | "asgi2", how it was decided)``; AppLoadError for a sync non-ASGI callable."""
    if getattr(obj, "_asgi_single_callable", False):
        return "asgi3", "_asgi_single_callable hint"
    if getattr(obj, "_asgi_double_callable", False):
        return "asgi2", "_asgi_double_callable hint"
    if inspect.isclass(obj):
        if not _accepts(obj, 1):
            raise AppLoadError(
                f"{spec!r} is the class {obj.__name__} and its constructor does not take "
                f"(scope), so it is not an ASGI 2 app; point at an instance instead")
        return "asgi2", "class instantiated with the scope"
    if iscoroutinefunction(obj):
        return "asgi3", "async function"
    if not inspect.isroutine(obj) and iscoroutinefunction(type(obj).__call__):
        return "asgi3", f"{type(obj).__name__} instance with an async __call__"
    if _accepts(obj, 3):
        raise NotAnASGIApp(
            f"{spec!r} is a sync callable taking (scope, receive, send), which is not an ASGI "
            f"app: make it `async def`; if it returns an awaitable, decorate it with "
            f"asgiref.sync.markcoroutinefunction (or set _asgi_single_callable = True)")
    if _accepts(obj, 1):
        return "asgi2", "sync callable taking (scope)"
    raise AppLoadError(f"{spec!r} is a sync callable that takes neither (scope) nor "
                       f"(scope, receive, send); point at an ASGI application")


def _accepts(obj: Any, count: int) -> bool:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return False
    try:
        signature.bind(*range(count))
    except TypeError:
        return False
    return True


def search_cwd_for(module_name: str) -> None:
    """Put the current directory on ``sys.path`` if that is the only place ``module_name``
    could come from; a no-op when it is importable already or the directory is on the path."""
    # Like uvicorn (whose --app-dir defaults to "."), find modules in the current directory
    # even when pytest was started as `pytest`, which does not put it on sys.path. Only as a
    # last resort, so a module of the same name in the current directory never shadows an
    # installed one.
    here = os.getcwd()
    if here not in sys.path and "" not in sys.path and importlib.util.find_spec(
            module_name.partition(".")[0]) is None:
        sys.path.insert(0, here)


def _import(module_name: str, spec: str, what: str = "app") -> Any:
    search_cwd_for(module_name)
    ctrl_c = _CtrlC()
    try:
        with ctrl_c:
            return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            shown = ", ".join(repr(p) for p in sys.path[:4])
            raise AppLoadError(
                f"cannot import module {module_name!r} (from {what} {spec!r}): {exc}; "
                f"it is not on sys.path ({shown}, ...): run from the project directory with "
                f"`python -m pytest`, or set `pythonpath = .` in the pytest ini") from exc
        raise AppLoadError(_raised_while_importing(module_name, spec, exc, what)) from exc
    except Exception as exc:
        raise AppLoadError(_raised_while_importing(module_name, spec, exc, what)) from exc
    except KeyboardInterrupt as exc:
        if ctrl_c.pressed:
            raise
        raise AppLoadError(_raised_while_importing(module_name, spec, exc, what)) from exc
    except BaseException as exc:  # noqa: B036 - SystemExit: a module that calls sys.exit()
        raise AppLoadError(_raised_while_importing(module_name, spec, exc, what)) from exc


class _CtrlC:
    """Tells a real Ctrl-C (SIGINT) from a KeyboardInterrupt the imported module raised itself:
    while importing, SIGINT goes through a handler that notes it, then raises as Python's own
    does. Only in the main thread, the only one signal handlers can be set from."""

    def __init__(self) -> None:
        self.pressed = self._watching = False
        self._previous: Any = None

    def __enter__(self) -> None:
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous = signal.signal(signal.SIGINT, self._handle)
                self._watching = True
            except (ValueError, OSError):  # an embedding that owns signals: watch nothing
                pass

    def __exit__(self, *exc_info: object) -> None:
        if self._watching:
            signal.signal(signal.SIGINT, self._previous if self._previous is not None
                          else signal.default_int_handler)

    def _handle(self, signum: int, frame: Any) -> None:
        self.pressed = True
        raise KeyboardInterrupt


def _raised_while_importing(module_name: str, spec: str, exc: BaseException,
                            what: str = "app") -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f" at {exc.filename}:{exc.lineno}"
    elif frames:
        where = f" at {frames[-1].filename}:{frames[-1].lineno}"
    return (f"importing {module_name!r} (from {what} {spec!r}) raised "
            f"{type(exc).__name__}: {exc}{where}; fix the module so that "
            f"`python -c \"import {module_name}\"` works")


def _candidates(obj: object, module_name: str) -> str:
    names = [name for name in sorted(dir(obj)) if not name.startswith("_")
             and _looks_asgi(name, getattr(obj, name, None), module_name)]
    if names:
        return "ASGI-looking names there: " + ", ".join(names[:10])
    return "it has no ASGI-looking names (async callables or app instances)"


def _looks_asgi(name: str, value: object, module_name: str) -> bool:
    if inspect.ismodule(value) or inspect.isclass(value) or not callable(value):
        return False
    if name in _LIKELY_NAMES:
        return True
    if inspect.isfunction(value) and getattr(value, "__module__", None) != module_name:
        return False
    if iscoroutinefunction(value):
        return True
    return not inspect.isroutine(value) and iscoroutinefunction(type(value).__call__)
