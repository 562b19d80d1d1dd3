"""Catalogue, www.rst, HTTP: requirements on applications."""

from __future__ import annotations

from asgicheck.violations import Detection, Rule, Severity

STATIC = Detection.STATIC
SEQUENCE = Detection.SEQUENCE
SCENARIO = Detection.SCENARIO
MANUAL = Detection.MANUAL
WARNING = Severity.WARNING
INFO = Severity.INFO

RULES: tuple[Rule, ...] = (
    Rule(
        id='HTTP-RECV-001',
        keyword='SHOULD',
        detection=SEQUENCE,
        source='www.rst § Request - receive event',
        summary=(
            'The http.request message is "a trigger to actually run request code (as you '
            'should not trigger on a connection opening alone)".'
        ),
        how=(
            "[script S09] A warning if http.response.start is sent before the app's first "
            'receive() has returned. This matters for Expect: 100-continue (uvicorn only '
            'sends 100 Continue once the app calls receive()). sev: info for apps that '
            'plainly ignore the body (e.g. a static GET).'
        ),
        severity=INFO,
    ),
    Rule(
        id='HTTP-RECV-002',
        keyword='SHOULD',
        detection=SCENARIO,
        source='www.rst § Request - receive event',
        summary=(
            'more_body: "If True, the consuming application should wait until it gets a chunk'
            ' with this set to False"; body: "If more_body is set, treat as start of body and'
            ' concatenate on further chunks."'
        ),
        how=(
            '[script S02, S03, V06] If the app reads the body, it keeps calling receive() until '
            'more_body is False, empty chunks included. Echo-type probes compare the bytes. '
            'Completing the response after a more_body=True chunk without ever reading the '
            'final chunk → warning ("unread request body"); info only, when the bytes read '
            'already add up to the content-length the scope declared (the unread final chunk '
            'can only be empty). V06 sends the body chunked, without a content-length, as '
            'servers pass on transfer-encoding: chunked.'
        ),
    ),
    Rule(
        id='HTTP-RECV-003',
        keyword='MUST*',
        detection=SCENARIO,
        source='www.rst § Request - receive event',
        summary=(
            'Defaults: body "Optional; if missing defaults to b""", more_body "Optional; if '
            'missing defaults to False".'
        ),
        how=(
            '[script S04] Behaves like an empty, complete body. KeyError → error.'
        ),
    ),
    Rule(
        id='HTTP-RECV-004',
        keyword='MUST*',
        detection=SCENARIO,
        source='www.rst § Disconnect - receive event (HTTP)',
        summary=(
            'receive() can return http.disconnect at any time: before the body, mid-body, '
            'while long-polling, and "if receive is called after a response has been sent". '
            'The app must accept this valid event (no message["body"] access, no waiting for '
            'more body).'
        ),
        how=(
            "[script S05, S06, S01-after-response] Crash (KeyError: 'body') → error. Calling "
            'receive() more than N times after a disconnect, i.e. spinning while waiting for '
            'a body that will never come → error. Hanging past T → error.'
        ),
    ),
    Rule(
        id='HTTP-RECV-005',
        keyword='SHOULD',
        detection=SEQUENCE,
        source='www.rst § Disconnect - receive event (HTTP)',
        summary=(
            '"Once you have received this event, you should expect future calls to send() to '
            'raise an exception". The app should stop sending.'
        ),
        how=(
            '[script S05, S07] Any further send() after one raised OSError (a retry loop: the '
            'app swallowed the error the server raised to stop it) → warning. A send() made '
            'after the app received http.disconnect → info only: the spec asks apps to expect '
            'send() to raise then, and itself describes sends racing the disconnect, so it '
            'does not forbid the send; uvicorn and hypercorn drop it silently. (Strict-mode '
            'audit: Starlette, FastAPI, Quart, Litestar and Django answer after a disconnect; '
            'that no longer fails --asgicheck-strict.)'
        ),
    ),
    Rule(
        id='HTTP-RECV-006',
        keyword='MAY',
        detection=SCENARIO,
        source='www.rst § Disconnected Client - send exception (HTTP)',
        summary=(
            '"Applications may catch this exception and do cleanup work before re-raising it '
            'or returning with no exception."'
        ),
        how=(
            "[script S07] Acceptable ends: return None, or let the harness's "
            'ClientDisconnected escape, alone or as the cause or context of another exception, '
            'or inside an exception group. Raising an exception that does not carry it → info '
            'here, and OPS-APP-001 as a warning. The harness treats both acceptable ends as '
            'clean (HTTP-SRV-007).'
        ),
    ),
    Rule(
        id='HTTP-RECV-007',
        keyword='SHOULD*',
        detection=SCENARIO,
        source='www.rst § Disconnected Client - send exception (HTTP)',
        summary=(
            'The send exception "is not guaranteed, however, especially on older ASGI server '
            'implementations (it was introduced in spec version 2.4)". An app must not rely '
            'only on send() raising to notice that the client has gone.'
        ),
        how=(
            '[script S08] A streaming app under spec 2.3 must still stop within T after the '
            'disconnect (it has to watch receive()). Otherwise → warning "streams forever to '
            'a dead client on pre-2.4 servers". Starlette branches on spec_version >= 2.4 for'
            ' exactly this.'
        ),
    ),
    Rule(
        id='HTTP-RECV-008',
        keyword='SHOULD*',
        detection=SCENARIO,
        source='www.rst § HTTP Connection Scope',
        summary=(
            'Request header names "should be lowercased, but it is not required", and '
            '"Duplicates are possible". Apps must match names case-insensitively and tolerate'
            ' duplicates.'
        ),
        how=(
            '[script S12] Same behaviour as the lower-case baseline.'
        ),
    ),
    Rule(
        id='HTTP-RECV-009',
        keyword='SHOULD',
        detection=SCENARIO,
        source='www.rst § HTTP',
        summary=(
            '"For ASGI applications that support HTTP/2, care should be taken to handle the '
            'special case for Cookie" (several cookie headers, or one joined with "; ").'
        ),
        how=(
            '[script S14] Both forms must give the same parsed cookies. This can only be '
            'observed through an app-specific probe (a test of the reference framework). sev:'
            ' info.'
        ),
        severity=INFO,
    ),
    Rule(
        id='HTTP-RECV-010',
        keyword='SHOULD*',
        detection=SCENARIO,
        source='www.rst § HTTP Connection Scope; § WSGI Compatibility',
        summary=(
            'root_path is "same as SCRIPT_NAME", and "PATH_INFO can be derived by stripping '
            'root_path from path". So path includes root_path, and routing should match on '
            'path[len(root_path):].'
        ),
        how=(
            '[script S13] Both variants route to the same handler. This is contested '
            '(asgiref#424) and servers have differed: Starlette and uvicorn only put '
            'root_path into path in 2024. sev: warning, and configurable. Strict-mode audit: '
            'it stands. Under uvicorn --root-path the path carries the root path, and an app '
            'that routes on the whole path (Falcon) answers 404 to every request; hypercorn '
            'does not prefix the path. A wrong answer, not a broken connection: a warning.'
        ),
        severity=WARNING,
    ),
    Rule(
        id='HTTP-RECV-011',
        keyword='MUST*',
        detection=MANUAL,
        source='www.rst § HTTP Connection Scope; § WSGI encoding differences',
        summary=(
            'path is already decoded: "percent-encoded sequences and UTF-8 byte sequences '
            'decoded into characters". query_string is still "percent-encoded". raw_path may '
            'be None. Apps must not decode path a second time, and must not expect '
            'query_string to be decoded.'
        ),
        how=(
            '[manual] Not checked: seeing a second decoding needs an app that echoes what '
            'it read (e.g. raw_path=b"/a%2525b" with path="/a%25b", query_string=b"q=%26"), '
            'and a black-box app does not. reference_app\'s own tests check it that way.'
        ),
        severity=INFO,
    ),
    Rule(
        id='HTTP-SEND-001',
        keyword='MUST*',
        detection=SEQUENCE,
        source='www.rst § Response Start - send event; § Response Body - send event',
        summary=(
            'http.response.start opens the response, and Response Body "Continues sending a '
            'response". No http.response.body before the start. (Allowed before the start: '
            'http.response.debug (DBG-APP-001) and early hints (EH-APP-002).)'
        ),
        how=(
            '[seq]'
        ),
    ),
    Rule(
        id='HTTP-SEND-002',
        keyword='MUST*',
        detection=SEQUENCE,
        source='www.rst § Response Start - send event',
        summary=(
            'Only one http.response.start per scope (one response per connection scope).'
        ),
        how=(
            '[seq] A second start → error. uvicorn raises "Unexpected ASGI message".'
        ),
    ),
    Rule(
        id='HTTP-SEND-003',
        keyword='MUST',
        detection=SEQUENCE,
        source='www.rst § Response Start - send event',
        summary=(
            'The start "Needs to be followed by at least one response content message."'
        ),
        how=(
            '[seq] When the app returns: a start was sent but no body, pathsend or '
            'zerocopysend followed → error. Not applied if a disconnect was delivered or '
            'send() raised.'
        ),
    ),
    Rule(
        id='HTTP-SEND-004',
        keyword='MUST*',
        detection=SEQUENCE,
        source='www.rst § Response Body - send event; § HTTP Connection Scope',
        summary=(
            'Complete the response before returning: the final message has more_body False or'
            ' missing. When trailers is True, completion is the final trailers message '
            '(TRL-APP-003). A pathsend, or a zerocopysend with more_body False, also '
            'completes it. "If more_body is set to False ... this will complete the '
            'response."'
        ),
        how=(
            '[seq] At return the state must be *complete*. uvicorn otherwise logs "ASGI '
            'callable returned without completing response" and closes the connection. Not '
            'applied after a disconnect.'
        ),
    ),
    Rule(
        id='HTTP-SEND-005',
        keyword='MUST*',
        detection=SEQUENCE,
        source='www.rst § HTTP Connection Scope',
        summary=(
            'The app "will be called at the start of the request, and will last until the end'
            ' of that specific request". Returning normally without ever starting a response '
            'leaves the request unanswered.'
        ),
        how=(
            '[seq] A normal return with no http.response.start and no disconnect seen → '
            'error. Servers answer 500 instead (uvicorn: "ASGI callable returned without '
            'starting response.").'
        ),
    ),
    Rule(
        id='HTTP-SEND-006',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Response Start - send event',
        summary=(
            '"status (int) -- HTTP status code."'
        ),
        how=(
            '[static] isinstance(status, int) and not isinstance(status, bool). "200" → '
            'error. IntEnum (HTTPStatus) is allowed.'
        ),
    ),
    Rule(
        id='HTTP-SEND-007',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Response Start - send event; asgi.rst § Error Handling',
        summary=(
            'headers: "An iterable of [name, value] two-item iterables", both byte strings. '
            '"Optional; if missing defaults to an empty list". Error Handling gives "Unicode '
            'strings for HTTP headers" as its example of a wrong type.'
        ),
        how=(
            '[static] Every item has exactly 2 elements, both bytes.'
        ),
    ),
    Rule(
        id='HTTP-SEND-008',
        keyword='MUST',
        detection=STATIC,
        source='www.rst § Response Start - send event',
        summary=(
            '"Header names must be lowercased."'
        ),
        how=(
            "[static] name == name.lower(). Note: the maintainer's 2021 commit message says "
            'lowercase is "not actually REQUIRE[d]", but the text for response headers still '
            'says must.'
        ),
    ),
    Rule(
        id='HTTP-SEND-009',
        keyword='MUST NOT',
        detection=STATIC,
        source='www.rst § Response Start - send event',
        summary=(
            '"Pseudo headers (present in HTTP/2 and HTTP/3) must not be present."'
        ),
        how=(
            '[static] No header name starts with b":".'
        ),
    ),
    Rule(
        id='HTTP-SEND-010',
        keyword='MAY',
        detection=STATIC,
        source='www.rst § Response Start - send event',
        summary=(
            '"You may send a Transfer-Encoding header in this message, but the server must '
            'ignore it."'
        ),
        how=(
            '[static] sev: info: a transfer-encoding header has no effect, and conflicts with'
            ' content-length if both are set.'
        ),
        severity=INFO,
    ),
    Rule(
        id='HTTP-SEND-011',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Response Body - send event',
        summary=(
            'body (*byte string*), "Optional; if missing defaults to b""".'
        ),
        how=(
            '[static] bytes only (GEN-APP-009). A str body is a classic bug.'
        ),
    ),
    Rule(
        id='HTTP-SEND-012',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Response Body - send event',
        summary=(
            'more_body (*bool*), "Optional; if missing defaults to False".'
        ),
        how=(
            '[static] type is bool. Truthy ints → error.'
        ),
    ),
    Rule(
        id='HTTP-SEND-013',
        keyword='SHOULD NOT*',
        detection=SEQUENCE,
        source='www.rst § Response Body - send event',
        summary=(
            'Once the response is complete, "any further messages on the channel will be '
            'ignored". Sending them is an app bug.'
        ),
        how=(
            '[seq] → warning. uvicorn raises RuntimeError here instead of ignoring them.'
        ),
    ),
    Rule(
        id='HTTP-SEND-014',
        keyword='MUST*',
        detection=STATIC,
        source=(
            'www.rst § Response Start - send event; § Response Body - send event; '
            'asgi.rst § Error Handling'
        ),
        summary=(
            'In an http scope the app may send only http.response.start, http.response.body, '
            'and the messages of advertised HTTP extensions (extensions.rst). Anything else '
            'is an '
            '"unknown type".'
        ),
        how=(
            '[static] E.g. websocket.send or lifespan.* in an http scope → error.'
        ),
    ),
)
