"""Every failure the matrix shows, judged by hand: a real violation of the spec by the framework
or middleware (with the rule, the spec's sentence and a reproduction), or a checker bug
(reported to asgicheck in matrix/checker-bugs.md, and listed in ``FIXED`` once fixed).

A verdict covers the failing findings of its rules in the cells and scenarios its ``where``
patterns name (``fnmatch`` globs on subject, mode and scenario ID). ``render`` lists each
verdict with the cells it covers; a failing finding no verdict covers is listed as UNTRIAGED,
and ``python matrix/run.py --check`` fails on it. Two pseudo-rules need verdicts too:
``route-status`` (a matrix route did not answer as a correct app does, so the row's passes say
little; the "scenario" is the route) and ``runner-error`` (a scenario or a cell's worker
raised).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from matrix.apps.raw_app import EXPECTED

__all__ = ["FIXED", "VERDICTS", "Failure", "Verdict", "failures", "matches", "untriaged",
           "verdict_for"]


def matches(text: str, pattern: str) -> bool:
    """``fnmatch`` with ``*`` and ``?`` only: brackets are literal, as in scenario IDs."""
    escaped = "".join(f"[{c}]" if c in "[]" else c for c in pattern)
    return fnmatch.fnmatchcase(text, escaped)


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    key: str  # stable anchor on the page
    kind: Literal["violation", "checker-bug"]
    rules: tuple[str, ...]
    title: str
    where: tuple[tuple[str, str, str], ...]  # (subject, mode, scenario ID) globs
    spec: str = ""  # the sentence of the spec (or RFC) that is broken
    explanation: str = ""
    repro: str = ""  # a minimal reproduction outside the matrix, when it helps
    bug: str = ""  # the heading in matrix/checker-bugs.md, for checker bugs

    def covers(self, subject: str, mode: str, scenario: str, rule: str) -> bool:
        return rule in self.rules and any(
            matches(subject, s) and matches(mode, m) and matches(scenario, p)
            for s, m, p in self.where)


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    subject: str
    mode: str
    scenario: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}/{self.mode} {self.scenario}: {self.rule} {self.message}"


def failures(cells: Iterable[Any]) -> Iterator[Failure]:
    """Every failing finding (one per rule and scenario), every runner error, and every route
    that did not answer as expected."""
    for cell in cells:
        for label, status in cell.unexpected(EXPECTED).items():
            yield Failure(subject=cell.subject, mode=cell.mode, scenario=label,
                          rule="route-status",
                          message=f"answered {status}; a correct app answers {EXPECTED[label]}")
        for record in cell.records:
            if record["status"] != "failed":
                continue
            seen: set[str] = set()
            for v in record["violations"]:
                if v["fails"] and v["rule"] not in seen:
                    seen.add(v["rule"])
                    yield Failure(subject=cell.subject, mode=cell.mode,
                                  scenario=record["scenario_id"], rule=v["rule"],
                                  message=v["message"])
            if record.get("error"):
                yield Failure(subject=cell.subject, mode=cell.mode,
                              scenario=record["scenario_id"], rule="runner-error",
                              message=record["error"])


def verdict_for(failure: Failure) -> Verdict | None:
    for verdict in VERDICTS:
        if verdict.covers(failure.subject, failure.mode, failure.scenario, failure.rule):
            return verdict
    return None


def untriaged(cells: Iterable[Any]) -> list[Failure]:
    return [f for f in failures(cells) if verdict_for(f) is None]


_RUN = "python matrix/run.py"

VERDICTS: tuple[Verdict, ...] = (
    Verdict(
        key="django-header-case", kind="violation", rules=("HTTP-SEND-008",),
        title="Django sends response header names as written (Content-Type, Set-Cookie)",
        where=(("django", "*", "*"),),
        spec="Header names must be lowercased. — www.rst § Response Start - send event",
        explanation="""
Django's `ASGIHandler.send_response` (django/core/handlers/asgi.py) turns `response.items()`
into the `headers` of `http.response.start` without lowercasing them, so every response carries
`Content-Type`, `Content-Length`, `X-Content-Type-Options`, `Referrer-Policy`,
`Cross-Origin-Opener-Policy` and `Set-Cookie` in mixed case. uvicorn and hypercorn accept them
(HTTP names are case-insensitive on the wire), but ASGI middleware that matches names
byte-for-byte, as the spec entitles it to, misses them: a GZip or Content-Length-rewriting
middleware in front of Django leaves the stale `Content-Length` next to its own (bug class
E1/M4). The request-side wording was loosened in 2021; the response-side text still says must
(asgi-rules §7 A6).""",
        repro="""
