"""Catalogue, asgi.rst: the ASGI 3 callable, messages, middleware and errors."""

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
        id='GEN-APP-001',
        keyword='MUST',
        detection=SCENARIO,
        source='asgi.rst § Overview; § Applications',
        summary=(
            'The app is an async callable coroutine application(scope, receive, send): "ASGI '
            'applications must run as async / await compatible coroutines"; "ASGI '
            'applications should be a single async callable".'
        ),
        how=(
            "[static] Detect the callable's style the way "
            'asgiref.compatibility.is_double_callable does (hint attributes, then class vs '
            'instance __call__ vs function). Calling it must return an awaitable. A sync '
            'callable that returns something that is not awaitable → error. A plain '
            '`def app(scope, receive, send)` is reported before anything runs, as the one item '
            'of the run (general/G00-asgi-callable): the app is never called.'
        ),
    ),
    Rule(
        id='GEN-APP-002',
        keyword='MAY',
        detection=MANUAL,
        source='asgi.rst § Legacy Applications',
        summary=(
            'The legacy (ASGI 2.0) double-callable application(scope) → coroutine '
            'instance(receive, send) was "retired in version 3.0"; it is still accepted.'
        ),
        how=(
            '[manual] A permission, so there is nothing to report: the loader detects a '
            'legacy app the way asgiref does, runs it through guarantee_single_callable, '
            'and the report header (and the JSON report\'s app description) says "ASGI 2".'
        ),
    ),
    Rule(
        id='GEN-APP-003',
        keyword='MUST*',
        detection=STATIC,
        source='asgi.rst § Events',
        summary=(
            'Every message passed to send() is a dict with a top-level type key "that '
            'contains a Unicode string of the message type".'
        ),
        how=(
            '[static] Every send() argument: isinstance(msg, dict), "type" in msg, '
            'type(msg["type"]) is str.'
        ),
    ),
    Rule(
        id='GEN-APP-004',
        keyword='SHOULD',
        detection=STATIC,
        source='asgi.rst § Protocol Specifications',
        summary=(
            '"In messages, the type should be namespaced as protocol.message_type, where the '
            'protocol matches the scope type".'
        ),
        how=(
            '[static] The prefix before the first . equals scope["type"]. '
            'websocket.http.response.* counts as websocket. Strict-mode audit: it stands, a '
            'plain SHOULD; inside the three scopes servers create, a misnamed type breaks a '
            'stricter rule (HTTP-SEND-014, WS-SEND-016, LS-SEND-006).'
        ),
    ),
    Rule(
        id='GEN-APP-005',
        keyword='MUST',
        detection=STATIC,
        source='asgi.rst § Events',
        summary=(
            'Messages "are only allowed to contain" bytes, str, int, float, list, dict, bool,'
            ' None (checked recursively).'
        ),
        how=(
            '[static] Walk every sent message recursively. Exempt the values an extension '
            'defines (http.response.zerocopysend.file, http.response.debug.info). Tuples are '
            'handled by GEN-APP-007.'
        ),
    ),
    Rule(
        id='GEN-APP-006',
        keyword='MUST',
        detection=STATIC,
        source='asgi.rst § Events',
        summary=(
            '"Integers (within the signed 64-bit range)"; floats "within the IEEE 754 double '
            'precision range; no Nan or infinities".'
        ),
        how=(
            '[static] -263 <= i < 263; math.isfinite(f).'
        ),
    ),
    Rule(
        id='GEN-APP-007',
        keyword='SHOULD',
        detection=STATIC,
        source='asgi.rst § Events',
        summary=(
            '"Lists (tuples should be encoded as lists)".'
        ),
        how=(
            '[static] Tuples found anywhere in a sent message. sev: info, off by default. '
            "asgiref's own typing.py types headers as tuple[bytes, bytes] and nearly every "
            'framework sends tuples.'
        ),
        severity=INFO,
        enabled_by_default=False,
    ),
    Rule(
        id='GEN-APP-008',
        keyword='MUST',
        detection=STATIC,
        source='asgi.rst § Events; § Strings and Unicode',
        summary=(
            '"Dicts (keys must be Unicode strings)"; "All dict keys mentioned (including '
            'those for scopes and events) are Unicode strings."'
        ),
        how=(
            '[static] Every dict key in a sent message is str.'
        ),
    ),
    Rule(
        id='GEN-APP-009',
        keyword='MUST*',
        detection=STATIC,
        source='asgi.rst § Strings and Unicode',
        summary=(
            '"byte string refers to the bytes type ... Unicode string refers to the str type '
            '... all strings are one of the two exact types." So bytearray and memoryview are'
            ' not byte strings.'
        ),
        how=(
            '[static] Every field typed as a byte string is a bytes instance '
            '(bytearray/memoryview → error). Every field typed as a Unicode string is a str '
            'instance.'
        ),
    ),
    Rule(
        id='GEN-APP-010',
        keyword='SHOULD',
        detection=SCENARIO,
        source='asgi.rst § Protocol Specifications (note)',
        summary=(
            '"Applications should actively reject any protocol that they do not understand '
            'with an Exception (of any type)."'
        ),
        how=(
            '[script S15] The call must raise within T. A normal return, sending any message,'
            ' or hanging → warning. (Lifespan is handled by LS-APP-001.) Strict-mode audit: '
            'it stands. It is a plain SHOULD, and the reason the spec gives (a server that '
            'thinks you support a protocol you do not) is real; no mainstream server sends an '
            'unknown scope type today, so only --asgicheck-strict fails on it (Litestar '
            'answers one with websocket.close).'
        ),
    ),
    Rule(
        id='GEN-APP-011',
        keyword='SHOULD',
        detection=MANUAL,
        source='asgi.rst § Error Handling',
        summary=(
            '"If an application receives an invalid event dictionary from receive, it should '
            'raise an exception." Invalid means a known type with missing or wrongly typed '
            'keys. Unknown custom types are allowed: "Users are free to invent their own '
            'message types".'
        ),
        how=(
            '[manual] Not checked. Checking it means delivering deliberately invalid '
            'events (http.request with body as a str, websocket.receive with both payloads '
            'None) and expecting a raise, and the same section says apps "should be able to '
            'handle a mixed set of events": an app that ignores a bad event is defensible.'
        ),
        severity=INFO,
    ),
    Rule(
        id='GEN-APP-012',
        keyword='SHOULD NOT',
        detection=SCENARIO,
        source='asgi.rst § Error Handling',
        summary=(
            '"the presence of additional keys in the event dictionary should not raise an '
            'exception." This is what makes non-breaking spec upgrades possible.'
        ),
        how=(
            '[script S11] Behaviour (the sent message sequence and exit status) is identical '
            'to the baseline.'
        ),
    ),
    Rule(
        id='GEN-APP-013',
        keyword='SHOULD*',
        detection=SCENARIO,
        source='asgi.rst § Applications; www.rst § HTTP Connection Scope; lifespan.rst § Scope',
        summary=(
            'A missing scope["asgi"]["version"] means "2.0" ("the version should default to '
            '"2.0""). A missing spec_version means "2.0" (http/websocket) or "1.0" '
            '(lifespan). The app must read these defensively.'
        ),
        how=(
            '[script S10/S17] No KeyError/TypeError when spec_version or asgi is missing. '
            'Refusing with an explicit "unsupported ASGI version" error is acceptable.'
        ),
    ),
    Rule(
        id='GEN-APP-014',
        keyword='MUST*',
        detection=SCENARIO,
        source=(
            'www.rst § HTTP Connection Scope; § Websocket Connection Scope; '
            'lifespan.rst § Scope'
        ),
        summary=(
            'Scope keys marked "Optional; if missing defaults to ..." may be absent. The app '
            'must apply the documented default (raw_path/client/server → None, root_path → '
            '"", scheme → "http"/"ws", subprotocols → [], no state, no extensions).'
        ),
        how=(
            '[script S10] Run with a minimal scope. A crash (KeyError) or a different '
            'response than the baseline, beyond what the missing data explains → error.'
        ),
    ),
    Rule(
        id='GEN-APP-015',
        keyword='MUST*',
        detection=SEQUENCE,
        source='asgi.rst § Extensions; § Error Handling',
        summary=(
            'Send an extension\'s message only if the server advertises it: "If an application'
            ' sees this it then knows it can send the custom event". An unadvertised type is '
            'an "unknown type", which the server "should raise" on.'
        ),
        how=(
            '[seq][script S16] A sent type that belongs to an extension of extensions.rst '
            '(e.g. http.response.trailers or http.response.pathsend) while '
            'scope["extensions"] lacks that extension\'s key → error.'
        ),
    ),
    Rule(
        id='GEN-MW-001',
        keyword='SHOULD',
        detection=SCENARIO,
        source='asgi.rst § Middleware',
        summary=(
            '"When middleware is modifying the scope, it should make a copy of the scope '
            'object before mutating it and passing it to the inner application, as changes '
            'may leak upstream otherwise."'
        ),
        how=(
            '[script] Run middleware around an asgicheck probe inner app. The scope object '
            'the server passed in must be unchanged afterwards (compare with a deep copy '
            'taken at the start). sev: info for top-level apps, which often set keys such as '
            'scope["app"]: the spec does not say whether the outermost app may change the '
            "server's scope."
        ),
        severity=INFO,
    ),
    Rule(
        id='GEN-MW-002',
        keyword='SHOULD NOT',
        detection=SCENARIO,
        source='asgi.rst § Middleware',
        summary=(
            '"do not keep a reference to it and try to mutate it outside of the initial ASGI '
            'app call. Your one and only chance to add to it is before you hand control to '
            'the child application."'
        ),
        how=(
            '[script] The probe inner app snapshots the scope it received on entry. Any '
            'change seen later (after a send/receive round-trip, or at exit) → warning.'
        ),
    ),
    Rule(
        id='GEN-SCOPE-001',
        keyword='MUST',
        detection=STATIC,
        source='asgi.rst § Applications; § Protocol Specifications',
        summary=(
            '"scope must be a dict. The key scope["type"] will always be present"; "In '
            'scopes, the type key must be a Unicode string".'
        ),
        how=(
            '[static]'
        ),
    ),
    Rule(
        id='GEN-SCOPE-002',
        keyword='MUST',
        detection=STATIC,
        source='asgi.rst § Applications',
        summary=(
            '"The key scope["asgi"] will also be present as a dictionary containing a '
            'scope["asgi"]["version"] key that corresponds to the ASGI version the server '
            'implements" ("3.0" for single-callable delivery).'
        ),
        how=(
            '[static] asgi is a dict and version is a str. hypercorn 0.14.0/0.14.1 left '
            'version out of the lifespan scope (hypercorn#65).'
        ),
    ),
    Rule(
        id='GEN-SCOPE-003',
        keyword='SHOULD',
        detection=STATIC,
        source='asgi.rst § Extensions',
        summary=(
            'If the server supports an extension, "it should place an entry into the '
            "extensions dictionary under the extension's name, and the value of that entry "
            'should itself be a dict" (it may be empty).'
        ),
        how=(
            '[static] extensions, when present, is a dict of str → dict (None is reported '
            'too: the spec gives no None default, and apps do scope["extensions"].get()).'
        ),
    ),
    Rule(
        id='GEN-EVT-001',
        keyword='MUST*',
        detection=STATIC,
        source='asgi.rst § Events; § Strings and Unicode',
        summary=(
            'Every event receive() returns is a dict with a str type, str keys, and only '
            'serializable value types.'
        ),
        how=(
            "[static] Every event receive() returns: a dict, a str type, str keys, values "
            'bytes/str/int (64-bit)/finite float/bool/None/list/dict (tuples are tolerated, '
            'as for GEN-APP-007). Self-check of the harness; in server mode, on the probe '
            "app's side."
        ),
    ),
    Rule(
        id='GEN-SRV-001',
        keyword='SHOULD',
        detection=LIVE,
        source='asgi.rst § Error Handling',
        summary=(
            'On an invalid event (unknown type, missing keys, wrong Python types, "e.g. '
            'Unicode strings for HTTP headers"), the server "should raise an exception out of'
            ' the send awaitable back to the application."'
        ),
        how=(
            '[wire] A probe app sends malformed messages; await send() must raise. The '
            'harness must do this too, so that app bugs show up where they happen.'
        ),
    ),
    Rule(
        id='GEN-SRV-002',
        keyword='SHOULD NOT',
        detection=LIVE,
        source='asgi.rst § Error Handling',
        summary=(
            '"the presence of additional keys in the event dictionary should not raise an '
            'exception."'
        ),
        how=(
            '[wire] A probe app sends valid messages carrying an extra key.'
        ),
    ),
    Rule(
        id='GEN-SRV-003',
        keyword='MUST',
        detection=LIVE,
        source='asgi.rst § Error Handling',
        summary=(
            'When an exception bubbles out of the app, servers "must terminate the '
            'application instance and its associated connection".'
        ),
        how=(
            '[wire] The probe app raises → the connection is closed. What HTTP clients then '
            'see is not specified: uvicorn sends a 500 if the response had not started, and '
            'otherwise closes the connection.'
        ),
    ),
    Rule(
        id='GEN-SRV-004',
        keyword='SHOULD',
        detection=LIVE,
        source='asgi.rst § Error Handling',
        summary=(
            'Messages sent after the connection closed "are generally not considered errors '
            'unless specified by a protocol. If no error condition is specified, the send '
            'awaitable callable should act as a no-op." From www spec_version 2.4 on, '
            'HTTP-SRV-006/WS-SRV-006 take over.'
        ),
        how=(
            '[wire]'
        ),
    ),
    Rule(
        id='GEN-SRV-005',
        keyword='SHOULD',
        detection=LIVE,
        source='asgi.rst § Error Handling',
        summary=(
            '"Even if an error is raised on send(), it should be an error class that the '
            'server catches and ignores if it is raised out of the application".'
        ),
        how=(
            '[wire] The probe app re-raises the send() error. The server must not log a '
            'traceback and must not crash.'
        ),
    ),
    Rule(
        id='GEN-SRV-006',
        keyword='SHOULD',
        detection=LIVE,
        source='asgi.rst § Applications (note); § Legacy Applications',
        summary=(
            'Servers "should try to support" legacy double-callable apps; "Servers are '
            'encouraged to support both types".'
        ),
        how=(
            '[wire]'
        ),
    ),
)
