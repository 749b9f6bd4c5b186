"""BookingService with in-memory fakes of its Protocols (no moto, no network): what a calendar's
word does to the interview and to the nudges the candidate will get."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain.booking import BookingChange
from nudges.domain.candidate import Candidate
from nudges.domain.interview import Interview, Person, interview_id_for
from tests.fakes.repositories import World

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
START = datetime(2030, 3, 11, 15, 0, tzinfo=UTC)  # a Monday, 15:00 in London
FOLLOW_UP = datetime(2030, 3, 18, 10, 0, tzinfo=UTC)  # the Monday after, 10:00 in London


@pytest.fixture
def world() -> World:
    world = World()
    world.candidates.add(
        Candidate(
            candidate_id="c_ada",
            email="ada@example.org",
            timezone="Europe/London",
            channels=("email",),
            created_at=NOW - timedelta(days=1),
            ics_inbox_token="inbox-token-ada-0001",
            name="Ada Lovelace",
        )
    )
    return world


def told(ref: str, start: datetime = START, said_at: datetime = NOW, email: str = "Ada@Example.org") -> Interview:
    return Interview(
        interview_id="",
        source="calcom",
        source_ref=ref,
        candidate_email=email,
        company="acme-robotics.com",
        title="Final interview",
        start=start,
        end=start + timedelta(hours=1),
        interviewers=(Person("Grace Hopper", "grace@acme-robotics.com"),),
        updated_at=said_at,
    )


def test_a_booking_plans_the_research_prompt_two_days_ahead_and_the_thank_you_an_hour_after(world):
    interview = world.bookings.apply(BookingChange("booked", told("bk-1")), NOW)

    assert interview.interview_id == interview_id_for("calcom", "bk-1")
    assert world.scheduler.due() == {
        f"{interview.interview_id}-research_prompt": START - timedelta(hours=48),
        f"{interview.interview_id}-thank_you": START + timedelta(hours=2),
        # a week after the end, at 10:00 London time, if nothing is heard by then
        f"{interview.interview_id}-follow_up": FOLLOW_UP,
    }
    assert {k: n.status for k, n in world.nudges.for_owner(interview.interview_id).items()} == {
        "research_prompt": "scheduled",
        "thank_you": "scheduled",
        "follow_up": "scheduled",
    }
    # The candidate's own items are kept at least as long as the interview.
    assert world.retention.extended == [("ada@example.org", START + timedelta(hours=1), False)]


def test_the_same_booking_twice_changes_nothing(world):
    first = world.bookings.apply(BookingChange("booked", told("bk-1")), NOW)
    before = dict(world.scheduler.schedules), world.interviews.get(first.interview_id)
    world.bookings.apply(BookingChange("booked", told("bk-1")), NOW)
    assert (dict(world.scheduler.schedules), world.interviews.get(first.interview_id)) == before


def test_a_reschedule_moves_the_one_interview_and_its_nudges(world):
    first = world.bookings.apply(BookingChange("booked", told("bk-1")), NOW)
    later = START + timedelta(days=2)
    moved = world.bookings.apply(
        BookingChange("rescheduled", told("bk-2", later, NOW + timedelta(minutes=5)), previous_ref="bk-1"), NOW
    )

    assert moved.interview_id == first.interview_id
    assert [i.interview_id for i in world.interviews.for_email("ada@example.org")] == [first.interview_id]
    assert world.scheduler.due() == {
        f"{first.interview_id}-research_prompt": later - timedelta(hours=48),
        f"{first.interview_id}-thank_you": later + timedelta(hours=2),
        f"{first.interview_id}-follow_up": FOLLOW_UP + timedelta(days=2),
    }
    # Later news about the new booking finds the same interview.
    assert world.interviews.for_source("calcom", "bk-2") == first.interview_id


def test_a_cancel_withdraws_the_nudges_and_a_later_booking_word_does_not_revive_it(world):
    booked = world.bookings.apply(BookingChange("booked", told("bk-1")), NOW)
    world.bookings.apply(BookingChange("cancelled", told("bk-1", said_at=NOW + timedelta(minutes=1))), NOW)

    assert world.scheduler.due() == {}
    nudges = world.nudges.for_owner(booked.interview_id)
    assert {n.status for n in nudges.values()} == {"cancelled"}

    again = world.bookings.apply(BookingChange("booked", told("bk-1", said_at=NOW + timedelta(minutes=2))), NOW)
    assert again.status == "cancelled"  # a cancelled booking stays cancelled; a new time is a new booking
    assert world.scheduler.due() == {}


def test_older_news_never_overrides_newer(world):
    newer = START + timedelta(days=1)
    world.bookings.apply(BookingChange("booked", told("bk-1", newer, said_at=NOW)), NOW)
    kept = world.bookings.apply(BookingChange("booked", told("bk-1", START, said_at=NOW - timedelta(hours=1))), NOW)
    assert kept.start == newer


def test_the_cancel_of_the_booking_a_reschedule_replaced_leaves_the_interview(world):
    world.bookings.apply(BookingChange("booked", told("bk-1")), NOW)
    moved = world.bookings.apply(
        BookingChange("rescheduled", told("bk-2", said_at=NOW + timedelta(minutes=1)), previous_ref="bk-1"), NOW
    )
    after = world.bookings.apply(BookingChange("cancelled", told("bk-1", said_at=NOW + timedelta(minutes=2))), NOW)
    assert after.interview_id == moved.interview_id and after.status == "scheduled"
    assert len(world.scheduler.due()) == 3  # research prompt, thank-you, follow-up


def test_a_booking_for_someone_not_registered_is_kept_and_messages_nobody(world):
    stranger = world.bookings.apply(BookingChange("booked", told("bk-9", email="stranger@example.org")), NOW)
    assert world.interviews.get(stranger.interview_id) is not None
    assert world.scheduler.due() == {} and world.nudges.for_owner(stranger.interview_id) == {}


def test_a_delivery_that_carries_no_booking_is_ignored(world):
    assert world.bookings.receive(None, NOW, ignored={"trigger": "MEETING_ENDED"}) is None
    assert world.interviews.items == {}


def test_booked_too_close_to_the_start_the_research_prompt_is_skipped_with_why(world):
    soon = NOW + timedelta(minutes=30)
    interview = world.bookings.apply(BookingChange("booked", told("bk-3", soon)), NOW)
    research = world.nudges.get(interview.interview_id, "research_prompt")
    assert research is not None and research.status == "skipped"
    assert research.reason == "too late to help: it would arrive less than 1 h before the interview starts"
    assert set(world.scheduler.due()) == {f"{interview.interview_id}-thank_you", f"{interview.interview_id}-follow_up"}


def test_a_plan_made_from_an_interview_moved_meanwhile_is_not_written_and_is_made_again(world):
    """The interview and its plans are written in one transaction, only while the interview is
    the version they were read at: a reschedule written between the read and the write makes
    the whole change start again from it, so the nudges and schedules written are the moved
    interview's, and no other's."""
    first = world.bookings.apply(BookingChange("booked", told("bk-1")), NOW)
    moved = START + timedelta(days=1)
    save = world.interviews.save
    calls = []

    def racing(interview, read_version, extending=None, **written):
        if not calls:  # another webhook moves the interview just before this change is written
            stored, version = world.interviews.get(first.interview_id)
            world.interviews.items[first.interview_id] = (
                replace(stored, start=moved, end=moved + timedelta(hours=1)),
                version + 1,
            )
        calls.append(read_version)
        return save(interview, read_version, extending, **written)

    world.interviews.save = racing
    world.bookings.apply(
        BookingChange(
            "rescheduled", told("bk-1", start=START + timedelta(hours=3), said_at=NOW + timedelta(minutes=1))
        ),
        NOW,
    )

    assert len(calls) == 2 and calls[0] + 1 == calls[1]  # refused, then made again from the newer one
    stored, _ = world.interviews.get(first.interview_id)  # the change, newer news, applied to the moved one
    assert stored.start == START + timedelta(hours=3)
    assert world.scheduler.due()[f"{first.interview_id}-research_prompt"] == stored.start - timedelta(hours=48)
