"""Server checks over HTTP/1.1, each driving asgicheck's probe app (``_probes``) through the
real server with httpx. Every finding here is the server's (party "server").

* ``server-http-scope``: a plain GET. The validator judges the real scope and events; the
  request arrives as one empty ``http.request`` (HTTP-EVT-001) and, once the response is
  complete and the client has closed, every ``receive()`` returns ``http.disconnect``
  (HTTP-EVT-003).
* ``server-headers``: duplicate and mixed-case request headers keep their order, their
  duplicates and their values (HTTP-SCOPE-011).
* ``server-keep-alive``: two requests on one connection are two app calls with two scopes
  (HTTP-SCOPE-017), each with its own copy of the lifespan state (LS-SRV-007).
* ``server-chunked-upload``: a ``Transfer-Encoding: chunked`` upload arrives de-chunked and
  byte-exact, like the same body sent in one piece (HTTP-EVT-001, HTTP-EVT-002).
* ``server-disconnect-mid-stream``: the client leaves after the first chunk. The app is told
  (HTTP-EVT-003); its next ``send()`` raises an ``OSError`` at spec >= 2.4 (HTTP-SRV-006) and
  is a no-op before (GEN-SRV-004); a re-raised send error is not logged as an error
  (HTTP-SRV-007).
"""

from __future__ import annotations

from typing import Any

from asgicheck.live._client import http_client
from asgicheck.live._hosting import Hosted
from asgicheck.live._logs import LogLine
from asgicheck.live._probes import TIMEOUT
from asgicheck.live._scenario import LiveScenario, Report, Skip
from asgicheck.live._tracker import Call

__all__ = ["SCENARIOS", "logged_after_reraise", "send_after_close_findings", "spec_version"]

UPLOAD = b"asgicheck-live"
UPLOAD_CHUNKS = (b"asgi", b"check-", b"live")


def spec_version(call: Call) -> str:
    asgi = call.scope.get("asgi")
    version = asgi.get("spec_version") if isinstance(asgi, dict) else None
    return version if isinstance(version, str) else "2.0"


def _at_least_2_4(version: str) -> bool:
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (2, 4)


def _describe(outcome: object) -> str:
    if outcome is None:
        return "returned (a no-op)"
    if outcome == "blocked":
        return "blocked"
    if isinstance(outcome, BaseException):
        kind = "an OSError subclass" if isinstance(outcome, OSError) else "not an OSError"
        return f"raised {type(outcome).__name__} ({kind})"
    return "was not tried"


def send_after_close_findings(report: Report, call: Call, raise_rule: str) -> None:
    """Judge the probe's send() after the client left: ``raise_rule`` (HTTP-SRV-006 or
    WS-SRV-006) at spec >= 2.4, GEN-SRV-004 before."""
    version = spec_version(call)
    outcome = call.data.get("send_after_close", "not tried")
    report.fact("send_after_close", _describe(outcome))
    report.fact("spec_version", version)
    if outcome == "not tried":
        return
    raised_oserror = isinstance(outcome, OSError)
    if _at_least_2_4(version) and not raised_oserror:
        report.find(raise_rule, f"the server advertises spec_version {version!r}, but send() "
                                f"after the client had gone {_describe(outcome)}; from 2.4 it "
                                f"should raise a server-specific OSError subclass")
    elif not _at_least_2_4(version) and outcome is not None:
        report.find("GEN-SRV-004", f"the server advertises spec_version {version!r} (before "
                                   f"send() raising existed), and send() after the client had "
                                   f"gone {_describe(outcome)}: it should act as a no-op")


def logged_after_reraise(report: Report, call: Call, rule: str, logs: list[LogLine]) -> None:
    """``rule`` (HTTP-SRV-007 / WS-SRV-007) when the OSError the probe re-raised was logged."""
    if not isinstance(call.data.get("send_after_close"), OSError):
        report.fact("reraise_logged", "not exercised (send() did not raise)")
        return
    errors = report.logged_errors(logs)
    report.fact("reraise_logged", bool(errors))
    if errors:
        report.find(rule, f"the app re-raised the {type(call.data['send_after_close']).__name__}"
                          f" its send() raised, and the server logged it as an error: "
                          f"{errors[0].render(traceback_lines=0)!r}")


