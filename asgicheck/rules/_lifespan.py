"""Catalogue, lifespan.rst: the lifespan protocol."""

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
        id='LS-APP-001',
        keyword='SHOULD',
        detection=SCENARIO,
        source='asgi.rst § Protocol Specifications (note); lifespan.rst § Scope',
        summary=(
            'An app without lifespan support should raise for a lifespan scope. If it does '
            'not, "the server will wait to start until you tell it". A raise makes a '
            'conforming server "continue but not send any lifespan events".'
        ),
        how=(
            '[script L03] *supports* or *declines* → pass. *returns silently* → warning: '
            'the spec defines declining only by raising, and servers differ (uvicorn then '
            'starts anyway, while hypercorn may wait for its startup timeout). *hangs* → '
            'error.'
        ),
    ),
    Rule(
        id='LS-APP-002',
        keyword='SHOULD',
        detection=SEQUENCE,
        source='lifespan.rst § Scope',
        summary=(
            '"If you want to log an error that occurs during lifespan startup and prevent the'
            ' server from starting, then send back lifespan.startup.failed instead" of '
            'raising.'
        ),
        how=(
            '[seq] The app raises after receive() returned lifespan.startup, before it '
            'answered the current phase with *.failed → warning: a conforming server treats '
            'that as "lifespan unsupported" and serves a half-started app. Raising after '
            'startup.failed or shutdown.failed is fine (Starlette re-raises there). Raising '
            'before lifespan.startup declines lifespan (LS-APP-001).'
        ),
    ),
    Rule(
        id='LS-APP-003',
        keyword='SHOULD*',
        detection=SEQUENCE,
        source='lifespan.rst (example implementation)',
        summary=(
            'After sending lifespan.shutdown.complete, the lifespan coroutine returns (as the'
            ' example does).'
        ),
        how=(
            '[seq] Raising instead of returning after lifespan.shutdown.complete → warning. '
            '[script L01] Returns within T after shutdown.complete.'
        ),
    ),
    Rule(
        id='LS-APP-004',
        keyword='SHOULD',
        detection=SCENARIO,
        source='lifespan.rst § Lifespan State',
        summary=(
            '"applications should be cooperative by properly naming their keys such that they'
            ' will not collide with other frameworks or middleware."'
        ),
        how=(
            '[script L01] List the keys added to state. sev: info (generic names such as db '
            'or client).'
        ),
        severity=INFO,
    ),
    Rule(
        id='LS-APP-005',
        keyword='MUST*',
        detection=SCENARIO,
        source='lifespan.rst § Scope; www.rst § HTTP Connection Scope',
        summary=(
            'state is "Optional; if missing the server does not support this feature". '
            'Without it the app must either work or fail cleanly with lifespan.startup.failed'
            ' (with a message). No KeyError crash.'
        ),
        how=(
            "[script L02] Starlette's explicit RuntimeError inside a startup.failed path is "
            'acceptable.'
        ),
    ),
    Rule(
        id='LS-APP-006',
        keyword='SHOULD*',
        detection=MANUAL,
        source='lifespan.rst § Lifespan State',
        summary=(
            'Request scopes get a *shallow copy* of the namespace. Keys an app adds to '
            'scope["state"] during a request are not seen by later requests. Objects stored '
            'at startup are shared.'
        ),
        how=(
            '[manual] Not checked: a leak shows only in what a later request reads from '
            'the state, which needs an app-specific probe (cf. hypercorn#274). '
            "reference_app's own tests check it that way."
        ),
        severity=INFO,
    ),
    Rule(
        id='LS-SEND-001',
        keyword='MUST*',
        detection=SEQUENCE,
        source='lifespan.rst § Startup Complete - send event; § Startup Failed - send event',
        summary=(
            'Answer lifespan.startup with exactly one of lifespan.startup.complete or '
            'lifespan.startup.failed ("A server must wait for this message before it starts '
            'processing connections").'
        ),
        how=(
            '[seq] The app returns after receiving lifespan.startup without sending '
            'startup.complete or startup.failed → error. A second answer is LS-SEND-002. '
            '[script L01] hangs.'
        ),
    ),
    Rule(
        id='LS-SEND-002',
        keyword='MUST*',
        detection=SEQUENCE,
        source='lifespan.rst § Startup - receive event; § Startup Complete - send event',
        summary=(
            'Send startup.* only after receiving lifespan.startup. Never send both complete '
            'and failed, and never send either twice. Sending startup.failed after complete '
            'is a known framework bug (uvicorn asserts on it; litestar#3315).'
        ),
        how=(
            '[seq]'
        ),
    ),
    Rule(
        id='LS-SEND-003',
        keyword='MUST*',
        detection=STATIC,
        source='lifespan.rst § Startup Failed - send event; § Shutdown Failed - send event',
        summary=(
            'message (*Unicode string*), "Optional; if missing defaults to """.'
        ),
        how=(
            '[static] (hypercorn once crashed with KeyError on a missing message: '
            'hypercorn#97.)'
        ),
    ),
    Rule(
        id='LS-SEND-004',
        keyword='MUST*',
        detection=SEQUENCE,
        source='lifespan.rst § Shutdown Complete - send event; § Shutdown Failed - send event',
        summary=(
            'Answer lifespan.shutdown with exactly one of lifespan.shutdown.complete or '
            'lifespan.shutdown.failed ("A server must wait for this message before '
            'terminating").'
        ),
        how=(
            '[seq] The app returns after receiving lifespan.shutdown without sending '
            'shutdown.complete or shutdown.failed, or answers shutdown twice → error. [script '
            'L01] hangs.'
        ),
    ),
    Rule(
        id='LS-SEND-005',
        keyword='MUST*',
        detection=SEQUENCE,
        source='lifespan.rst § Shutdown - receive event',
        summary=(
            'Send shutdown.* only after lifespan.shutdown was received. An unprompted '
            'shutdown.failed (e.g. a background task died) is not acted on by servers '
            '(uvicorn#2308; asgiref#276 is still open).'
        ),
        how=(
            '[seq] → error. The message explains that servers will ignore it.'
        ),
    ),
    Rule(
        id='LS-SEND-006',
        keyword='MUST*',
        detection=STATIC,
        source='lifespan.rst; asgi.rst § Error Handling',
        summary=(
            'In a lifespan scope the app sends only lifespan.* messages (uvicorn: "Got '
            'invalid message type on lifespan protocol").'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='LS-SCOPE-001',
        keyword='MUST*',
        detection=STATIC,
        source='lifespan.rst § Scope',
        summary=(
            'type is "lifespan". asgi["version"] is a str. asgi["spec_version"] is "Optional;'
            ' if missing defaults to "1.0"" (the current lifespan spec is 2.0).'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='LS-SCOPE-002',
        keyword='MUST*',
        detection=STATIC,
        source='lifespan.rst § Scope; § Lifespan State',
        summary=(
            'state, if provided, is "An empty namespace", i.e. {} at startup.'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='LS-SRV-001',
        keyword='MUST',
        detection=LIVE,
        source='lifespan.rst § Scope',
        summary=(
            '"If an exception is raised when calling the application callable with a '
            'lifespan.startup message or a scope with type lifespan, the server must continue'
            ' but not send any lifespan events."'
        ),
        how=(
            '[wire] (uvicorn: --lifespan auto logs "ASGI \'lifespan\' protocol appears '
            'unsupported." and carries on; hypercorn logs "ASGI Framework Lifespan error, '
            'continuing without Lifespan support".)'
        ),
    ),
    Rule(
        id='LS-SRV-002',
        keyword='MUST',
        detection=LIVE,
        source='lifespan.rst § Startup Complete - send event',
        summary=(
            '"A server must wait for this message before it starts processing connections."'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='LS-SRV-003',
        keyword='SHOULD',
        detection=LIVE,
        source='lifespan.rst § Startup Failed - send event',
        summary=(
            '"If a server sees this it should log/print the message provided and then exit."'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='LS-SRV-004',
        keyword='MUST*',
        detection=SEQUENCE,
        source='lifespan.rst § Startup - receive event; § Shutdown - receive event',
        summary=(
            'lifespan.startup is sent "when the server is ready to startup and receive '
            'connections, but before it has started to do so". lifespan.shutdown is sent '
            '"when the server has stopped accepting connections and closed all active '
            'connections".'
        ),
        how=(
            '[seq] The order: lifespan.startup first and once; lifespan.shutdown once, only '
            'after the app answered startup. [wire] The timing against accepting and closing '
            'connections.'
        ),
    ),
    Rule(
        id='LS-SRV-005',
        keyword='MUST',
        detection=LIVE,
        source='lifespan.rst § Shutdown Complete - send event',
        summary=(
            '"A server must wait for this message before terminating."'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='LS-SRV-006',
        keyword='SHOULD',
        detection=LIVE,
        source='lifespan.rst § Shutdown Failed - send event',
        summary=(
            '"If a server sees this it should log/print the message provided and then '
            'terminate."'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='LS-SRV-007',
        keyword='MUST',
        detection=LIVE,
        source='lifespan.rst § Lifespan State',
        summary=(
            '"The server will ensure that a shallow copy of the namespace is passed into each'
            ' subsequent request/response call"; "the server will not interact with it other '
            'than to copy it."'
        ),
        how=(
            '[wire]/harness: every http/websocket scope gets dict(lifespan_state), a fresh '
            'copy each time (hypercorn#274 leaked state between requests; uvicorn#1903).'
        ),
    ),
    Rule(
        id='LS-SRV-008',
        keyword='SHOULD',
        detection=LIVE,
        source='lifespan.rst (introduction)',
        summary=(
            '"Lifespans should be executed once per event loop"; "The important part is that '
            'lifespans and requests are run in the same event loop".'
        ),
        how=(
            'Harness: asgicheck must run lifespan and requests on one loop. [wire] info.'
        ),
    ),
)
