"""asgicheck.strategies: valid by construction, consistent, and strict about their arguments."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from asgicheck import Validator
from asgicheck import strategies as asgi
from asgicheck.violations import Party


@given(asgi.paths())
def test_path_and_raw_path_agree(pair: tuple[str, bytes]) -> None:
    path, raw_path = pair
    assert path.startswith("/") and raw_path.startswith(b"/")
    assert unquote(raw_path.decode("ascii")) == path
    assert b"?" not in raw_path


@given(asgi.query_strings())
def test_query_strings_are_raw_ascii_that_parse(query: bytes) -> None:
    query.decode("ascii")
    parse_qsl(query.decode("latin-1"), keep_blank_values=True)


@given(st.data(), asgi.bodies())
def test_chunkings_join_back_to_the_body(data: st.DataObject, body: bytes) -> None:
    chunks = data.draw(asgi.chunkings(body))
    assert b"".join(chunks) == body and chunks


@given(asgi.header_lists(mixed_case=True))
def test_header_values_never_split_a_message(headers: list[list[bytes]]) -> None:
    for name, value in headers:
        assert not any(c in value for c in b"\r\n\x00")
        assert name and name.strip() == name


@given(asgi.http_scopes())
def test_http_scopes_pass_asgicheck_own_server_checks(scope: dict) -> None:  # type: ignore[type-arg]
    found = [v for v in Validator(scope).violations if v.party is Party.SERVER]
    assert found == []


@given(asgi.websocket_scopes(), asgi.websocket_message_sequences())
def test_websocket_scopes_and_messages_are_valid(scope: dict, events: list) -> None:  # type: ignore[type-arg]
    validator = Validator(scope)
    validator.app_received({"type": "websocket.connect"})
    validator.app_sent({"type": "websocket.accept"})
    for event in events:
        validator.app_received(event)
    assert [v for v in validator.violations if v.party is Party.SERVER] == []
    assert events[-1]["type"] == "websocket.disconnect"


@pytest.mark.parametrize(
    "make",
    [
        lambda: asgi.paths(max_segments=-1),
        lambda: asgi.query_strings(max_pairs=1.5),  # type: ignore[arg-type]
        lambda: asgi.header_lists(max_headers=True),
        lambda: asgi.bodies(max_size=-3),
        lambda: asgi.chunkings(b"abc", max_chunks=0),
        lambda: asgi.chunkings("abc"),  # type: ignore[arg-type]
        lambda: asgi.http_scopes(spec_version="3"),
        lambda: asgi.websocket_scopes(spec_version="two"),
        lambda: asgi.disconnect_points(max_point=-1),
        lambda: asgi.websocket_message_sequences(max_messages=-1),
    ],
    ids=["paths", "query", "headers", "bodies", "chunks", "chunks-str", "http-version",
         "ws-version", "disconnect", "ws-messages"],
)
def test_invalid_arguments_are_rejected_up_front(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument):
        make()


def test_strategies_shrink_to_the_simplest_request() -> None:
    from hypothesis import find

    scope = find(asgi.http_scopes(), lambda s: True)
    assert scope["method"] == "GET" and scope["path"] == "/" and scope["query_string"] == b""
    assert find(asgi.chunkings(asgi.bodies()), lambda c: True) == [b""]
