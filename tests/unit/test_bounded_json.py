"""The bounded JSON reader every HTTP route reads its body with (``nudges.http.json_body``):
a hostile body is a 400 naming ``body``, never an exception that would become a 500."""

from __future__ import annotations

import json

import pytest

from nudges.errors import InvalidInput
from nudges.http import MAX_JSON_DEPTH, MAX_NUMBER_CHARS, json_body, json_depth


def refused(raw: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        json_body(raw)
    assert caught.value.field == "body"
    return caught.value


def test_a_payload_within_bounds_reads_as_json() -> None:
    payload = {"triggerEvent": "BOOKING_CREATED", "payload": {"n": [1, 2.5, -3e-5, True, None], "s": "[[[{{{"}}
    assert json_body(json.dumps(payload).encode()) == payload


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 200_000])
def test_deep_nesting_is_refused_naming_the_body(depth: int) -> None:
    assert "nested deeper" in refused(b"[" * depth + b"]" * depth).message


def test_nesting_at_the_limit_is_read() -> None:
    assert json_body(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH) is not None
    assert json_body(b'{"a":' * MAX_JSON_DEPTH + b"1" + b"}" * MAX_JSON_DEPTH) is not None


def test_brackets_inside_strings_are_not_nesting() -> None:
    text = "[" * 10_000
    assert json_body(json.dumps({"title": text}).encode()) == {"title": text}


@pytest.mark.parametrize(
    "raw",
    [b'{"a": ' + b"1" * 5_000 + b"}", b"[" + b"9" * (MAX_NUMBER_CHARS + 1) + b"]", b"[0." + b"5" * 4_000 + b"]"],
)
def test_huge_numbers_are_refused_before_python_converts_them(raw: bytes) -> None:
    assert "characters" in refused(raw).message


@pytest.mark.parametrize("raw", [b"[1e999]", b"[-1e400]", b"NaN", b"[Infinity]", b"[-Infinity]"])
def test_numbers_json_does_not_have_are_refused(raw: bytes) -> None:
    refused(raw)


@pytest.mark.parametrize("raw", [b"\xff\xfe{}", b'{"name": "\xc3"}', b"\xed\xa0\x80"])
def test_a_body_that_is_not_utf8_names_the_body(raw: bytes) -> None:
    assert "UTF-8" in refused(raw).message


@pytest.mark.parametrize("raw", [b"", b"{", b"[[[]", b'{"a" 1}', b"\x00"])
def test_broken_json_names_the_body(raw: bytes) -> None:
    assert "not valid JSON" in refused(raw).message


def test_depth_is_counted_without_recursion() -> None:
    assert json_depth(1) == 0
    assert json_depth([]) == 1
    assert json_depth({"a": [{"b": 1}]}) == 3
    assert json_depth([[[[1]]]], limit=2) == 3  # given up past the limit


def test_a_zero_length_calcom_booking_names_end_time() -> None:
    from nudges.models.calcom import CalcomBooking
    from nudges.models.parsing import parse

    person = {"name": "Jane", "email": "jane@acme.example"}
    booking = {"uid": "u1", "startTime": "2036-01-05T10:00:00Z", "endTime": "2036-01-05T10:00:00Z"}
    with pytest.raises(InvalidInput) as caught:
        parse(CalcomBooking, {**booking, "organizer": person, "attendees": [person]})
    assert caught.value.field == "endTime"
