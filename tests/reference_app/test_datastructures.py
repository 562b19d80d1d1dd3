"""Headers and the query string (reference_app/datastructures.py).

The query parser is checked against ``urllib.parse.parse_qsl(..., keep_blank_values=True)``
(and ``parse_qs`` for the grouped form): "+" is a space, %XX is a byte, invalid UTF-8 becomes
U+FFFD, blank values are kept, empty fields are skipped, "&" is the only separator.
"""

from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from reference_app.datastructures import Headers, QueryParams, parse_query_string


def test_headers_are_case_insensitive_and_multi_valued() -> None:
    headers = Headers([(b"Content-Type", b"text/plain"), (b"X-Tag", b"a"), (b"x-tag", b"b")])
    assert headers["content-type"] == "text/plain"
    assert headers.get("CONTENT-TYPE") == "text/plain"
    assert headers.getlist("X-TAG") == ["a", "b"]
    assert headers["x-tag"] == "a"  # the first value
    assert "X-Tag" in headers and "missing" not in headers
    assert list(headers) == ["content-type", "x-tag"]
    assert headers.get("missing") is None


def test_header_values_are_latin1_so_any_byte_decodes() -> None:
    headers = Headers([(b"x-name", "café".encode("latin-1")), (b"x-raw", b"\xff\x80")])
    assert headers["x-name"] == "café"
    assert headers["x-raw"] == "\xff\x80"


def test_headers_accept_a_one_shot_iterable_of_lists() -> None:
    headers = Headers(iter([[b"host", b"example.com"]]))
    assert headers["host"] == "example.com"
    assert headers.raw == [(b"host", b"example.com")]


def test_cookies_joined_or_split_across_headers_give_the_same_jar() -> None:
    joined = Headers([(b"cookie", b"a=1; b=2")])
    split = Headers([(b"cookie", b"a=1"), (b"Cookie", b"b=2")])
    assert joined.cookies() == split.cookies() == {"a": "1", "b": "2"}


def test_query_params_keep_repeats_and_blanks() -> None:
    params = QueryParams(b"tag=a&tag=b&empty=&flag&q=x+y%21")
    assert params.getlist("tag") == ["a", "b"]
    assert params["tag"] == "a"
    assert params["empty"] == "" and params["flag"] == ""
    assert params["q"] == "x y!"
    assert params.to_dict() == {"tag": ["a", "b"], "empty": "", "flag": "", "q": "x y!"}


def test_invalid_utf8_and_raw_non_ascii_bytes_never_raise() -> None:
    assert parse_query_string(b"a=%ff%fe&b=\xe9") == [("a", "\ufffd\ufffd"), ("b", "\ufffd")]
    assert parse_query_string(b"a=%zz&b=%4") == [("a", "%zz"), ("b", "%4")]
    assert parse_query_string(b"a;b=1") == [("a;b", "1")]


# Pieces rather than characters, so percent escapes (valid, truncated, invalid UTF-8) are common.
QUERY_PIECES = list("ab=&;+% 1fzFé€\x00") + ["%2", "%e2%82", "%ff", "%C3%A9", "%41", "%2B", "=="]
QUERY_TEXT = st.lists(st.sampled_from(QUERY_PIECES), max_size=20).map("".join)


@given(QUERY_TEXT)
def test_parser_matches_urllib_parse_qsl(text: str) -> None:
    raw = text.encode("utf-8")
    expected = parse_qsl(text, keep_blank_values=True, errors="replace")
    assert parse_query_string(raw) == expected


@given(QUERY_TEXT)
def test_grouped_form_matches_urllib_parse_qs(text: str) -> None:
    grouped = parse_qs(text, keep_blank_values=True, errors="replace")
    params = QueryParams(text.encode("utf-8"))
    assert {key: params.getlist(key) for key in params} == grouped


@given(st.binary(max_size=40))
def test_parser_accepts_any_bytes(raw: bytes) -> None:
    pairs = parse_query_string(raw)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in pairs)
