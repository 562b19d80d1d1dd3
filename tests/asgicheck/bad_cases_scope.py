"""Scopes and events a server got wrong, one rule each, and legal ones that break none.

Scope cases have no steps: the scope alone is judged. Event cases receive one event in an
otherwise valid http or websocket exchange.
"""

from __future__ import annotations

from typing import Any

from cases import (
    Case,
    bad,
    good,
    http_scope,
    lifespan_scope,
    websocket_scope,
)

TLS_OK = {"server_cert": None, "client_cert_chain": [], "client_cert_name": None,
          "client_cert_error": None, "tls_version": 0x0304, "cipher_suite": 0x1301}


def without(scope: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in scope.items() if key not in keys}


def with_asgi(scope: dict[str, Any], **asgi: Any) -> dict[str, Any]:
    return {**scope, "asgi": asgi}


def tls(**overrides: Any) -> dict[str, Any]:
    """An https scope whose tls extension is TLS_OK with ``overrides`` (None value = drop)."""
    info = {key: value for key, value in {**TLS_OK, **overrides}.items()
            if value is not _DROP}
    return http_scope(scheme="https", extensions={"tls": info})


_DROP: Any = object()


def event(scope: dict[str, Any], body: Any, rule: str, note: str = "") -> Case:
    return bad(rule, scope, ("recv", body), note=note)


HTTP, WS = http_scope, websocket_scope

