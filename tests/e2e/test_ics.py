"""Forwarded calendar invites through the local stack, posted to the inbox URL and mailed to the
inbox address, with the Google, Exchange and Microsoft 365 invites of ``tests/fixtures/ics``."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import boto3

from tests.e2e.steps import register

MAYA = {"name": "Maya Okafor", "timezone": "Europe/Paris"}  # the candidate the invites are for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ics"
BEFORE_THEM = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)  # the fixtures are from May to November 2030


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def token_of(candidate: dict) -> str:
    return candidate["ics_inbox_url"].rsplit("/", 1)[1]


def only(client, candidate: dict) -> dict:
    [interview] = client.interviews(candidate["candidate_id"])
    return interview


def mail(to: str, invite: bytes, *, method: str = "REQUEST") -> bytes:
    """A forwarded invite as mail clients send it: text, then the calendar, then the .ics attached."""
    message = EmailMessage()
    message["From"] = "Maya Okafor <maya.okafor@example.org>"
    message["To"] = to
    message["Subject"] = "Fwd: Invitation"
    message.set_content("My interview, forwarded.")
    message.add_alternative(invite, maintype="text", subtype="calendar", params={"method": method})
    message.add_attachment(invite, maintype="application", subtype="ics", filename="invite.ics")
    return bytes(message)


def stored_mail(stack) -> int:
    s3 = boto3.client("s3", endpoint_url=stack.endpoint_url, region_name="us-east-1")
    return s3.list_objects_v2(Bucket=stack.template.ref("InboxMailBucket")).get("KeyCount", 0)


def test_a_google_invite_books_a_duplicate_changes_nothing_and_its_cancel_stops_it(client, unique):
    client.set_clock(BEFORE_THEM)
    maya = register(client, "maya.okafor@example.org", **MAYA)  # the attendee the invite was sent to
    first = client.ics(token_of(maya), fixture("google_request.ics"))
    assert first.status == 200, first
    interview = only(client, maya)
    assert (interview["title"], interview["start"], interview["end"], interview["company"]) == (
        "Interview: Maya Okafor / Platform Engineer",
        "2030-05-14T13:00:00Z",
        "2030-05-14T13:45:00Z",
        "brightwave.io",
    )
    # the organizer and the other guest; not Maya, not the meeting room
    assert interview["interviewers"] == [
        {"name": "Daniel Reyes", "email": "daniel.reyes@brightwave.io"},
        {"name": "Sofia Lindqvist", "email": "sofia.lindqvist@brightwave.io"},
    ]
    planned = {n["kind"]: (n["status"], n["due_at"]) for n in interview["nudges"]}
    assert planned == {
        "research_prompt": ("scheduled", "2030-05-12T13:00:00Z"),
        "thank_you": ("scheduled", "2030-05-14T14:45:00Z"),
        "follow_up": ("scheduled", "2030-05-21T08:00:00Z"),  # a week later, 10:00 in Paris (CEST)
    }

    assert client.ics(token_of(maya), fixture("google_request.ics")).body == first.body
    assert only(client, maya) == interview

    cancelled = client.ics(token_of(maya), fixture("google_cancel.ics"))
    assert cancelled.body["interviews"] == [
        {"interview_id": interview["interview_id"], "interview_status": "cancelled"}
    ]
    assert {n["status"] for n in only(client, maya)["nudges"]} == {"cancelled"}
    # The request again (SEQUENCE:0, older than the cancel's 1) brings nothing back
    client.ics(token_of(maya), fixture("google_request.ics"))
    assert only(client, maya)["status"] == "cancelled"


def test_a_cancel_delivered_before_its_request_wins(client, unique):
    client.set_clock(BEFORE_THEM)
    maya = register(client, f"maya-{unique}@example.org", **MAYA)
    assert client.ics(token_of(maya), fixture("google_cancel.ics")).status == 200
    client.ics(token_of(maya), fixture("google_request.ics"))
    interview = only(client, maya)
    assert (interview["status"], interview["nudges"]) == ("cancelled", [])


def test_an_outlook_update_moves_the_interview_and_an_older_sequence_changes_nothing(client, unique):
    client.set_clock(BEFORE_THEM)
    maya = register(client, f"maya-{unique}@example.org", **MAYA)
    outlook = fixture("outlook_request.ics")  # SEQUENCE:3, 10:30 "GMT Standard Time" (London, summer time)
    client.ics(token_of(maya), outlook)
    interview = only(client, maya)
    assert (interview["start"], interview["end"], interview["company"]) == (
        "2030-06-11T09:30:00Z",
        "2030-06-11T10:15:00Z",
        "Fabrikam Energy",  # fabrikam-energy.co.uk, as messages write it
    )
    assert interview["interviewers"] == [
        {"name": "Hannah Whitfield", "email": "hannah.whitfield@fabrikam-energy.co.uk"},
        {"name": "Oliver Grant", "email": "oliver.grant@fabrikam-energy.co.uk"},
    ]

    moved = outlook.replace(b"20300611T103000", b"20300611T150000").replace(b"20300611T111500", b"20300611T154500")
    client.ics(token_of(maya), moved.replace(b"SEQUENCE:3", b"SEQUENCE:5"))
    interview = only(client, maya)
    assert interview["start"] == "2030-06-11T14:00:00Z"
    assert {n["kind"]: n["due_at"] for n in interview["nudges"]}["thank_you"] == "2030-06-11T15:45:00Z"

    stale = outlook.replace(b"20300611T103000", b"20300611T170000").replace(b"20300611T111500", b"20300611T174500")
    client.ics(token_of(maya), stale.replace(b"SEQUENCE:3", b"SEQUENCE:2"))
    assert only(client, maya)["start"] == "2030-06-11T14:00:00Z"


def test_several_attendees_the_candidate_is_not_an_interviewer(client, unique):
    client.set_clock(BEFORE_THEM)
    maya = register(client, f"maya-{unique}@example.org", **MAYA)  # invited there as maya.okafor@example.net
    client.ics(token_of(maya), fixture("outlook365_request.ics"))
    interview = only(client, maya)
    assert (interview["title"], interview["start"], interview["company"]) == (
        "Vorstellungsgespräch – Backend Engineer",
        "2030-11-19T13:00:00Z",  # 14:00 in Berlin, winter time
        "tailspin.onmicrosoft.com",  # the tenant
    )
    assert interview["interviewers"] == [
        {"name": "Lena Vogel", "email": "lena.vogel@tailspin.onmicrosoft.com"},
        {"name": "", "email": "jonas.becker@tailspin.onmicrosoft.com"},
    ]


def test_an_event_already_past_plans_nothing(client, unique):
    client.set_clock(datetime(2030, 6, 1, 9, 0, tzinfo=UTC))
    maya = register(client, f"maya-{unique}@example.org", **MAYA)
    assert client.ics(token_of(maya), fixture("google_request.ics")).status == 200
    interview = only(client, maya)
    assert {n["status"] for n in interview["nudges"]} == {"skipped"}
    client.set_clock(datetime(2030, 6, 3, 9, 0, tzinfo=UTC))
    assert [m for m in client.outbox() if m["interview_id"] == interview["interview_id"]] == []


def test_an_unknown_inbox_or_a_broken_invite_is_refused_and_stores_nothing(stack, client, unique):
    client.set_clock(BEFORE_THEM)
    maya = register(client, f"maya-{unique}@example.org", **MAYA)
    wrong = token_of(maya)[:-1] + ("A" if token_of(maya)[-1] != "A" else "B")
    assert client.ics(wrong, fixture("google_request.ics")).status == 401
    assert client.ics("../candidates", fixture("google_request.ics")).status == 404
    broken = client.ics(token_of(maya), b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:tomorrow\r\nEND:VEVENT\r\n")
    assert broken.status == 400, broken
    assert client.interviews(maya["candidate_id"]) == []


def test_an_invite_mailed_to_the_inbox_address_books_moves_and_cancels(stack, client, unique):
    client.set_clock(BEFORE_THEM)
    maya = register(client, f"maya-{unique}@example.org", **MAYA)
    address = maya["ics_inbox_email"]
    assert address == f"{token_of(maya)}@inbox.localhost"

    accepted = client.email(mail(address, fixture("outlook_request.ics")))
    assert accepted.status == 202, accepted
    interview = only(client, maya)
    assert (interview["title"], interview["start"]) == ("Technical interview - Data Engineer", "2030-06-11T09:30:00Z")
    assert stored_mail(stack) == 0  # read, then deleted

    twice = client.email(mail(address, fixture("outlook_request.ics")))  # a duplicate delivery
    assert twice.status == 202 and only(client, maya) == interview

    other = client.email(mail(address, fixture("google_cancel.ics"), method="CANCEL"))  # another UID
    assert other.status == 202
    statuses = {i["interview_id"]: i["status"] for i in client.interviews(maya["candidate_id"])}
    assert statuses[interview["interview_id"]] == "scheduled" and sorted(statuses.values()) == [
        "cancelled",
        "scheduled",
    ]
    client.email(mail(address, fixture("outlook_cancel.ics"), method="CANCEL"))  # this one's cancel, SEQUENCE:4
    statuses = {i["interview_id"]: i["status"] for i in client.interviews(maya["candidate_id"])}
    assert statuses[interview["interview_id"]] == "cancelled" and set(statuses.values()) == {"cancelled"}


def test_mail_to_an_unknown_inbox_or_another_domain_stores_nothing(stack, client, unique):
    client.set_clock(BEFORE_THEM)
    maya = register(client, f"maya-{unique}@example.org", **MAYA)
    unknown = client.email(mail("nobody0000000000000000@inbox.localhost", fixture("outlook_request.ics")))
    assert unknown.status == 202  # SES accepts mail for the domain; the function drops it
    elsewhere = client.email(mail(f"{token_of(maya)}@elsewhere.example", fixture("outlook_request.ics")))
    assert elsewhere.status == 422  # no receipt rule takes it
    assert client.interviews(maya["candidate_id"]) == []
    assert stored_mail(stack) == 0


def _series(uid: str, sequence: int, *lines: str, method: str = "REQUEST") -> bytes:
    """A recurring invite as Thunderbird sends it (Europe/Paris times, a weekly rule)."""
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
            f"METHOD:{method}",
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"SEQUENCE:{sequence}",
            f"DTSTAMP:2030050{1 + sequence}T080000Z",
            "SUMMARY:Interview loop – Northwind",
            "ORGANIZER;CN=Jane Doe:mailto:jane.doe@northwind-traders.com",
            "ATTENDEE;CN=Maya Okafor;PARTSTAT=NEEDS-ACTION:mailto:maya@example.org",
            *lines,
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    ).encode()


def test_a_moved_series_leaves_only_the_new_occurrences(client, unique):
    client.set_clock(BEFORE_THEM)
    maya = register(client, f"maya-{unique}@example.org", **MAYA)
    uid = f"series-{unique}@thunderbird"
    weekly = ("DTSTART:20300513T140000Z", "DTEND:20300513T150000Z", "RRULE:FREQ=WEEKLY;COUNT=3")
    assert client.ics(token_of(maya), _series(uid, 0, *weekly)).status == 200
    first = client.interviews(maya["candidate_id"])
    assert sorted(i["start"] for i in first) == ["2030-05-13T14:00:00Z", "2030-05-20T14:00:00Z", "2030-05-27T14:00:00Z"]

    # The organiser moves the whole series to Wednesdays 10:00 (a new SEQUENCE, a moved DTSTART)
    moved = ("DTSTART:20300515T100000Z", "DTEND:20300515T110000Z", "RRULE:FREQ=WEEKLY;COUNT=3")
    reply = client.ics(token_of(maya), _series(uid, 1, *moved))
    # 3 occurrences booked and 3 cancelled: over 5 changes, so booked in parts (docs/providers.md)
    assert reply.status == 202 and reply.body["status"] == "queued" and reply.body["events"] == 6, reply
    client.set_clock(BEFORE_THEM)  # the queue drains
    now = client.interviews(maya["candidate_id"])
    scheduled = sorted(i["start"] for i in now if i["status"] == "scheduled")
    assert scheduled == ["2030-05-15T10:00:00Z", "2030-05-22T10:00:00Z", "2030-05-29T10:00:00Z"]
    for old in (i for i in now if i["status"] == "cancelled"):
        assert old["start"] in [i["start"] for i in first]
        assert {n["status"] for n in old["nudges"]} <= {"cancelled", "skipped"}, old
    # The follow-up sits on the series' last remaining round only
    follow_ups = [(i["start"], n["status"]) for i in now for n in i["nudges"] if n["kind"] == "follow_up"]
    assert [start for start, status in follow_ups if status == "scheduled"] == ["2030-05-29T10:00:00Z"]

    # The first revision, delivered late, changes nothing and says why
    late = client.ics(token_of(maya), _series(uid, 0, *weekly))
    assert late.body["status"] == "ignored" and "older revision" in late.body["ignored"][0]["reason"]
    # A CANCEL without DTSTART (RFC 5546) cancels the whole series
    cancel = client.ics(token_of(maya), _series(uid, 2, method="CANCEL"))
    assert cancel.status == 200, cancel
    assert [i for i in client.interviews(maya["candidate_id"]) if i["status"] == "scheduled"] == []
