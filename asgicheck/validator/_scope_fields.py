"""The fields of http and websocket scopes (www.rst § HTTP Connection Scope, § Websocket
Connection Scope), judged for ``_scope.check_scope``.

Both scopes share most keys and differ in which are optional and which rule judges each, so one
set of checks runs from a table per protocol (``HTTP``, ``WS``). ``plain_www`` is the fast path:
one cheap pass that recognises the everyday valid scope; anything it is unsure of goes to
``check_www``, the only judge. Nothing here raises on garbage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote_to_bytes, urlsplit

from asgicheck.rules import violation
from asgicheck.validator._checks import parse_spec_version
from asgicheck.violations import Severity, Violation

__all__ = ["HTTP", "MISSING", "WS", "check_www", "is_extension_dict", "kind_of", "plain_http",
           "plain_www", "show", "spec_version"]

MISSING: Any = object()
# The versions servers send, pre-parsed: a dict lookup instead of parsing on every request.
_KNOWN_VERSIONS = {f"{major}.{minor}": (major, minor) for major in (1, 2) for minor in range(10)}


def show(value: object, width: int = 60) -> str:
    """``repr(value)`` cut to ``width``; a repr that raises is shown by its type instead."""
    try:
        text = repr(value)
    except Exception:  # a server's odd object must not crash the checker
        return f"<{type(value).__name__} with a failing repr>"
    return text if len(text) <= width else text[:width - 3] + "..."


def kind_of(value: object) -> str:
    """``"an int"``, ``"a str"``, ``"None"``: the type of ``value`` for a message."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name}"


@dataclass(frozen=True, slots=True)
class Www:
    """Which rule judges each key of an http or websocket scope (www.rst lists both)."""

    protocol: str
    spec_version: str  # the rule for each key, in order
    http_version: str
    http_versions: frozenset[str]
    http_version_required: bool
    scheme: str
    default_scheme: str
    path: str
    raw_path: str
    query_string: str
    query_string_required: bool
    root_path: str
    headers: str
    header_case: str
    pseudo: str
    client: str
    server: str
    state: str


# www.rst "HTTP Connection Scope": http_version "One of "1.0", "1.1" or "2"", and "3" since
# asgiref PR #589 (A16); "Websocket Connection Scope": "One of "1.1" or "2"", and "3" for
# RFC 9220 websockets over HTTP/3.
HTTP = Www("http", "HTTP-SCOPE-002", "HTTP-SCOPE-003", frozenset({"1.0", "1.1", "2", "3"}),
           True, "HTTP-SCOPE-005", "http", "HTTP-SCOPE-006", "HTTP-SCOPE-007",
           "HTTP-SCOPE-008", True, "HTTP-SCOPE-009", "HTTP-SCOPE-010", "HTTP-SCOPE-012",
           "HTTP-SCOPE-013", "HTTP-SCOPE-014", "HTTP-SCOPE-015", "HTTP-SCOPE-016")
WS = Www("websocket", "WS-SCOPE-002", "WS-SCOPE-003", frozenset({"1.1", "2", "3"}), False,
         "WS-SCOPE-004", "ws", "WS-SCOPE-005", "WS-SCOPE-005", "WS-SCOPE-006", False,
         "WS-SCOPE-007", "WS-SCOPE-008", "WS-SCOPE-009", "WS-SCOPE-010", "WS-SCOPE-011",
         "WS-SCOPE-011", "WS-SCOPE-013")


_PLAIN_SPECS: Final = frozenset({"2.0", "2.1", "2.2", "2.3", "2.4", "2.5"})
_PLAIN_HTTP_VERSIONS: Final = frozenset({"1.0", "1.1", "2", "3"})
_PLAIN_WS_VERSIONS: Final = frozenset({"1.1", "2", "3"})


