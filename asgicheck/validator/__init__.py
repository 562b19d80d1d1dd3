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

from asgicheck.validator._validator import Machine, Validator
from asgicheck.validator.wrapper import ValidatedApp, validate

__all__ = ["Machine", "ValidatedApp", "Validator", "validate"]
