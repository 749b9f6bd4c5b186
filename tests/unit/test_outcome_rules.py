"""OutcomeService and the outcome sources with in-memory fakes of their Protocols: an offer
brings the connect nudge once the last interview has ended, any outcome ends the other nudges,
and an outcome that comes first waits for its interview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain.booking import BookingChange
from nudges.domain.candidate import Candidate
from nudges.domain.interview import Interview, Person, application_id_for
from nudges.errors import Unauthorized
from tests.fakes.repositories import World

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
START = datetime(2030, 3, 11, 15, 0, tzinfo=UTC)


@pytest.fixture
def world() -> World:
    world = World()
    world.candidates.add(
        Candidate(
            candidate_id="c_ada",
            email="ada@example.org",
            timezone="Europe/London",
            channels=("email",),
            created_at=NOW,
            ics_inbox_token="inbox-token-ada-0001",
            name="Ada Lovelace",
        )
    )
    return world


def book(world: World, ref: str, start: datetime, now: datetime = NOW) -> Interview:
    return world.bookings.apply(
        BookingChange(
            "booked",
            Interview(
                interview_id="",
                source="calcom",
                source_ref=ref,
                candidate_email="ada@example.org",
                company="acme-robotics.com",
                title="Interview",
                start=start,
                end=start + timedelta(hours=1),
                interviewers=(Person("Grace Hopper", "grace@acme-robotics.com"),),
                updated_at=now,
            ),
        ),
        now,
    )


def statuses(world: World, owner_id: str) -> dict[str, str]:
    return {kind: n.status for kind, n in world.nudges.for_owner(owner_id).items()}


def test_an_offer_before_the_last_round_ends_waits_for_it_and_ends_the_other_nudges(world):
    first = book(world, "bk-1", START)
    second = book(world, "bk-2", START + timedelta(days=3))
    application = world.outcomes.record_for_interview(first.interview_id, "offer", START + timedelta(days=1))

    assert application.application_id == application_id_for("ada@example.org", "acme-robotics.com")
    assert statuses(world, second.interview_id) == {
        "research_prompt": "cancelled",
        "thank_you": "cancelled",
        "follow_up": "cancelled",
    }
    connect = world.nudges.get(application.application_id, "connect")
    assert connect is not None and connect.status == "scheduled"
    assert connect.due_at == second.end  # connect with everyone met, once the last round has ended
    assert connect.interview_id == first.interview_id
    # The application closed: everything about the candidate is kept the retention period from now.
    assert world.retention.extended[-1] == ("ada@example.org", START + timedelta(days=1), True)


def test_a_rejection_ends_every_pending_nudge_and_plans_a_reply_in_place_of_the_thank_you(world):
    interview = book(world, "bk-1", START)
    world.outcomes.record_for_interview(interview.interview_id, "rejected", NOW + timedelta(hours=1))
    assert statuses(world, interview.interview_id) == {
        "research_prompt": "cancelled",
        "thank_you": "cancelled",
        "follow_up": "cancelled",
    }
    thank_you = world.nudges.get(interview.interview_id, "thank_you")
    assert thank_you is not None and thank_you.reason == "replaced by the rejection reply"
    # The application's own nudge: the rejection reply, at once (no connect)
    assert statuses(world, interview.application_id) == {"rejection_reply": "scheduled"}
    reply = world.nudges.get(interview.application_id, "rejection_reply")
    assert reply is not None and reply.due_at == NOW + timedelta(hours=1)
    assert world.scheduler.due() == {}


def test_a_withdrawal_ends_every_pending_nudge_and_plans_nothing(world):
    interview = book(world, "bk-1", START)
    world.outcomes.record_for_interview(interview.interview_id, "withdrawn", NOW + timedelta(hours=1))
    assert set(statuses(world, interview.interview_id).values()) == {"cancelled"}
    assert world.nudges.for_owner(interview.application_id) == {}
    assert world.scheduler.due() == {} and world.scheduler.queued == []


def test_an_offer_that_comes_first_is_kept_and_applied_when_its_interview_arrives(world):
    handled = world.outcome_sources.generic(
        {"candidate_email": "Ada@Example.org", "company": "Acme Robotics", "outcome": "offer"}, "sig-1", NOW
    )
    assert handled.status == "kept"  # answered 202 at the HTTP edge
    application_id = handled.detail["application_id"]  # type: ignore[index]
    assert world.nudges.for_owner(application_id) == {}

    interview = book(world, "bk-1", START)
    assert interview.application_id == application_id
    assert statuses(world, interview.interview_id) == {}  # the offer came first: no research or thank-you
    connect = world.nudges.get(application_id, "connect")
    assert connect is not None and connect.due_at == interview.end


def test_the_same_signed_outcome_twice_is_a_replay_and_changes_nothing(world):
    book(world, "bk-1", START)
    body = {"candidate_email": "ada@example.org", "company": "acme-robotics.com", "outcome": "rejected"}
    assert world.outcome_sources.generic(body, "sig-1", NOW).status == "applied"
    before = dict(world.applications.items)
    with pytest.raises(Unauthorized):
        world.outcome_sources.generic(body, "sig-1", NOW)
    assert world.applications.items == before


def test_an_outcome_whose_processing_failed_is_heard_again(world):
    class Broken(Exception):
        pass

    def fail(*args, **kwargs):
        raise Broken

    real = world.outcomes.record_for_candidate
    world.outcomes.record_for_candidate = fail  # type: ignore[method-assign]
    body = {"candidate_email": "ada@example.org", "company": "acme-robotics.com", "outcome": "offer"}
    with pytest.raises(Broken):
        world.outcome_sources.generic(body, "sig-2", NOW)
    world.outcomes.record_for_candidate = real  # type: ignore[method-assign]
    assert world.outcome_sources.generic(body, "sig-2", NOW).status == "kept"
