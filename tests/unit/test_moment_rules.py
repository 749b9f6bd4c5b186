"""The follow-up and the rejection reply planned with in-memory fakes: the follow-up belongs to
an application's last round, gives way to a later one and comes back when that is cancelled;
any outcome withdraws it; a rejection told before its round is known still gets its reply; and
the sender checks again before it sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain.booking import BookingChange
from nudges.domain.candidate import Candidate
from nudges.domain.interview import Interview, Person, application_id_for
from nudges.services.sending import Delivery
from tests.fakes.repositories import World

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)  # a Monday
START = datetime(2030, 3, 11, 15, 0, tzinfo=UTC)  # the Monday after, 15:00 in London (GMT)
EMAIL = "ada@example.org"


@pytest.fixture
def world() -> World:
    world = World()
    world.candidates.add(
        Candidate(
            candidate_id="c_ada",
            email=EMAIL,
            timezone="Europe/London",
            channels=("email",),
            created_at=NOW,
            ics_inbox_token="inbox-token-ada-0001",
            name="Ada Lovelace",
        )
    )
    return world


def told(ref: str, start: datetime, said_at: datetime = NOW) -> Interview:
    return Interview(
        interview_id="",
        source="calcom",
        source_ref=ref,
        candidate_email=EMAIL,
        company="acme-robotics.com",
        title="Interview",
        start=start,
        end=start + timedelta(hours=1),
        interviewers=(Person("Grace Hopper", "grace@acme-robotics.com"),),
        updated_at=said_at,
    )


def book(world: World, ref: str, start: datetime, now: datetime = NOW) -> Interview:
    return world.bookings.apply(BookingChange("booked", told(ref, start, now)), now)


def follow_up(world: World, interview: Interview) -> tuple[str, datetime | None, str | None] | None:
    nudge = world.nudges.get(interview.interview_id, "follow_up")
    return (nudge.status, nudge.due_at, nudge.reason) if nudge else None


def test_a_later_round_takes_the_follow_up_and_gives_it_back_when_cancelled(world):
    first = book(world, "bk-1", START)
    assert follow_up(world, first) == ("scheduled", datetime(2030, 3, 18, 10, 0, tzinfo=UTC), None)
    second = book(world, "bk-2", START + timedelta(days=2))
    assert follow_up(world, first)[0::2] == ("cancelled", "a later interview was booked: it plans its own follow-up")
    assert follow_up(world, second)[:2] == ("scheduled", datetime(2030, 3, 20, 10, 0, tzinfo=UTC))
    assert f"{first.interview_id}-follow_up" not in world.scheduler.due()

    world.bookings.apply(
        BookingChange("cancelled", told("bk-2", START + timedelta(days=2), NOW + timedelta(minutes=1))), NOW
    )
    assert follow_up(world, second)[0] == "cancelled"
    assert follow_up(world, first)[:2] == ("scheduled", datetime(2030, 3, 18, 10, 0, tzinfo=UTC))
    assert world.scheduler.due()[f"{first.interview_id}-follow_up"] == datetime(2030, 3, 18, 10, 0, tzinfo=UTC)


def test_any_outcome_withdraws_the_follow_up_and_an_offer_plans_none_for_a_later_round(world):
    first = book(world, "bk-1", START)
    world.outcomes.record_for_interview(first.interview_id, "offer", START + timedelta(days=1))
    assert follow_up(world, first)[0::2] == ("cancelled", "the application ended: offer")
    later = book(world, "bk-2", START + timedelta(days=3), START + timedelta(days=1))
    assert follow_up(world, later) is None


def test_a_rejection_told_before_its_round_is_known_closes_the_round_and_is_answered(world):
    # The ATS says "rejected" on Tuesday; the calendar brings Monday's interview only later
    told_at = START + timedelta(days=1)
    world.outcomes.record_for_candidate([EMAIL], "acme-robotics.com", "rejected", told_at)
    late = book(world, "bk-1", START, told_at + timedelta(hours=1))
    assert world.nudges.for_owner(late.interview_id) == {}  # no research prompt, thank-you or follow-up
    reply = world.nudges.get(application_id_for(EMAIL, "acme-robotics.com"), "rejection_reply")
    assert reply is not None and reply.status == "scheduled"
    assert reply.interview_id == late.interview_id
    # A round that starts after the rejection is a new process: planned as usual
    again = book(world, "bk-9", told_at + timedelta(days=30), told_at + timedelta(days=20))
    assert world.nudges.get(again.interview_id, "thank_you").status == "scheduled"  # type: ignore[union-attr]


def test_the_sender_checks_the_follow_up_again_before_it_sends(world):
    first = book(world, "bk-1", START)
    nudge = world.nudges.get(first.interview_id, "follow_up")
    assert nudge is not None and nudge.due_at is not None
    # A second round arrives in a way that left the first follow-up scheduled (two plans at once)
    book(world, "bk-2", START + timedelta(days=2))
    world.nudges.put(nudge, expires_after=nudge.due_at)  # as the racing plan wrote it back
    delivery = Delivery(first.interview_id, "follow_up", nudge.due_at, "c_ada")
    outcome = world.sender.deliver(delivery, nudge.due_at)
    assert outcome == "skipped: a later interview was booked: it plans its own follow-up"
    assert world.email.sent == []


def test_a_follow_up_goes_to_whoever_arranged_the_interview_asking_about_next_steps(world):
    second = book(world, "bk-2", START)
    nudge = world.nudges.get(second.interview_id, "follow_up")
    assert nudge is not None and nudge.due_at is not None
    assert world.sender.deliver(Delivery(second.interview_id, "follow_up", nudge.due_at, "c_ada"), nudge.due_at) == (
        "sent on email"
    )
    [email] = world.email.sent
    assert "To: grace@acme-robotics.com" in email["text"] and "Dear Grace," in email["text"]
    assert "next steps" in email["text"]


def test_a_follow_up_delivered_past_its_usefulness_window_is_skipped_not_sent(world):
    first = book(world, "bk-late", START)
    nudge = world.nudges.get(first.interview_id, "follow_up")
    assert nudge is not None and nudge.due_at is not None
    # A redrive 13 months later (the case): FollowUpUsefulDays (14) is long past
    late = nudge.due_at + timedelta(days=396)
    outcome = world.sender.deliver(Delivery(first.interview_id, "follow_up", nudge.due_at, "c_ada"), late)
    assert outcome.startswith("skipped: too late to help") and "14 days" in outcome
    assert world.email.sent == []
    skipped = world.nudges.get(first.interview_id, "follow_up")
    assert skipped is not None and skipped.status == "skipped"


def test_a_follow_up_within_its_usefulness_window_still_goes(world):
    first = book(world, "bk-ontime", START)
    nudge = world.nudges.get(first.interview_id, "follow_up")
    assert nudge is not None and nudge.due_at is not None
    outcome = world.sender.deliver(
        Delivery(first.interview_id, "follow_up", nudge.due_at, "c_ada"), nudge.due_at + timedelta(days=5)
    )
    assert not outcome.startswith("skipped"), outcome
    assert world.email.sent
