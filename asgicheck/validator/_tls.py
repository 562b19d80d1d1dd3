"""The ``tls`` extension dict a server puts in ``scope["extensions"]`` (tls.rst).

Server-side, static: one dict judged by itself, plus the scope's scheme. Called from
``_scope.check_scope`` for http and websocket scopes; never raises on garbage.
"""

from __future__ import annotations

from typing import Any

from asgicheck.rules import violation
from asgicheck.validator._scope_fields import kind_of, show
from asgicheck.violations import Violation

__all__ = ["check_tls"]

_PLAIN_SCHEMES = ("http", "ws")




def check_tls(tls: dict[str, Any], scheme: object) -> list[Violation]:
    found: list[Violation] = []
    # tls.rst "When to use this extension": "This extension must only be used for TLS
    # connections. For non-TLS connections, the ASGI server is forbidden from providing this
    # extension." A proxy can make the scheme lie, hence a warning (see the rule).
    if scheme in _PLAIN_SCHEMES:
        found.append(violation("TLS-SRV-001", f"the 'tls' extension is present but "
                               f"scheme={scheme!r}: a server may provide it only on TLS "
                               f"connections, so one of the two is wrong"))

    # tls.rst "TLS Connection Scope": server_cert (Unicode string or None) ... "Mandatory".
    if "server_cert" not in tls:
        found.append(violation("TLS-SRV-003", "the 'tls' extension has no 'server_cert' key; it "
                               "is mandatory (None when the certificate is unavailable)"))
    elif not _str_or_none(tls["server_cert"]):
        found.append(violation("TLS-SRV-003", f"tls server_cert={show(tls['server_cert'])} is "
                               f"{kind_of(tls['server_cert'])}, not a PEM str or None"))

    # client_cert_chain (Iterable[Unicode string]) ... "Optional; if missing defaults to empty
    # iterable".
    chain = tls.get("client_cert_chain", ())
    chain_given = False
    if isinstance(chain, (str, bytes, dict)) or not hasattr(chain, "__iter__"):
        found.append(violation("TLS-SRV-004", f"tls client_cert_chain={show(chain)} is "
                               f"{kind_of(chain)}, not an iterable of PEM strings"))
    elif isinstance(chain, (list, tuple)):
        chain_given = len(chain) > 0
        bad = [item for item in chain if not isinstance(item, str)]
        if bad:
            found.append(violation("TLS-SRV-004", f"tls client_cert_chain holds {show(bad)}; "
                                   f"every certificate is a PEM str"))

    # client_cert_name (Unicode string or None): "If client_cert_chain is provided and non-empty
    # then this field must be provided".
    name = tls.get("client_cert_name")
    if not _str_or_none(name):
        found.append(violation("TLS-SRV-005", f"tls client_cert_name={show(name)} is "
                               f"{kind_of(name)}, not an RFC 4514 str or None"))
    elif name is None and chain_given:
        found.append(violation("TLS-SRV-005", "tls client_cert_chain is non-empty but "
                               "client_cert_name is missing or None; it must name the subject "
                               "of client_cert_chain[0]"))

    # client_cert_error: None, or "a non-empty string" when verification failed.
    error = tls.get("client_cert_error")
    if not _str_or_none(error):
        found.append(violation("TLS-SRV-006", f"tls client_cert_error={show(error)} is "
                               f"{kind_of(error)}, not a str or None"))
    elif error == "":
        found.append(violation("TLS-SRV-006", "tls client_cert_error is '', which reads as a "
                               "failed verification with no reason; use None when the client "
                               "certificate was verified or absent"))

    # tls_version (integer or None) ... "Mandatory"; cipher_suite (integer or None): "a 16-bit
    # unsigned integer" ... "Mandatory".
    for key, rule, limit in (("tls_version", "TLS-SRV-007", None),
                             ("cipher_suite", "TLS-SRV-008", 0xFFFF)):
        if key not in tls:
            found.append(violation(rule, f"the 'tls' extension has no {key!r} key; it is "
                                   f"mandatory (None when unknown)"))
            continue
        value = tls[key]
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            found.append(violation(rule, f"tls {key}={show(value)} is "
                                   f"{kind_of(value)}, not an int or None"))
        elif value < 0 or (limit is not None and value > limit):
            found.append(violation(rule, f"tls {key}={value!r} is outside 0..{limit or 'max'}; "
                                   f"it is an unsigned {'16-bit ' if limit else ''}integer"))
    return found


def _str_or_none(value: object) -> bool:
    return value is None or isinstance(value, str)