def plain_www(scope: dict[str, Any], http: bool) -> bool:
    """Whether an http/websocket scope has the everyday shape, judged in one cheap pass.

    True means nothing to report; False means only "look closer" (``check_www`` judges). So
    anything unusual, even if legal (percent-encoded paths, a root_path, unix-socket servers,
    extensions, one-shot header iterables), is simply left to the full checks.
    """
    get = scope.get
    spec = scope["asgi"].get("spec_version", "2.0")  # check_scope made sure it is a dict
    # check_scope has proved any extensions a dict of dicts; only tls has fields to judge.
    if type(spec) is not str or spec not in _PLAIN_SPECS or "tls" in get("extensions", ()):
        return False
    version, path, raw = get("http_version", "1.1"), get("path"), get("raw_path")
    if type(version) is not str or version not in (
            _PLAIN_HTTP_VERSIONS if http else _PLAIN_WS_VERSIONS) or type(path) is not str:
        return False
    if raw is not None and not (type(raw) is bytes and raw.isascii() and 37 not in raw
                                and 63 not in raw and raw.decode("ascii") == path):
        return False
    query, scheme = get("query_string", b""), get("scheme", "http")
    if type(query) is not bytes or type(scheme) is not str or not scheme:
        return False
    if type(get("root_path", "")) is not str or type(get("state", {})) is not dict:
        return False
    if http:
        method = get("method")
        if "http_version" not in scope or "query_string" not in scope or type(
                method) is not str or not method.isupper():
            return False
    else:
        offered = get("subprotocols", ())
        if type(offered) is not list and type(offered) is not tuple:
            return False
        for item in offered:
            if type(item) is not str:
                return False
    headers = get("headers")
    if type(headers) is not list and type(headers) is not tuple:
        return False
    for item in headers:
        if not ((type(item) is list or type(item) is tuple) and len(item) == 2):
            return False
        name, value = item
        if type(name) is not bytes or type(value) is not bytes or name[:1] == b":" \
                or name != name.lower():
            return False
    for address in (get("client"), get("server")):
        if address is not None and not (
                (type(address) is list or type(address) is tuple) and len(address) == 2
                and type(address[0]) is str and type(address[1]) is int):
            return False
    return True


_PLAIN_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
_HTTP: Final = "http"
# Header names already proven lowercase and not pseudo: clients send the same few names on
# every request, and a set lookup is cheaper than proving it again. Only exact bytes get in
# and only exact bytes are looked up, so equality here is the same verdict.
_PROVEN_NAMES: Final[set[bytes]] = set()
_PROVEN_LIMIT: Final = 4096


class _Seen:
    """The last value of each of these fields that ``plain_http`` proved plain.

    A server hands the same objects to every request (uvicorn 0.55: the asgi versions, the
    scheme, the root_path) while it parses the rest anew. Each of these is immutable all the
    way down (an exact str), so once proven it stays proven, and ``is`` is the cheapest test
    there is; anything else is proven afresh and becomes the new one. The client and server
    addresses are not kept: they are one pair per connection, so under several connections
    the last one seen is rarely the next one.
    """

    __slots__ = ("version", "spec", "scheme", "root")

    def __init__(self) -> None:
        self.version: object = None
        self.spec: object = None
        self.scheme: object = None
        self.root: object = None


SEEN: Final = _Seen()


