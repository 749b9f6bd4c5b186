"""Forwarded calendar invites through the local stack, posted to the inbox URL and mailed to the
inbox address, with real Outlook and Google invites from ``../shared/fixtures/ics``."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import boto3

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "ics"
BEFORE_THEM = datetime(2015, 2, 9, 9, 0, tzinfo=UTC)  # the fixtures are from February to April 2015


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def register(client, email: str, name: str = "Karim Hamidou") -> dict:
    reply = client.register(email=email, timezone="Europe/Paris", channels=["email"], name=name)
    assert reply.status == 201, reply
    return reply.body


def token_of(candidate: dict) -> str:
    return candidate["ics_inbox_url"].rsplit("/", 1)[1]


def only(client, candidate: dict) -> dict:
    [interview] = client.interviews(candidate["candidate_id"])
    return interview


def mail(to: str, invite: bytes, *, method: str = "REQUEST") -> bytes:
    """A forwarded invite as mail clients send it: text, then the calendar, then the .ics attached."""
    message = EmailMessage()
    message["From"] = "Karim Hamidou <karim@nilas.com>"
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
    karim = register(client, "karim@nilas.com")  # the attendee the invite was sent to
    first = client.ics(token_of(karim), fixture("invite_google_request.ics"))
    assert first.status == 200, first
    interview = only(client, karim)
    assert (interview["title"], interview["start"], interview["end"], interview["company"]) == (
        "Buffalo Buffalo",
        "2015-04-01T14:00:00Z",
        "2015-04-01T15:00:00Z",
        "unknown",  # a gmail.com organizer says nothing about the company
    )
    assert interview["interviewers"] == [{"name": "Inbox Apptest", "email": "inboxapptest.french@gmail.com"}]
    planned = {n["kind"]: (n["status"], n["due_at"]) for n in interview["nudges"]}
    assert planned == {
        "research_prompt": ("scheduled", "2015-03-30T14:00:00Z"),
        "thank_you": ("scheduled", "2015-04-01T16:00:00Z"),
        "follow_up": ("scheduled", "2015-04-08T08:00:00Z"),  # a week later, 10:00 in Paris (CEST)
    }

    assert client.ics(token_of(karim), fixture("invite_google_request.ics")).body == first.body
    assert only(client, karim) == interview

    cancelled = client.ics(token_of(karim), fixture("invite_google_cancel.ics"))
    assert cancelled.body["interviews"] == [
        {"interview_id": interview["interview_id"], "interview_status": "cancelled"}
    ]
    assert {n["status"] for n in only(client, karim)["nudges"]} == {"cancelled"}
    # The request again (SEQUENCE:0, older than the cancel's 1) brings nothing back
    client.ics(token_of(karim), fixture("invite_google_request.ics"))
    assert only(client, karim)["status"] == "cancelled"


def test_a_cancel_delivered_before_its_request_wins(client, unique):
    client.set_clock(BEFORE_THEM)
    karim = register(client, f"karim-{unique}@nilas.com")
    assert client.ics(token_of(karim), fixture("invite_google_cancel.ics")).status == 200
    client.ics(token_of(karim), fixture("invite_google_request.ics"))
    interview = only(client, karim)
    assert (interview["status"], interview["nudges"]) == ("cancelled", [])


def test_an_outlook_update_moves_the_interview_and_an_older_sequence_changes_nothing(client, unique):
    client.set_clock(BEFORE_THEM)
    karim = register(client, f"karim-{unique}@nilas.com")
    outlook = fixture("invite_outlook_request.ics")  # SEQUENCE:4, 09:30 "Romance Standard Time" (Paris, CET)
    client.ics(token_of(karim), outlook)
    interview = only(client, karim)
    assert (interview["start"], interview["end"], interview["company"]) == (
        "2015-02-20T08:30:00Z",
        "2015-02-20T09:00:00Z",
        "inboxapp",  # inboxapp.onmicrosoft.com: the tenant
    )
    assert interview["interviewers"] == [{"name": "Inbox Apptest2", "email": "inbox.apptest2@inboxapp.onmicrosoft.com"}]

    moved = outlook.replace(b"20150220T093000", b"20150220T140000").replace(b"20150220T100000", b"20150220T143000")
    client.ics(token_of(karim), moved.replace(b"SEQUENCE:4", b"SEQUENCE:5"))
    interview = only(client, karim)
    assert interview["start"] == "2015-02-20T13:00:00Z"
    assert {n["kind"]: n["due_at"] for n in interview["nudges"]}["thank_you"] == "2015-02-20T14:30:00Z"

    stale = outlook.replace(b"20150220T093000", b"20150220T170000").replace(b"20150220T100000", b"20150220T173000")
    client.ics(token_of(karim), stale.replace(b"SEQUENCE:4", b"SEQUENCE:3"))
    assert only(client, karim)["start"] == "2015-02-20T13:00:00Z"


def test_several_attendees_the_candidate_is_not_an_interviewer(client, unique):
    client.set_clock(BEFORE_THEM)
    karim = register(client, f"karim-{unique}@example.org")  # invited there as karim@example.com
    client.ics(token_of(karim), fixture("invite_outlook_request_2.ics"))
    interview = only(client, karim)
    assert (interview["title"], interview["start"], interview["company"]) == (
        "Spot le chien",
        "2015-04-01T14:00:00Z",  # 16:00 in Paris, summer time
        "example",
    )
    assert interview["interviewers"] == [
        {"name": "Inbox Apptest2", "email": "test2@example.com"},
        {"name": "", "email": "test1@example.com"},
    ]


def test_an_event_already_past_plans_nothing(client, unique):
    client.set_clock(datetime(2015, 6, 1, 9, 0, tzinfo=UTC))
    karim = register(client, f"karim-{unique}@nilas.com")
    assert client.ics(token_of(karim), fixture("invite_google_request.ics")).status == 200
    interview = only(client, karim)
    assert {n["status"] for n in interview["nudges"]} == {"skipped"}
    client.set_clock(datetime(2015, 6, 3, 9, 0, tzinfo=UTC))
    assert [m for m in client.outbox() if m["interview_id"] == interview["interview_id"]] == []


def test_an_unknown_inbox_or_a_broken_invite_is_refused_and_stores_nothing(stack, client, unique):
    client.set_clock(BEFORE_THEM)
    karim = register(client, f"karim-{unique}@nilas.com")
    wrong = token_of(karim)[:-1] + ("A" if token_of(karim)[-1] != "A" else "B")
    assert client.ics(wrong, fixture("invite_google_request.ics")).status == 401
    assert client.ics("../candidates", fixture("invite_google_request.ics")).status == 404
    broken = client.ics(token_of(karim), b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:tomorrow\r\nEND:VEVENT\r\n")
    assert broken.status == 400, broken
    assert client.interviews(karim["candidate_id"]) == []


def test_an_invite_mailed_to_the_inbox_address_books_moves_and_cancels(stack, client, unique):
    client.set_clock(BEFORE_THEM)
    karim = register(client, f"karim-{unique}@nilas.com")
    address = karim["ics_inbox_email"]
    assert address == f"{token_of(karim)}@inbox.localhost"

    accepted = client.email(mail(address, fixture("invite_outlook_request.ics")))
    assert accepted.status == 202, accepted
    interview = only(client, karim)
    assert (interview["title"], interview["start"]) == ("Pommes", "2015-02-20T08:30:00Z")
    assert stored_mail(stack) == 0  # read, then deleted

    twice = client.email(mail(address, fixture("invite_outlook_request.ics")))  # a duplicate delivery
    assert twice.status == 202 and only(client, karim) == interview

    client.email(mail(address, fixture("invite_google_cancel.ics"), method="CANCEL"))
    by_title = {i["title"]: i["status"] for i in client.interviews(karim["candidate_id"])}
    assert by_title == {"Pommes": "scheduled", "Buffalo Buffalo": "cancelled"}  # another UID: not this interview
    cancel = (
        fixture("invite_outlook_request.ics")
        .replace(b"METHOD:REQUEST", b"METHOD:CANCEL")
        .replace(b"SEQUENCE:4", b"SEQUENCE:5")
    )
    client.email(mail(address, cancel, method="CANCEL"))
    by_title = {i["title"]: i["status"] for i in client.interviews(karim["candidate_id"])}
    assert by_title == {"Pommes": "cancelled", "Buffalo Buffalo": "cancelled"}


def test_mail_to_an_unknown_inbox_or_another_domain_stores_nothing(stack, client, unique):
    client.set_clock(BEFORE_THEM)
    karim = register(client, f"karim-{unique}@nilas.com")
    unknown = client.email(mail("nobody0000000000000000@inbox.localhost", fixture("invite_outlook_request.ics")))
    assert unknown.status == 202  # SES accepts mail for the domain; the function drops it
    elsewhere = client.email(mail(f"{token_of(karim)}@elsewhere.example", fixture("invite_outlook_request.ics")))
    assert elsewhere.status == 422  # no receipt rule takes it
    assert client.interviews(karim["candidate_id"]) == []
    assert stored_mail(stack) == 0
