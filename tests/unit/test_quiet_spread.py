"""Nudges held by the quiet hours leave in a spread, not all in the same second at 08:00.

Given a nudge that falls due at night in the candidate's zone, when it is planned, then it is
released within QuietHoursSpreadMinutes after the quiet hours end: deterministically (a re-plan
or a retry lands on the same moment), never inside the quiet hours, and one candidate's held
nudges keep the order they fell due in.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nudges.domain.plan import NudgeTimings, deliverable_at, in_quiet_hours, plan_welcome

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
TIMINGS = NudgeTimings()  # 21:00-08:00, a 30-minute spread


def _night(zone: ZoneInfo, hour: int, minute: int = 0) -> datetime:
    day = 14 if hour >= 12 else 15
    return datetime(2026, 12, day, hour, minute, tzinfo=zone).astimezone(UTC)


def test_held_nudges_of_a_cohort_spread_over_the_window() -> None:
    due = _night(LONDON, 23)
    wake = datetime(2026, 12, 15, 8, 0, tzinfo=LONDON)
    released = [deliverable_at(due, LONDON, TIMINGS, f"candidate-{n}") for n in range(1000)]
    offsets = [(r - wake).total_seconds() for r in released]
    assert min(offsets) >= 0
    assert max(offsets) < 30 * 60
    # Spread, not a burst: no minute of the window holds more than a tenth of the cohort.
    per_minute = [sum(1 for o in offsets if m * 60 <= o < (m + 1) * 60) for m in range(30)]
    assert max(per_minute) < 100
    assert sum(1 for c in per_minute if c) == 30


def test_the_release_is_deterministic() -> None:
    due = _night(LONDON, 2, 15)
    assert deliverable_at(due, LONDON, TIMINGS, "c-42") == deliverable_at(due, LONDON, TIMINGS, "c-42")


def test_one_candidates_held_nudges_keep_their_order() -> None:
    dues = [_night(LONDON, 21, 30), _night(LONDON, 23, 59), _night(LONDON, 3), _night(LONDON, 7, 59)]
    for key in (f"c-{n}" for n in range(50)):
        released = [deliverable_at(d, LONDON, TIMINGS, key) for d in dues]
        assert released == sorted(released)
        assert len(set(released)) == len(released)


def test_never_released_into_quiet_hours() -> None:
    # An operator whose quiet hours end at 08:00 and begin again at 08:10: the spread would land in them.
    odd = NudgeTimings(quiet_start=time(8, 10), quiet_end=time(8, 0))
    for n in range(200):
        released = deliverable_at(datetime(2026, 12, 15, 8, 5, tzinfo=TOKYO), TOKYO, odd, f"c-{n}")
        assert not in_quiet_hours(released, TOKYO, odd)
    for n in range(200):
        released = deliverable_at(_night(TOKYO, 23), TOKYO, TIMINGS, f"c-{n}")
        assert not in_quiet_hours(released, TOKYO, TIMINGS)


def test_daytime_nudges_and_a_zero_spread_are_untouched() -> None:
    noon = datetime(2026, 12, 15, 12, 0, tzinfo=LONDON)
    assert deliverable_at(noon, LONDON, TIMINGS, "c-1") == noon
    none = NudgeTimings(quiet_spread=timedelta(0))
    assert deliverable_at(_night(LONDON, 23), LONDON, none, "c-1") == datetime(2026, 12, 15, 8, 0, tzinfo=LONDON)


def test_the_planner_spreads_a_night_time_welcome() -> None:
    night = _night(LONDON, 23, 30)
    planned = plan_welcome(LONDON, night, TIMINGS, "c-7")
    assert planned.due_at is not None
    wake = datetime(2026, 12, 15, 8, 0, tzinfo=LONDON)
    assert wake <= planned.due_at < wake + timedelta(minutes=30)
