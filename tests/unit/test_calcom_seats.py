"""Cal.com seated events: each seat of a booking is its own candidate's interview, booked,
cancelled and moved per seat (the payloads as Cal.com sends them for seats: ``seatsPerTimeSlot``
and ``attendeeSeatId`` on a seat's booking; a seat's cancellation lists only its attendee)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from local_stack.client import calcom_booking
from nudges.domain.candidate import Candidate
from nudges.models.calcom import CalcomWebhook, booking_changes, seat_ref
from tests.fakes.repositories import World

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
START = datetime(2030, 3, 11, 15, 0, tzinfo=UTC)
ADA, BOB = ("Ada Lovelace", "ada@example.org"), ("Bob Okafor", "bob@example.org")
JANE = ("Jane Doe", "jane.doe@acme-robotics.com")


def seat(
    trigger: str, attendees: list[tuple[str, str]], *, uid: str = "seated-1", start=START, **extra
) -> CalcomWebhook:
    body = calcom_booking(
        trigger,
        uid=uid,
        start=start,
        end=start + timedelta(hours=1),
        attendee=attendees[0],
        organizer=JANE,
        created_at=NOW,
        **extra,
    )
    payload = body["payload"]
    template = payload["attendees"][0]
    payload["attendees"] = [{**copy.deepcopy(template), "name": n, "email": e} for n, e in attendees]
    payload["seatsPerTimeSlot"] = 4
    if trigger == "BOOKING_CREATED":
        payload["attendeeSeatId"] = f"seat-{attendees[0][1]}"
    return CalcomWebhook.model_validate(body)


def world_with_both() -> World:
    world = World()
    for n, (name, email) in enumerate((ADA, BOB)):
        world.candidates.add(
            Candidate(
                candidate_id=f"c_{n}",
                email=email,
                timezone="Europe/London",
                channels=("email",),
                created_at=NOW,
                ics_inbox_token=f"inbox-token-000{n}-xx",
                name=name,
            )
        )
    return world


def apply(world: World, webhook: CalcomWebhook) -> list:
    return [world.bookings.apply(change, NOW) for change in booking_changes(webhook, NOW)]


def scheduled(world: World) -> dict[str, datetime]:
    return {i.candidate_email: i.start for i, _ in world.interviews.items.values() if i.status == "scheduled"}


def test_two_seats_of_one_booking_are_two_candidates_interviews():
    world = world_with_both()
    [ada] = apply(world, seat("BOOKING_CREATED", [ADA]))
    [bob] = apply(world, seat("BOOKING_CREATED", [BOB]))
    assert ada.interview_id != bob.interview_id
    assert (ada.source_ref, bob.source_ref) == (seat_ref("seated-1", ADA[1]), seat_ref("seated-1", BOB[1]))
    assert scheduled(world) == {ADA[1]: START, BOB[1]: START}
    assert world.nudges.for_owner(ada.interview_id) and world.nudges.for_owner(bob.interview_id)


def test_a_seats_cancellation_cancels_that_seat_only():
    world = world_with_both()
    apply(world, seat("BOOKING_CREATED", [ADA]))
    [bob] = apply(world, seat("BOOKING_CREATED", [BOB]))
    [gone] = apply(world, seat("BOOKING_CANCELLED", [BOB]))  # Cal.com lists only the seat that left
    assert gone.interview_id == bob.interview_id and gone.status == "cancelled"
    assert scheduled(world) == {ADA[1]: START}
    assert {n.status for n in world.nudges.for_owner(bob.interview_id).values()} <= {"cancelled", "skipped"}


def test_a_whole_seated_booking_cancelled_or_moved_touches_every_seat():
    world = world_with_both()
    apply(world, seat("BOOKING_CREATED", [ADA]))
    apply(world, seat("BOOKING_CREATED", [BOB]))
    later = START + timedelta(days=1)
    moved = apply(
        world, seat("BOOKING_RESCHEDULED", [ADA, BOB], uid="seated-2", start=later, reschedule_uid="seated-1")
    )
    assert len(moved) == 2 and scheduled(world) == {ADA[1]: later, BOB[1]: later}
    apply(world, seat("BOOKING_CANCELLED", [ADA, BOB], uid="seated-2", start=later))
    assert scheduled(world) == {}


def test_a_booking_without_seats_is_one_interview_for_its_first_attendee_as_before():
    webhook = seat("BOOKING_CREATED", [ADA, BOB])
    webhook.payload.pop("seatsPerTimeSlot")
    webhook.payload.pop("attendeeSeatId")
    [change] = booking_changes(CalcomWebhook.model_validate(webhook.model_dump()), NOW)
    assert change.interview.source_ref == "seated-1" and change.interview.candidate_email == ADA[1]
