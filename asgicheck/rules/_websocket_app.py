"""Catalogue, www.rst, WebSocket: requirements on applications."""

from __future__ import annotations

from asgicheck.violations import Detection, Rule, Severity

STATIC = Detection.STATIC
SEQUENCE = Detection.SEQUENCE
SCENARIO = Detection.SCENARIO
INFO = Severity.INFO

RULES: tuple[Rule, ...] = (
    Rule(
        id='WS-RECV-001',
        keyword='SHOULD',
        detection=SEQUENCE,
        source='asgi.rst § Connection Scope; www.rst § Connect - receive event',
        summary=(
            '"applications may have to wait for an initial opening message before '
            'communicating with the client". For WebSocket that message is websocket.connect.'
        ),
        how=(
            '[seq] A note (info) if websocket.accept, websocket.close or a denial response is '
            "sent before the app's first receive() has returned websocket.connect; the reply "
            'still counts as the handshake answer. Script W06 (delayed connect) makes the '
            'race visible. Only a note: "may have to wait" permits it, nothing in www.rst '
            'requires reading websocket.connect first, and uvicorn and hypercorn deliver it at '
            'once. (Strict-mode audit: Quart and BlackSheep answer before reading it; that no '
            'longer fails --asgicheck-strict.)'
        ),
        severity=INFO,
    ),
    Rule(
        id='WS-RECV-002',
        keyword='MUST*',
        detection=SCENARIO,
        source='www.rst § Receive - receive event',
        summary=(
            '"Exactly one of bytes or text must be non-None. One or both keys may be present,'
            ' however." The app must pick the payload by the non-None value, not by which key'
            ' is present (a missing key equals None).'
        ),
        how=(
            '[script W02] All four shapes handled the same way. KeyError, or treating '
            'text=None as a message → error.'
        ),
    ),
    Rule(
        id='WS-RECV-003',
        keyword='MUST*',
        detection=SCENARIO,
        source='www.rst § Disconnect - receive event (WebSocket)',
        summary=(
            'websocket.disconnect can arrive at any point after connect: before the app has '
            'accepted, after accept, during a send loop. It is a valid event and ends the '
            'session.'
        ),
        how=(
            '[script W03, W04] A crash on it, or calling receive() again and waiting for data'
            ' (hang past T) → error.'
        ),
    ),
    Rule(
        id='WS-RECV-004',
        keyword='MUST*',
        detection=SCENARIO,
        source='www.rst § Disconnect - receive event (WebSocket); § Spec Versions',
        summary=(
            'code is any int (1005 when the client sent none; servers also use 1006 and '
            '1012). reason may be missing or None (before 2.5); it then defaults to "".'
        ),
        how=(
            '[script W03] No crash when reason is missing or None.'
        ),
    ),
    Rule(
        id='WS-RECV-005',
        keyword='SHOULD',
        detection=SEQUENCE,
        source='www.rst § Disconnect - receive event (WebSocket)',
        summary=(
            '"Once you have received this event, you should expect future calls to send() to '
            'raise an exception".'
        ),
        how=(
            '[seq] The first send() after a send() raised (a retry) → warning, once per '
            'connection. The first send() after the app received websocket.disconnect → info '
            'only: the spec asks apps to expect send() to raise then, not to never send '
            "(uvicorn's default implementation raises ClientDisconnected, hypercorn drops the "
            "message). A message that is wrong anyway (e.g. after the app's own close) is "
            'reported under that rule instead. Script W07 provokes it. (Strict-mode audit: '
            'Quart and Litestar send after a disconnect; that no longer fails --asgicheck-strict.)'
        ),
    ),
    Rule(
        id='WS-RECV-006',
        keyword='MAY',
        detection=SCENARIO,
        source='www.rst § Disconnected Client - send exception (WebSocket)',
        summary=(
            '"Applications may catch this exception and do cleanup work before re-raising it '
            'or returning with no exception."'
        ),
        how=(
            '[script W07] Same acceptable ends as HTTP-RECV-006.'
        ),
    ),
    Rule(
        id='WS-APP-001',
        keyword='SHOULD',
        detection=SCENARIO,
        source='www.rst § Websocket Connection Scope',
        summary=(
            '"WebSocket connections\' scope lives as long as the socket itself - if the '
            'application dies the socket should be closed, and vice-versa." The app should '
            'return once the socket is gone.'
        ),
        how=(
            '[script W01, W03] The coroutine returns within T (default 1 s) after '
            'websocket.disconnect. Otherwise → warning "leaked connection task".'
        ),
    ),
    Rule(
        id='WS-SEND-001',
        keyword='MUST',
        detection=SEQUENCE,
        source='www.rst § Connect - receive event',
        summary=(
            '"This message must be responded to with either an Accept message or a Close '
            'message before the socket will pass websocket.receive messages." With WSD '
            'advertised, websocket.http.response.start is a third option.'
        ),
        how=(
            '[seq] The first message sent after connect is websocket.accept, websocket.close,'
            ' or (if advertised) websocket.http.response.start. Returning with no reply → '
            'error (uvicorn: "ASGI callable returned without completing handshake", then '
            '500).'
        ),
    ),
    Rule(
        id='WS-SEND-002',
        keyword='MUST*',
        detection=SEQUENCE,
        source='www.rst § Connect - receive event; § Accept - send event',
        summary=(
            'No websocket.send before websocket.accept: no data frames exist before the '
            'handshake completes.'
        ),
        how=(
            '[seq]'
        ),
    ),
    Rule(
        id='WS-SEND-003',
        keyword='MUST*',
        detection=SEQUENCE,
        source='www.rst § Accept - send event',
        summary=(
            'websocket.accept at most once, and never after websocket.close or a denial '
            'response.'
        ),
        how=(
            '[seq] A second accept, or an accept after websocket.close or after a denial '
            'response started, is reported here (not under WS-SEND-015 or WSD-APP-002). '
            '(uvicorn: "Expected ASGI message \'websocket.send\' or \'websocket.close\', but got '
            '\'websocket.accept\'").'
        ),
    ),
    Rule(
        id='WS-SEND-004',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Accept - send event',
        summary=(
            'subprotocol (*Unicode string*): "Optional; if missing defaults to None".'
        ),
        how=(
            '[static] str or None. Whether it is one the client offered: X-WS-001.'
        ),
    ),
    Rule(
        id='WS-SEND-005',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Accept - send event',
        summary=(
            'headers: an iterable of [name, value] pairs of bytes, "Optional; if missing '
            'defaults to an empty list".'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SEND-006',
        keyword='MUST',
        detection=STATIC,
        source='www.rst § Accept - send event',
        summary=(
            'Accept headers: "Header names must be lowercased."'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SEND-007',
        keyword='MUST NOT',
        detection=STATIC,
        source='www.rst § Accept - send event',
        summary=(
            'Accept headers: "Must not include a header named sec-websocket-protocol; use the'
            ' subprotocol key instead."'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SEND-008',
        keyword='MUST NOT',
        detection=STATIC,
        source='www.rst § Accept - send event',
        summary=(
            'Accept headers: "Pseudo headers (present in HTTP/2 and HTTP/3) must not be '
            'present."'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SEND-009',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Spec Versions; § Accept - send event',
        summary=(
            'Accept headers were "Added in spec version 2.1". "If a server tells you it only '
            'supports version 2.0 of this spec, then sending headers with a WebSocket Accept '
            'message is an error".'
        ),
        how=(
            '[static] Non-empty headers on websocket.accept while '
            'scope[\'asgi\'][\'spec_version\'] is missing or "2.0" → error. Script W05 runs the '
            'low versions.'
        ),
    ),
    Rule(
        id='WS-SEND-010',
        keyword='MUST',
        detection=STATIC,
        source='www.rst § Send - send event',
        summary=(
            'websocket.send: "Exactly one of bytes or text must be non-None. One or both keys'
            ' may be present, however."'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SEND-011',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Send - send event',
        summary=(
            'bytes is a byte string or None; text is a Unicode string or None.'
        ),
        how=(
            '[static] A str in bytes, or bytes in text → error.'
        ),
    ),
    Rule(
        id='WS-SEND-012',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Close - send event',
        summary=(
            'websocket.close: code (*int*), "Optional; if missing defaults to 1000". reason '
            '(*Unicode string*), "Optional; if missing or None default is empty string".'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SEND-013',
        keyword='SHOULD*',
        detection=STATIC,
        source='www.rst § Spec Versions (2.3)',
        summary=(
            'reason on close exists only from 2.3. An older server ignores it (GEN-SRV-002), '
            'so the reason is silently lost.'
        ),
        how=(
            '[static] A non-empty reason while spec_version < "2.3" → info: the server '
            'ignores the extra key (GEN-SRV-002), so nothing breaks but the reason never '
            'reaches the client. Script W05 runs the low versions.'
        ),
        severity=INFO,
    ),
    Rule(
        id='WS-SEND-014',
        keyword='SHOULD*',
        detection=STATIC,
        source='www.rst § Close - send event → RFC 6455 §7.4',
        summary=(
            'code is "The WebSocket close code, as per the WebSocket spec": 1000–1003, '
            '1007–1014 or 3000–4999. Never 1005, 1006 or 1015, which "MUST NOT be set as a '
            'status code in a Close control frame by an endpoint" (RFC 6455).'
        ),
        how=(
            '[static] After accept only. Before accept the code never reaches the client (the'
            ' server answers 403), so send info instead.'
        ),
    ),
    Rule(
        id='WS-SEND-015',
        keyword='SHOULD NOT*',
        detection=SEQUENCE,
        source='www.rst § Close - send event; asgi.rst § Error Handling',
        summary=(
            'Nothing after websocket.close: no send, accept or second close. What servers do '
            'with such messages varies: no-op (asgi.rst), an OSError (2.4), or a RuntimeError'
            ' (uvicorn).'
        ),
        how=(
            '[seq] websocket.send, a second websocket.close or a denial message after '
            'websocket.close → warning (an accept after close is WS-SEND-003).'
        ),
    ),
    Rule(
        id='WS-SEND-016',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § WebSocket; asgi.rst § Error Handling',
        summary=(
            'In a websocket scope only websocket.accept, websocket.send and websocket.close '
            'may be sent, plus websocket.http.response.* when advertised. http.response.* is '
            'an unknown type there.'
        ),
        how=(
            '[static]'
        ),
    ),
)