def _request_events(call: Call) -> list[dict[str, Any]]:
    return [e for e in call.events() if e.get("type") == "http.request"]


def _body_findings(report: Report, call: Call, rule: str, how: str) -> None:
    events = _request_events(call)
    received = b"".join(e.get("body", b"") for e in events)
    if received != UPLOAD or not events or events[-1].get("more_body", False):
        report.find(rule, f"the body {UPLOAD!r} sent {how} reached the app as "
                          f"{[e.get('body') for e in events]!r} in {len(events)} http.request "
                          f"event(s), the last with more_body="
                          f"{events[-1].get('more_body') if events else None!r}")


class _HTTPProbe(LiveScenario):
    protocol = "http"
    probe = True


class HTTPScope(_HTTPProbe):
    name = "server-http-scope"
    title = "the server's http scope and events for a plain GET"
    rules = ("HTTP-SCOPE-001", "HTTP-SCOPE-002", "HTTP-SCOPE-003", "HTTP-EVT-001",
             "HTTP-EVT-003")

    def check(self, server: Hosted, report: Report) -> None:
        with server.step(report.wait) as step:
            with http_client(server.server.url, report.wait) as client:
                response = client.get("/plain", params={"q": "1"})
                step.saw(f"GET /plain?q=1 -> {response.status_code} {response.content!r}")
        report.add(step, "GET /plain, then the client closes the connection")
        if not step.calls:
            raise Skip("the server did not call the probe app")
        call = step.calls[0]
        report.fact("spec_version", spec_version(call))
        report.fact("http_version", call.scope.get("http_version"))
        report.fact("scope_keys", sorted(call.scope))
        events = _request_events(call)
        if len(events) != 1 or events[0].get("body", b"") != b"" or events[0].get("more_body"):
            report.find("HTTP-EVT-001", f"a GET without a body should arrive as one empty "
                                        f"http.request; the app got {events!r}")
        after = call.data.get("after_response", [])
        report.fact("receive_after_response", after)
        if after != ["http.disconnect", "http.disconnect"]:
            report.find("HTTP-EVT-003", f"after the response was complete and the client had "
                                        f"closed the connection, two receive() calls gave "
                                        f"{after!r} ({TIMEOUT!r}: nothing within 1 s); each "
                                        f"should return http.disconnect")


class Headers(_HTTPProbe):
    name = "server-headers"
    title = "duplicate and mixed-case request headers reach the scope in order"
    rules = ("HTTP-SCOPE-011", "HTTP-SCOPE-012")
    SENT = (("X-Dup", "1"), ("x-asgicheck", "a"), ("X-DUP", "2"), ("Cookie", "a=1"),
            ("cookie", "b=2"))

    def check(self, server: Hosted, report: Report) -> None:
        with server.step(report.wait) as step:
            with http_client(server.server.url, report.wait) as client:
                response = client.get("/body", headers=list(self.SENT))
                step.saw(f"GET /body with headers {list(self.SENT)} -> {response.status_code}")
        report.add(step, "duplicate and mixed-case headers")
        if not step.calls:
            raise Skip("the server did not call the probe app")
        names = {name.lower().encode() for name, _ in self.SENT}
        got = [(bytes(n), bytes(v)) for n, v in step.calls[0].scope.get("headers", [])
               if bytes(n).lower() in names]
        expected = [(n.encode(), v.encode()) for n, v in self.SENT]
        case = "preserved" if got == expected else "lowercased" if got == [
            (n.lower(), v) for n, v in expected] else "changed"
        report.fact("header_case", case)
        if [(n.lower(), v) for n, v in got] != [(n.lower(), v) for n, v in expected]:
            report.find("HTTP-SCOPE-011", f"the client sent {expected!r}; the scope has "
                                          f"{got!r} (order, duplicates and values must be "
                                          f"kept as received)")


