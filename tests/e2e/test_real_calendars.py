"""Real calendars through the local stack: Cal.com seated events (each seat its own candidate's
interview, cancelled per seat) and big calendar files (a cap, and all of it or a retry that
completes it, with one receipt)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from local_stack.client import JANE, calcom_booking

NOW = datetime(2031, 2, 3, 9, 0, tzinfo=UTC)  # a Monday
START = datetime(2031, 2, 12, 14, 0, tzinfo=UTC)


def _seat(trigger: str, attendee: tuple[str, str], uid: str) -> dict:
    body = calcom_booking(
        trigger, uid=uid, start=START, end=START + timedelta(hours=1), attendee=attendee, organizer=JANE, created_at=NOW
    )
    body["payload"]["seatsPerTimeSlot"] = 6
    if trigger == "BOOKING_CREATED":
        body["payload"]["attendeeSeatId"] = f"seat-ref-{attendee[1]}"
    body["payload"]["attendees"] = [copy.deepcopy(body["payload"]["attendees"][0])]
    return body


def test_two_seats_are_two_candidates_interviews_and_one_cancelled_leaves_the_other(client, unique):
    client.set_clock(NOW)
    people = [("Ada Lovelace", f"ada-{unique}@example.org"), ("Bob Okafor", f"bob-{unique}@example.org")]
    ids = {}
    for name, email in people:
        reply = client.register(email=email, timezone="Europe/London", channels=["email"], name=name)
        assert reply.status == 201, reply
        ids[email] = reply.body["candidate_id"]
    uid = f"seated-{unique}"
    for person in people:
        reply = client.calcom(_seat("BOOKING_CREATED", person, uid))
        assert reply.status == 200 and reply.body["status"] == "accepted", reply
    for _, email in people:
        [interview] = client.interviews(ids[email])
        assert interview["status"] == "scheduled" and interview["start"] == "2031-02-12T14:00:00Z"
        assert {n["kind"] for n in interview["nudges"]} >= {"research_prompt", "thank_you"}

    # Bob gives up his seat: Cal.com's cancellation names the booking and lists only Bob
    reply = client.calcom(_seat("BOOKING_CANCELLED", people[1], uid))
    assert reply.status == 200, reply
    [bob] = client.interviews(ids[people[1][1]])
    [ada] = client.interviews(ids[people[0][1]])
    assert bob["status"] == "cancelled" and {n["status"] for n in bob["nudges"]} <= {"cancelled", "skipped"}
    assert ada["status"] == "scheduled"
    assert {n["kind"]: n["status"] for n in ada["nudges"]}["research_prompt"] == "scheduled"
