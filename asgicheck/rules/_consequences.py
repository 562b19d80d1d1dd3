"""What mainstream servers and clients do when an app breaks each rule: measured, not guessed.

Each app-side rule was broken by a minimal app (replaying its bad case from tests/asgicheck, or
its bad app) and run for real on 2026-12-07 under uvicorn 0.55.0 (--http h11 and httptools; --ws
websockets-sansio, the default, the legacy websockets and wsproto) and Hypercorn 0.18.0 (h11, h2,
wsproto), driven by real clients: httpx, raw sockets parsed with h11 (to see the framing) and the
websockets 17 client (to see the handshake and the close frame). tests/live/test_consequences.py
runs again, under the installed servers, every rule whose verdict the consequence changes.

``kind`` sorts the consequences (``asgicheck.violations.Consequence``). A rule whose consequence
is an ``error``, a ``broken-connection``, a ``failed-handshake`` or a ``failed-startup`` fails a
run by default, whatever the spec's key word; the others keep the severity of their key word.
``text`` reads after "breaks" for those ("breaks under uvicorn 0.55: ..."), and on its own for the
rest. Server-side rules (which apps cannot break) and MANUAL rules have no entry.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["CONSEQUENCES", "Kind"]

# One of asgicheck.violations.Consequence's values (the enum says what each means).
Kind = Literal["error", "broken-connection", "failed-handshake", "failed-startup", "logged",
               "leaks", "tolerated", "corrected", "unreachable"]

_UNADVERTISED = ("unreachable: neither uvicorn 0.55 nor hypercorn 0.18 advertises the extension; "
                 "sent anyway it is GEN-APP-015")

CONSEQUENCES: dict[str, tuple[Kind, str]] = {
    # -- asgi.rst ---------------------------------------------------------------------------
    "GEN-APP-001": ("error", "under uvicorn 0.55 and hypercorn 0.18: a 500 and a logged "
                             "TypeError for every request"),
    "GEN-APP-003": ("error", "under uvicorn 0.55 and hypercorn 0.18: send() raises KeyError or "
                             "TypeError, the client gets a 500"),
    "GEN-APP-004": ("unreachable", "unreachable: servers create only http, websocket and "
                                   "lifespan scopes, where a misnamed type is HTTP-SEND-014, "
                                   "WS-SEND-016 or LS-SEND-006"),
    "GEN-APP-005": ("tolerated", "tolerated: uvicorn 0.55 and hypercorn 0.18 ignore the extra key"),
    "GEN-APP-006": ("tolerated", "tolerated: uvicorn 0.55 and hypercorn 0.18 ignore the extra key"),
    "GEN-APP-007": ("tolerated", "tolerated: tuples are accepted everywhere"),
    "GEN-APP-008": ("tolerated", "tolerated: uvicorn 0.55 and hypercorn 0.18 ignore the extra key"),
    "GEN-APP-009": ("error", "under hypercorn 0.18: send() raises AttributeError for a memoryview "
                             "header value (uvicorn 0.55 tolerates both)"),
    "GEN-APP-010": ("unreachable", "unreachable: servers create only http, websocket and "
                                   "lifespan scopes"),
    "GEN-APP-012": ("unreachable", "unreachable today: neither server adds keys to its events "
                                   "yet; the next spec version may"),
    "GEN-APP-013": ("unreachable", "unreachable today: uvicorn 0.55 and hypercorn 0.18 always "
                                   "send asgi.spec_version"),
    "GEN-APP-014": ("error", "under uvicorn 0.55 and hypercorn 0.18, which leave optional keys "
                             "out (client, on a unix socket): the app's exception is logged and "
                             "the client gets a 500"),
    "GEN-APP-015": ("broken-connection", "under uvicorn 0.55: send() raises RuntimeError and the "
                                         "response is cut (hypercorn 0.18: "
                                         "UnexpectedMessageError)"),
    "GEN-MW-001": ("tolerated", "tolerated: nothing visible breaks"),
    "GEN-MW-002": ("unreachable", "unreachable by a server: only the app behind the middleware "
                                  "sees it"),
    # -- www.rst, HTTP ------------------------------------------------------------------------
    "HTTP-RECV-001": ("tolerated", "tolerated (hypercorn 0.18 closes the connection after the "
                                   "answer instead of keeping it alive)"),
    "HTTP-RECV-002": ("broken-connection", "under uvicorn 0.55 and hypercorn 0.18: an app that "
                                           "misreads a chunked body answers wrongly, or never"),
    "HTTP-RECV-003": ("unreachable", "unreachable today: uvicorn 0.55 and hypercorn 0.18 always "
                                     "send body and more_body"),
    "HTTP-RECV-004": ("error", "under uvicorn 0.55 and hypercorn 0.18: the crash is logged for "
                               "every client that leaves mid-body; a spinning app busy-loops "
                               "and uvicorn cannot shut down"),
    "HTTP-RECV-005": ("tolerated", "tolerated: over HTTP/1.1 neither uvicorn 0.55 nor hypercorn "
                                   "0.18 raises from send() after a disconnect; they drop it"),
    "HTTP-RECV-006": ("unreachable", "unreachable over HTTP/1.1: uvicorn 0.55 and hypercorn 0.18 "
                                     "never raise from send() after a disconnect"),
    "HTTP-RECV-007": ("leaks", "the stream runs on into the void; uvicorn 0.55's graceful "
                               "shutdown waits for it until a second Ctrl+C"),
    "HTTP-RECV-008": ("unreachable", "unreachable over HTTP/1.1: h11, httptools and hypercorn "
                                     "lower-case request header names"),
    "HTTP-RECV-009": ("unreachable", "unreachable with httpx over h2: hypercorn 0.18 delivered "
                                     "one joined cookie header"),
    "HTTP-RECV-010": ("tolerated", "a wrong answer, not a protocol error: under uvicorn 0.55 "
                                   "--root-path the app answers 404 (hypercorn 0.18 does not "
                                   "prefix path)"),
    "HTTP-SEND-001": ("error", "under uvicorn 0.55 and hypercorn 0.18: send() raises and the "
                               "client gets a 500"),
    "HTTP-SEND-002": ("broken-connection", "under uvicorn 0.55: send() raises RuntimeError and "
                                           "the response is cut"),
    "HTTP-SEND-003": ("broken-connection", "under uvicorn 0.55 and hypercorn 0.18: the response "
                                           "is cut ('ASGI callable returned without completing "
                                           "response')"),
    "HTTP-SEND-004": ("broken-connection", "under uvicorn 0.55 and hypercorn 0.18: the response "
                                           "is cut ('ASGI callable returned without completing "
                                           "response')"),
    "HTTP-SEND-005": ("error", "under uvicorn 0.55 and hypercorn 0.18: the client gets a 500"),
    "HTTP-SEND-006": ("broken-connection", "under uvicorn 0.55: send() raises KeyError and the "
                                           "client gets no response at all (hypercorn 0.18: "
                                           "500)"),
    "HTTP-SEND-007": ("broken-connection", "under uvicorn 0.55 (httptools) and hypercorn 0.18: "
                                           "send() raises TypeError, no response or a 500"),
    "HTTP-SEND-008": ("tolerated", "tolerated: h11, httptools and hypercorn 0.18 send the "
                                   "upper-case name as it is"),
    "HTTP-SEND-009": ("broken-connection", "under uvicorn 0.55 and hypercorn 0.18: send() "
                                           "raises, no response or a 500"),
    "HTTP-SEND-010": ("tolerated", "tolerated: the servers frame the response themselves"),
    "HTTP-SEND-011": ("broken-connection", "under uvicorn 0.55 and hypercorn 0.18: send() raises "
                                           "TypeError and the response is cut"),
    "HTTP-SEND-012": ("tolerated", "tolerated: more_body=0 is taken as False"),
    "HTTP-SEND-013": ("error", "under uvicorn 0.55: send() raises RuntimeError ('Unexpected ASGI "
                               "message ... after response already completed') and the "
                               "keep-alive connection is dropped (hypercorn 0.18: "
                               "UnexpectedMessageError)"),
    "HTTP-SEND-014": ("error", "under uvicorn 0.55 and hypercorn 0.18: send() raises and the "
                               "client gets a 500"),
    "OPS-APP-001": ("error", "under uvicorn 0.55 and hypercorn 0.18: a 500 before the start, a "
                             "cut response after it, an abnormal close on a websocket"),
    "OPS-APP-002": ("broken-connection", "under uvicorn 0.55 and hypercorn 0.18: the request "
                                         "never gets a response; uvicorn's shutdown waits for "
                                         "the task"),
    "OPS-APP-003": ("tolerated", "every other connection of the server waits meanwhile (a "
                                 "0.25 s stall: the response comes late)"),
    "OPS-APP-004": ("error", "under uvicorn 0.55: an ERROR log line on every request ('ASGI "
                             "callable should return None') and the keep-alive connection "
                             "closed"),
    "OPS-APP-005": ("error", "under uvicorn 0.55 and hypercorn 0.18: with two requests at once, "
                             "one gets a 500"),
    "X-HTTP-001": ("broken-connection", "under uvicorn 0.55: send() raises ('Too much/Too little "
                                        "data for declared Content-Length') and the body is cut"),
    "X-HTTP-002": ("error", "under uvicorn 0.55: send() raises ('Too much data for declared "
                            "Content-Length'); hypercorn 0.18 strips the body"),
    "X-HTTP-003": ("broken-connection", "under uvicorn 0.55: send() raises and the client gets "
                                        "no response (hypercorn 0.18: 500)"),
    "X-HTTP-004": ("tolerated", "tolerated by hypercorn 0.18 over h2"),
    "X-HTTP-005": ("corrected", "corrected: uvicorn 0.55 and hypercorn 0.18 strip the body"),
    # -- extensions.rst ---------------------------------------------------------------------
    "DBG-APP-001": ("unreachable", _UNADVERTISED),
    "DBG-APP-002": ("unreachable", _UNADVERTISED),
    "EH-APP-001": ("error", "under hypercorn 0.18 (h2): send() raises TypeError for str links "
                            "and the client gets a 500"),
    "EH-APP-002": ("broken-connection", "under hypercorn 0.18 (h2, the only server that "
                                        "advertises early hints): send() raises after the "
                                        "start and the stream never completes"),
    "PS-APP-001": ("unreachable", _UNADVERTISED),
    "PS-APP-002": ("unreachable", _UNADVERTISED),
    "PS-APP-003": ("unreachable", _UNADVERTISED),
    "PUSH-APP-001": ("tolerated", "tolerated by hypercorn 0.18 (h2)"),
    "PUSH-APP-002": ("broken-connection", "under hypercorn 0.18 (h2): send() raises TypeError "
                                          "for a bytes path and the stream never completes"),
    "TLS-APP-002": ("unreachable", "not measured: needs TLS termination"),
    "TRL-APP-001": ("error", "under uvicorn 0.55 and hypercorn 0.18 (h2): send() raises"),
    "TRL-APP-002": ("broken-connection", "under hypercorn 0.18: trailers=1 is taken as True, and "
                                         "the response waits for trailers forever (h2) or is cut "
                                         "(h1)"),
    "TRL-APP-003": ("broken-connection", "under hypercorn 0.18: the stream waits for the "
                                         "promised trailers forever (h2) or is cut (h1)"),
    "TRL-APP-004": ("broken-connection", "under uvicorn 0.55 and hypercorn 0.18: send() raises "
                                         "and the response is left unfinished"),
    "TRL-APP-005": ("tolerated", "tolerated by hypercorn 0.18 (h2)"),
    "TRL-APP-006": ("error", "under hypercorn 0.18: send() raises UnexpectedMessageError"),
    "TRL-APP-007": ("tolerated", "tolerated: hypercorn 0.18 sends the trailers anyway"),
    "ZC-APP-001": ("unreachable", _UNADVERTISED),
    "ZC-APP-002": ("unreachable", _UNADVERTISED),
    "ZC-APP-003": ("unreachable", _UNADVERTISED),
    "ZC-APP-004": ("unreachable", _UNADVERTISED),
    # -- www.rst, WebSocket -----------------------------------------------------------------
    "WS-APP-001": ("leaks", "the task runs on after the client left; uvicorn 0.55's graceful "
                            "shutdown waits for it until a second Ctrl+C"),
    "WS-RECV-001": ("tolerated", "tolerated: the servers deliver websocket.connect at once"),
    "WS-RECV-002": ("tolerated", "a wrong answer: hypercorn 0.18 sends both keys (text=None), "
                                 "so a binary message is echoed as the text 'None'"),
    "WS-RECV-003": ("leaks", "the task runs on after the client left; uvicorn 0.55 needs a "
                             "second Ctrl+C (or a kill) to stop"),
    "WS-RECV-004": ("error", "under hypercorn 0.18, which leaves reason out of "
                             "websocket.disconnect: the app's KeyError is logged"),
    "WS-RECV-005": ("tolerated", "tolerated: uvicorn 0.55's default websocket implementation "
                                 "raises ClientDisconnected (the spec's OSError) and hypercorn "
                                 "0.18 drops the message; only the deprecated --ws websockets "
                                 "raises RuntimeError"),
    "WS-RECV-006": ("logged", "under uvicorn 0.55: the renamed exception is logged as an error "
                              "for every client that leaves"),
    "WS-SEND-001": ("failed-handshake", "under uvicorn 0.55 and hypercorn 0.18: the handshake is "
                                        "answered 500"),
    "WS-SEND-002": ("failed-handshake", "under uvicorn 0.55 and hypercorn 0.18: send() raises "
                                        "and the handshake is answered 500"),
    "WS-SEND-003": ("broken-connection", "under uvicorn 0.55: send() raises RuntimeError and the "
                                         "socket is dropped without a close frame"),
    "WS-SEND-004": ("failed-handshake", "under uvicorn 0.55 and hypercorn 0.18: the client fails "
                                        "the handshake or gets no response"),
    "WS-SEND-005": ("failed-handshake", "under uvicorn 0.55 and hypercorn 0.18: send() raises "
                                        "and the handshake is answered 500"),
    "WS-SEND-006": ("tolerated", "tolerated: the handshake completes"),
    "WS-SEND-007": ("failed-handshake", "under uvicorn 0.55 and hypercorn 0.18: the client fails "
                                        "the handshake"),
    "WS-SEND-008": ("failed-handshake", "under uvicorn 0.55 and hypercorn 0.18: the client fails "
                                        "the handshake"),
    "WS-SEND-009": ("unreachable", "unreachable: uvicorn 0.55 and hypercorn 0.18 announce a "
                                   "websocket spec with accept headers"),
    "WS-SEND-010": ("broken-connection", "under uvicorn 0.55 and hypercorn 0.18: send() raises "
                                         "TypeError and the socket closes without a proper "
                                         "close frame"),
    "WS-SEND-011": ("broken-connection", "under uvicorn 0.55 and hypercorn 0.18: send() raises "
                                         "and the socket closes without a proper close frame"),
    "WS-SEND-012": ("broken-connection", "under uvicorn 0.55 and hypercorn 0.18: send() raises, "
                                         "or a close code the client rejects goes out"),
    "WS-SEND-013": ("unreachable", "unreachable: uvicorn 0.55 and hypercorn 0.18 announce a "
                                   "websocket spec with close reasons"),
    "WS-SEND-014": ("broken-connection", "under uvicorn 0.55: send() raises ProtocolError "
                                         "('invalid status code') and the client gets no close "
                                         "frame (hypercorn 0.18 sends codes >4999 and unassigned "
                                         "ones as they are, and the client rejects them)"),
    "WS-SEND-015": ("error", "under uvicorn 0.55: send() raises RuntimeError ('Unexpected ASGI "
                             "message ... after sending websocket.close'); hypercorn 0.18: "
                             "UnexpectedMessageError"),
    "WS-SEND-016": ("failed-handshake", "under uvicorn 0.55 and hypercorn 0.18: send() raises "
                                        "and the handshake is answered 500"),
    "WSD-APP-001": ("broken-connection", "under uvicorn 0.55 and hypercorn 0.18: send() raises "
                                         "and the socket is dropped"),
    "WSD-APP-002": ("error", "under uvicorn 0.55 and hypercorn 0.18: send() raises"),
    "WSD-APP-003": ("failed-handshake", "under uvicorn 0.55 and hypercorn 0.18: send() raises "
                                        "and the client gets a 500 or no valid response"),
    "X-WS-001": ("failed-handshake", "the handshake: the client fails it (RFC 6455 §4.1), under "
                                     "uvicorn 0.55 and hypercorn 0.18 alike"),
    "X-WS-002": ("broken-connection", "under uvicorn 0.55: send() raises ProtocolError ('control "
                                      "frame too long') and the client gets no close frame"),
    # -- lifespan.rst -----------------------------------------------------------------------
    "LS-APP-001": ("failed-startup", "the start-up: uvicorn 0.55 and hypercorn 0.18 serve the app "
                                     "without its startup code and log nothing (a hang: they "
                                     "never serve)"),
    "LS-APP-002": ("failed-startup", "the start-up: uvicorn 0.55 --lifespan on exits (code 3); "
                                     "by default uvicorn and hypercorn 0.18 serve the app "
                                     "without its startup code"),
    "LS-APP-003": ("logged", "logged at shutdown ('Application shutdown failed' under uvicorn "
                             "0.55 --lifespan on); the exit code stays 0"),
    "LS-APP-004": ("tolerated", "tolerated until two frameworks pick the same key"),
    "LS-APP-005": ("unreachable", "unreachable: uvicorn 0.55 and hypercorn 0.18 provide "
                                  "scope['state']"),
    "LS-SEND-001": ("failed-startup", "the start-up: a server waits forever, or serves the app "
                                      "without its startup code"),
    "LS-SEND-002": ("failed-startup", "under uvicorn 0.55: send() raises AssertionError; "
                                      "--lifespan on exits (code 3)"),
    "LS-SEND-003": ("tolerated", "tolerated: the message is printed as it is"),
    "LS-SEND-004": ("logged", "logged at shutdown (uvicorn 0.55: AssertionError; hypercorn "
                              "0.18: LifespanFailureError)"),
    "LS-SEND-005": ("failed-startup", "under hypercorn 0.18: send() raises and the server exits "
                                      "while it should be serving"),
    "LS-SEND-006": ("failed-startup", "under uvicorn 0.55: send() raises AssertionError; "
                                      "--lifespan on exits (code 3)"),
}