CASES: list[Case] = [
    # -- asgi.rst: every scope -------------------------------------------------------------
    bad("GEN-SCOPE-001", {"asgi": {"version": "3.0"}}),
    bad("GEN-SCOPE-001", {"type": b"http", "asgi": {"version": "3.0"}}, note="bytes-type"),
    bad("GEN-SCOPE-002", without(HTTP(), "asgi")),
    bad("GEN-SCOPE-002", with_asgi(HTTP(), spec_version="2.4"), note="no-version"),
    bad("GEN-SCOPE-002", HTTP(asgi={"version": 3.0}), note="float-version"),
    bad("GEN-SCOPE-003", HTTP(extensions={"http.response.pathsend": None})),
    bad("GEN-SCOPE-003", HTTP(extensions=["http.response.pathsend"]), note="list"),
    bad("GEN-SCOPE-003", HTTP(extensions=None), note="none"),
    event(HTTP(), {"type": "http.request", "body": bytearray(b"x")}, "GEN-EVT-001"),
    event(HTTP(), {"body": b""}, "GEN-EVT-001", "no-type"),
    event(HTTP(), ["http.request"], "GEN-EVT-001", "not-a-dict"),
    event(HTTP(), {"type": "http.request", 1: b""}, "GEN-EVT-001", "int-key"),
    event(WS(), {"type": "websocket.connect", "rtt": float("nan")}, "GEN-EVT-001", "nan"),
    event(WS(), {"type": "websocket.connect", "ids": [2**64]}, "GEN-EVT-001", "int64"),
    event(WS(), {"type": "websocket.connect", "x": {"when": object()}}, "GEN-EVT-001",
          "object"),
    # -- www.rst "HTTP Connection Scope" ---------------------------------------------------
    bad("HTTP-SCOPE-001", HTTP(type="https")),
    bad("HTTP-SCOPE-001", HTTP(type="HTTP"), note="case"),
    bad("HTTP-SCOPE-002", HTTP(asgi={"version": "3.0", "spec_version": 2.4})),
    bad("HTTP-SCOPE-002", HTTP(asgi={"version": "3.0", "spec_version": "3.0"}),
        note="unknown-major-warning"),
    bad("HTTP-SCOPE-003", HTTP(http_version="1.2")),
    bad("HTTP-SCOPE-003", without(HTTP(), "http_version"), note="missing"),
    bad("HTTP-SCOPE-003", HTTP(http_version=1.1), note="float"),
    bad("HTTP-SCOPE-004", HTTP(method="get")),
    bad("HTTP-SCOPE-004", without(HTTP(), "method"), note="missing"),
    bad("HTTP-SCOPE-005", HTTP(scheme="")),
    bad("HTTP-SCOPE-006", HTTP(path="/a", raw_path=b"/b")),
    bad("HTTP-SCOPE-006", HTTP(path="/a%20b", raw_path=b"/a%20b"), note="not-decoded"),
    bad("HTTP-SCOPE-006", HTTP(path=b"/", raw_path=None), note="bytes"),
    bad("HTTP-SCOPE-006", without(HTTP(), "path", "raw_path"), note="missing"),
    bad("HTTP-SCOPE-007", HTTP(raw_path="/")),
    bad("HTTP-SCOPE-007", HTTP(path="/s", raw_path=b"/s?q=1", query_string=b"q=1"),
        note="query-included"),
    bad("HTTP-SCOPE-008", HTTP(query_string="")),
    bad("HTTP-SCOPE-008", without(HTTP(), "query_string"), note="missing"),
    bad("HTTP-SCOPE-008", HTTP(query_string=None), note="none"),
    bad("HTTP-SCOPE-009", HTTP(root_path=b"")),
    bad("HTTP-SCOPE-010", HTTP(headers=[[b"host", "testserver"]])),
    bad("HTTP-SCOPE-010", without(HTTP(), "headers"), note="missing"),
    bad("HTTP-SCOPE-010", HTTP(headers={b"host": b"testserver"}), note="dict"),
    bad("HTTP-SCOPE-010", HTTP(headers=[[b"host", b"testserver", b"extra"]]), note="triple"),
    bad("HTTP-SCOPE-010", HTTP(headers=[[bytearray(b"host"), b"t"]]), note="bytearray"),
    bad("HTTP-SCOPE-012", HTTP(headers=[[b"Host", b"testserver"]])),
    bad("HTTP-SCOPE-013", HTTP(headers=[[b":authority", b"testserver"]])),
    bad("HTTP-SCOPE-014", HTTP(client="127.0.0.1:50000")),
    bad("HTTP-SCOPE-014", HTTP(client=["127.0.0.1", "50000"]), note="str-port"),
    bad("HTTP-SCOPE-014", HTTP(client=["/tmp/sock", None]), note="none-port"),
    bad("HTTP-SCOPE-015", HTTP(server=["testserver", "80"])),
    bad("HTTP-SCOPE-015", HTTP(asgi={"version": "3.0", "spec_version": "2.1"},
                               server=["/tmp/app.sock", None]), note="none-port-before-2.2"),
    bad("HTTP-SCOPE-016", HTTP(state=[])),
    event(HTTP(), {"type": "http.request", "body": "x"}, "HTTP-EVT-001"),
    event(HTTP(), {"type": "http.request", "body": b"x", "more_body": 1}, "HTTP-EVT-001",
          "int-more-body"),
    # -- www.rst "Websocket Connection Scope" ----------------------------------------------
    bad("WS-SCOPE-001", WS(type="ws")),
    bad("WS-SCOPE-001", WS(type="websockets"), note="plural"),
    bad("WS-SCOPE-002", WS(asgi={"version": "3.0", "spec_version": 2})),
    bad("WS-SCOPE-003", WS(http_version="1.0")),
    bad("WS-SCOPE-004", WS(scheme="")),
    bad("WS-SCOPE-005", WS(path="/ws", raw_path=b"/chat")),
    bad("WS-SCOPE-005", WS(raw_path=b"/ws?token=1", query_string=b"token=1"),
        note="raw-path-query"),
    bad("WS-SCOPE-005", WS(path=None), note="path-none"),
    bad("WS-SCOPE-006", WS(query_string="token=1")),
    bad("WS-SCOPE-007", WS(root_path=None)),
    bad("WS-SCOPE-008", WS(headers=[(b"host",)])),
    bad("WS-SCOPE-008", without(WS(), "headers"), note="missing"),
    bad("WS-SCOPE-009", WS(headers=[[b"Sec-WebSocket-Key", b"abc"]])),
    bad("WS-SCOPE-010", WS(headers=[[b":path", b"/ws"]])),
    bad("WS-SCOPE-011", WS(client=("127.0.0.1",))),
    bad("WS-SCOPE-011", WS(server=("testserver", "80")), note="server"),
    bad("WS-SCOPE-012", WS(subprotocols="chat")),
    bad("WS-SCOPE-012", WS(subprotocols=[b"chat"]), note="bytes-item"),
    bad("WS-SCOPE-012", WS(subprotocols=None), note="none"),
    bad("WS-SCOPE-013", WS(state=None)),
    # -- lifespan.rst "Scope" --------------------------------------------------------------
    bad("LS-SCOPE-001", lifespan_scope(type="Lifespan")),
    bad("LS-SCOPE-001", lifespan_scope(asgi={"version": "3.0", "spec_version": 2.0}),
        note="float-spec"),
    bad("LS-SCOPE-002", lifespan_scope(state={"db": "leftover"})),
    bad("LS-SCOPE-002", lifespan_scope(state=None), note="none"),
    # -- tls.rst ---------------------------------------------------------------------------
    bad("TLS-SRV-001", HTTP(scheme="http", extensions={"tls": TLS_OK})),
    bad("TLS-SRV-001", without(WS(extensions={"tls": TLS_OK}), "scheme"), note="ws-default"),
    bad("TLS-SRV-003", tls(server_cert=_DROP)),
    bad("TLS-SRV-003", tls(server_cert=b"-----BEGIN CERTIFICATE-----"), note="bytes"),
    bad("TLS-SRV-004", tls(client_cert_chain="-----BEGIN CERTIFICATE-----")),
    bad("TLS-SRV-004", tls(client_cert_chain=[b"pem"], client_cert_name="CN=alice"),
        note="bytes-item"),
    bad("TLS-SRV-005", tls(client_cert_chain=["pem"])),
    bad("TLS-SRV-005", tls(client_cert_name=b"CN=alice"), note="bytes"),
    bad("TLS-SRV-006", tls(client_cert_error="")),
    bad("TLS-SRV-006", tls(client_cert_error=20), note="int"),
    bad("TLS-SRV-007", tls(tls_version="TLSv1.3")),
    bad("TLS-SRV-007", tls(tls_version=_DROP), note="missing"),
    bad("TLS-SRV-008", tls(cipher_suite=0x10000)),
    bad("TLS-SRV-008", tls(cipher_suite=_DROP), note="missing"),
    bad("TLS-SRV-008", tls(cipher_suite="TLS_AES_128_GCM_SHA256"), note="name"),
]

