"""Catalogue, www.rst, WebSocket: requirements on servers."""

from __future__ import annotations

from asgicheck.violations import Detection, Rule, Severity

STATIC = Detection.STATIC
SEQUENCE = Detection.SEQUENCE
LIVE = Detection.LIVE
INFO = Severity.INFO

RULES: tuple[Rule, ...] = (
    Rule(
        id='WS-SCOPE-001',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § WebSocket; § Websocket Connection Scope',
        summary=(
            'type is "websocket".'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SCOPE-002',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope',
        summary=(
            'asgi["version"] is a str. asgi["spec_version"] is a str, "Optional; if missing '
            'assume "2.0"". The text still lists only "2.0"–"2.3", which is stale: any '
            '"2.x" is accepted.'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SCOPE-003',
        keyword='MUST',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope',
        summary=(
            'http_version: "One of "1.1" or "2". Optional; if missing default is "1.1"."'
        ),
        how=(
            '[static] "3" (RFC 9220, websockets over HTTP/3) is accepted too, as for '
            'HTTP.'
        ),
    ),
    Rule(
        id='WS-SCOPE-004',
        keyword='MUST',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope',
        summary=(
            'scheme: "Optional (but must not be empty); default is "ws"" (likely "ws" or '
            '"wss").'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SCOPE-005',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope',
        summary=(
            'path is a decoded str (as in HTTP). raw_path is bytes "excluding any query '
            'string, unmodified", "Optional; if missing defaults to None" (query exclusion '
            'clarified 2024-10).'
        ),
        how=(
            '[static] Same checks as HTTP-SCOPE-006/007.'
        ),
    ),
    Rule(
        id='WS-SCOPE-006',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope',
        summary=(
            'query_string (bytes): "Optional; if missing or None default is empty string". '
            'Unlike HTTP it is optional, and the text does not say "percent-encoded".'
        ),
        how=(
            '[static] bytes, None or missing.'
        ),
    ),
    Rule(
        id='WS-SCOPE-007',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope',
        summary=(
            'root_path (str): "Optional; if missing defaults to empty string".'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SCOPE-008',
        keyword='MUST',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope',
        summary=(
            'headers are [name, value] pairs of bytes; "duplicates are possible and must be '
            'preserved in the message as received".'
        ),
        how=(
            '[static] / [wire]'
        ),
    ),
    Rule(
        id='WS-SCOPE-009',
        keyword='SHOULD',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope',
        summary=(
            '"Order should be preserved from the original HTTP request" (only *should*, where'
            ' HTTP says must). "Header names should be lowercased, but it is not required".'
        ),
        how=(
            '[static] Upper-case header names → info ("not required"). [wire] Order.'
        ),
        severity=INFO,
    ),
    Rule(
        id='WS-SCOPE-010',
        keyword='MUST',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope',
        summary=(
            '"Pseudo headers ... must be removed; if :authority is present its value must be '
            'added to the start of the iterable with host as the header name or replace any '
            'existing host header".'
        ),
        how=(
            '[static] / [wire h2]'
        ),
    ),
    Rule(
        id='WS-SCOPE-011',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope',
        summary=(
            'client is [host, port] or None. server is [host, port], [path, None] or None (as'
            ' HTTP-SCOPE-014/015).'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SCOPE-012',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope',
        summary=(
            'subprotocols (*Iterable[Unicode string]*): "Subprotocols the client advertised. '
            'Optional; if missing defaults to empty list."'
        ),
        how=(
            '[static] [wire] It matches Sec-WebSocket-Protocol, split on commas.'
        ),
    ),
    Rule(
        id='WS-SCOPE-013',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Websocket Connection Scope; lifespan.rst § Lifespan State',
        summary=(
            'state, if present, is a dict copied from the lifespan namespace.'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-EVT-001',
        keyword='MUST',
        detection=LIVE,
        source='www.rst § Connect - receive event',
        summary=(
            '"The protocol server must send this message during the handshake phase of the '
            'WebSocket and not complete the handshake until it gets a reply, returning HTTP '
            'status code 403 if the connection is denied."'
        ),
        how=(
            '[wire] The handshake stays pending until the probe app accepts.'
        ),
    ),
    Rule(
        id='WS-EVT-002',
        keyword='MUST*',
        detection=SEQUENCE,
        source='www.rst § Connect - receive event',
        summary=(
            'No websocket.receive is delivered before the app has accepted ("before the '
            'socket will pass websocket.receive messages").'
        ),
        how=(
            '[seq] Self-check of the harness: websocket.receive before the app accepted, or '
            'after it closed before accept or sent a denial response → error.'
        ),
    ),
    Rule(
        id='WS-EVT-003',
        keyword='MUST',
        detection=STATIC,
        source='www.rst § Receive - receive event',
        summary=(
            'websocket.receive: "Exactly one of bytes or text must be non-None". Binary '
            'frames go in bytes, text frames in text.'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-EVT-004',
        keyword='SHOULD',
        detection=LIVE,
        source='www.rst § WebSocket',
        summary=(
            '"WebSocket protocol servers should handle message fragmentation themselves, and '
            'deliver complete messages to the application."'
        ),
        how=(
            '[wire] Send a fragmented message; it must arrive as one event.'
        ),
    ),
    Rule(
        id='WS-EVT-005',
        keyword='MUST*',
        detection=LIVE,
        source='www.rst § Disconnect - receive event (WebSocket)',
        summary=(
            'websocket.disconnect is sent when the connection is lost "from the client '
            'closing the connection, the server closing the connection, or loss of the '
            'socket". The maintainer reads this as covering every close, including after an '
            'app close or a denial (asgiref#381).'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='WS-EVT-006',
        keyword='SHOULD',
        detection=LIVE,
        source='www.rst § Disconnect - receive event (WebSocket)',
        summary=(
            'code: "If no code was received in the frame from the client, the server should '
            'set this to 1005".'
        ),
        how=(
            '[wire] The client closes without a code → 1005.'
        ),
    ),
    Rule(
        id='WS-EVT-007',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Disconnect - receive event (WebSocket); § Spec Versions (2.5)',
        summary=(
            'reason (str; 2.5+), "Optional; if missing or None default is empty string".'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='WS-SRV-001',
        keyword='SHOULD',
        detection=LIVE,
        source='www.rst § WebSocket',
        summary=(
            '"WebSocket protocol servers should handle PING/PONG messages themselves, and '
            'send PING messages as necessary to ensure the connection is alive."'
        ),
        how=(
            '[wire] Pings never reach the app.'
        ),
    ),
    Rule(
        id='WS-SRV-002',
        keyword='MUST',
        detection=LIVE,
        source='www.rst § Close - send event',
        summary=(
            'A close "sent before the socket is accepted": the "server must close the '
            'connection with a HTTP 403 error code (Forbidden), and not complete the '
            'WebSocket handshake".'
        ),
        how=(
            '[wire] HTTP 403, no 101. (Bugs reported: uvicorn+wsproto#811, granian#818.)'
        ),
    ),
    Rule(
        id='WS-SRV-003',
        keyword='MUST',
        detection=LIVE,
        source='www.rst § Close - send event',
        summary=(
            'A close "sent after the socket is accepted": the "server must close the socket '
            'with the close code passed in the message (or 1000 if none is specified)".'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='WS-SRV-004',
        keyword='MUST*',
        detection=LIVE,
        source='www.rst § Accept - send event',
        summary=(
            'subprotocol becomes the Sec-WebSocket-Protocol response header, and accept '
            'headers are added to the 101 response in order ("Order must be preserved in the '
            'HTTP response").'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='WS-SRV-005',
        keyword='SHOULD',
        detection=LIVE,
        source='www.rst § Websocket Connection Scope',
        summary=(
            '"if the application dies the socket should be closed".'
        ),
        how=(
            '[wire] The probe app returns or raises after accept → the socket is closed '
            '(1006/1011 seen in practice).'
        ),
    ),
    Rule(
        id='WS-SRV-006',
        keyword='SHOULD',
        detection=LIVE,
        source='www.rst § Disconnected Client - send exception (WebSocket)',
        summary=(
            'send() on a closed connection "should raise a server-specific subclass of '
            'OSError" (2.4).'
        ),
        how=(
            '[wire] uvicorn has done this for WebSocket since 2024 (uvicorn#2218). For HTTP '
            'it was reverted (uvicorn#2276), and uvicorn advertises spec_version "2.3" '
            'there.'
        ),
    ),
    Rule(
        id='WS-SRV-007',
        keyword='MUST',
        detection=LIVE,
        source='www.rst § Disconnected Client - send exception (WebSocket)',
        summary=(
            '"Servers must be prepared to catch this exception if they raised it and should '
            'not log it as an error".'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='WS-EVT-008',
        keyword='MUST*',
        detection=LIVE,
        source='www.rst § Disconnect - receive event (WebSocket)',
        summary=(
            'code (int): "The WebSocket close code, as per the WebSocket spec", i.e. the code '
            'in the close frame the client sent (RFC 6455 §7.1.5). 1006 is reserved for a '
            'connection lost without a close frame, so reporting 1006 for a clean close hides '
            'why the client left (hypercorn#127).'
        ),
        how=(
            '[wire] The client closes with code 1000 and a reason; the app must be told 1000.'
        ),
    ),
)
