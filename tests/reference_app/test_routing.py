"""The segment trie (reference_app/routing.py), checked by example and against a naive model.

The model is what the trie replaces: a list of ``(method, template)`` scanned linearly, each
template compiled to a regex. It picks the most specific matching template (static before
parameter before catch-all, compared segment by segment from the left) and then the method. For
any route table and any path, both must agree on the match kind, the route, the raw parameters
and the Allow set, and both must reject the same registrations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference_app.exceptions import RouteConflictError
from reference_app.routing import Match, Router, parse_template, split_path


def make_router(*routes: tuple[str, str]) -> Router[str]:
    router: Router[str] = Router()
    for method, template in routes:
        router.add(template, frozenset({method}), f"{method} {template}")
    return router


# -- examples ---------------------------------------------------------------------------
def test_split_path_keeps_root_and_trailing_slash_as_empty_segments() -> None:
    assert split_path("/") == [""]
    assert split_path("/items/42") == ["items", "42"]
    assert split_path("/items/") == ["items", ""]


def test_static_beats_parameter_and_parameter_beats_catch_all() -> None:
    router = make_router(
        ("GET", "/items/new"), ("GET", "/items/{item_id}"), ("GET", "/items/{rest:path}")
    )
    assert router.lookup("/items/new", "GET").route == "GET /items/new"
    found = router.lookup("/items/7", "GET")
    assert (found.route, found.params) == ("GET /items/{item_id}", {"item_id": "7"})
    found = router.lookup("/items/7/tags", "GET")
    assert (found.route, found.params) == ("GET /items/{rest:path}", {"rest": "7/tags"})


def test_dead_end_static_branch_backtracks_to_the_parameter() -> None:
    router = make_router(("GET", "/a/b/c"), ("GET", "/a/{x}/d"))
    found = router.lookup("/a/b/d", "GET")
    assert (found.match, found.params) == (Match.FULL, {"x": "b"})


def test_unknown_path_is_none_and_other_method_is_partial_with_allow() -> None:
    router = make_router(("GET", "/items"), ("POST", "/items"))
    assert router.lookup("/nope", "GET").match is Match.NONE
    found = router.lookup("/items", "DELETE")
    assert found.match is Match.PARTIAL
    assert found.allowed == ("GET", "HEAD", "POST")


def test_head_falls_back_to_get_unless_registered() -> None:
    router = make_router(("GET", "/a"), ("GET", "/b"), ("HEAD", "/b"))
    assert router.lookup("/a", "HEAD").route == "GET /a"
    assert router.lookup("/b", "HEAD").route == "HEAD /b"


def test_parameter_never_matches_an_empty_segment_but_catch_all_may() -> None:
    router = make_router(("GET", "/u/{name}"), ("GET", "/f/{rest:path}"))
    assert router.lookup("/u/", "GET").match is Match.NONE
    assert router.lookup("/f/", "GET").params == {"rest": ""}
    assert router.lookup("/f", "GET").match is Match.NONE


def test_root_and_paths_without_leading_slash() -> None:
    router = make_router(("GET", "/"))
    assert router.lookup("/", "GET").match is Match.FULL
    assert router.lookup("", "GET").match is Match.NONE
    assert router.lookup("http://example.com/", "GET").match is Match.NONE


def test_deep_paths_cost_no_recursion_beyond_the_trie_depth() -> None:
    router = make_router(("GET", "/a/{rest:path}"))
    deep = "/a" + "/x" * 5000  # far past Python's recursion limit: must not matter
    assert router.lookup(deep, "GET").match is Match.FULL
    assert router.lookup("/b" + "/x" * 5000, "GET").match is Match.NONE


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("/items/{item_id:int}", "/items/{name}"),  # two parameters at one position
        ("/items/{a}", "/items/{b}"),
        ("/f/{a:path}", "/f/{b:path}"),
        ("/x", "/x"),  # the same method twice
    ],
)
def test_conflicts_fail_at_registration(first: str, second: str) -> None:
    router = make_router(("GET", first))
    with pytest.raises(RouteConflictError):
        router.add(second, frozenset({"GET"}), "second")
    assert isinstance(RouteConflictError("x"), ValueError)


def test_a_failed_add_leaves_the_trie_unchanged() -> None:
    router = make_router(("GET", "/a/{x}"))
    with pytest.raises(RouteConflictError):
        router.add("/a/{y}/deeper", frozenset({"GET"}), "bad")
    assert router.lookup("/a/1/deeper", "GET").match is Match.NONE


def test_same_template_other_method_and_param_vs_catch_all_coexist() -> None:
    router = make_router(("GET", "/i/{x}"), ("POST", "/i/{x}"), ("GET", "/i/{rest:path}"))
    assert router.lookup("/i/1", "POST").route == "POST /i/{x}"


@pytest.mark.parametrize(
    "template",
    ["items", "/a{b}", "/{1x}", "/{x:nope}", "/{x}/{x}", "/{rest:path}/more", "/{x"],
)
def test_bad_templates_are_rejected(template: str) -> None:
    with pytest.raises(ValueError):
        parse_template(template)


def test_url_for_quotes_values_and_checks_parameters() -> None:
    router: Router[str] = Router()
    router.add("/items/{item_id:int}/{name}", frozenset({"GET"}), "r", name="item")
    router.add("/files/{rest:path}", frozenset({"GET"}), "f", name="file")
    assert router.url_for("item", {"item_id": 3, "name": "a b/é"[:3]}) == "/items/3/a%20b"
    assert router.url_for("file", {"rest": "a b/c"}) == "/files/a%20b/c"
    with pytest.raises(ValueError):
        router.url_for("item", {"item_id": 3})
    with pytest.raises(ValueError):
        router.url_for("item", {"item_id": "3", "name": "x"})  # an int convertor wants an int
    with pytest.raises(ValueError):
        router.url_for("item", {"item_id": 3, "name": "a/b"})  # would not route back
    with pytest.raises(KeyError):
        router.url_for("nope", {})


def test_one_name_for_two_templates_is_a_conflict() -> None:
    router: Router[str] = Router()
    router.add("/a", frozenset({"GET"}), "a", name="same")
    router.add("/a", frozenset({"POST"}), "a2", name="same")  # same template: fine
    with pytest.raises(RouteConflictError):
        router.add("/b", frozenset({"GET"}), "b", name="same")


def test_describe_shows_the_tree() -> None:
    router = make_router(("GET", "/items/{item_id:int}"), ("POST", "/items"))
    text = router.describe()
    assert "'items'  [POST]" in text
    assert "{item_id:int}  [GET]" in text


# -- the naive model ----------------------------------------------------------------------
@dataclass(frozen=True)
class ModelRoute:
    method: str
    template: str
    segments: tuple[tuple[str, ...], ...]  # ("s", text) | ("p", name, conv) | ("*", name)
    pattern: re.Pattern[str]


def model_segments(template: str) -> tuple[tuple[str, ...], ...]:
    result = []
    for part in template[1:].split("/"):
        found = re.fullmatch(r"\{(\w+)(?::(\w+))?\}", part)
        if not found:
            result.append(("s", part))
        elif found.group(2) == "path":
            result.append(("*", found.group(1)))
        else:
            result.append(("p", found.group(1), found.group(2) or "str"))
    return tuple(result)


def model_pattern(segments: tuple[tuple[str, ...], ...]) -> re.Pattern[str]:
    pieces = []
    for segment in segments:
        if segment[0] == "s":
            pieces.append(re.escape(segment[1]))
        elif segment[0] == "p":
            pieces.append(f"(?P<{segment[1]}>[^/]+)")
        else:
            pieces.append(f"(?P<{segment[1]}>.*)")
    return re.compile("/" + "/".join(pieces))


KIND_RANK = {"s": 0, "p": 1, "*": 2}


class ModelRouter:
    def __init__(self) -> None:
        self.routes: list[ModelRoute] = []

    def add(self, method: str, template: str) -> None:
        segments = model_segments(template)
        for other in self.routes:
            if self._conflict(segments, other.segments) or (
                segments == other.segments and method == other.method
            ):
                raise RouteConflictError(template)
        self.routes.append(ModelRoute(method, template, segments, model_pattern(segments)))

    @staticmethod
    def _conflict(a: tuple[tuple[str, ...], ...], b: tuple[tuple[str, ...], ...]) -> bool:
        for x, y in zip(a, b, strict=False):  # only the shared prefix matters
            if x == y:
                continue
            return x[0] == y[0] and x[0] in ("p", "*")  # two parameters at one position
        return False

    def lookup(self, path: str, method: str) -> tuple[Match, str | None, dict[str, str], tuple]:
        matches = [r for r in self.routes if r.pattern.fullmatch(path)]
        if not matches:
            return Match.NONE, None, {}, ()
        best_key = min(tuple(KIND_RANK[s[0]] for s in r.segments) for r in matches)
        best = [r for r in matches if tuple(KIND_RANK[s[0]] for s in r.segments) == best_key]
        assert len({r.segments for r in best}) == 1  # one node
        by_method = {r.method: r for r in best}
        params = best[0].pattern.fullmatch(path).groupdict()  # type: ignore[union-attr]
        allowed = set(by_method) | ({"HEAD"} if "GET" in by_method else set())
        route = by_method.get(method) or (by_method.get("GET") if method == "HEAD" else None)
        if route is None:
            return Match.PARTIAL, None, params, tuple(sorted(allowed))
        return Match.FULL, f"{route.method} {route.template}", params, tuple(sorted(allowed))


STATIC = st.sampled_from(["a", "b", "items", ""])


@st.composite
def templates(draw: st.DrawFn) -> str:
    count = draw(st.integers(1, 4))
    parts = []
    for position in range(count):
        kind = draw(st.sampled_from(["static", "static", "param", "rest"]))
        name = draw(st.sampled_from(["x", "y"])) + str(position)
        if kind == "static":
            parts.append(draw(STATIC))
        elif kind == "param":
            parts.append(f"{{{name}:{draw(st.sampled_from(['str', 'int']))}}}")
        else:
            parts.append(f"{{{name}:path}}")
            break
    return "/" + "/".join(parts)


METHODS = st.sampled_from(["GET", "POST", "DELETE", "HEAD"])


@st.composite
def paths(draw: st.DrawFn, table: list[tuple[str, str]]) -> str:
    if table and draw(st.booleans()):  # fill in a registered template
        segments = model_segments(draw(st.sampled_from(table))[1])
        parts = []
        for segment in segments:
            if segment[0] == "s":
                parts.append(segment[1])
            elif segment[0] == "p":
                parts.append(draw(st.sampled_from(["1", "b", "items", "x y", "é"])))
            else:
                parts.append(draw(st.sampled_from(["", "a", "a/b", "1/items/"])))
        return "/" + "/".join(parts)
    segment = st.sampled_from(["a", "b", "items", "", "1", "zz"])
    return "/" + "/".join(draw(st.lists(segment, min_size=0, max_size=5)))


@given(st.data())
def test_trie_agrees_with_the_linear_model(data: st.DataObject) -> None:
    table = data.draw(st.lists(st.tuples(METHODS, templates()), max_size=12))
    trie: Router[str] = Router()
    model = ModelRouter()
    for method, template in table:
        model_error = trie_error = None
        try:
            model.add(method, template)
        except RouteConflictError as exc:
            model_error = exc
        try:
            trie.add(template, frozenset({method}), f"{method} {template}")
        except RouteConflictError as exc:
            trie_error = exc
        assert (model_error is None) == (trie_error is None), (method, template, table)
    registered = [(r.method, r.template) for r in model.routes]
    for _ in range(5):
        path = data.draw(paths(registered))
        method = data.draw(st.sampled_from(["GET", "POST", "DELETE", "HEAD", "PUT"]))
        found = trie.lookup(path, method)
        expected = model.lookup(path, method)
        assert (found.match, found.route, found.params, found.allowed) == expected, (path, method)
