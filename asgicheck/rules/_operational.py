"""Catalogue, asgicheck's own findings: an app that crashes, hangs, blocks or leaks.

These are not sentences of the spec but what follows from it for a server that has to keep
running: asgi.rst says applications "must run as async / await compatible coroutines" and are
"called once per connection". A finding here leaves the app hung, leaking or crashed, so it fails
a run whatever its level (``fatal``).
"""

from __future__ import annotations

from asgicheck.violations import Detection, Rule, Severity

SEQUENCE = Detection.SEQUENCE
SCENARIO = Detection.SCENARIO

RULES: tuple[Rule, ...] = (
    Rule(
        id='OPS-APP-001',
        keyword='SHOULD*',
        detection=SEQUENCE,
        source='asgi.rst § Error Handling',
        summary=(
            'A well-formed request does not make the app raise. An exception "must terminate '
            'the application instance and its associated connection": before the response '
            'starts the client gets a 500, after it a truncated response.'
        ),
        how=(
            'The app raised from an http or websocket call. Not reported when it re-raises '
            'the OSError its send() raised after a disconnect (HTTP-RECV-006, WS-RECV-006; '
            'also when the exception it raises carries that OSError as its cause, context or '
            'in an exception group), nor after a complete response or a closed socket, when '
            'the client already has its answer. Any other exception after the client left is '
            'a warning (nobody gets a 500, but servers log an application error for every '
            'client that leaves); the rule is fatal, so it still fails the run.'
        ),
        severity=Severity.ERROR,
        fatal=True,
    ),
    Rule(
        id='OPS-APP-002',
        keyword='MUST*',
        detection=SCENARIO,
        source='asgi.rst § Applications',
        summary=(
            'The app "is called once per connection" and returns when the connection is over. '
            'An app still running at the deadline is hung: the server holds a task forever.'
        ),
        how='The exchange is given a hard deadline; the app is cancelled when it passes.',
        fatal=True,
    ),
    Rule(
        id='OPS-APP-003',
        keyword='SHOULD',
        detection=SCENARIO,
        source='asgi.rst § Overview',
        summary=(
            'ASGI applications "must run as async / await compatible coroutines": blocking '
            'calls (time.sleep, sync I/O) or loops that never await freeze every other '
            'connection the server is serving.'
        ),
        how=(
            'A heartbeat on the event loop measures the longest stall while the app runs; a '
            'stall above the threshold (100 ms by default) is reported.'
        ),
        fatal=True,
    ),
    Rule(
        id='OPS-APP-004',
        keyword='SHOULD*',
        detection=SEQUENCE,
        source='asgi.rst § Applications',
        summary=(
            'The application coroutine returns None: everything it has to say goes through '
            'send(). A returned value is ignored by servers (uvicorn logs "ASGI callable should '
            'return None").'
        ),
        how='The value the app call returned is not None.',
    ),
    Rule(
        id='OPS-APP-005',
        keyword='MUST*',
        detection=SCENARIO,
        source='asgi.rst § Applications',
        summary=(
            'One app object serves many connections at once, each in its own call: per-'
            'connection state (scope, receive, send, the response) must not live on the '
            'shared instance or in globals, or responses cross between clients.'
        ),
        how=(
            'Concurrent exchanges with distinct paths and bodies through the same app object; '
            'each must get its own, complete response. [script C01-after-abort] A request the '
            'client abandons (mid-body, or mid-stream), then the plain request, one after the '
            'other and at once: the plain one must get the answer it gets alone, with none of '
            'the abandoned request\'s bytes.'
        ),
    ),
    Rule(
        id='OPS-APP-006',
        keyword='MUST*',
        detection=SCENARIO,
        source='asgi.rst § Applications; www.rst § Disconnected Client - send exception',
        summary=(
            'A connection\'s send() belongs to its own call: once that call has returned, the '
            'connection is over and nothing may send on it. A registry of connections (a '
            'broadcast list, a subscriber set) must drop each one as it ends, or every later '
            'broadcast goes to dead connections: under uvicorn 0.55 that send() raises in the '
            'sender\'s handler, so a live client\'s connection ends with it; under hypercorn '
            '0.18 it is dropped and the registry grows without bound.'
        ),
        how=(
            '[script C02-two-clients, C01-after-abort] Two clients through the same app '
            'object (websocket: one leaves early, the other keeps talking; http: one abandons '
            'its request while the other is answered). A wrapper records each send() made on '
            'a connection after its app call returned, and which connection\'s task made it.'
        ),
        fatal=True,
    ),
)
