"""From ``"module:factory"`` and ``"name=value,..."`` to a callable that wraps an inner app.

A *middleware factory* is anything called as ``factory(app, **kwargs)`` that returns an ASGI 3
app: a middleware class (``starlette.middleware.gzip.GZipMiddleware``), a function, or a
Starlette ``Middleware(cls, *args, **kwargs)`` declaration. Every error here says what was given
and how to fix it; the plugin turns ``MiddlewareConfigError`` into a ``pytest.UsageError``.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from asgicheck.loading import AppLoadError, detect_style, import_object, single_callable

__all__ = ["FACTORY_FORMS", "KWARGS_FORMS", "MiddlewareConfigError", "describe", "load_factory",
           "make_middleware", "parse_kwargs"]

FACTORY_FORMS = "'package.module:Middleware' or 'package.module:make_middleware'"
KWARGS_FORMS = "'name=value,name=value', values as Python literals (else plain strings)"

Factory = Callable[..., Any]


class MiddlewareConfigError(Exception):
    """The middleware spec or its keyword arguments cannot be used; the message says why."""


def load_factory(spec: str) -> Factory:
    """Import ``module`` and fetch ``attr`` (dotted) from ``"module:attr"``.

    A Starlette-style ``Middleware(cls, *args, **kwargs)`` declaration is accepted and turned
    into a factory; its own arguments come first, the ``--asgicheck-middleware-kwargs`` ones
    override them.
    """
    try:
        obj, _ = import_object(spec, what="middleware", forms=FACTORY_FORMS,
                               example="--asgicheck-middleware=starlette.middleware.gzip:"
                                       "GZipMiddleware")
    except AppLoadError as exc:
        raise MiddlewareConfigError(str(exc)) from exc.__cause__
    return _as_factory(obj, spec)


def _as_factory(obj: Any, spec: str) -> Factory:
    declared = _declaration(obj)
    if declared is not None:
        return declared
    if not callable(obj):
        raise MiddlewareConfigError(
            f"{spec!r} is a {type(obj).__name__}, not callable; point at a middleware class "
            f"or a function called as factory(app, **kwargs)")
    if not _takes_an_app(obj):
        raise MiddlewareConfigError(
            f"{spec!r} cannot be called with one positional argument (the app to wrap); a "
            f"middleware factory is called as factory(app, **kwargs)")
    result: Factory = obj
    return result


def _declaration(obj: Any) -> Factory | None:
    """A Starlette ``Middleware`` declaration (``cls``, ``args``, ``kwargs``) as a factory."""
    cls, args, kwargs = (getattr(obj, name, None) for name in ("cls", "args", "kwargs"))
    if not (callable(cls) and isinstance(args, (tuple, list)) and isinstance(kwargs, Mapping)):
        return None

    def factory(app: Any, **more: Any) -> Any:
        return cls(app, *args, **{**kwargs, **more})

    factory.__qualname__ = f"Middleware({getattr(cls, '__qualname__', cls)!s})"
    return factory


def _takes_an_app(obj: Any) -> bool:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return True  # builtins and C types: find out when it is called
    try:
        signature.bind_partial(object())
    except TypeError:
        return False
    return True


def parse_kwargs(text: str | None) -> dict[str, Any]:
    """``"minimum_size=500,compresslevel=6"`` -> ``{"minimum_size": 500, "compresslevel": 6}``.

    Values are read as Python literals (numbers, strings, ``True``/``None``, lists, tuples,
    dicts); anything else is kept as a plain string, so ``allow_origins=['*']`` is a list and
    ``secret_key=s3cr3t`` is a string. Commas inside brackets or quotes do not split.
    """
    found: dict[str, Any] = {}
    for item in _split(text or ""):
        name, equals, raw = item.partition("=")
        name, raw = name.strip(), raw.strip()
        if not equals:
            raise MiddlewareConfigError(f"middleware argument {item!r} has no '='; write "
                                        f"{KWARGS_FORMS}")
        if not name.isidentifier():
            raise MiddlewareConfigError(f"middleware argument name {name!r} (in {item!r}) is not "
                                        f"a Python identifier; write {KWARGS_FORMS}")
        if name in found:
            raise MiddlewareConfigError(f"middleware argument {name!r} is given twice")
        try:
            found[name] = ast.literal_eval(raw)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            if raw[:1] in ("[", "(", "{", "'", '"'):
                raise MiddlewareConfigError(
                    f"middleware argument {name}={raw} looks like a Python literal but does not "
                    f"parse; check its brackets and quotes") from None
            found[name] = raw
    return found


def _split(text: str) -> list[str]:
    """Split on commas that are outside brackets and quotes; empty items are dropped."""
    items: list[str] = []
    depth, quote, start = 0, "", 0
    for position, char in enumerate(text):
        if quote:
            if char == quote and text[position - 1] != "\\":
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                raise MiddlewareConfigError(f"unbalanced {char!r} in middleware arguments "
                                            f"{text!r}")
        elif char == "," and depth == 0:
            items.append(text[start:position])
            start = position + 1
    if quote or depth:
        raise MiddlewareConfigError(f"unclosed {'quote' if quote else 'bracket'} in middleware "
                                    f"arguments {text!r}")
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def make_middleware(factory: Factory, inner: Any, kwargs: Mapping[str, Any]) -> Any:
    """``factory(inner, **kwargs)`` as an ASGI 3 callable; MiddlewareConfigError if it is not."""
    try:
        middleware = factory(inner, **kwargs)
    except Exception as exc:
        raise MiddlewareConfigError(
            f"calling {describe(factory, kwargs)} raised {type(exc).__name__}: {exc}; check "
            f"the keyword arguments (--asgicheck-middleware-kwargs, {KWARGS_FORMS})") from exc
    if inspect.isawaitable(middleware):
        if inspect.iscoroutine(middleware):
            middleware.close()
        raise MiddlewareConfigError(
            f"{describe(factory, kwargs)} returned an awaitable: the factory was called as if "
            f"it were the middleware itself; point at a class or a function that takes the app "
            f"and returns the wrapped app")
    if not callable(middleware):
        raise MiddlewareConfigError(f"{describe(factory, kwargs)} returned "
                                    f"{type(middleware).__name__}, which is not an ASGI app")
    try:
        style, _ = detect_style(middleware, describe(factory, kwargs))
    except AppLoadError as exc:
        raise MiddlewareConfigError(f"what {describe(factory, kwargs)} returned is not an ASGI "
                                    f"app: {exc}") from exc
    return single_callable(middleware) if style == "asgi2" else middleware


def describe(factory: Factory, kwargs: Mapping[str, Any]) -> str:
    """``GZipMiddleware(app, minimum_size=500)``: how the middleware is built, for messages."""
    name = getattr(factory, "__qualname__", None) or type(factory).__name__
    arguments = "".join(f", {key}={value!r}" for key, value in kwargs.items())
    return f"{name}(app{arguments})"