# any view under django.core.asgi.get_asgi_application():
async def index(request):
    return HttpResponse("hello")
# http.response.start headers=[(b'Content-Type', b'text/html; charset=utf-8'),
#                              (b'Content-Length', b'5'), ...]""",
    ),
    Verdict(
        key="content-length-204", kind="violation", rules=("X-HTTP-001",),
        title="Django, Quart and BlackSheep put Content-Length: 0 on a 204",
        where=(("django", "*", "*[DELETE /items/1]"), ("quart", "*", "*[DELETE /items/1]"),
               ("blacksheep", "*", "*[DELETE /items/1]")),
        spec="A server MUST NOT send a Content-Length header field in any response with a "
             "status code of 1xx (Informational) or 204 (No Content). — RFC 9110 §8.6",
        explanation="""
Not an ASGI rule (the `X` group: HTTP rules real servers and clients rely on), but the app
authors the header and both servers pass it through: a raw socket shows
`HTTP/1.1 204 No Content ... content-length: 0` from uvicorn 0.54.0 and hypercorn 0.18.0, so the
response on the wire breaks the RFC. Where it comes from: Django's `CommonMiddleware` adds
`Content-Length` to every non-streaming response (`django/middleware/common.py`); Quart's
`Response` sets `content_length` from the body whatever the status
(`automatically_set_content_length`); BlackSheep's `set_headers_for_response_content`
(`blacksheep/scribe.pyx`) writes `content-length: 0` for every response without content.
Impact is low (clients treat 204 as bodiless whatever the header says); Starlette, FastAPI,
Litestar and Falcon send no Content-Length on their 204s.""",
        repro="""
# Quart
@app.delete("/items/<int:item_id>")
async def delete_item(item_id):
    return "", 204
# http.response.start status=204 headers=[..., (b'content-length', b'0')]""",
    ),
    Verdict(
        key="head-body", kind="violation", rules=("X-HTTP-006",),
        title="Starlette, Django and Quart answer HEAD with the GET body",
        where=(("starlette", "driver", "http/head-request[*]"),
               ("django", "driver", "http/head-request[*]"),
               ("quart", "driver", "http/head-request[*]")),
        spec="The HEAD method is identical to GET except that the server MUST NOT send content "
             "in the response. — RFC 9110 §9.3.2",
        explanation="""
Each of these apps runs the GET handler for HEAD and sends its whole body through `send()`,
leaving the server to drop it; uvicorn 0.55 and hypercorn 0.18 do (the live rows' `http-head`
scenarios show the body stripped on the wire), so clients never see the bytes, but every HEAD
costs the GET's work, and a server or proxy that does not strip breaks the connection's framing
(asgineer#34, backlot#151). It is a design choice, not an accident: Starlette's
`Response.__call__` has no HEAD branch (only `FileResponse` sends headers only); Starlette
PR #317 (2019) let GET routes answer HEAD and made the TestClient drop the body, relying on
uvicorn PR #165 ("Strip response body from HEAD requests"). FastAPI's own routes answer 405 to
HEAD (a warning here), but its `/openapi.json` and `/docs` are Starlette routes: a HEAD builds
and sends the 2102-byte schema (an earlier run of this matrix, before discovery left the
documentation routes out, failed them). Django's test client says it in code
(`conditional_content_removal`, django/test/client.py: "Simulate the behavior of most web
servers by removing the content of responses for HEAD requests"); Werkzeug's routing adds HEAD
to every GET rule, and Quart sends the GET response as it is. BlackSheep answers HEAD to a GET
route with 404 (a warning).""",
        repro="""
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

async def index(request):
    return PlainTextResponse("hello")

app = Starlette(routes=[Route("/", index)])
# HEAD / -> http.response.start status=200 ..., http.response.body body=b'hello'""",
    ),
    Verdict(
        key="quart-scheme", kind="violation", rules=("GEN-APP-014", "OPS-APP-001"),
        title="Quart requires scope['scheme'], which is optional",
        where=(("quart", "driver", "http/S10-minimal-scope[*]"),),
        spec="scheme (Unicode string) -- URL scheme portion (likely \"http\" or \"https\"). "
             "Optional (but must not be empty); default is \"http\". — www.rst § HTTP "
             "Connection Scope",
        explanation="""
`quart/asgi.py` builds the request (and the websocket) with `self.scope["scheme"]`, so a scope
without `scheme` raises `KeyError('scheme')` before any response: the client gets a 500. uvicorn
and hypercorn always send `scheme`, so this bites adapters and test harnesses that send only
the required keys. The same request with a full scope answers 200.""",
        repro="""
from quart import Quart
app = Quart(__name__)

@app.get("/")
async def index():
    return "hello"
# scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
#          "method": "GET", "path": "/", "query_string": b"", "headers": []}
# -> raises KeyError('scheme')""",
    ),
    Verdict(
        key="ws-query-string", kind="violation", rules=("GEN-APP-014", "OPS-APP-001"),
        title="FastAPI, Quart, Falcon and BlackSheep require a websocket scope's query_string, "
              "which is optional",
        where=(("fastapi", "driver", "websocket/W09-minimal-scope[*]"),
               ("quart", "driver", "websocket/W09-minimal-scope[*]"),
               ("falcon", "driver", "websocket/W09-minimal-scope[*]"),
               ("blacksheep", "driver", "websocket/W09-minimal-scope[*]")),
        spec="query_string (byte string) -- URL portion after the ?. Optional; if missing or "
             "None default is empty string. — www.rst § WebSocket Connection Scope",
        explanation="""
In an HTTP scope `query_string` is required; in a websocket scope it is optional. These
frameworks build the websocket connection with the HTTP code's `scope["query_string"]`, so a
websocket scope without it raises `KeyError('query_string')` before the handshake is answered:
the client's handshake fails (HTTP 500 or 403). Where, in the tracebacks of a call with
`{"type": "websocket", "path": "/ws", "headers": [], "asgi": {"version": "3.0"}}`:
FastAPI 0.165's `solve_dependencies` reads `request.query_params` for every websocket endpoint
(fastapi/dependencies/utils.py:781), and Starlette's `HTTPConnection.query_params` does
`self.scope["query_string"]` (starlette/requests.py:142), so a plain Starlette websocket route,
which never asks for the query, passes (the Starlette row); Quart 0.22's
`_create_websocket_from_scope` (quart/asgi.py:217); Falcon 4.4's `Request.__init__`
(falcon/asgi/request.py:183, `scope['query_string'].decode()`); BlackSheep 2.6.4's
`get_full_path` (blacksheep/server/asgi.py:89), called by `WebSocket.__init__`. uvicorn 0.55
and hypercorn 0.18 always send the key (their websocket protocols set it), so this bites
adapters, test harnesses and middleware that build scopes with the required keys only. W09's
other session, a full scope with `raw_path` None, passes in all four.""",
        repro="""
from fastapi import FastAPI, WebSocket
app = FastAPI()

@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
# scope = {"type": "websocket", "path": "/ws", "headers": [], "asgi": {"version": "3.0"}}
# -> raises KeyError('query_string') before websocket.accept""",
    ),
    Verdict(
        key="fastapi-non-utf8-body", kind="violation", rules=("OPS-APP-001",),
        title="FastAPI answers 500 and raises UnicodeDecodeError for a JSON body route given a "
              "body that is not UTF-8 and no content-type",
        where=(("fastapi", "driver", "fuzz/P2-no-server-error[POST /items]"),),
        spec="Servers are free to surface errors that bubble up out of application instances "
             "[...] but they must terminate the application instance and its associated "
             "connection if this happens. — asgi.rst § Error Handling (the request is "
             "well-formed: a body is any byte string)",
        explanation="""
Found by the fuzzing (P2), which shrinks it to `POST /items` with the body `b'\\x80'` and no
headers. FastAPI 0.165 hands the raw bytes to validation when no content-type says JSON; the
validation error carries them, and the default `request_validation_exception_handler`
(fastapi/exception_handlers.py:25) encodes it with `jsonable_encoder`, which decodes bytes as
UTF-8 (fastapi/encoders.py:85) and raises. With `content-type: application/json` the same body
gets a 400. Live under uvicorn 0.55 (`curl -X POST --data-binary $'\\x80' -H 'content-type:'
http://127.0.0.1:8000/items`): status 500 and "Exception in ASGI application ...
UnicodeDecodeError" in the server's log. Any client can send it, so it is a real bug; an app
works around it with its own RequestValidationError handler.""",
        repro="""
from fastapi import FastAPI
from pydantic import BaseModel
app = FastAPI()

class Item(BaseModel):
    name: str

@app.post("/items")
async def create(item: Item):
    return item
# POST /items, body b"\\x80", no content-type -> 500, UnicodeDecodeError out of the app""",
    ),
    Verdict(
        key="litestar-bare-request", kind="violation", rules=("HTTP-RECV-003",),
        title="Litestar answers 500 to an http.request event without a body key",
        where=(("litestar", "driver", "http/S04-bare-request[POST *]"),),
        spec="body (byte string) -- Body of the request. Optional; if missing defaults to "
             "b\"\". — www.rst § Request - receive event",
        explanation="""
S04 sends a POST's body emptied, once as `{"type": "http.request", "body": b""}` and once as
`{"type": "http.request"}`: Litestar 2.25 answers the first 200 and the second 500, because
`Request.stream()` reads `event["body"]` (litestar/connection/request.py:204) and its exception
middleware turns the KeyError into a 500. Routes that never read the body (the GET rows) pass.
uvicorn 0.55 and hypercorn 0.18 always send the key, so this bites other servers, adapters and
middleware that build events with the required keys only.""",
    ),
    Verdict(
        key="blacksheep-raw-path-none", kind="violation", rules=("GEN-APP-014", "OPS-APP-001"),
        title="BlackSheep raises on an HTTP scope whose raw_path is None",
        where=(("blacksheep", "driver", "http/S10-minimal-scope[*]"),),
        spec="raw_path (byte string) -- The original HTTP path component [...]. Optional; if "
             "missing defaults to None. — www.rst § HTTP Connection Scope",
        explanation="""
S10's second session sends the full scope with `raw_path` None, its documented default.
BlackSheep 2.6.4 routes on it: `get_match_by_method_and_path` calls `ensure_bytes(raw_path)`
(blacksheep/server/routing.py:1005, blacksheep/utils/__init__.py:12), which raises
`ValueError('Expected bytes or str')` before any response. A scope without the key passes (S10's
minimal session); uvicorn 0.55 and hypercorn 0.18 always send bytes, so this bites servers and
adapters that pass None through.""",
    ),
    Verdict(
        key="quart-empty-frame", kind="violation", rules=("OPS-APP-001",),
        title="Quart crashes on an empty binary websocket frame",
        where=(("quart", "driver", "fuzz/P5-websocket-state[*]"),),
        spec="bytes (byte string) -- The message content, if it was binary mode, or None. "
             "Optional; if missing, it is equivalent to None. [...] Exactly one of bytes or "
             "text must be non-None. One or both keys may be present, however. — www.rst § "
             "Receive - receive event (WebSocket)",
        explanation="""
Found by the fuzzing property P5, which shrinks it to one message: `{"type": "websocket.receive",
"bytes": b""}`. `quart/asgi.py` picks the payload with `event.get("bytes") or event["text"]`;
an empty binary frame is falsy, so it reads `text`, which the spec lets the server leave out,
and raises `KeyError('text')` out of the websocket handler: the client sees an abnormal close.
A server that sends both keys (`"text": None`) gets no crash but no better: the handler receives
`None`, and this echo then sends a message with neither `bytes` nor `text` (WS-SEND-010). A
non-empty frame works.""",
        repro="""
from quart import Quart, websocket
app = Quart(__name__)

@app.websocket("/ws")
async def ws():
    while True:
        await websocket.send(await websocket.receive())
# after the accept: {"type": "websocket.receive", "bytes": b""}
# -> raises KeyError('text')""",
    ),
    Verdict(
        key="basehttp-no-response", kind="violation", rules=("OPS-APP-001",),
        title="BaseHTTPMiddleware raises 'No response returned.' when the client leaves first",
        where=(("basehttp", "driver", "middleware/disconnect-before-response"),),
        spec="Sent to the application if receive is called after a response has been sent or "
             "after the HTTP connection has been closed. — www.rst § Disconnect - receive "
             "event; and an exception \"must terminate the application instance\" — asgi.rst "
             "§ Error Handling",
        explanation="""
The inner app is told `http.disconnect` before any body and returns without answering, which
is legal: there is nobody to answer (HTTP-SEND-005 does not apply after a disconnect).
Starlette 1.10.0's `BaseHTTPMiddleware.call_next` then finds its response stream empty and
raises `RuntimeError('No response returned.')`, which every server logs as "Exception in ASGI
application" for each client that drops before the response. This is bug class C5
(starlette#1634, #2516; reported fixed in 0.21.0 and, after a recurrence, in 0.38.3): the
order "disconnect before the endpoint reads anything" still raises. Every `@app.middleware("http")`
is a BaseHTTPMiddleware.""",
        repro="""
from starlette.middleware.base import BaseHTTPMiddleware

class NoOp(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        return await call_next(request)

async def inner(scope, receive, send):
    if (await receive())["type"] == "http.disconnect":
        return  # nobody to answer

app = NoOp(inner)
# receive() -> {"type": "http.disconnect"}  =>  raises RuntimeError('No response returned.')""",
    ),
    Verdict(
        key="correlation-id-headers", kind="violation", rules=("OPS-APP-001",),
        title="asgi-correlation-id crashes on an http.response.start without headers",
        where=(("correlation-id", "driver", "middleware/minimal-messages"),),
        spec="headers (Iterable[[byte string, byte string]]) -- ... Optional; if missing "
             "defaults to an empty list. — www.rst § Response Start - send event",
        explanation="""
`CorrelationIdMiddleware`'s send wrapper does `MutableHeaders(scope=message)` on
`http.response.start`, and Starlette's `Headers(scope=...)` reads `message["headers"]`: an inner
app that leaves the optional key out (as the spec allows, and as hand-written ASGI apps and
mounted sub-apps do) makes the middleware raise `KeyError('headers')`, so the client gets a 500
instead of the inner app's 200 (bug class N: N2 is the same mistake in Litestar).""",
        repro="""
from asgi_correlation_id import CorrelationIdMiddleware

async def inner(scope, receive, send):
    await receive()
    await send({"type": "http.response.start", "status": 200})
    await send({"type": "http.response.body"})

app = CorrelationIdMiddleware(inner)  # GET / -> raises KeyError('headers')""",
    ),
    Verdict(
        key="hypercorn-disconnect-once", kind="violation", rules=("HTTP-EVT-003",),
        title="hypercorn delivers http.disconnect once, then receive() blocks",
        where=(("hypercorn", "probe", "live-hypercorn/server-http-scope"),),
        spec="Sent to the application if receive is called after a response has been sent or "
             "after the HTTP connection has been closed. — www.rst § Disconnect - receive event",
        explanation="""
A server violation, not a framework's: after a complete response and the client's close,
hypercorn 0.18.0 answers the first `receive()` with `http.disconnect` and the second one never
returns (asgicheck waits 1 s). Apps that poll `receive()` for the disconnect from more than one
place (Starlette's `is_disconnected()` plus a streaming listener) hang on the second call
(asgiref#334 made the repetition explicit).""",
    ),
    Verdict(
        key="hypercorn-close-code", kind="violation", rules=("WS-EVT-008",),
        title="hypercorn tells the app 1006 when the client closed with 1000",
        where=(("hypercorn", "probe", "live-hypercorn/server-ws-echo"),),
        spec="code (int) -- The WebSocket close code, as per the WebSocket spec. If no code was "
             "received in the frame from the client, the server should set this to 1005. — "
             "www.rst § Disconnect - receive event (WebSocket)",
        explanation="""
A server violation: the client's close frame carried 1000 'bye' and hypercorn 0.18.0 reported
`websocket.disconnect` with 1006 (abnormal closure, "no close frame"), and 1006 again where the
frame carried no code (1005 expected, WS-EVT-006, a warning). Known upstream as hypercorn#127.""",
    ),
)

