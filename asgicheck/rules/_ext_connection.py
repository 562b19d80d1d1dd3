"""Catalogue, extensions.rst and tls.rst: the websocket denial response and TLS."""

from __future__ import annotations

from asgicheck.violations import Detection, Rule, Severity

STATIC = Detection.STATIC
SEQUENCE = Detection.SEQUENCE
SCENARIO = Detection.SCENARIO
LIVE = Detection.LIVE
MANUAL = Detection.MANUAL
INFO = Severity.INFO
WARNING = Severity.WARNING

RULES: tuple[Rule, ...] = (
    Rule(
        id='WSD-APP-001',
        keyword='MUST*',
        detection=SEQUENCE,
        source='extensions.rst § Websocket Denial Response',
        summary=(
            'The denial response replaces accept and close. It is sent "after the '
            'websocket.connect message", and before any websocket.accept (it is a denial of '
            'the upgrade).'
        ),
        how=(
            '[seq] websocket.http.response.start after accept → error (uvicorn: "Expected '
            "ASGI message 'websocket.send' or 'websocket.close', but got "
            '\'websocket.http.response.start\'").'
        ),
    ),
    Rule(
        id='WSD-APP-002',
        keyword='MUST',
        detection=SEQUENCE,
        source='extensions.rst § Websocket Denial Response',
        summary=(
            '"These messages cannot be followed by any other websocket messages as the server'
            ' should send a HTTP response and then close the connection."'
        ),
        how=(
            '[seq] websocket.send or websocket.close after websocket.http.response.start → '
            'error (an accept there is WS-SEND-003).'
        ),
    ),
    Rule(
        id='WSD-APP-003',
        keyword='MUST*',
        detection=SEQUENCE,
        source='extensions.rst § Websocket Denial Response',
        summary=(
            'The messages are websocket.http.response.start and websocket.http.response.body '
            '"with a structure that matches the http.response.start and http.response.body '
            'messages". So HTTP-SEND-002/003/004/006–012 apply: one start, int status, '
            'lower-cased byte headers, ≥1 body message, final more_body False.'
        ),
        how=(
            '[seq][static] status an int, headers lower-cased [name, value] bytes without '
            'pseudo headers, body bytes, more_body bool; one start; no body before the start; '
            'no start or body after the final body; returning mid-response → error. HTTP '
            'extensions (trailers, pathsend, zerocopysend) cannot be used here (maintainer, '
            'asgiref#433), so trailers=True is an error too.'
        ),
    ),
    Rule(
        id='WSD-SRV-001',
        keyword='SHOULD',
        detection=LIVE,
        source='extensions.rst § Websocket Denial Response',
        summary=(
            '"the server should send a HTTP response and then close the connection."'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='WSD-SRV-002',
        keyword='SHOULD*',
        detection=LIVE,
        source='www.rst § Disconnect - receive event (WebSocket); asgiref#381',
        summary=(
            'After a denial, the app still gets websocket.disconnect ("should always be sent '
            'to the application when the connection is closed, no matter the reason", per the'
            ' maintainer).'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='TLS-APP-001',
        keyword='MUST*',
        detection=MANUAL,
        source='tls.rst § When to use this extension',
        summary=(
            'Presence of extensions["tls"] means TLS. Absence means "either the server does '
            'not support this extension or the connection is not over TLS". Apps must not '
            'read absence as "plaintext".'
        ),
        how=(
            '[manual] Not checked: whether the app treats scheme "https" without the tls '
            'extension as secure shows only in app-specific behaviour (redirects, secure '
            'cookies), which needs a probe written for that app.'
        ),
        severity=INFO,
    ),
    Rule(
        id='TLS-APP-002',
        keyword='MUST*',
        detection=SCENARIO,
        source='tls.rst § TLS Connection Scope',
        summary=(
            'Apps must handle None for server_cert, client_cert_name, client_cert_error, '
            'tls_version and cipher_suite (e.g. TLS terminated at a proxy), and missing '
            'optional keys.'
        ),
        how=(
            '[script] A tls dict with every value None or at its default. No crash.'
        ),
    ),
    Rule(
        id='TLS-SRV-001',
        keyword='MUST / MUST NOT',
        detection=STATIC,
        source='tls.rst § When to use this extension',
        summary=(
            '"This extension must only be used for TLS connections. For non-TLS connections, '
            'the ASGI server is forbidden from providing this extension."'
        ),
        how=(
            '[static] tls present while scheme is "http" or "ws" → warning (heuristic, since '
            'proxies rewrite the scheme). [wire] a plain-TCP connection → no tls.'
        ),
        severity=WARNING,
    ),
    Rule(
        id='TLS-SRV-002',
        keyword='MUST',
        detection=MANUAL,
        source='tls.rst § The Base Protocol',
        summary=(
            'The base protocol\'s connection scope "covers at most one TLS connection" (true '
            'for http and websocket).'
        ),
        how=(
            '[manual]'
        ),
    ),
    Rule(
        id='TLS-SRV-003',
        keyword='MUST',
        detection=STATIC,
        source='tls.rst § TLS Connection Scope',
        summary=(
            'server_cert (*Unicode string or None*): the PEM-encoded server certificate, or '
            'None if unavailable. "Mandatory" (the key must be present).'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='TLS-SRV-004',
        keyword='MUST*',
        detection=STATIC,
        source='tls.rst § TLS Connection Scope',
        summary=(
            'client_cert_chain (*Iterable[Unicode string]*): PEM strings, client certificate '
            'first, then its chain. Empty if no client certificate or unavailable. "Optional;'
            ' if missing defaults to empty iterable".'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='TLS-SRV-005',
        keyword='MUST',
        detection=STATIC,
        source='tls.rst § TLS Connection Scope',
        summary=(
            'client_cert_name (str in RFC 4514 form, or None). "If client_cert_chain is '
            'provided and non-empty then this field must be provided and must contain '
            'information that is consistent with client_cert_chain[0]."'
        ),
        how=(
            "[static] chain non-empty ⇒ a str name. [wire] Compare with the certificate's "
            'subject.'
        ),
    ),
    Rule(
        id='TLS-SRV-006',
        keyword='MUST*',
        detection=STATIC,
        source='tls.rst § TLS Connection Scope',
        summary=(
            'client_cert_error: None if a client certificate was verified, or none was '
            'provided. Otherwise "a non-empty string". "Optional; if missing defaults to '
            'None".'
        ),
        how=(
            '[static] Never "".'
        ),
    ),
    Rule(
        id='TLS-SRV-007',
        keyword='MUST',
        detection=STATIC,
        source='tls.rst § TLS Connection Scope',
        summary=(
            'tls_version (*integer or None*), e.g. 0x0303 (TLS 1.2) or 0x0304 (TLS 1.3). '
            '"Mandatory".'
        ),
        how=(
            '[static] An int or None, and the key is present.'
        ),
    ),
    Rule(
        id='TLS-SRV-008',
        keyword='MUST',
        detection=STATIC,
        source='tls.rst § TLS Connection Scope',
        summary=(
            'cipher_suite (*integer or None*): a 16-bit value such as 0x1301. "Mandatory".'
        ),
        how=(
            '[static] 0 <= v <= 0xFFFF or None.'
        ),
    ),
)