def plain_http(scope: dict[str, Any]) -> bool:
    """Whether ``scope`` is an everyday http scope that ``check_scope`` would pass as it is.

    The per-request fast path of ``validate()``: a server builds a fresh scope for every
    request, and a method call costs several times a subscript or an exact type test, so it
    is written in those (and values the server hands over unchanged are recognised by identity:
    ``SEEN``). It is stricter than the spec on purpose: every key a typical server sends must
    be present, and anything unusual (a percent-encoded path, an odd method, the tls extension)
    answers False, which only means "look closer". Other extensions it accepts as they are; a
    caller that acts on them must look at them.
    """
    seen = SEEN
    try:
        asgi, version, method = scope["asgi"], scope["http_version"], scope["method"]
        path, raw, headers = scope["path"], scope["raw_path"], scope["headers"]
        # Subscripts raise on a missing key, so each test below reads a value that is there.
        if (type(version) is not str or type(method) is not str or type(path) is not str
                or type(raw) is not bytes or type(scope["query_string"]) is not bytes
                or type(headers) is not list and type(headers) is not tuple
                or type(asgi) is not dict or version not in _PLAIN_HTTP_VERSIONS
                or method not in _PLAIN_METHODS
                or "%" in path or "?" in path or raw != path.encode("ascii")):
            return False
        kind = scope["type"]
        if kind is not _HTTP and (type(kind) is not str or kind != "http"):
            return False
        value = asgi["version"]
        if value is not seen.version:
            if type(value) is not str:
                return False
            seen.version = value
        # "Optional; if missing assume "2.0"": httpx's ASGITransport sends none.
        value = asgi.get("spec_version", "2.0")
        if value is not seen.spec:
            if type(value) is not str or value not in _PLAIN_SPECS:
                return False
            seen.spec = value
        value = scope["scheme"]
        if value is not seen.scheme:
            if type(value) is not str or not value:
                return False
            seen.scheme = value
        value = scope["root_path"]
        if value is not seen.root:
            if type(value) is not str:
                return False
            seen.root = value
        # Addresses are proven every time, inline: a server keeps one pair per connection,
        # and under many connections (a load test, a browser's six) an identity cache misses
        # on nearly every request, where a method call to refill it costs more than the proof.
        value = scope["client"]
        if value is not None and (
                type(value) is not tuple and type(value) is not list or len(value) != 2
                or type(value[0]) is not str or type(value[1]) is not int):
            return False
        value = scope["server"]
        if value is not None and (
                type(value) is not tuple and type(value) is not list or len(value) != 2
                or type(value[0]) is not str or type(value[1]) is not int):
            return False
        # Twelve keys are the ones read above; anything more may be state or extensions
        # (uvicorn sends "state" on every request: tested here, not in a call).
        if len(scope) > 12:
            if "state" in scope and type(scope["state"]) is not dict:
                return False
            # tls has fields to judge: the full path.
            if "extensions" in scope and not (is_extension_dict(scope["extensions"])
                                              and "tls" not in scope["extensions"]):
                return False
        for item in headers:
            if type(item) is not tuple and type(item) is not list:
                return False
            name, value = item  # a short or long item raises ValueError: not plain
            if type(name) is not bytes or type(value) is not bytes:
                return False
            if name not in _PROVEN_NAMES:
                # islower(): some lowercase letter and no uppercase one; pseudo starts ':'.
                if not name.islower() or name[0] == 58:
                    return False
                if len(_PROVEN_NAMES) < _PROVEN_LIMIT:
                    _PROVEN_NAMES.add(name)
    except Exception:  # a missing key, a short header item, a value that cannot be hashed
        return False
    return True


def is_extension_dict(extensions: object) -> bool:
    """GEN-SCOPE-003's shape: a dict of extension name (str) to dict."""
    if type(extensions) is not dict:
        return False
    for name, value in extensions.items():
        if type(name) is not str or type(value) is not dict:
            return False
    return True


def spec_version(asgi: dict[str, Any] | None, rule: str, majors: tuple[int, ...],
                 default: tuple[int, int], found: list[Violation]) -> tuple[int, int]:
    """asgi["spec_version"]: "Optional; if missing assume "2.0"" (lifespan: "1.0")."""
    if asgi is None or "spec_version" not in asgi:
        return default
    value = asgi["spec_version"]
    known = _KNOWN_VERSIONS.get(value) if type(value) is str else None
    if known is not None and known[0] in majors:
        return known
    if not isinstance(value, str):
        found.append(violation(rule, f"scope['asgi']['spec_version']={show(value)} is "
                               f"{kind_of(value)}, not a str such as \"2.4\""))
        return default
    parsed = parse_spec_version(value, (-1, -1))
    if parsed[0] not in majors:
        # A17: any "2.x" is fine (the websocket text still lists only 2.0-2.3); others are not
        # versions of this spec, so apps cannot tell what the server supports.
        found.append(violation(rule, f"scope['asgi']['spec_version']={value!r} is not a known "
                               f"version of this spec; apps gate features on it",
                               severity=Severity.WARNING))
        return default
    return parsed


