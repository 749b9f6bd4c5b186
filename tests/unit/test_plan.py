"""The nudge plan: due times, quiet hours and DST, late bookings, past interviews."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from nudges.domain.interview import Interview, Person
from nudges.domain.plan import NudgeTimings, deliverable_at, in_quiet_hours, plan_connect_nudge, plan_interview_nudges

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
TIMINGS = NudgeTimings()


def interview(start: datetime, minutes: int = 60) -> Interview:
    return Interview(
        interview_id="iv_test",
        source="calcom",
        source_ref="uid-1",
        candidate_email="cand@example.org",
        company="acme",
        title="Interview",
        start=start,
        end=start + timedelta(minutes=minutes),
        interviewers=(Person("Jane Doe", "jane@acme.com"),),
    )


def test_research_prompt_48h_before_and_thank_you_1h_after_the_end():
    # Given an interview on Thursday at 14:00 London (UTC in winter) booked a week ahead
    start = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)
    now = start - timedelta(days=7)
    # When the nudges are planned
    research, thank_you = plan_interview_nudges(interview(start), LONDON, now, TIMINGS)
    # Then the research prompt is 48 h before and the thank-you 1 h after the end
    assert (research.status, research.due_at) == ("scheduled", datetime(2026, 12, 8, 14, 0, tzinfo=UTC))
    assert (thank_you.status, thank_you.due_at) == ("scheduled", datetime(2026, 12, 10, 16, 0, tzinfo=UTC))


def test_booking_less_than_48h_ahead_gets_the_research_prompt_at_once():
    start = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)
    now = start - timedelta(hours=5)
    research, _ = plan_interview_nudges(interview(start), LONDON, now, TIMINGS)
    assert research.status == "scheduled"
    assert research.due_at == now.replace(microsecond=0) or research.due_at == now


def test_booking_within_the_last_hour_skips_the_research_prompt():
    start = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)
    research, thank_you = plan_interview_nudges(interview(start), LONDON, start - timedelta(minutes=45), TIMINGS)
    assert research.status == "skipped"
    assert "less than 1 h before the interview starts" in (research.reason or "")
    assert thank_you.status == "scheduled"


def test_late_booking_in_quiet_hours_waits_for_eight_while_that_leaves_the_minimum_lead():
    # Booked at 23:00 for 09:30 next morning: the prompt waits until 08:00, 1 h 30 before the start.
    now = datetime(2026, 12, 9, 23, 0, tzinfo=UTC)
    research, _ = plan_interview_nudges(interview(datetime(2026, 12, 10, 9, 30, tzinfo=UTC)), LONDON, now, TIMINGS)
    assert (research.status, research.due_at) == ("scheduled", datetime(2026, 12, 10, 8, 0, tzinfo=UTC))
    # Booked at 23:00 for 07:30: quiet hours last until the start, so no prompt.
    research, _ = plan_interview_nudges(interview(now + timedelta(hours=8, minutes=30)), LONDON, now, TIMINGS)
    assert research.status == "skipped"


def test_a_2230_booking_for_0830_next_morning_gets_no_research_prompt():
    # The quiet hours push it to 08:00, 30 minutes before the start: less than the minimum lead.
    now = datetime(2026, 12, 9, 22, 30, tzinfo=UTC)  # 22:30 GMT
    research, thank_you = plan_interview_nudges(
        interview(datetime(2026, 12, 10, 8, 30, tzinfo=UTC)), LONDON, now, TIMINGS
    )
    assert research.status == "skipped" and research.due_at is None
    assert research.reason == "too late to help: it would arrive less than 1 h before the interview starts"
    assert thank_you.status == "scheduled"
    # With a 2 h minimum lead, 08:00 for a 09:30 start is too late as well.
    research, _ = plan_interview_nudges(
        interview(datetime(2026, 12, 10, 9, 30, tzinfo=UTC)),
        LONDON,
        now,
        replace(TIMINGS, research_min_lead=timedelta(hours=2)),
    )
    assert "less than 2 h" in (research.reason or "")


def test_an_interview_already_past_plans_no_research_and_a_thank_you_only_within_48_hours():
    start = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)  # ends 15:00
    research, thank_you = plan_interview_nudges(interview(start), LONDON, start + timedelta(hours=3), TIMINGS)
    assert research.status == "skipped"
    assert thank_you.status == "scheduled"
    assert thank_you.due_at == start + timedelta(hours=3)
    # 46 h after the end, at 13:00: still in the window
    _, thank_you = plan_interview_nudges(interview(start), LONDON, start + timedelta(hours=47), TIMINGS)
    assert thank_you.status == "scheduled"
    research, thank_you = plan_interview_nudges(interview(start), LONDON, start + timedelta(hours=50), TIMINGS)
    assert (research.status, thank_you.status) == ("skipped", "skipped")
    assert thank_you.reason == "too late to help: it would arrive more than 48 h after the interview ended"


def test_a_thank_you_the_quiet_hours_push_past_48_hours_is_skipped():
    # Ended 21:30 London on Tuesday; planned on Thursday at 21:15 (47 h 45 after): the quiet hours
    # would hold it until Friday 08:00, 58 h 30 after the end.
    start = datetime(2026, 12, 8, 20, 30, tzinfo=UTC)
    now = start + timedelta(hours=1, minutes=47 * 60 + 45)
    _, thank_you = plan_interview_nudges(interview(start), LONDON, now, TIMINGS)
    assert thank_you.status == "skipped"


def test_thank_you_after_an_evening_interview_waits_until_eight_next_morning():
    # 19:30-20:30 New York in December is 00:30-01:30 UTC next day; +1 h = 21:30 local: quiet.
    start = datetime(2026, 12, 11, 0, 30, tzinfo=UTC)
    _, thank_you = plan_interview_nudges(interview(start), NEW_YORK, start - timedelta(days=3), TIMINGS)
    assert thank_you.due_at is not None
    assert thank_you.due_at.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 12, 11, 8, 0)


@pytest.mark.parametrize(
    ("zone", "due_utc", "expected_local"),
    [
        # Europe/London springs forward on 29 March 2026 (01:00 UTC): 08:00 BST is 07:00 UTC.
        (LONDON, datetime(2026, 3, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 29, 8, 0)),
        # ...and falls back on 25 October 2026: 08:00 GMT is 08:00 UTC.
        (LONDON, datetime(2026, 10, 24, 22, 30, tzinfo=UTC), datetime(2026, 10, 25, 8, 0)),
        # America/New_York springs forward on 8 March 2026, falls back on 1 November 2026.
        (NEW_YORK, datetime(2026, 3, 8, 3, 0, tzinfo=UTC), datetime(2026, 3, 8, 8, 0)),
        (NEW_YORK, datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 8, 0)),
    ],
)
def test_quiet_hours_end_at_eight_local_on_both_sides_of_dst(zone, due_utc, expected_local):
    assert in_quiet_hours(due_utc, zone, TIMINGS)
    moved = deliverable_at(due_utc, zone, TIMINGS)
    assert moved.astimezone(zone).replace(tzinfo=None) == expected_local


def test_research_prompt_across_the_spring_change_keeps_48_real_hours():
    # An interview on Monday 30 March 09:00 BST (08:00 UTC); 48 h earlier is Saturday 08:00 UTC = 08:00 GMT.
    start = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    research, _ = plan_interview_nudges(interview(start), LONDON, start - timedelta(days=5), TIMINGS)
    assert research.due_at == start - timedelta(hours=48)


@pytest.mark.parametrize(
    ("local", "quiet"),
    [(time(20, 59), False), (time(21, 0), True), (time(3, 0), True), (time(7, 59), True), (time(8, 0), False)],
)
def test_quiet_hours_edges(local, quiet):
    moment = datetime(2026, 7, 1, local.hour, local.minute, tzinfo=LONDON)
    assert in_quiet_hours(moment, LONDON, TIMINGS) is quiet


def test_connect_nudge_is_at_once_outside_quiet_hours_and_at_eight_inside():
    afternoon = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)  # 14:00 BST
    assert plan_connect_nudge(LONDON, afternoon, TIMINGS).due_at == afternoon
    night = datetime(2026, 7, 1, 22, 0, tzinfo=UTC)  # 23:00 BST
    due = plan_connect_nudge(LONDON, night, TIMINGS).due_at
    assert due == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)  # 08:00 BST