# Checker bugs earlier runs found, fixed in asgicheck since (matrix/checker-bugs.md has the
# reproductions and the fixes); the page lists them under "Checker bugs".
FIXED: tuple[tuple[str, str], ...] = (
    ("CB-1: the driver runs lifespan startup/shutdown several times on one app object",
     "in-process, the L03 probe, the shared session, L01 and L02 each started the app; "
     "BlackSheep, set up once per process, then answered 500 on every route while every "
     "scenario passed. Now a run starts the app once: L03 classifies the shared session's "
     "startup, L01 (listed last) judges that session's shutdown, and only L02's server "
     "without lifespan state starts it a second time, after the session has ended, on a "
     "fresh event loop, saying so in its transcript. The BlackSheep row's routes answer 5/5."),
    ("CB-2: any exception after http.disconnect passes in app mode, but fails in middleware "
     "mode",
     "app mode exempted every exception raised after the client had gone; now only an "
     "exception that is, or was raised from, the OSError send() raised (HTTP-RECV-006) is, "
     "and any other fails as OPS-APP-001 (a warning of a fatal rule), as middleware mode "
     "reports BaseHTTPMiddleware's 'No response returned.' above. An exception group holding "
     "the OSError counts as raised from it (Litestar streams in an anyio task group)."),
    ("CB-3: HTTP-RECV-002 says \"unread request body\" for an app that read every declared "
     "byte",
     "Falcon reads the 12 bytes content-length declares and never the final empty "
     "more_body=False message; S03 warned of an unread body. Now that case is an info note "
     "that says what happened, and the warning is kept for body bytes really left unread."),
    ("CB-4: a receive() cancelled while another one waits ended both",
     "a Starlette or FastAPI StreamingResponse whose generator polls "
     "`request.is_disconnected()` failed S10 (spec 2.0: the response listens for the "
     "disconnect in a task of its own) with HTTP-SEND-004: cancelling the poll cancelled the "
     "future every waiting receive() shared, so the listener's receive() raised too and the "
     "app returned mid-stream. Each waiting receive() now awaits it shielded; the route "
     "streams to the end, as under uvicorn."),
)

