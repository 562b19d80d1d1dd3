"""Catalogue, extensions.rst: the HTTP response extensions.

Trailers, server push, zero-copy send, path send, early hints and debug.
"""

from __future__ import annotations

from asgicheck.violations import Detection, Rule

STATIC = Detection.STATIC
SEQUENCE = Detection.SEQUENCE
SCENARIO = Detection.SCENARIO
LIVE = Detection.LIVE
MANUAL = Detection.MANUAL

RULES: tuple[Rule, ...] = (
    Rule(
        id='TRL-APP-001',
        keyword='MUST',
        detection=SEQUENCE,
        source='extensions.rst § HTTP Trailers',
        summary=(
            '"An ASGI framework interested in sending trailing headers to the client, must '
            'set the field trailers in Response Start as True."'
        ),
        how=(
            '[seq] A http.response.trailers without trailers: True on the start → error.'
        ),
    ),
    Rule(
        id='TRL-APP-002',
        keyword='MUST*',
        detection=STATIC,
        source='www.rst § Response Start - send event',
        summary=(
            'trailers (*bool*): "Optional; if missing defaults to False".'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='TRL-APP-003',
        keyword='MUST*',
        detection=SEQUENCE,
        source='www.rst § Response Start - send event; extensions.rst § HTTP Trailers',
        summary=(
            'With trailers: True, the server "must wait until it receives a '
            '"http.response.trailers" message after the Response Body event". So the app must'
            ' send it after the final body (more_body False). Only then is the response '
            'complete.'
        ),
        how=(
            '[seq] At return: trailers=True but no trailers message → error (the server hangs'
            ' or truncates).'
        ),
    ),
    Rule(
        id='TRL-APP-004',
        keyword='MUST*',
        detection=SEQUENCE,
        source='extensions.rst § HTTP Trailers',
        summary=(
            'Trailers come "after the last http.response.body message (more_body being '
            'False)", never before or between body chunks.'
        ),
        how=(
            '[seq]'
        ),
    ),
    Rule(
        id='TRL-APP-005',
        keyword='MUST',
        detection=STATIC,
        source='extensions.rst § HTTP Trailers',
        summary=(
            'Trailers headers: [name, value] byte pairs. "Header names must be lowercased. '
            'Pseudo headers ... must not be present."'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='TRL-APP-006',
        keyword='MUST*',
        detection=SEQUENCE,
        source='extensions.rst § HTTP Trailers',
        summary=(
            'more_trailers (*bool*), default False. When it is False the "response will be '
            'taken as complete and closed, and any further messages on the channel will be '
            'ignored".'
        ),
        how=(
            '[seq] Messages after the final trailers → warning (as HTTP-SEND-013).'
        ),
    ),
    Rule(
        id='TRL-APP-007',
        keyword='SHOULD*',
        detection=SEQUENCE,
        source='extensions.rst § HTTP Trailers',
        summary=(
            '"The ASGI framework is in charge of sending the Trailer headers to let the '
            'client know which trailing headers the server will send" (the server does not '
            'validate them).'
        ),
        how=(
            '[seq] trailers=True with no trailer response header, or trailer names that the '
            'trailer header does not list → warning.'
        ),
    ),
    Rule(
        id='TRL-SRV-001',
        keyword='MUST',
        detection=LIVE,
        source='www.rst § Response Start - send event',
        summary=(
            'With trailers: True, "the server must wait until it receives a '
            'http.response.trailers message".'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='TRL-SRV-002',
        keyword='MUST*',
        detection=LIVE,
        source='extensions.rst § HTTP Trailers',
        summary=(
            '"The ASGI server will only send the trailing headers in case the client has sent'
            ' the TE: trailers header in the request."'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='TRL-SRV-003',
        keyword='MAY',
        detection=MANUAL,
        source='extensions.rst § HTTP Trailers',
        summary=(
            '"The ASGI server is not responsible for validating the Trailer headers '
            'provided."'
        ),
        how=(
            '[manual]'
        ),
    ),
    Rule(
        id='PUSH-APP-001',
        keyword='MUST*',
        detection=SEQUENCE,
        source='extensions.rst § HTTP/2 Server Push',
        summary=(
            'The push message "can be sent at any time after the Response Start message but '
            'before the final Response Body message."'
        ),
        how=(
            '[seq]'
        ),
    ),
    Rule(
        id='PUSH-APP-002',
        keyword='MUST',
        detection=STATIC,
        source='extensions.rst § HTTP/2 Server Push',
        summary=(
            "path (str, decoded like the scope's path). headers: [name, value] byte pairs, "
            '"Header names must be lowercased. Pseudo headers ... must not be present."'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='PUSH-SRV-001',
        keyword='SHOULD',
        detection=LIVE,
        source='extensions.rst § HTTP/2 Server Push',
        summary=(
            '"The ASGI server should then attempt to send a server push ... If the client '
            'supports server push, the server should create a new connection to a new '
            'instance of the application and treat it as if the client had made a request."'
        ),
        how=(
            '[wire h2]'
        ),
    ),
    Rule(
        id='PUSH-SRV-002',
        keyword='SHOULD',
        detection=LIVE,
        source='extensions.rst § HTTP/2 Server Push',
        summary=(
            '"The ASGI server should set the pseudo :authority header value to be the same '
            'value as the request that triggered the push promise."'
        ),
        how=(
            '[wire h2]'
        ),
    ),
    Rule(
        id='ZC-APP-001',
        keyword='MUST*',
        detection=SEQUENCE,
        source='extensions.rst § Zero Copy Send',
        summary=(
            'Can be sent "at any time after the Response Start message but before the final '
            'Response Body message". It "can be mixed with http.response.body" and may be '
            'sent "multiple times in one response".'
        ),
        how=(
            '[seq]'
        ),
    ),
    Rule(
        id='ZC-APP-002',
        keyword='MUST*',
        detection=STATIC,
        source='extensions.rst § Zero Copy Send',
        summary=(
            'file: "An opened file descriptor object with an underlying OS file descriptor '
            'that can be used to call os.sendfile. (e.g. not BytesIO)". This is the one '
            'allowed exception to GEN-APP-005.'
        ),
        how=(
            '[static] file.fileno() works and returns an int ≥ 0.'
        ),
    ),
    Rule(
        id='ZC-APP-003',
        keyword='MUST*',
        detection=STATIC,
        source='extensions.rst § Zero Copy Send',
        summary=(
            'offset (int, optional), count (int, optional), more_body (bool, default False; '
            'False completes the response, like the body message).'
        ),
        how=(
            '[static] [seq]'
        ),
    ),
    Rule(
        id='ZC-APP-004',
        keyword='SHOULD',
        detection=SEQUENCE,
        source='extensions.rst § Zero Copy Send',
        summary=(
            '"After calling this extension to respond, the ASGI application itself should '
            'actively close the used file descriptor - ASGI servers are not responsible for '
            'closing descriptors."'
        ),
        how=(
            '[script] At the end of the exchange file.closed is True → otherwise warning (fd '
            'leak).'
        ),
    ),
    Rule(
        id='ZC-SRV-001',
        keyword='SHOULD',
        detection=LIVE,
        source='extensions.rst § Zero Copy Send',
        summary=(
            '"Except for the characteristics of zero-copy, it should behave the same as '
            'ordinary http.response.body", and the server does not close the fd.'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='PS-APP-001',
        keyword='MUST',
        detection=SEQUENCE,
        source='extensions.rst § Path Send',
        summary=(
            'Sent after the Response Start; it "cannot be mixed with http.response.body. It '
            'can be called just one time in one response." Like a final body, it completes '
            'the response.'
        ),
        how=(
            '[seq] A body message before or after pathsend, or two pathsends → error.'
        ),
    ),
    Rule(
        id='PS-APP-002',
        keyword='MUST*',
        detection=STATIC,
        source='extensions.rst § Path Send',
        summary=(
            'path (*Unicode string*): "The string representation of the absolute file path to'
            ' be sent by the server".'
        ),
        how=(
            '[static] isinstance(path, str) and os.path.isabs(path). Whether the file exists '
            '→ warning.'
        ),
    ),
    Rule(
        id='PS-APP-003',
        keyword='MUST*',
        detection=SEQUENCE,
        source='extensions.rst § Path Send',
        summary=(
            '"The ASGI application itself is responsible to send the relevant headers in the '
            'Response Start message, like the Content-Type and Content-Length headers".'
        ),
        how=(
            '[seq] content-length missing, or different from os.path.getsize(path) → '
            'warning/error. content-type missing → warning.'
        ),
    ),
    Rule(
        id='PS-SRV-001',
        keyword='SHOULD',
        detection=LIVE,
        source='extensions.rst § Path Send',
        summary=(
            '"Except for the characteristics of path-send, it should behave the same as '
            'ordinary http.response.body."'
        ),
        how=(
            '[wire] (Offset/count support is only a proposal, asgiref PR #538, not '
            'normative.)'
        ),
    ),
    Rule(
        id='EH-APP-001',
        keyword='MUST*',
        detection=STATIC,
        source='extensions.rst § Early Hints',
        summary=(
            'links (*Iterable[byte string]*): "An iterable of link header field values, see '
            'RFC 8288."'
        ),
        how=(
            '[static] Every item is bytes.'
        ),
    ),
    Rule(
        id='EH-APP-002',
        keyword='MAY',
        detection=SEQUENCE,
        source='extensions.rst § Early Hints',
        summary=(
            'May be sent "at any time (and multiple times)". The snapshot text says "after '
            'the Response Start message but before the final Response Body message". That '
            "contradicts HTTP 103 semantics and Hypercorn's implementation, and upstream "
            'asgiref PR #579 (2026-08-09) changed it to before http.response.start.'
        ),
        how=(
            '[seq] Early hints before the start → pass. After the start → warning ("allowed '
            'by the snapshot text, but ignored or rejected by servers; upstream changed the '
            'rule"). After the final body → error.'
        ),
    ),
    Rule(
        id='EH-SRV-001',
        keyword='SHOULD',
        detection=LIVE,
        source='extensions.rst § Early Hints',
        summary=(
            '"The ASGI server should then attempt to send an informational response to the '
            'client with the provided links as Link headers. The server may decide to ignore '
            'this message, for example if the HTTP/1.1 protocol is used".'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='DBG-APP-001',
        keyword='MUST',
        detection=SEQUENCE,
        source='extensions.rst § Debug',
        summary=(
            '"This message must be sent once, before the Response Start message."'
        ),
        how=(
            '[seq] Sent after the start, or twice → error.'
        ),
    ),
    Rule(
        id='DBG-APP-002',
        keyword='MUST*',
        detection=STATIC,
        source='extensions.rst § Debug',
        summary=(
            'info (*Dict[Unicode string, Any]*). The values are free-form (Starlette sends '
            'template objects), so GEN-APP-005 does not apply to them.'
        ),
        how=(
            '[static] A dict with str keys.'
        ),
    ),
    Rule(
        id='DBG-SRV-001',
        keyword='SHOULD NOT',
        detection=LIVE,
        source='extensions.rst § Debug',
        summary=(
            '"This extension is not meant to be used in production, only for testing '
            'purposes, and ASGI servers should not implement it." Test clients may, and the '
            'asgicheck harness should advertise it (so it can capture info).'
        ),
        how=(
            '[wire] A production server advertising it → warning.'
        ),
    ),
)
