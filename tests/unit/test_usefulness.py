"""Useful while sent, and the two new moments: the windows at plan and send time, in the
candidate's zone, around midnight and on both sides of daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nudges.domain.interview import Interview, Person
from nudges.domain.plan import (
    SEND_GRACE,
    NudgeTimings,
    plan_follow_up,
    plan_interview_nudges,
    plan_rejection_reply,
    why_not_useful,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
TIMINGS = NudgeTimings()


def interview(start: datetime, minutes: int = 60) -> Interview:
    return Interview(
        interview_id="iv_test",
        source="calcom",
        source_ref="uid-1",
        candidate_email="cand@example.org",
        company="acme",
        title="Interview",
        start=start.astimezone(UTC),
        end=(start + timedelta(minutes=minutes)).astimezone(UTC),
        interviewers=(Person("Jane Doe", "jane@acme.com"),),
    )


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


# ------------------------------------------------------------------ research prompt


@pytest.mark.parametrize(
    ("zone", "booked", "start", "due_local"),
    [
        # 22:30 for 08:30 next morning: 08:00 is 30 minutes before: skipped
        (LONDON, (2026, 12, 9, 22, 30), (2026, 12, 10, 8, 30), None),
        # ...for 09:30: 08:00 leaves 1 h 30
        (LONDON, (2026, 12, 9, 22, 30), (2026, 12, 10, 9, 30), (2026, 12, 10, 8, 0)),
        # the night London springs forward (29 March 2026): 08:00 BST is 07:00 UTC, 30 min before 08:30
        (LONDON, (2026, 3, 28, 22, 30), (2026, 3, 29, 8, 30), None),
        (LONDON, (2026, 3, 28, 22, 30), (2026, 3, 29, 9, 5), (2026, 3, 29, 8, 0)),
        # the night New York falls back (1 November 2026): the night is an hour longer, the rule the same
        (NEW_YORK, (2026, 10, 31, 23, 0), (2026, 11, 1, 8, 45), None),
        (NEW_YORK, (2026, 10, 31, 23, 0), (2026, 11, 1, 9, 0), (2026, 11, 1, 8, 0)),
        # around midnight in the candidate's zone (Tokyo is UTC+9: 00:05 there is 15:05 UTC the day before)
        (TOKYO, (2026, 7, 2, 0, 5), (2026, 7, 2, 1, 30), None),
        (TOKYO, (2026, 7, 1, 23, 59), (2026, 7, 2, 9, 5), (2026, 7, 2, 8, 0)),
        # in the evening, before the quiet hours: at once, 1 h 10 before
        (TOKYO, (2026, 7, 1, 19, 50), (2026, 7, 1, 21, 0), (2026, 7, 1, 19, 50)),
    ],
)
def test_a_research_prompt_needs_the_minimum_lead_after_the_quiet_hours(zone, booked, start, due_local):
    now = local(zone, *booked)
    research, _ = plan_interview_nudges(interview(local(zone, *start)), zone, now, TIMINGS)
    if due_local is None:
        assert research.status == "skipped"
        assert research.reason == "too late to help: it would arrive less than 1 h before the interview starts"
    else:
        assert research.status == "scheduled"
        assert research.due_at == local(zone, *due_local).astimezone(UTC)


def test_at_send_time_a_research_prompt_is_useful_until_the_minimum_lead_and_never_after_the_start():
    iv = interview(datetime(2026, 12, 10, 14, 0, tzinfo=UTC))
    assert why_not_useful("research_prompt", datetime(2026, 12, 10, 13, 0, tzinfo=UTC), iv, TIMINGS) is None
    assert why_not_useful("research_prompt", datetime(2026, 12, 10, 13, 1, tzinfo=UTC), iv, TIMINGS)
    # a redrive after the interview ended
    assert why_not_useful("research_prompt", datetime(2026, 12, 10, 16, 0, tzinfo=UTC), iv, TIMINGS)
    # a minimum lead of 0 still never sends once the interview has begun
    zero = NudgeTimings(research_min_lead=timedelta(0))
    assert why_not_useful("research_prompt", datetime(2026, 12, 10, 13, 59, tzinfo=UTC), iv, zero) is None
    assert why_not_useful("research_prompt", datetime(2026, 12, 10, 14, 0, tzinfo=UTC), iv, zero)


def test_at_send_time_a_prompt_planned_at_the_edge_still_goes_when_it_arrives_seconds_late():
    # Booked 22:30 for 09:00: planned for 08:00, exactly the minimum lead before the start
    iv = interview(local(LONDON, 2026, 12, 10, 9, 0))
    research, _ = plan_interview_nudges(iv, LONDON, local(LONDON, 2026, 12, 9, 22, 30), TIMINGS)
    assert research.due_at == local(LONDON, 2026, 12, 10, 8, 0).astimezone(UTC)
    fired = research.due_at + timedelta(seconds=40)  # Scheduler and the queue took 40 s
    assert why_not_useful("research_prompt", fired, iv, TIMINGS) is not None  # the bare rule
    assert why_not_useful("research_prompt", fired, iv, TIMINGS, SEND_GRACE) is None  # what the sender asks
    assert why_not_useful("research_prompt", fired + SEND_GRACE, iv, TIMINGS, SEND_GRACE) is not None


# ------------------------------------------------------------------ thank-you


def test_a_thank_you_is_useful_for_48_real_hours_after_the_end_across_the_autumn_change():
    # Ends Saturday 24 October 2026 10:00 BST (09:00 UTC); London falls back the next night, so 48
    # real hours later is Monday 09:00 GMT (09:00 UTC): 49 hours by the wall clock.
    iv = interview(local(LONDON, 2026, 10, 24, 9, 0))
    assert iv.end == datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
    assert why_not_useful("thank_you", datetime(2026, 10, 26, 9, 0, tzinfo=UTC), iv, TIMINGS) is None
    late = why_not_useful("thank_you", datetime(2026, 10, 26, 9, 1, tzinfo=UTC), iv, TIMINGS)
    assert late == "too late to help: it would arrive more than 48 h after the interview ended"


def test_an_evening_thank_you_waits_for_eight_and_stays_useful():
    # 19:30-20:30 in New York: due 21:30, quiet, so 08:00 next morning; 11 h 30 after the end.
    iv = interview(local(NEW_YORK, 2026, 12, 10, 19, 30))
    _, thank_you = plan_interview_nudges(iv, NEW_YORK, local(NEW_YORK, 2026, 12, 1, 9, 0), TIMINGS)
    assert thank_you.due_at == local(NEW_YORK, 2026, 12, 11, 8, 0).astimezone(UTC)


def test_other_kinds_have_no_window():
    # (the follow-up has one since FollowUpUsefulDays: below)
    iv = interview(datetime(2026, 12, 10, 14, 0, tzinfo=UTC))
    for kind in ("connect", "rejection_reply"):
        assert why_not_useful(kind, datetime(2027, 1, 1, tzinfo=UTC), iv, TIMINGS) is None


# ------------------------------------------------------------------ follow-up


@pytest.mark.parametrize(
    ("zone", "end", "expected"),
    [
        # Tuesday 15:00 -> Tuesday a week later at 10:00
        (LONDON, (2026, 12, 1, 15, 0), (2026, 12, 8, 10, 0)),
        # Friday -> Friday
        (LONDON, (2026, 11, 27, 17, 0), (2026, 12, 4, 10, 0)),
        # Ends Friday 30 October 14:00 EDT; New York falls back on 1 November: 10:00 EST is 15:00 UTC
        (NEW_YORK, (2026, 10, 30, 14, 0), (2026, 11, 6, 10, 0)),
        # Ends Sunday 23:30 in Los Angeles (Monday 07:30 UTC): a week after Sunday is a Sunday: Monday 10:00
        (LOS_ANGELES, (2026, 12, 6, 23, 30), (2026, 12, 14, 10, 0)),
        # Ends Monday 00:30 in Tokyo (Sunday 15:30 UTC): Monday a week later, by the local date
        (TOKYO, (2026, 12, 7, 0, 30), (2026, 12, 14, 10, 0)),
    ],
)
def test_a_follow_up_is_due_follow_up_days_after_the_end_at_ten_on_a_weekday_locally(zone, end, expected):
    last_end = local(zone, *end)
    planned = plan_follow_up(last_end, zone, last_end - timedelta(days=1), TIMINGS)
    assert planned.status == "scheduled"
    assert planned.due_at == local(zone, *expected).astimezone(UTC)
    assert planned.due_at is not None and planned.due_at.astimezone(zone).weekday() < 5


def test_follow_up_days_that_land_on_a_weekend_move_to_monday():
    # Ends Friday 4 December; 8 days later is Saturday 12th: Monday 14th at 10:00
    timings = NudgeTimings(follow_up_days=8)
    planned = plan_follow_up(local(LONDON, 2026, 12, 4, 16, 0), LONDON, local(LONDON, 2026, 12, 4, 9, 0), timings)
    assert planned.due_at == local(LONDON, 2026, 12, 14, 10, 0).astimezone(UTC)


def test_a_follow_up_planned_late_goes_at_the_next_slot_or_not_at_all():
    end = local(LONDON, 2026, 12, 1, 15, 0)  # due Tuesday 8th at 10:00
    # re-planned on Tuesday 8th at 11:00: Wednesday at 10:00
    planned = plan_follow_up(end, LONDON, local(LONDON, 2026, 12, 8, 11, 0), TIMINGS)
    assert planned.due_at == local(LONDON, 2026, 12, 9, 10, 0).astimezone(UTC)
    # ...on Friday 11th at 09:00: that morning at 10:00
    planned = plan_follow_up(end, LONDON, local(LONDON, 2026, 12, 11, 9, 0), TIMINGS)
    assert planned.due_at == local(LONDON, 2026, 12, 11, 10, 0).astimezone(UTC)
    # a calendar that synced a month-old interview: nobody follows up on that
    planned = plan_follow_up(end, LONDON, local(LONDON, 2027, 1, 5, 9, 0), TIMINGS)
    assert planned.status == "skipped" and planned.reason


def test_a_rejection_reply_is_at_once_outside_quiet_hours_and_at_eight_inside():
    afternoon = local(LONDON, 2026, 7, 1, 14, 0)
    assert plan_rejection_reply(LONDON, afternoon, TIMINGS).due_at == afternoon.astimezone(UTC)
    night = local(LONDON, 2026, 7, 1, 23, 30)
    assert plan_rejection_reply(LONDON, night, TIMINGS).due_at == local(LONDON, 2026, 7, 2, 8, 0).astimezone(UTC)


# ------------------------------------------------------------------ follow-up window (FollowUpUsefulDays)


def test_the_follow_up_window_counts_from_its_time_and_follows_the_parameter():
    one = interview(datetime(2030, 3, 11, 15, 0, tzinfo=UTC))
    its_time = one.end + timedelta(days=TIMINGS.follow_up_days)
    assert why_not_useful("follow_up", its_time + timedelta(days=14), one, TIMINGS) is None
    assert why_not_useful("follow_up", its_time + timedelta(days=14, minutes=1), one, TIMINGS) is not None
    assert why_not_useful("follow_up", its_time + timedelta(days=14, minutes=5), one, TIMINGS, SEND_GRACE) is None
    short = NudgeTimings(follow_up_useful=timedelta(days=2))
    assert "2 days" in (why_not_useful("follow_up", its_time + timedelta(days=3), one, short) or "")


@pytest.mark.parametrize(
    "name", ["localtime", "Factory", "posixrules", "posix/Europe/London", "right/UTC", "Mars/Olympus"]
)
def test_only_real_iana_zones_are_accepted(name):
    from nudges.errors import InvalidInput
    from nudges.models.api import NewCandidate
    from nudges.models.parsing import parse

    with pytest.raises(InvalidInput) as caught:
        parse(NewCandidate, {"email": "a@example.org", "timezone": name, "channels": ["email"]})
    assert caught.value.field == "timezone"
    assert parse(NewCandidate, {"email": "a@example.org", "timezone": "Europe/London", "channels": ["email"]})
