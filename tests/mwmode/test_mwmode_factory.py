"""load_factory, parse_kwargs and make_middleware: what they accept and how they refuse."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from mw_planted import AddHeader
from starlette.middleware.gzip import GZipMiddleware

from asgicheck.mwmode import (
    MiddlewareConfigError,
    build_middleware_scenarios,
    describe,
    load_factory,
    parse_kwargs,
)
from asgicheck.mwmode._factory import make_middleware


async def inner(scope: Any, receive: Any, send: Any) -> None:
    pass


def test_load_factory_returns_the_named_class() -> None:
    assert load_factory("starlette.middleware.gzip:GZipMiddleware") is GZipMiddleware


def test_load_factory_follows_dotted_attributes() -> None:
    assert load_factory("mw_planted:AddHeader.__call__") is AddHeader.__call__


def test_a_starlette_middleware_declaration_becomes_a_factory() -> None:
    factory = load_factory("mw_planted:DECLARED")
    middleware = factory(inner)
    assert isinstance(middleware, AddHeader)
    assert middleware.header == [b"x-declared", b"yes"]
    assert factory(inner, value="overridden").header == [b"x-declared", b"overridden"]


@pytest.mark.parametrize(("spec", "expected"), [
    ("starlette.middleware.gzip", "malformed"),
    ("starlette.middleware.gzip:", "malformed"),
    (":GZipMiddleware", "malformed"),
    ("starlette.middleware.gzip:Gzip-Middleware", "malformed"),
    ("no_such_package_xyz.mod:Factory", "not on sys.path"),
    ("starlette.middleware.gzip:NoSuchMiddleware", "has no attribute 'NoSuchMiddleware'"),
    ("starlette.middleware.gzip:DEFAULT_EXCLUDED_CONTENT_TYPES", "not callable"),
    ("mw_planted:_declared", "cannot be called with one positional argument"),
], ids=["no-colon", "no-attribute", "no-module", "bad-identifier", "missing-module",
        "missing-attribute", "not-callable", "takes-no-app"])
def test_load_factory_refuses_with_guidance(spec: str, expected: str) -> None:
    with pytest.raises(MiddlewareConfigError, match=expected):
        load_factory(spec)


def test_a_middleware_module_in_the_current_directory_is_found(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # A plain `pytest` does not put the current directory on sys.path; the loader must.
    (tmp_path / "mw_in_cwd_xyz.py").write_text(
        "class Wrap:\n    def __init__(self, app):\n        self.app = app\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "mw_in_cwd_xyz", raising=False)
    factory = load_factory("mw_in_cwd_xyz:Wrap")
    try:
        assert factory.__module__ == "mw_in_cwd_xyz"
        assert factory(inner).app is inner
    finally:
        sys.modules.pop("mw_in_cwd_xyz", None)


def test_an_import_error_inside_the_module_is_reported_as_such(tmp_path: Any,
                                                               monkeypatch: Any) -> None:
    (tmp_path / "mw_broken_import.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MiddlewareConfigError, match="importing 'mw_broken_import'.*raised"):
        load_factory("mw_broken_import:Factory")


@pytest.mark.parametrize(("text", "expected"), [
    ("", {}),
    (None, {}),
    ("minimum_size=500,compresslevel=6", {"minimum_size": 500, "compresslevel": 6}),
    ("allow_origins=['*'], allow_credentials=True",
     {"allow_origins": ["*"], "allow_credentials": True}),
    ("allowed_hosts=['a.example', 'b.example'],www_redirect=False",
     {"allowed_hosts": ["a.example", "b.example"], "www_redirect": False}),
    ("secret_key=s3cr3t", {"secret_key": "s3cr3t"}),
    ("allow_origins=*", {"allow_origins": "*"}),
    (" sep = ',' , n=None,", {"sep": ",", "n": None}),
    ("limits={'a': (1, 2)}", {"limits": {"a": (1, 2)}}),
    ("ratio=0.5", {"ratio": 0.5}),
], ids=["empty", "none", "ints", "list-and-bool", "list-with-commas", "plain-string",
        "star", "spaces-and-quoted-comma", "nested", "float"])
def test_parse_kwargs_reads_literals_else_strings(text: str | None,
                                                  expected: dict[str, Any]) -> None:
    assert parse_kwargs(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("minimum_size", "has no '='"),
    ("1size=2", "not a Python identifier"),
    ("a=1,a=2", "given twice"),
    ("a=[1,2", "unclosed bracket"),
    ("a=1)", "unbalanced"),
    ("a='x", "unclosed quote"),
    ("a=[1 2]", "does not parse"),
], ids=["no-equals", "bad-name", "duplicate", "unclosed-bracket", "unbalanced", "unclosed-quote",
        "bad-literal"])
def test_parse_kwargs_refuses_with_guidance(text: str, expected: str) -> None:
    with pytest.raises(MiddlewareConfigError, match=expected):
        parse_kwargs(text)


def test_wrong_keyword_arguments_fail_when_the_scenarios_are_built() -> None:
    with pytest.raises(MiddlewareConfigError, match=r"GZipMiddleware\(app, nonsense=1\).*"
                                                    r"TypeError.*nonsense"):
        build_middleware_scenarios(GZipMiddleware, kwargs={"nonsense": 1})


def test_a_factory_must_return_an_asgi_app() -> None:
    with pytest.raises(MiddlewareConfigError, match="returned int, which is not an ASGI app"):
        make_middleware(lambda app: 42, inner, {})

    async def middleware_itself(app: Any) -> None:
        pass

    with pytest.raises(MiddlewareConfigError, match="returned an awaitable"):
        make_middleware(middleware_itself, inner, {})

    def sync_asgi(scope: Any, receive: Any, send: Any) -> None:
        pass

    with pytest.raises(MiddlewareConfigError, match="not an ASGI app.*async def"):
        make_middleware(lambda app: sync_asgi, inner, {})
    with pytest.raises(MiddlewareConfigError, match="not callable"):
        build_middleware_scenarios(42)  # type: ignore[arg-type]


def test_describe_shows_how_the_middleware_is_built() -> None:
    assert describe(GZipMiddleware, {"minimum_size": 5}) == "GZipMiddleware(app, minimum_size=5)"
