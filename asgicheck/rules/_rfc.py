"""Catalogue, Not ASGI rules: HTTP and WebSocket RFC checks that real servers enforce anyway."""

from __future__ import annotations

from asgicheck.violations import Detection, Rule

STATIC = Detection.STATIC
SEQUENCE = Detection.SEQUENCE

RULES: tuple[Rule, ...] = (
    Rule(
        id='X-HTTP-001',
        keyword='SHOULD',
        detection=SEQUENCE,
        source='RFC 9112 §6.3, RFC 9110 §8.6',
        summary=(
            'If the app sends content-length, the total body bytes equal it. Only one '
            'content-length. (h11-based servers raise "Too much/little data for declared '
            'Content-Length". asgiref PR #510 proposes the request-side version.)'
        ),
        how=(
            '[seq]'
        ),
    ),
    Rule(
        id='X-HTTP-002',
        keyword='SHOULD',
        detection=SEQUENCE,
        source='RFC 9110 §9.3.2, §15.3.5, §15.4.5',
        summary=(
            'No body for HEAD requests or 204/304 responses, and no 1xx status via '
            'http.response.start (use early hints for 103; 101 is the WebSocket path). '
            'uvicorn strips HEAD bodies (uvicorn#165); other servers may not.'
        ),
        how=(
            '[seq] Body bytes > 0 in those cases → warning.'
        ),
    ),
    Rule(
        id='X-HTTP-003',
        keyword='MUST',
        detection=STATIC,
        source='RFC 9110 §5.1, §5.5',
        summary=(
            'Response header names are tokens, and values contain no CR, LF or NUL (header '
            'injection / response splitting).'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='X-HTTP-004',
        keyword='SHOULD',
        detection=STATIC,
        source='RFC 9113 §8.2.2',
        summary=(
            'When http_version == "2", no connection-specific headers (connection, '
            'keep-alive, proxy-connection, transfer-encoding, upgrade).'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='X-WS-001',
        keyword='SHOULD',
        detection=STATIC,
        source='RFC 6455 §4.2.2',
        summary=(
            'The subprotocol in accept is one of scope["subprotocols"], or None.'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='X-WS-002',
        keyword='SHOULD',
        detection=STATIC,
        source='RFC 6455 §5.5',
        summary=(
            'The close reason is ≤ 123 bytes in UTF-8 (a control frame carries at most 125 '
            'bytes). The ASGI text says it "can be any string", so this contradicts the spec '
            '(A10).'
        ),
        how=(
            '[static]'
        ),
    ),
)
