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


def _big_calendar(n: int, uid: str) -> bytes:
    """An exported calendar of ``n`` one-hour events, four a day from tomorrow."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Apple Inc.//macOS 14.2//EN", "METHOD:PUBLISH"]
    for k in range(n):
        start = NOW + timedelta(days=1 + k // 4, hours=2 * (k % 4))
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}-{k}@example.com",
            "DTSTAMP:20310201T090000Z",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:Interview {k} with Northwind",
            "ORGANIZER;CN=Jane Doe:mailto:jane.doe@northwind-traders.com",
            "END:VEVENT",
        ]
    return "\r\n".join([*lines, "END:VCALENDAR", ""]).encode()


def _mail(to: str, calendar: bytes) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "Maya <maya@example.org>", to, "Fwd: my calendar"
    message.set_content("My calendar, forwarded.")
    message.add_attachment(calendar, maintype="text", subtype="calendar", filename="calendar.ics")
    return bytes(message)


def test_a_500_event_file_by_mail_ends_booked_within_the_cap_with_one_receipt(client, unique):
    client.set_clock(NOW)
    email = f"maya-{unique}@example.org"
    maya = client.register(email=email, timezone="Europe/London", channels=["email"], name="Maya Okafor").body
    accepted = client.email(_mail(maya["ics_inbox_email"], _big_calendar(500, f"big-{unique}")))
    assert accepted.status == 202, accepted
    # The mail function only read the file and queued its parts; the clock call drains the queue,
    # every part delivered twice (an at-least-once queue), so each part is also its own retry.
    client.set_clock(NOW, deliver_twice=True)
    interviews = client.interviews(maya["candidate_id"])
    assert len(interviews) == 50 and {i["status"] for i in interviews} == {"scheduled"}
    assert min(i["start"] for i in interviews) == "2031-02-04T09:00:00Z"  # those ahead, soonest first
    # (a receipt is no nudge: the outbox knows it by its subject)
    receipts = [m for m in client.outbox() if m["to"] == email and m["subject"].startswith("Got it")]
    assert len(receipts) == 1, receipts
    assert "Not used" in receipts[0]["body"] and "450 more events in the file were not read" in receipts[0]["body"]
    assert "You need do nothing more" not in receipts[0]["body"]


def test_a_big_file_posted_to_the_inbox_url_is_queued_and_booked_in_parts(client, unique):
    client.set_clock(NOW)
    maya = client.register(email=f"maya-{unique}@example.org", timezone="Europe/London", channels=["email"]).body
    token = maya["ics_inbox_url"].rsplit("/", 1)[1]
    calendar = _big_calendar(120, f"posted-{unique}")
    reply = client.ics(token, calendar)
    assert reply.status == 202 and reply.body["status"] == "queued" and reply.body["events"] == 50, reply
    assert "70 more events" in reply.body["ignored"][0]["reason"]
    assert client.interviews(maya["candidate_id"]) == []  # the request itself booked nothing
    again = client.ics(token, calendar)  # the client retries (it saw no answer): the same file
    assert again.body["file_id"] == reply.body["file_id"]
    client.set_clock(NOW)
    assert len(client.interviews(maya["candidate_id"])) == 50