# What the warning columns show (warnings do not fail a row; read with the rule's spec text).
WARNING_NOTES: tuple[tuple[str, str], ...] = (
    ("HTTP-RECV-005",
     "after the client has gone, Starlette, FastAPI, Litestar and BlackSheep still send a 500: "
     "the disconnect becomes an exception (Starlette's `ClientDisconnect`) and the error "
     "handler answers it (S05/S06 on POST /echo). Falcon answers 200, echoing the partial body "
     "it had (S05); Quart answers GET routes after reading `http.disconnect` (S06); Django "
     "sends the rest of /stream after `http.disconnect` on a 2.3 server (S08). The "
     "BaseHTTPMiddleware row forwards the inner app's body after the disconnect."),
    ("HTTP-RECV-001",
     "BlackSheep, whose route table asgicheck cannot read, is sent the fallback targets POST / "
     "and PUT / as well; it has no route there and answers 404 `Resource not found` without "
     "calling receive() (S09, the request held back 0.1 s). HTTP allows the early answer, but "
     "the body is left unread, and hypercorn 0.18 then closes the connection instead of "
     "keeping it alive; on body-less methods the same early answer is an info note."),
    ("HTTP-RECV-010",
     "Falcon routes on `path` as if it excluded `root_path` (the pre-2024 reading, asgi-rules "
     "§7 A1): mounted under `/mnt`, every route answers 404."),
    ("X-HTTP-004",
     "BlackSheep writes `transfer-encoding: chunked` on every streamed response "
     "(`set_headers_for_response_content`, blacksheep/scribe.pyx), also on HTTP/2 (S14, GET "
     "/stream), where RFC 9113 §8.2.2 makes the field malformed. www.rst tells the server to "
     "ignore a Transfer-Encoding the app sends (HTTP-SEND-010), so the harm depends on the "
     "server's HTTP/2 layer."),
    ("GEN-MW-001",
     "SessionMiddleware adds `scope['session']` and asgi-correlation-id appends a request "
     "header to the scope the server passed in, instead of to a copy."),
    ("WS-RECV-001",
     "Quart accepts a websocket before `receive()` has returned `websocket.connect` (W06)."),
    ("WS-RECV-005",
     "Quart keeps echoing after `websocket.disconnect` (W01); Litestar and BlackSheep send "
     "`websocket.close` again after `send()` raised because the client had gone (W04)."),
    ("X-HTTP-006",
     "FastAPI, Litestar and Falcon answer HEAD to their GET routes with 405, BlackSheep with "
     "404: none adds HEAD where the route declares GET (RFC 9110 §9.1: \"all general-purpose "
     "servers MUST support the methods GET and HEAD\"). A HEAD-only client (link checkers, "
     "some caches) sees an error where GET works."),
    ("GEN-APP-010 GEN-APP-004",
     "Litestar answers an unknown scope type with `websocket.close` instead of raising (S15)."),
)
