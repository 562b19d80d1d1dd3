"""Catalogue, Not ASGI rules: HTTP and WebSocket RFC checks that real servers enforce anyway."""

from __future__ import annotations

from asgicheck.violations import Detection, Rule, Severity

STATIC = Detection.STATIC
INFO = Severity.INFO
SEQUENCE = Detection.SEQUENCE
SCENARIO = Detection.SCENARIO

RULES: tuple[Rule, ...] = (
    Rule(
        id='X-HTTP-001',
        keyword='MUST',
        detection=SEQUENCE,
        source='RFC 9112 §6.3, RFC 9110 §8.6',
        summary=(
            'A declared content-length is one decimal value and equals the body bytes sent; '
            '"A server MUST NOT send a Content-Length header field in any response with a '
            'status code of 1xx or 204" (RFC 9110 §8.6). Servers abort such responses '
            '(h11: "Too much/little data for declared Content-Length"; uvicorn: "Response '
            'content longer than Content-Length"). Corrected from SHOULD: the RFC text is MUST, '
            'and a mismatch corrupts the connection.'
        ),
        how=(
            '[seq] Sum the body bytes against the declared length (not for HEAD or 304, '
            'where the length describes the representation).'
        ),
    ),
    Rule(
        id='X-HTTP-002',
        keyword='MUST NOT',
        detection=SEQUENCE,
        source='RFC 9110 §15.3.5, §15.4.5, §15.2',
        summary=(
            'A 204 or 304 response "cannot contain content", and a 1xx status is interim: '
            'http.response.start carries the final response (103 goes through early hints, '
            '101 is the WebSocket path). Servers crash or corrupt the connection on such '
            'bodies (FastAPI#4939, starlette#1764). Corrected from SHOULD; HEAD moved to '
            'X-HTTP-005.'
        ),
        how=(
            '[seq] Body bytes > 0 on a 204/304 response, or a 1xx status.'
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
            'bytes). The ASGI text says it "can be any string", so this contradicts the '
            'spec.'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='X-HTTP-005',
        keyword='SHOULD NOT',
        detection=SEQUENCE,
        source='RFC 9110 §9.3.2',
        summary=(
            'For HEAD "the server MUST NOT send content in the response". The RFC binds the '
            'HTTP server, which strips it (uvicorn, hypercorn, TestClient do; asgineer#34 and '
            'backlot#151 met servers and proxies that did not). An app that sends the GET body '
            'relies on its server; ASGI itself is silent, so this is a note, not a violation.'
        ),
        how=(
            '[seq] Body bytes > 0 in the response to a HEAD request.'
        ),
        severity=INFO,
    ),
    Rule(
        id='X-HTTP-006',
        keyword='MUST NOT',
        detection=SCENARIO,
        source='RFC 9110 §9.3.2, §9.1',
        summary=(
            'HEAD "is identical to GET except that the server MUST NOT send content in the '
            'response". An app that answers HEAD with the whole GET body does the GET\'s work '
            'for nothing and relies on its server to strip the bytes (uvicorn and hypercorn '
            'do; asgineer#34 and backlot#151 met servers and proxies that did not). "All '
            'general-purpose servers MUST support the methods GET and HEAD."'
        ),
        how=(
            '[script head-request] HEAD for every GET target, compared with the GET: a '
            'non-empty HEAD body equal to the GET body → error (other body bytes stay '
            'X-HTTP-005\'s note); a HEAD answered with another status class than the GET '
            '(405 where GET got 200) → warning.'
        ),
    ),
)
