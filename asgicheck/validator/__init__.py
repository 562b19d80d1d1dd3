"""The validator: judges what crosses the ASGI boundary, one message at a time.

Two ways in. ``Validator(scope)`` is the sans-IO judge: tell it what the app received and sent,
in order, and it names the rules broken (the driver and the tests use it so). ``validate(app)``
wraps an app as middleware for any server, with a fast lane for everyday HTTP exchanges that
hands over to the ``Validator`` at the first step it cannot vouch for.

Inside, one module per protocol state machine (``_http``, ``_websocket``, ``_lifespan``, each
with its table first), the scope checks (``_scope``, ``_scope_fields``, ``_tls``) and the pure
single-value checks (``_checks``). Findings are built only through ``asgicheck.rules``.
"""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES

from asgicheck.validator import _http_fast, _scope_fields, wrapper
from asgicheck.validator._validator import Machine, Validator
from asgicheck.validator.wrapper import ValidatedApp, validate

__all__ = ["COMPILED", "Machine", "ValidatedApp", "Validator", "validate"]

# Whether validate()'s fast lane runs compiled: ``ASGICHECK_COMPILE=1`` at install time builds
# these modules with mypyc (setup.py), and an extension module, when present, shadows its .py.
# Pure Python is the default and behaves the same (the tests run on both), only slower.
COMPILED: bool = all((module.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))
                     for module in (_scope_fields, _http_fast, wrapper))