class KeepAlive(_HTTPProbe):
    name = "server-keep-alive"
    title = "two requests on one connection: two app calls, two scopes, two state copies"
    rules = ("HTTP-SCOPE-017", "LS-SRV-007")

    def check(self, server: Hosted, report: Report) -> None:
        with server.step(report.wait) as step:
            with http_client(server.server.url, report.wait) as client:
                for number in (1, 2):
                    response = client.post("/body", content=UPLOAD)
                    step.saw(f"request {number}: POST /body -> {response.status_code}")
        report.add(step, "two requests on one keep-alive connection")
        calls = step.calls
        scopes = [call.data.pop("scope", None) for call in calls]
        clients = [call.scope.get("client") for call in calls]
        report.fact("app_calls", len(calls))
        if len(calls) != 2:
            report.find("HTTP-SCOPE-017", f"two requests on one connection made {len(calls)} "
                                          f"app call(s); each request gets its own call")
            return
        if clients[0] != clients[1]:
            raise Skip(f"the client did not reuse its connection ({clients[0]!r} then "
                       f"{clients[1]!r}), so keep-alive was not exercised")
        if scopes[0] is scopes[1]:
            report.find("HTTP-SCOPE-017", "both requests on the connection got the same "
                                          "scope object; each request needs its own scope")
        state_keys = [call.data.get("state_keys") for call in calls]
        report.fact("lifespan_state", "absent" if state_keys[1] is None else "copied")
        if state_keys[1] is not None and "asgicheck_leak" in state_keys[1]:
            report.find("LS-SRV-007", "a key the first request added to scope['state'] was in "
                                      "the second request's state: the server passed the same "
                                      "dict instead of a fresh shallow copy of the lifespan "
                                      "state")


class ChunkedUpload(_HTTPProbe):
    name = "server-chunked-upload"
    title = "a chunked upload arrives de-chunked, like the same body in one piece"
    rules = ("HTTP-EVT-001", "HTTP-EVT-002")

    def check(self, server: Hosted, report: Report) -> None:
        with server.step(report.wait) as chunked:
            with http_client(server.server.url, report.wait) as client:
                response = client.post("/body", content=iter(UPLOAD_CHUNKS))
                chunked.saw(f"POST /body, Transfer-Encoding: chunked {list(UPLOAD_CHUNKS)} -> "
                            f"{response.status_code} {response.content!r}")
        report.add(chunked, "the body in chunks")
        with server.step(report.wait) as whole:
            with http_client(server.server.url, report.wait) as client:
                response = client.post("/body", content=UPLOAD)
                whole.saw(f"POST /body, Content-Length {len(UPLOAD)} -> "
                          f"{response.status_code} {response.content!r}")
        report.add(whole, "the same body in one piece")
        if not chunked.calls or not whole.calls:
            raise Skip("the server did not call the probe app")
        for step in (chunked, whole):
            step.calls[0].data.pop("scope", None)
        report.fact("chunked_events", len(_request_events(chunked.calls[0])))
        _body_findings(report, chunked.calls[0], "HTTP-EVT-002", "with chunked encoding")
        _body_findings(report, whole.calls[0], "HTTP-EVT-001", "with a Content-Length")


class DisconnectMidStream(_HTTPProbe):
    name = "server-disconnect-mid-stream"
    title = "the client leaves after the first chunk: what the app is told, what send() does"
    rules = ("HTTP-EVT-003", "HTTP-SRV-006", "GEN-SRV-004", "HTTP-SRV-007")

    def check(self, server: Hosted, report: Report) -> None:
        with server.step(2 * report.wait) as step:
            with http_client(server.server.url, report.wait) as client:
                with client.stream("GET", "/stream") as response:
                    first = next(response.iter_raw(), b"")
                    step.saw(f"GET /stream -> {response.status_code}, first chunk {first!r}; "
                             f"closing the connection")
        report.add(step, "client disconnects mid-stream")
        if not step.calls:
            raise Skip("the server did not call the probe app")
        call = step.calls[0]
        event = call.data.get("event")
        report.fact("told_app", event)
        if event != "http.disconnect":
            report.find("HTTP-EVT-003", f"the client closed the connection after the first "
                                        f"chunk; the app's next receive() gave {event!r} "
                                        f"instead of http.disconnect (within 2 s)")
        send_after_close_findings(report, call, "HTTP-SRV-006")
        logged_after_reraise(report, call, "HTTP-SRV-007", step.logs)


SCENARIOS: tuple[type[LiveScenario], ...] = (HTTPScope, Headers, KeepAlive, ChunkedUpload,
                                             DisconnectMidStream)
