"""Where the console's clock form sends the clock (local_stack/console.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from local_stack.console import ConsoleError, target_instant

NOW = datetime(2031, 3, 29, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("step", "expected"),
    [("1h", NOW + timedelta(hours=1)), ("1d", NOW + timedelta(days=1)), ("1w", NOW + timedelta(weeks=1)), ("due", NOW)],
)
def test_each_button_moves_the_clock_by_its_step(step, expected):
    assert target_instant({"step": [step]}, NOW) == expected


def test_a_local_time_is_read_in_the_chosen_zone_across_a_dst_change():
    # London moves to BST on 30 March 2031 at 01:00 UTC
    assert target_instant({"at": ["2031-03-30T00:30"], "zone": ["Europe/London"]}, NOW) == datetime(
        2031, 3, 30, 0, 30, tzinfo=UTC
    )
    assert target_instant({"at": ["2031-03-30T09:00"], "zone": ["Europe/London"]}, NOW) == datetime(
        2031, 3, 30, 8, 0, tzinfo=UTC
    )
    assert target_instant({"at": ["2031-03-30T09:00"], "zone": ["UTC"]}, NOW) == datetime(2031, 3, 30, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "choose a step"),
        ({"at": ["tomorrow"]}, "not a date and time"),
        ({"at": ["2031-03-30T09:00"], "zone": ["Mars/Olympus"]}, "unknown time zone"),
    ],
)
def test_a_form_it_cannot_act_on_says_why(form, message):
    with pytest.raises(ConsoleError, match=message):
        target_instant(form, NOW)
