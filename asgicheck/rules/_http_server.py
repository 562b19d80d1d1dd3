"""Catalogue, www.rst, HTTP: requirements on servers."""

from __future__ import annotations

from asgicheck.violations import Detection, Rule, Severity

STATIC = Detection.STATIC
SEQUENCE = Detection.SEQUENCE
SCENARIO = Detection.SCENARIO
LIVE = Detection.LIVE
MANUAL = Detection.MANUAL
INFO = Severity.INFO

RULES: tuple[Rule, ...] = (
    Rule(
        id='HTTP-SCOPE-001',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § HTTP; § HTTP Connection Scope',
        summary=(
            'type is "http" ("should be signified ... with a type value of http").'
        ),
        how=(
            '[static] Dispatch is on the exact string; near misses ("https", "HTTP") are '
            'reported, since apps will not recognise them.'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-002',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope; § Spec Versions',
        summary=(
            'asgi["version"] is a str. asgi["spec_version"] is a str, "Optional; if missing '
            'assume "2.0"", and is the version "this server understands" (2.0–2.5 today).'
        ),
        how=(
            '[static] Unknown values → warning. Check the advertised features against the '
            'version (e.g. ≥2.4 means send raises: HTTP-SRV-006).'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-003',
        keyword='MUST',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope',
        summary=(
            'http_version: "One of "1.0", "1.1" or "2"."'
        ),
        how=(
            '[static] Upstream added "3" (HTTP/3) after this snapshot (asgiref PR #589); it '
            'is accepted without a note.'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-004',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope',
        summary=(
            'method: "The HTTP method name, uppercased."'
        ),
        how=(
            '[static] method == method.upper()'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-005',
        keyword='MUST',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope',
        summary=(
            'scheme: "Optional (but must not be empty); default is "http"" (likely "http" or '
            '"https").'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-006',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope; § WSGI encoding differences',
        summary=(
            'path (str): the "HTTP request target excluding any query string, with '
            'percent-encoded sequences and UTF-8 byte sequences decoded into characters".'
        ),
        how=(
            '[static] A str. When raw_path is given: unquote(raw_path) decoded as UTF-8 == '
            'path, allowing for the absolute-form target (asgiref#74) and for root_path on '
            'either side (servers disagree whether path and raw_path carry it). A raw_path '
            'that is not UTF-8 once decoded is not judged: the spec leaves that case open.'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-007',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope',
        summary=(
            'raw_path (bytes): "The original HTTP path component, excluding any query string,'
            ' unmodified from the bytes that were received". "Optional; if missing defaults '
            'to None".'
        ),
        how=(
            '[static] bytes or None. No b"?"+query inside (httpx\'s ASGI transport used to '
            'include it: httpx#2810).'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-008',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope; § WSGI encoding differences',
        summary=(
            'query_string (bytes): "URL portion after the ?, percent-encoded", "presented as '
            'its raw byte string version". Unlike WebSocket, this key is not marked Optional '
            'for HTTP.'
        ),
        how=(
            '[static] Present, bytes, b"" when there is no ?. Never decoded.'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-009',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope',
        summary=(
            'root_path (str), "same as SCRIPT_NAME in WSGI". "Optional; if missing defaults '
            'to """.'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-010',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope; § WSGI encoding differences',
        summary=(
            'headers: an iterable of [name, value] pairs of byte strings, "the exact byte '
            'sequences sent by the client".'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-011',
        keyword='MUST',
        detection=LIVE,
        source='www.rst § HTTP Connection Scope; § HTTP',
        summary=(
            '"Order of header values must be preserved from the original HTTP request ... '
            'Duplicates are possible and must be preserved in the message as received". The '
            'design decision is to "preserve headers exactly as they were provided" (no '
            'joining or splitting of Cookie).'
        ),
        how=(
            '[wire] Send duplicate and cookie headers; compare order and count.'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-012',
        keyword='SHOULD',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope',
        summary=(
            '"Header names should be lowercased, but it is not required; servers should '
            'preserve header case on a best-effort basis."'
        ),
        how=(
            '[static] Upper-case names → info (the two SHOULDs pull in opposite '
            'directions).'
        ),
        severity=INFO,
    ),
    Rule(
        id='HTTP-SCOPE-013',
        keyword='MUST',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope',
        summary=(
            '"Pseudo headers ... must be removed; if :authority is present its value must be '
            'added to the start of the iterable with host as the header name or replace any '
            'existing host header".'
        ),
        how=(
            '[static] No name starts with b":". [wire h2] host comes first or replaces the '
            'existing one.'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-014',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope',
        summary=(
            'client: a two-item iterable [host: str, port: int] ("the remote host\'s IPv4 or '
            'IPv6 address"). "Optional; if missing defaults to None".'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-015',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope; § Spec Versions (2.2)',
        summary=(
            'server: [host: str, port: int], or [unix_socket_path: str, None], or '
            'None/missing. None as the port was added in 2.2.'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-016',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § HTTP Connection Scope; lifespan.rst § Lifespan State',
        summary=(
            'state, if present, is a dict: "A copy of the namespace passed into the '
            'lifespan". "if missing the server does not support this feature".'
        ),
        how=(
            '[static] How it is copied: LS-SRV-007.'
        ),
    ),
    Rule(
        id='HTTP-SCOPE-017',
        keyword='MUST*',
        detection=LIVE,
        source='www.rst § HTTP Connection Scope',
        summary=(
            '"HTTP connections have a single-request connection scope": one app call per '
            'request, even on a keep-alive socket.'
        ),
        how=(
            '[wire] Two pipelined or keep-alive requests → two app calls with separate '
            'scopes.'
        ),
    ),
    Rule(
        id='HTTP-EVT-001',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Request - receive event',
        summary=(
            'http.request: body bytes, more_body bool. The chunks concatenate to the exact '
            'request body. The last http.request has more_body False. A request without a '
            'body still produces one http.request (empty body, more_body False).'
        ),
        how=(
            '[static] Every http.request: body bytes, more_body bool. [wire] Compare the '
            'chunks with the bytes the client sent.'
        ),
    ),
    Rule(
        id='HTTP-EVT-002',
        keyword='MUST',
        detection=LIVE,
        source='www.rst § HTTP Connection Scope; § Request - receive event',
        summary=(
            '"Servers are responsible for handling inbound and outbound chunked transfer '
            'encodings"; the http.request messages "should contain just the decoded contents '
            'of each chunk".'
        ),
        how=(
            '[wire] A chunked upload arrives without its framing.'
        ),
    ),
    Rule(
        id='HTTP-EVT-003',
        keyword='MUST*',
        detection=LIVE,
        source='www.rst § Disconnect - receive event (HTTP)',
        summary=(
            'http.disconnect is "Sent to the application if receive is called after a '
            'response has been sent or after the HTTP connection has been closed". After the '
            '2022 rewording it comes on every such call (asgiref#334).'
        ),
        how=(
            '[wire] After the response completes, call receive() twice → http.disconnect both'
            ' times. Immediate or blocking-until-close are both seen in practice, and the '
            'spec allows either (asgiref#53).'
        ),
    ),
    Rule(
        id='HTTP-EVT-004',
        keyword='MUST*',
        detection=SEQUENCE,
        source='www.rst § Request - receive event; § Disconnect - receive event (HTTP)',
        summary=(
            'No http.request after the final chunk. Nothing but http.disconnect after a '
            'disconnect.'
        ),
        how=(
            '[seq] Self-check of the harness/server.'
        ),
    ),
    Rule(
        id='HTTP-SRV-001',
        keyword='MUST',
        detection=LIVE,
        source='www.rst § Response Start - send event',
        summary=(
            'The app\'s Transfer-Encoding header: "the server must ignore it. Servers handle '
            'Transfer-Encoding themselves, and may opt to use Transfer-Encoding: chunked if '
            'the application presents a response that has no Content-Length".'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='HTTP-SRV-002',
        keyword='MUST',
        detection=LIVE,
        source='www.rst § Response Start - send event',
        summary=(
            'Response headers: "Order must be preserved in the HTTP response."'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='HTTP-SRV-003',
        keyword='MAY',
        detection=LIVE,
        source='www.rst § Response Start - send event',
        summary=(
            '"Protocol servers need not flush the data generated by this event to the send '
            'buffer until the first Response Body event is processed", so they can replace '
            'the response with an error. (Before 2023-05 this was "must not start sending".)'
        ),
        how=(
            '[wire] info only.'
        ),
    ),
    Rule(
        id='HTTP-SRV-004',
        keyword='MUST',
        detection=LIVE,
        source='www.rst § Response Body - send event',
        summary=(
            '"Protocol servers must flush any data passed to them into the send buffer before'
            ' returning from a send call."'
        ),
        how=(
            "[wire] A streaming probe: each chunk is visible to the client before the app's "
            'next send completes (timing-based, so approximate).'
        ),
    ),
    Rule(
        id='HTTP-SRV-005',
        keyword='MUST*',
        detection=LIVE,
        source='www.rst § Response Body - send event',
        summary=(
            'After the final body (and no trailers pending), "response will be taken as '
            'complete and closed, and any further messages on the channel will be ignored".'
        ),
        how=(
            '[wire] Extra messages from the probe app must not change the bytes on the wire. '
            '(uvicorn raises instead.)'
        ),
    ),
    Rule(
        id='HTTP-SRV-006',
        keyword='SHOULD',
        detection=LIVE,
        source='www.rst § Disconnected Client - send exception (HTTP)',
        summary=(
            '"If send() is called on a closed connection the server should raise a '
            'server-specific subclass of OSError" (spec 2.4).'
        ),
        how=(
            '[wire] The client disconnects mid-stream and the next send() raises an OSError '
            'subclass. Servers advertising ≥2.4 that do not → warning.'
        ),
    ),
    Rule(
        id='HTTP-SRV-007',
        keyword='MUST',
        detection=LIVE,
        source='www.rst § Disconnected Client - send exception (HTTP)',
        summary=(
            '"Servers must be prepared to catch this exception if they raised it and should '
            'not log it as an error in their server logs."'
        ),
        how=(
            '[wire] The probe app re-raises it. No error-level log, no crash.'
        ),
    ),
    Rule(
        id='HTTP-SRV-008',
        keyword='SHOULD',
        detection=LIVE,
        source='www.rst § HTTP',
        summary=(
            '"A protocol server should give different scopes to different requests on the '
            'same HTTP/2 connection, and correctly multiplex the responses back to the same '
            'stream in which they came."'
        ),
        how=(
            '[wire h2]'
        ),
    ),
    Rule(
        id='HTTP-ADP-001',
        keyword='MUST',
        detection=MANUAL,
        source='www.rst § WSGI Compatibility',
        summary=(
            '"WSGI applications, being synchronous, must be run in a threadpool in order to '
            'be served".'
        ),
        how=(
            '[manual] For WSGI-to-ASGI adapters only.'
        ),
    ),
    Rule(
        id='HTTP-ADP-002',
        keyword='MUST*',
        detection=MANUAL,
        source='www.rst § WSGI Compatibility; § WSGI encoding differences',
        summary=(
            'The environ mapping: SCRIPT_NAME=root_path; PATH_INFO = path with root_path '
            'stripped; QUERY_STRING=query_string; the status drops its reason phrase; yielded'
            " content → http.response.body. The ASGI str path must be re-encoded into WSGI's "
            'latin-1 convention (asgiref#182).'
        ),
        how=(
            '[manual] For WSGI-to-ASGI adapters only: checking it means running a WSGI '
            'probe app through the adapter, which asgicheck does not do.'
        ),
    ),
)
