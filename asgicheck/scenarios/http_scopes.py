"""HTTP scenarios that vary the scope and compare with the plain request: S10-S14, S16, S17, TLS.

Every variant is still a scope a conforming server may send; the app must treat it like the
plain one (or, for S13, route it to the same handler).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from asgicheck.contract import Target
from asgicheck.driver import HTTP_EXTENSIONS, Script, http_scope
from asgicheck.rules import violation
from asgicheck.scenarios._base import Result, crashed, difference, ended_as
from asgicheck.scenarios._context import Context
from asgicheck.scenarios.http import HTTPScenario, request_script
from asgicheck.transcript import Transcript
from asgicheck.violations import Severity

__all__ = ["for_target"]

EXTRA = "x_asgicheck_extra"  # the unknown key S11 adds everywhere


def _scope(target: Target, spec_version: str | None, **options: Any) -> dict[str, Any]:
    return http_scope(target.method, options.pop("path", target.path),
                      query_string=target.query_string,
                      headers=options.pop("headers", target.headers), body=target.body,
                      spec_version=spec_version, **options)


class Compared(HTTPScenario):
    """A scenario that runs variants of the target's scope and compares them (``compared()``
    skips when the plain exchange hangs)."""

    def variant(self, ctx: Context, name: str, *, none: tuple[str, ...] = (),
                **scope_options: Any) -> Transcript:
        """``none``: keys set to None (``http_scope``'s None leaves a key out)."""
        return ctx.exchange(self.variant_script(ctx, name, none=none, **scope_options))

    def variant_script(self, ctx: Context, name: str, *, none: tuple[str, ...] = (),
                       **scope_options: Any) -> Script:
        spec = scope_options.pop("spec_version", ctx.options.spec_version)
        expected = scope_options.pop("expected", frozenset())
        scope = _scope(self.request, spec, **scope_options)
        scope.update(dict.fromkeys(none))
        return request_script(self.request, ctx.options, scope=scope,
                              name=f"{self.name}: {name}", server_findings_expected=expected)


class MinimalScope(Compared):
    name = "S10-minimal-scope"
    title = "only the scope keys the spec does not call Optional, and raw_path None"
    rules = ("GEN-APP-014", "GEN-APP-013")

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        result = Result()
        # (transcript name, what the message says the scope had, the scope's options)
        variants: tuple[tuple[str, str, dict[str, Any]], ...] = (
            ("a minimal scope", "a minimal scope (no raw_path, root_path, scheme, client, "
             "server, extensions or asgi.spec_version: all optional, with documented defaults)",
             {"minimal": True}),
            # www.rst: raw_path is "Optional; if missing defaults to None" (BlackSheep 2.6.4
            # raises ValueError('Expected bytes or str') on it).
            ("raw_path None", "raw_path None (optional, defaulting to None)",
             {"none": ("raw_path",)}),
        )
        for name, label, options in variants:
            t = self.variant(ctx, name, **options)
            result.transcripts.append(t)
            changed = difference(base, t)
            if changed:
                about_version = "spec_version" in (t.exception or "") or \
                    "'asgi'" in (t.exception or "")
                only_body = t.ended == base.first.ended and t.status == base.first.status
                result.blame("GEN-APP-013" if about_version else "GEN-APP-014",
                             f"with {label}, {changed}",
                             severity=Severity.WARNING if only_body else None)
        return result


class ExtraKeys(Compared):
    name = "S11-extra-keys"
    title = "an unknown key in the scope, in scope['asgi'] and in every event"
    rules = ("GEN-APP-012",)

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        scope = _scope(self.request, ctx.options.spec_version)
        scope[EXTRA] = "ignore me"
        scope["asgi"] = {**scope["asgi"], EXTRA: "ignore me"}
        script = request_script(self.request, ctx.options, scope=scope, name=self.name)
        steps = tuple(dataclasses.replace(s, event={**s.event, EXTRA: True})
                      for s in script.steps)
        t = ctx.exchange(dataclasses.replace(script, steps=steps))
        result = Result(transcripts=[t])
        changed = difference(base, t, types=True)
        if changed:
            result.blame(
                "GEN-APP-012", f"with an extra {EXTRA!r} key in the scope, in scope['asgi'] "
                f"and in every event, {changed}; unknown keys must be ignored so the spec can "
                f"grow")
        return result


def _title(name: bytes) -> bytes:
    return b"-".join(part.capitalize() for part in name.split(b"-"))


class HeaderCase(Compared):
    name = "S12-header-case"
    title = "request header names in mixed case, one header duplicated"
    rules = ("HTTP-RECV-008",)

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        target = self.request
        lower = [*target.headers, (b"accept", b"*/*")]
        mixed = [(b"Host", b"testserver"), *((_title(n), v) for n, v in target.headers)]
        if target.body:
            mixed.append((b"Content-Length", str(len(target.body)).encode()))
        mixed += [(b"Accept", b"*/*"), (b"Accept", b"*/*")]
        ref = self.variant(ctx, "lower-case", headers=lower)
        t = self.variant(ctx, "mixed-case", headers=mixed, expected=frozenset({"HTTP-SCOPE-012"}))
        result = Result(transcripts=[ref, t])
        changed = difference(base, t, ref=ref, what="the same headers in lower case")
        if changed:
            result.blame(
                "HTTP-RECV-008", f"with header names in mixed case (b'Host', b'Accept') and "
                f"b'Accept' sent twice, {changed}; header names must be matched "
                f"case-insensitively, and duplicates are allowed")
        return result


class RootPath(Compared):
    name = "S13-root-path"
    title = "mounted under root_path '/mnt' (path includes it)"
    rules = ("HTTP-RECV-010",)

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        path = "/mnt" + self.request.path
        t = self.variant(ctx, "root_path=/mnt", path=path, root_path="/mnt")
        result = Result(transcripts=[t])
        changed = difference(base, t, body=False)
        if changed:
            result.blame(
                "HTTP-RECV-010", f"mounted with root_path='/mnt' and path={path!r} (www.rst: "
                f"path includes root_path; route on path[len(root_path):]), {changed}")
        return result


class H2Cookies(Compared):
    name = "S14-h2-cookies"
    title = "HTTP/2: two cookie headers versus one joined with '; '"
    rules = ("HTTP-RECV-009",)

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        joined = self.variant(ctx, "one cookie header", http_version="2",
                              headers=[*self.request.headers, (b"cookie", b"a=1; b=2")])
        split = self.variant(ctx, "two cookie headers", http_version="2",
                             headers=[*self.request.headers, (b"cookie", b"a=1"),
                                      (b"cookie", b"b=2")])
        result = Result(transcripts=[joined, split])
        changed = difference(base, split, ref=joined, what="one 'a=1; b=2' header")
        if changed:
            result.findings.append(violation(
                "HTTP-RECV-009", f"over HTTP/2 with the cookies in two cookie headers, "
                f"{changed}"))
        return result


class Extensions(Compared):
    name = "S16-extensions"
    title = "extensions absent, and every HTTP extension advertised"
    rules = ("GEN-APP-014", "GEN-APP-015", "ZC-APP-004")

    def check(self, ctx: Context) -> Result:
        base = self.compared(ctx)
        absent = self.variant(ctx, "no extensions key", extensions=None)
        every = self.variant(ctx, "every extension", extensions=HTTP_EXTENSIONS)
        result = Result(transcripts=[absent, every])
        if crashed(absent):
            result.findings.append(violation(
                "GEN-APP-014", f"without scope['extensions'] (optional: a server that supports "
                f"none may leave it out) the app {ended_as(absent)}"))
        for message in every.sent:
            file = message.get("file") if isinstance(message, dict) and \
                message.get("type") == "http.response.zerocopysend" else None
            if file is not None and getattr(file, "closed", True) is False:
                result.findings.append(violation(
                    "ZC-APP-004", f"the file {file!r:.60} sent with http.response.zerocopysend "
                    f"was still open when the app returned; the app must close it"))
                break
        if base.first.status is not None and every.status is None and every.ended != "timeout":
            result.details["every_extension"] = f"no response with every extension: " \
                                                f"{ended_as(every)}"
        return result


class SpecVersions(Compared):
    name = "S17-old-spec-versions"
    title = "asgi.spec_version absent, '2.0', '2.3' and '2.5'"
    rules = ("GEN-APP-013",)

    def check(self, ctx: Context) -> Result:
        self.compared(ctx)
        specs = (None, "2.0", "2.3", "2.5")
        result = Result(transcripts=ctx.several([
            self.variant_script(ctx, f"spec_version={spec}", spec_version=spec)
            for spec in specs]))
        for spec, t in zip(specs, result.transcripts, strict=True):
            if crashed(t):
                shown = "absent" if spec is None else repr(spec)
                result.findings.append(violation(
                    "GEN-APP-013", f"with asgi.spec_version {shown} the app {ended_as(t)}; a "
                    f"missing spec_version means '2.0', and an app that needs more should "
                    f"refuse explicitly"))
        return result


class TLSValuesNone(Compared):
    name = "tls-values-none"
    title = "https with a tls extension whose optional values are all None"
    rules = ("TLS-APP-002",)

    def check(self, ctx: Context) -> Result:
        self.compared(ctx)
        scope = _scope(self.request, ctx.options.spec_version, scheme="https")
        scope["extensions"] = {"tls": {"server_cert": None, "client_cert_chain": [],
                                       "client_cert_name": None, "client_cert_error": None,
                                       "tls_version": None, "cipher_suite": None}}
        t = ctx.exchange(request_script(self.request, ctx.options, scope=scope, name=self.name))
        result = Result(transcripts=[t])
        if crashed(t):
            result.findings.append(violation(
                "TLS-APP-002", f"with scope['extensions']['tls'] carrying None for every value "
                f"that may be None (TLS terminated at a proxy), the app {ended_as(t)}"))
        return result


def for_target(target: Target) -> list[HTTPScenario]:
    return [cls(target) for cls in (MinimalScope, ExtraKeys, HeaderCase, RootPath, H2Cookies,
                                    Extensions, SpecVersions, TLSValuesNone)]

