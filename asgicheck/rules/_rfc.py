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
    Rule(
        id='X-HTTP-007',
        keyword='MUST*',
        detection=SCENARIO,
        source='RFC 9110 §8.4, §12.5.3',
        summary=(
            'Content-Encoding names the codings "applied to the representation ... and thus '
            'what decoding mechanisms have to be applied": a response that says gzip is one '
            'complete gzip stream of the representation. Accept-Encoding only offers codings; '
            'a request that carries it is answered as the same request without it.'
        ),
        how=(
            '[script V01-accept-gzip] The target with accept-encoding: gzip. A response with '
            'content-encoding gzip or deflate must decode (completely) and, when the plain '
            'body is stable, decode to the plain body; its status class must be the plain '
            'one\'s. A stale content-length after compression is X-HTTP-001, from the same '
            'exchange.'
        ),
    ),
    Rule(
        id='X-HTTP-008',
        keyword='MUST',
        detection=SCENARIO,
        source='RFC 9110 §14.2, §15.3.7, §14.4',
        summary=(
            'Range: a 206 for a single range "MUST generate a Content-Range header field" and '
            'carries exactly those bytes of the representation; a server that ignores Range '
            'answers 200 with the whole representation; 416 only when no range is '
            'satisfiable. "A server MUST ignore a Range header field received with a request '
            'method" other than GET.'
        ),
        how=(
            '[script V02-range] The target with range: bytes=1-3. For GET: 206 needs '
            'content-range bytes 1-N/LENGTH and the body bytes 1..N of the plain body; 200 '
            'needs the plain body; 416 needs a plain body shorter than 2 bytes. Any other '
            'method must answer as without the header (no 206 or 416). Otherwise the status '
            'class must be the plain one\'s.'
        ),
    ),
    Rule(
        id='X-HTTP-009',
        keyword='MUST',
        detection=SCENARIO,
        source='RFC 9110 §13.1.2, §13.2.1, §15.4.5',
        summary=(
            'If-None-Match is false only when a listed entity tag matches the current one; a '
            'true condition is answered as the request without it. A 304 is for GET and HEAD '
            '(other methods get 412) and "MUST generate" the ETag, Vary, Cache-Control, '
            'Expires and Content-Location a 200 would have carried.'
        ),
        how=(
            '[script V03-if-none-match] The target with if-none-match: a tag that cannot '
            'match (must answer as the plain request: no 304 or 412), and, when the plain '
            'response has an ETag, with that tag (a 304 must be for GET/HEAD and carry those '
            'fields; ignoring the condition is allowed).'
        ),
    ),
    Rule(
        id='X-HTTP-010',
        keyword='MUST*',
        detection=SCENARIO,
        source='RFC 9110 §9.3.7; Fetch Standard, CORS-preflight fetch',
        summary=(
            'OPTIONS asks about the communication options of the target; a CORS preflight '
            '(OPTIONS with Origin and Access-Control-Request-Method) that the app answers '
            'with Access-Control-Allow-Origin must have an ok status (2xx), or the browser '
            'fails the preflight and never sends the request. A preflight must not make the '
            'app fail where the request itself does not.'
        ),
        how=(
            '[script V04-cors-preflight] OPTIONS on the target\'s path with origin and '
            'access-control-request-method (and -headers for a body). The app raised or '
            'answered 5xx where the plain request did not → error; '
            'access-control-allow-origin on a non-2xx status → error. An app without CORS '
            'may answer 405.'
        ),
    ),
    Rule(
        id='X-HTTP-011',
        keyword='MUST*',
        detection=SCENARIO,
        source='RFC 9110 §10.1.1',
        summary=(
            'Expect: 100-continue is answered by the server (uvicorn and hypercorn send 100 '
            'Continue when the app first calls receive()); the app answers the request as it '
            'answers it without the header. 417 is for expectations that cannot be met, '
            'which 100-continue never is, and an interim 100 is not the app\'s to send '
            '(X-HTTP-002).'
        ),
        how=(
            '[script V05-expect-continue] A body target with expect: 100-continue, compared '
            'with the plain request (end, status, body).'
        ),
    ),
)
