"""The loader: ASGI 3 and ASGI 2 detection the way asgiref does it, minus its sync-function
caveat, and errors that name what to fix."""

from __future__ import annotations

import functools
import sys
from typing import Any

import pytest
import sample_apps
from asgiref.sync import markcoroutinefunction

from asgicheck.loading import AppLoadError, detect_style, load_app, parse_spec, search_cwd_for


async def three(scope: Any, receive: Any, send: Any) -> None:
    pass


class AsyncCall:
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        pass


def returns_coroutine(scope: Any, receive: Any, send: Any) -> Any:
    return three(scope, receive, send)


@markcoroutinefunction
def marked(scope: Any, receive: Any, send: Any) -> Any:
    return three(scope, receive, send)


def legacy(scope: Any) -> Any:
    return AsyncCall()


class Middleware:
    def __init__(self, app: Any, option: int) -> None:
        self.app = app


@pytest.mark.parametrize("app, style", [
    (three, "asgi3"),
    (AsyncCall(), "asgi3"),
    (functools.partial(three), "asgi3"),
    (marked, "asgi3"),
    (legacy, "asgi2"),
    (sample_apps.Legacy, "asgi2"),
], ids=["async-def", "async-call", "partial", "marked", "legacy-function", "legacy-class"])
def test_styles(app: Any, style: str) -> None:
    assert detect_style(app)[0] == style


def test_hint_attributes_win() -> None:
    def hinted(scope: Any, receive: Any, send: Any) -> Any:
        return three(scope, receive, send)

    hinted._asgi_single_callable = True  # type: ignore[attr-defined]
    assert detect_style(hinted) == ("asgi3", "_asgi_single_callable hint")


@pytest.mark.parametrize("app, message", [
    (returns_coroutine, "sync callable taking (scope, receive, send)"),
    (Middleware, "its constructor does not take (scope)"),
    (lambda: None, "takes neither (scope) nor (scope, receive, send)"),
])
def test_sync_callables_that_are_not_asgi2_are_refused(app: Any, message: str) -> None:
    with pytest.raises(AppLoadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        detect_style(app)


def test_load_app_wraps_asgi2_and_keeps_the_original() -> None:
    loaded = load_app("sample_apps:Legacy")
    assert loaded.original is sample_apps.Legacy and loaded.app is not loaded.original
    assert loaded.description.startswith("ASGI 2 (class instantiated with the scope), run ")
    same = load_app("sample_apps:good")
    assert same.app is same.original is sample_apps.good


def test_dotted_attributes() -> None:
    assert load_app("sample_apps:Legacy.__call__").style == "asgi3"


@pytest.mark.parametrize("spec", ["mod", "mod:", ":app", "a b:app", "mod:app:x", "mod:1app"])
def test_malformed_specs(spec: str) -> None:
    with pytest.raises(AppLoadError, match="'package.module:app'"):
        parse_spec(spec)


def test_an_app_module_in_the_current_directory_is_found(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # A plain `pytest` does not put the current directory on sys.path; the loader must.
    (tmp_path / "app_in_cwd_xyz.py").write_text(
        "async def app(scope, receive, send):\n    pass\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "app_in_cwd_xyz", raising=False)
    try:
        loaded = load_app("app_in_cwd_xyz:app")
        assert loaded.style == "asgi3" and loaded.app.__module__ == "app_in_cwd_xyz"
    finally:
        sys.modules.pop("app_in_cwd_xyz", None)


def test_the_current_directory_never_shadows_an_importable_module(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "json.py").write_text("raise AssertionError('the stdlib json was shadowed')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    search_cwd_for("json")
    assert str(tmp_path) not in sys.path