MINIMAL_HTTP = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                "method": "GET", "path": "/", "query_string": b"", "headers": []}
MINIMAL_WS = {"type": "websocket", "asgi": {"version": "3.0"}, "path": "/", "headers": []}

CASES += [
    good("http-full", HTTP()),
    good("http-minimal", MINIMAL_HTTP),
    good("websocket-full", WS()),
    good("websocket-minimal", MINIMAL_WS),
    good("websocket-query-none", WS(query_string=None)),
    good("lifespan-full", lifespan_scope()),
    good("lifespan-minimal", {"type": "lifespan", "asgi": {"version": "3.0"}}),
    good("lifespan-spec-1.0", lifespan_scope(asgi={"version": "3.0", "spec_version": "1.0"})),
    good("unknown-protocol", {"type": "asgicheck.unknown", "asgi": {"version": "3.0"}}),
    *(good(f"spec-{v}", HTTP(asgi={"version": "3.0", "spec_version": v}))
      for v in ("2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6")),
    good("asgi-2.0", HTTP(asgi={"version": "2.0"})),
    good("http-2", HTTP(http_version="2", scheme="https")),
    good("http-3", HTTP(http_version="3", scheme="https")),
    good("websocket-h2", WS(http_version="2", scheme="wss")),
    good("method-extension", HTTP(method="M-SEARCH")),
    good("percent-decoded-path", HTTP(path="/a b/caf\u00e9", raw_path=b"/a%20b/caf%C3%A9")),
    good("encoded-slash", HTTP(path="/a/b", raw_path=b"/a%2Fb")),
    good("utf8-raw-path", HTTP(path="/caf\u00e9", raw_path="/caf\u00e9".encode())),
    good("invalid-utf8-raw-path", HTTP(path="/\udcff", raw_path=b"/%FF")),
    good("raw-path-none", HTTP(raw_path=None)),
    good("raw-path-missing", without(HTTP(), "raw_path")),
    good("root-path-in-both", HTTP(root_path="/mnt", path="/mnt/x", raw_path=b"/mnt/x")),
    good("root-path-stripped-by-proxy", HTTP(root_path="/mnt", path="/mnt/x", raw_path=b"/x")),
    good("root-path-outside-path", HTTP(root_path="/mnt", path="/x", raw_path=b"/mnt/x")),
    good("absolute-form-in-path", HTTP(path="http://example.com/x",
                                       raw_path=b"http://example.com/x")),
    good("absolute-form-raw-only", HTTP(path="/x", raw_path=b"http://example.com/x")),
    good("query-string", HTTP(query_string=b"q=%26&x=1")),
    good("tuples-everywhere", HTTP(headers=((b"host", b"t"), (b"accept", b"*/*")),
                                   client=("10.0.0.1", 1234), server=("t", 443))),
    good("duplicate-headers", HTTP(headers=[[b"cookie", b"a=1"], [b"cookie", b"b=2"]])),
    good("no-client-no-server", HTTP(client=None, server=None)),
    good("unix-socket-server", HTTP(server=["/tmp/app.sock", None])),
    good("state", HTTP(state={"db": object()})),
    good("websocket-state-and-subprotocols", WS(state={}, subprotocols=("chat", "v2"))),
    good("extensions-empty", HTTP(extensions={})),
    good("extensions-advertised", HTTP(extensions={"http.response.pathsend": {},
                                                   "http.response.trailers": {}})),
    good("tls", tls()),
    good("tls-proxy-terminated", tls(tls_version=None, cipher_suite=None,
                                     client_cert_chain=_DROP, client_cert_name=_DROP,
                                     client_cert_error=_DROP)),
    good("tls-client-cert", tls(client_cert_chain=["pem-leaf", "pem-ca"],
                                client_cert_name="CN=alice,O=Example",
                                client_cert_error=None)),
    good("tls-client-cert-rejected", tls(client_cert_chain=["pem"], client_cert_name="CN=x",
                                         client_cert_error="certificate has expired")),
    good("tls-name-without-chain", tls(client_cert_name="CN=forwarded-by-proxy")),
    good("tls-wss", WS(scheme="wss", extensions={"tls": TLS_OK})),
    good("http-request-event-bare", HTTP(), ("recv", {"type": "http.request"})),
    good("http-request-event-tuple-extra", HTTP(),
         ("recv", {"type": "http.request", "body": b"x", "more_body": False,
                   "trace": ("a", [1, 2.5, None, True, {"k": b"v"}])})),
    good("custom-event", WS(), ("recv", {"type": "myapp.tick", "n": 2**63 - 1})),
]
