"""Path-parameter convertors (reference_app/convertors.py)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference_app.convertors import CONVERTORS, convertor_for_annotation


@pytest.mark.parametrize("value", ["abc", "", " 1", "1_0", "٣", "1.5", "+1", "9" * 5000])
def test_int_rejects_anything_but_ascii_digits(value: str) -> None:
    with pytest.raises(ValueError):
        CONVERTORS["int"].convert(value)


@pytest.mark.parametrize("value", ["nan", "inf", "1e5", "1.", ".5", "abc"])
def test_float_rejects_non_decimal_forms(value: str) -> None:
    with pytest.raises(ValueError):
        CONVERTORS["float"].convert(value)


def test_uuid_and_str_and_path() -> None:
    value = uuid.uuid4()
    assert CONVERTORS["uuid"].convert(str(value)) == value
    assert CONVERTORS["str"].convert("é") == "é"
    assert CONVERTORS["path"].to_string("a/b") == "a/b"
    with pytest.raises(ValueError):
        CONVERTORS["uuid"].convert("not-a-uuid")


@given(st.integers(-(10**30), 10**30))
def test_int_round_trips(number: int) -> None:
    convertor = CONVERTORS["int"]
    assert convertor.convert(convertor.to_string(number)) == number


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_float_round_trips_or_refuses_to_format(number: float) -> None:
    convertor = CONVERTORS["float"]
    try:
        text = convertor.to_string(number)
    except ValueError:
        return  # tiny numbers need an exponent, which the path form does not allow
    assert convertor.convert(text) == number


def test_annotations_pick_convertors_including_string_annotations() -> None:
    assert convertor_for_annotation(int) is CONVERTORS["int"]
    assert convertor_for_annotation("int") is CONVERTORS["int"]
    assert convertor_for_annotation(uuid.UUID) is CONVERTORS["uuid"]
    assert convertor_for_annotation(list[int]) is None
    assert convertor_for_annotation(bytes) is None