def check_www(scope: dict[str, Any], asgi: dict[str, Any] | None, r: Www,
              found: list[Violation]) -> None:
    """Every key of an http or websocket scope, each judged by the rule ``r`` names for it."""
    get = scope.get
    spec = spec_version(asgi, r.spec_version, (2,), (2, 0), found)
    where = f"{r.protocol} scope"

    version = get("http_version", MISSING)
    if version is MISSING:
        if r.http_version_required:
            found.append(violation(r.http_version, f"the {where} has no 'http_version' key; it "
                                   f"is required (\"1.0\", \"1.1\" or \"2\")"))
    elif type(version) is not str or version not in r.http_versions:
        found.append(violation(r.http_version, f"{where} http_version={show(version)} is not "
                               f"one of {sorted(r.http_versions)!r}; apps branch on it (HTTP/2 "
                               f"cookies, keep-alive)"))

    if r is HTTP:
        # www.rst "HTTP Connection Scope": method (Unicode string) "The HTTP method name,
        # uppercased."
        method = get("method", MISSING)
        if type(method) is not str or method != method.upper():
            what = "has no 'method' key" if method is MISSING else f"method={show(method)}"
            found.append(violation("HTTP-SCOPE-004", f"the {where} {what}: the method is an "
                                   f"uppercased str, and apps compare it to 'GET', 'POST', ..."))

    # "scheme ... Optional (but must not be empty)".
    scheme = get("scheme", MISSING)
    if scheme is MISSING:
        scheme = r.default_scheme
    elif not isinstance(scheme, str) or not scheme:
        found.append(violation(r.scheme, f"{where} scheme={show(scheme)} must be a non-empty "
                               f"str when present (leave it out to mean {r.default_scheme!r})"))

    path, raw = get("path", MISSING), get("raw_path")
    # The common case, decided without a call: raw_path is plain ASCII and equals path.
    if not (type(path) is str and type(raw) is bytes and raw.isascii() and 37 not in raw
            and 63 not in raw and raw.decode("ascii") == path):
        _check_path(path, raw, get("root_path", ""), r, found)

    # http: query_string (byte string) "URL portion after the ?, percent-encoded"; websocket:
    # "Optional; if missing or None default is empty string".
    query = get("query_string", MISSING)
    if query is MISSING:
        if r.query_string_required:
            found.append(violation(r.query_string, f"the {where} has no 'query_string' key; it "
                                   f"is required, b'' when the URL has no '?'"))
    elif type(query) is not bytes and (query is not None or r.query_string_required):
        found.append(violation(r.query_string, f"{where} query_string={show(query)} is "
                               f"{kind_of(query)}, not the raw bytes after '?'"))

    root = get("root_path", "")
    if not isinstance(root, str):
        found.append(violation(r.root_path, f"{where} root_path={show(root)} is "
                               f"{kind_of(root)}, not a str (like WSGI's SCRIPT_NAME)"))

    _check_headers(get("headers", MISSING), where, r, found)
    _check_address(get("client"), "client", r.client, where, spec, found)
    _check_address(get("server"), "server", r.server, where, spec, found)

    state = get("state", MISSING)
    if state is not MISSING and type(state) is not dict:
        # lifespan.rst "Lifespan State": a shallow copy of the lifespan namespace (a dict).
        found.append(violation(r.state, f"{where} state={show(state)} is "
                               f"{kind_of(state)}, not a dict copied from the lifespan "
                               f"state"))

    if r is WS:
        # www.rst "Websocket Connection Scope": subprotocols (Iterable[Unicode string]),
        # "Optional; if missing defaults to empty list".
        offered = get("subprotocols", ())
        if isinstance(offered, (str, bytes, dict)) or not hasattr(offered, "__iter__") or (
                isinstance(offered, (list, tuple)) and not all(
                    isinstance(item, str) for item in offered)):
            found.append(violation("WS-SCOPE-012", f"websocket scope subprotocols="
                                   f"{show(offered)} is not an iterable of str: apps pick the "
                                   f"subprotocol to accept from it"))


def _check_path(path: object, raw: object, root: object, r: Www,
                found: list[Violation]) -> None:
    where = f"{r.protocol} scope"
    # www.rst: path (Unicode string) "HTTP request target excluding any query string, with
    # percent-encoded sequences and UTF-8 byte sequences decoded into characters".
    path_ok = isinstance(path, str)
    if not path_ok:
        what = "has no 'path' key" if path is MISSING else \
            f"path={show(path)}, {kind_of(path)}"
        found.append(violation(r.path, f"the {where} {what}; path is the decoded str"))
    if raw is None:
        return
    # raw_path (byte string): "The original HTTP path component, excluding any query string".
    if type(raw) is not bytes:
        found.append(violation(r.raw_path, f"{where} raw_path={show(raw)} is "
                               f"{kind_of(raw)}, not bytes or None: it is the path exactly as "
                               f"received, before any decoding"))
        return
    if b"?" in raw:
        found.append(violation(r.raw_path, f"{where} raw_path={show(raw)} contains '?': it "
                               f"must exclude the query string (httpx#2810)"))
        return
    if isinstance(path, str) and _path_differs(path, raw, root):
        found.append(violation(r.path, f"{where} path={show(path)} is not raw_path="
                               f"{show(raw)} percent-decoded as UTF-8 (nor that with "
                               f"root_path={show(root)} added or removed)"))


