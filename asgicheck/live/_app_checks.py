"""Live scenarios on the user's app: its targets, sent over real connections to the real
server, with ``validate()`` recording inside the server. The findings are what the validator
saw there, for both parties (a server-party finding here is the real server's scope or event),
plus a hang when the app call outlives the exchange.

* ``lifespan``: the startup exchange the server ran before serving anything.
* ``http-<method>[target]``: the target's request, as the client sends it.
* ``http-head[HEAD path]`` for GET targets: the body an app sends for HEAD is seen at the ASGI
  level (X-HTTP-005) even where the server drops it before the wire, as uvicorn does.
* ``http-chunked[target]`` for POST/PUT/PATCH targets: the body with
  ``Transfer-Encoding: chunked`` must get the answer the same body in one piece gets
  (HTTP-RECV-002).
* ``http-disconnect[GET path]``: the client leaves after the first chunk of a streamed
  response; the app must stop within the linger time (HTTP-RECV-007), which on a server whose
  ``send()`` does not raise (uvicorn announces 2.3) means watching ``receive()``. Responses
  sent in one message are skipped: there is no "mid-stream" to leave in.
* ``ws-session[WS path]``: connect, one text message, wait briefly for a reply, close 1000; the
  app call must end soon after the close (WS-APP-001).
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

from websockets.exceptions import ConnectionClosed

from asgicheck.contract import Target
from asgicheck.live._client import close_code, http_client, ws_connect
from asgicheck.live._hosting import Hosted, Step
from asgicheck.live._scenario import LiveScenario, Report, Skip
from asgicheck.scenarios import with_body

__all__ = ["ChunkedUpload", "HeadRequest", "HttpRequest", "LifespanStartup",
           "MidStreamDisconnect", "WebSocketSession"]

REPLY_WAIT = 0.5  # seconds ws-session waits for the app to answer its message
# Framing and routing headers the client sets itself; a target's own are left out.
_CLIENT_OWNED = frozenset({b"host", b"content-length", b"transfer-encoding", b"connection",
                           b"upgrade", b"sec-websocket-key", b"sec-websocket-version",
                           b"sec-websocket-protocol", b"sec-websocket-extensions"})


def request_url(target: Target) -> str:
    path = quote(target.path, safe="/%:@!$&'()*+,;=-._~")
    query = target.query_string.decode("latin-1")
    return path + (f"?{query}" if query else "")


def request_headers(target: Target) -> list[tuple[bytes, bytes]]:
    return [(n, v) for n, v in target.headers if n.lower() not in _CLIENT_OWNED]


def _shown(content: bytes) -> str:
    return repr(content) if len(content) <= 60 else f"{content[:57]!r}..."


class _AppScenario(LiveScenario):
    @property
    def request(self) -> Target:
        assert self.target is not None
        return self.target

    def http_step(self, server: Hosted, report: Report, *, method: str | None = None,
                  chunks: list[bytes] | None = None, title: str = "") -> tuple[Step, int | None,
                                                                             bytes]:
        """One request of the target; returns the step, the status and the body received."""
        target = self.request
        method = method or target.method
        status, received = None, b""
        with server.step(report.wait) as step:
            with http_client(server.server.url, report.wait) as client:
                content = iter(chunks) if chunks is not None else (target.body or None)
                response = client.request(method, request_url(target),
                                          headers=request_headers(target), content=content)
                status, received = response.status_code, response.content
                how = " (Transfer-Encoding: chunked)" if chunks is not None else ""
                step.saw(f"{method} {request_url(target)}{how} -> {status}, {len(received)} "
                         f"body bytes {_shown(received)}")
        report.add(step, title or f"{method} {target.label.split(' ', 1)[1]}", required=False)
        if not step.ended:
            report.find("OPS-APP-002", f"the app call was still running {report.wait:g} s "
                                       f"after the exchange (the server keeps it going)")
        if step.calls:
            asgi = step.calls[0].scope.get("asgi")
            report.fact("spec_version", asgi.get("spec_version") if isinstance(asgi, dict)
                        else None)
        return step, status, received


class LifespanStartup(_AppScenario):
    name = "lifespan"
    title = "the lifespan startup the server ran"
    protocol = "lifespan"

    def check(self, server: Hosted, report: Report) -> None:
        report.findings.extend(server.startup_violations)
        call = server.tracker.lifespan
        if call is None:
            report.fact("lifespan", "not run")
        else:
            sent = [m.get("type") for m in call.sent() if isinstance(m, dict)]
            report.fact("lifespan", "declined (raised)" if call.ended == "raised" else
                        "supported" if "lifespan.startup.complete" in sent else "other")
        report.block(f"lifespan startup under {server.kind}", [],
                     [call] if call is not None else [], server.startup_violations,
                     server.startup_logs, running="waits for lifespan.shutdown",
                     empty="(the server did not call the app with a lifespan scope)")


class HttpRequest(_AppScenario):
    protocol = "http"
    title = "the target's request over a real connection"

    def __init__(self, server: str, target: Target) -> None:
        self.name = f"http-{target.method.lower()}"
        super().__init__(server, with_body(target))

    def check(self, server: Hosted, report: Report) -> None:
        _, status, _ = self.http_step(server, report)
        report.fact("status", status)


class HeadRequest(_AppScenario):
    name = "http-head"
    protocol = "http"
    title = "HEAD: the body the app sends, whether or not the server drops it"
    rules = ("X-HTTP-005",)

    def __init__(self, server: str, target: Target) -> None:
        super().__init__(server, dataclasses.replace(target, method="HEAD", body=b""))

    def check(self, server: Hosted, report: Report) -> None:
        step, status, received = self.http_step(server, report)
        sent = sum(len(m.get("body", b"")) for call in step.calls for m in call.sent()
                   if isinstance(m, dict) and m.get("type") == "http.response.body"
                   and isinstance(m.get("body", b""), bytes))
        report.fact("status", status)
        report.fact("app_sent_body_bytes", sent)
        report.fact("client_received_body_bytes", len(received))
        if sent and not received:
            report.note(f"the app sent {sent} body bytes for HEAD and {server.kind} dropped "
                        f"them before the wire")


class MidStreamDisconnect(_AppScenario):
    name = "http-disconnect"
    protocol = "http"
    title = "the client leaves after the first chunk of a streamed response"
    rules = ("HTTP-RECV-007", "HTTP-RECV-005")

    def check(self, server: Hosted, report: Report) -> None:
        target = self.request
        with server.step(report.linger) as step:
            with http_client(server.server.url, report.wait) as client:
                with client.stream(target.method, request_url(target),
                                   headers=request_headers(target)) as response:
                    first = next(response.iter_raw(), b"")
                    step.saw(f"{target.method} {request_url(target)} -> "
                             f"{response.status_code}, first chunk {_shown(first)}; closing "
                             f"the connection")
        streamed = any(isinstance(m, dict) and m.get("type") == "http.response.body" and
                       m.get("more_body") for call in step.calls for m in call.sent())
        if not streamed:
            raise Skip("the app sent its response in one body message: there is no middle "
                       "of the stream to leave in")
        report.add(step, "the client leaves mid-stream", required=False)
        if step.calls and not step.ended:
            call = step.calls[0]
            asgi = call.scope.get("asgi")
            version = asgi.get("spec_version", "2.0") if isinstance(asgi, dict) else "2.0"
            told = "http.disconnect" in [e.get("type") for e in call.events()]
            report.find("HTTP-RECV-007", f"the app was still running {report.linger:g} s after "
                                         f"the client left mid-response ({server.kind} announces "
                                         f"spec_version {version!r}; its send() "
                                         f"{'raised' if call.send_errors else 'did not raise'}; "
                                         f"the app {'was' if told else 'was never'} told "
                                         f"http.disconnect): it streams to a dead client")


class ChunkedUpload(_AppScenario):
    name = "http-chunked"
    protocol = "http"
    title = "the body sent chunked gets the answer it gets in one piece"
    rules = ("HTTP-RECV-002",)

    def __init__(self, server: str, target: Target) -> None:
        super().__init__(server, with_body(target))

    def check(self, server: Hosted, report: Report) -> None:
        body = self.request.body
        third = max(1, len(body) // 3)
        chunks = [part for part in (body[:third], body[third:2 * third], body[2 * third:])
                  if part]
        _, status1, body1 = self.http_step(server, report, title="the body in one piece")
        _, status2, body2 = self.http_step(server, report, title="the body in one piece, again")
        _, status, received = self.http_step(server, report, chunks=chunks,
                                              title=f"the body in {len(chunks)} chunks")
        report.fact("statuses", {"whole": status1, "chunked": status})
        if status1 is None or status is None or status1 != status2:
            return  # an exchange broke off, or the app answers differently each time
        if status != status1 or (body1 == body2 and received != body1):
            got = f"{status} {_shown(received)}"
            report.find("HTTP-RECV-002", f"the body sent with Transfer-Encoding: chunked got "
                                         f"{got}; the same body in one piece got {status1} "
                                         f"{_shown(body1)}")


class WebSocketSession(_AppScenario):
    name = "ws-session"
    protocol = "websocket"
    title = "a websocket session over a real connection"
    rules = ("WS-APP-001",)

    def check(self, server: Hosted, report: Report) -> None:
        target = self.request
        with server.step(report.wait) as step:
            connection = ws_connect(server.server.ws_url + request_url(target), report.wait,
                                    subprotocols=target.subprotocols,
                                    headers=tuple(request_headers(target)))
            try:
                step.saw(f"connected to {target.path} (subprotocol "
                         f"{connection.subprotocol!r}); sent 'asgicheck'")
                connection.send("asgicheck")
                try:
                    step.saw(f"got {connection.recv(REPLY_WAIT)!r}")
                except TimeoutError:
                    step.saw(f"no message within {REPLY_WAIT} s")
                except ConnectionClosed as exc:
                    step.saw(f"the app closed the connection: code, reason {close_code(exc)}")
            finally:
                connection.close(1000)
                step.saw("closed with code 1000")
        report.add(step, f"session on {target.path}", required=False)
        if not step.ended:
            report.find("WS-APP-001", f"the app call was still running {report.wait:g} s after "
                                      f"the client closed the connection")