def _path_differs(path: str, raw: bytes, root: object) -> bool:
    try:
        decoded = (unquote_to_bytes(raw) if b"%" in raw else raw).decode("utf-8")
    except UnicodeDecodeError:
        return False  # A12: invalid UTF-8 after decoding is unspecified
    if decoded == path:
        return False
    # A1: root_path is "same as SCRIPT_NAME", and servers disagree whether path and raw_path
    # carry it; accept it on either side.
    if isinstance(root, str) and root and (path == root + decoded or decoded == root + path):
        return False
    # asgiref#74: an absolute-form target ("http://host/p") may reach raw_path as it came.
    if "://" in decoded:
        return urlsplit(decoded).path != path
    return True


def _check_headers(headers: object, where: str, r: Www, found: list[Violation]) -> None:
    # www.rst: headers (Iterable[[byte string, byte string]]); "Header names should be
    # lowercased, but it is not required"; "Pseudo headers ... must be removed".
    if headers is MISSING:
        found.append(violation(r.headers, f"the {where} has no 'headers' key; it is required "
                               f"(an empty list when there are none)"))
        return
    if isinstance(headers, (str, bytes, dict)) or not hasattr(headers, "__iter__"):
        found.append(violation(r.headers, f"{where} headers={show(headers)} is "
                               f"{kind_of(headers)}, not an iterable of [name, value]"))
        return
    if isinstance(headers, Iterator):
        return  # one-shot: iterating it here would hand the app an empty header list
    try:
        for position, item in enumerate(headers):
            if (type(item) is list or type(item) is tuple) and len(item) == 2:
                name, value = item
            else:
                found.append(violation(r.headers, f"{where} header #{position} {show(item)} is "
                                       f"not a two-item [name, value] list"))
                continue
            if type(name) is not bytes or type(value) is not bytes:
                found.append(violation(r.headers, f"{where} header #{position} ({show(name)}, "
                                       f"{show(value)}) is ({type(name).__name__}, "
                                       f"{type(value).__name__}); both must be bytes"))
            elif name[:1] == b":":
                found.append(violation(r.pseudo, f"{where} carries the pseudo header {name!r}; "
                                       f"servers must remove them (:authority becomes host)"))
            elif name != name.lower():
                found.append(violation(r.header_case, f"{where} header name {name!r} is not "
                                       f"lowercase; allowed, but many apps match b'"
                                       f"{name.lower().decode('latin-1')}' exactly"))
    except Exception as exc:  # an iterable whose iteration fails is malformed, not fatal
        found.append(violation(r.headers, f"iterating the {where} headers raised {exc!r:.80}"))


def _check_address(value: object, key: str, rule: str, where: str, spec: tuple[int, int],
                   found: list[Violation]) -> None:
    # www.rst: client is [host, port] (port an int); server is [host, port] or [path, None]
    # ("2.2: Allow None in the second item of server scope value"); both optional, None.
    if value is None:
        return
    if isinstance(value, (list, tuple)) and len(value) == 2:
        host, port = value
        port_ok = (isinstance(port, int) and not isinstance(port, bool)) or (
            port is None and key == "server")
        if isinstance(host, str) and port_ok:
            if port is None and spec < (2, 2):
                found.append(violation(rule, f"{where} server={show(value)} has a None port, "
                                       f"which spec {spec[0]}.{spec[1]} does not allow (added "
                                       f"in 2.2 for unix sockets); apps index it as an int"))
            return
    shape = "[host, port] or [path, None]" if key == "server" else "[host, port]"
    hint = " (uvicorn#223 passed a str on unix sockets)" if isinstance(value, str) else ""
    found.append(violation(rule, f"{where} {key}={show(value)} is not {shape} with a str "
                           f"host and an int port, nor None: apps unpack it{hint}"))
