"""Real Outlook and Google invites (../shared/fixtures/ics) read into interviews, and the mail they come in."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from nudges.domain.candidate import Candidate
from nudges.domain.interview import Person
from nudges.errors import InvalidInput
from nudges.models.ics import calendars_in_mail, invite_changes

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "ics"
NOW = datetime(2015, 2, 1, tzinfo=UTC)
KARIM = Candidate(
    candidate_id="c_1",
    email="karim@nilas.com",
    timezone="Europe/Paris",
    channels=("email",),
    created_at=NOW,
    ics_inbox_token="inboxtoken000000",
    name="Karim Hamidou",
)

EXPECTED = {
    "invite_google_request.ics": (
        "booked",
        "Buffalo Buffalo",
        datetime(2015, 4, 1, 14, 0, tzinfo=UTC),
        datetime(2015, 4, 1, 15, 0, tzinfo=UTC),
        "unknown",
        (Person("Inbox Apptest", "inboxapptest.french@gmail.com"),),
        0,
    ),
    "invite_google_cancel.ics": (
        "cancelled",
        "Buffalo Buffalo",
        datetime(2015, 4, 1, 14, 0, tzinfo=UTC),
        datetime(2015, 4, 1, 15, 0, tzinfo=UTC),
        "unknown",
        (Person("Inbox Apptest", "inboxapptest.french@gmail.com"),),
        1,
    ),
    "invite_outlook_request.ics": (  # "Romance Standard Time" in February: UTC+1
        "booked",
        "Pommes",
        datetime(2015, 2, 20, 8, 30, tzinfo=UTC),
        datetime(2015, 2, 20, 9, 0, tzinfo=UTC),
        "inboxapp",
        (Person("Inbox Apptest2", "inbox.apptest2@inboxapp.onmicrosoft.com"),),
        4,
    ),
    "invite_outlook_request_2.ics": (  # in April: summer time, UTC+2; Karim invited at another address
        "booked",
        "Spot le chien",
        datetime(2015, 4, 1, 14, 0, tzinfo=UTC),
        datetime(2015, 4, 1, 14, 30, tzinfo=UTC),
        "example",
        (Person("Inbox Apptest2", "test2@example.com"), Person("", "test1@example.com")),
        0,
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"])
def test_each_fixture_reads_into_its_interview(name, line_end):
    data = (FIXTURES / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", line_end)
    [change] = invite_changes(data, KARIM, NOW)
    i = change.interview
    assert (change.action, i.title, i.start, i.end, i.company, i.interviewers, i.provider_version) == EXPECTED[name]
    assert (i.source, i.candidate_email) == ("ics", "karim@nilas.com")
    assert i.source_ref.startswith("c_1/")  # one interview per candidate and UID


def test_the_request_and_its_cancel_name_the_same_interview():
    [request] = invite_changes((FIXTURES / "invite_google_request.ics").read_bytes(), KARIM, NOW)
    [cancel] = invite_changes((FIXTURES / "invite_google_cancel.ics").read_bytes(), KARIM, NOW)
    assert request.interview.source_ref == cancel.interview.source_ref


def test_rooms_the_inbox_and_replies_are_left_out():
    invite = b"\r\n".join(
        [
            b"BEGIN:VCALENDAR",
            b"METHOD:REQUEST",
            b"BEGIN:VEVENT",
            b"UID:abc",
            b"DTSTART;TZID=W. Europe Standard Time:20150701T093000",
            b"ORGANIZER;CN=Jane Doe:mailto:jane@acme.co.uk",
            b"ATTENDEE;CUTYPE=ROOM;CN=Room 1:mailto:room1@acme.co.uk",
            b"ATTENDEE;CN=Inbox:mailto:inboxtoken000000@inbox.example.com",
            b"ATTENDEE;CN=Bob:mailto:bob@acme.co.uk",
            b"END:VEVENT",
            b"END:VCALENDAR",
            b"",
        ]
    )
    [change] = invite_changes(invite, KARIM, NOW, is_candidate_address=lambda a: a.startswith("inboxtoken000000@"))
    assert change.interview.interviewers == (Person("Jane Doe", "jane@acme.co.uk"), Person("Bob", "bob@acme.co.uk"))
    assert change.interview.company == "acme"
    assert change.interview.start == datetime(2015, 7, 1, 7, 30, tzinfo=UTC)  # Windows zone name, no VTIMEZONE
    assert change.interview.end == datetime(2015, 7, 1, 8, 30, tzinfo=UTC)  # no DTEND: an hour
    assert invite_changes(invite.replace(b"METHOD:REQUEST", b"METHOD:REPLY"), KARIM, NOW) == []


@pytest.mark.parametrize("body", [b"", b"hello", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:soon\r\nEND:VEVENT\r\n"])
def test_what_is_not_a_calendar_is_invalid(body):
    with pytest.raises(InvalidInput):
        invite_changes(body, KARIM, NOW)


def test_the_calendar_is_found_in_the_mail_once():
    invite = (FIXTURES / "invite_outlook_request.ics").read_bytes()
    message = EmailMessage()
    message["To"] = "inboxtoken000000@inbox.example.com"
    message.set_content("see below")
    message.add_alternative(invite, maintype="text", subtype="calendar", params={"method": "REQUEST"})
    message.add_attachment(invite, maintype="application", subtype="ics", filename="invite.ics")
    forwarded = EmailMessage()
    forwarded.set_content("fyi")
    forwarded.add_attachment(message)  # forwarded as an attachment (message/rfc822)
    found = calendars_in_mail(bytes(forwarded))
    assert [c.replace(b"\r\n", b"\n") for c, _charset in found] == [invite.replace(b"\r\n", b"\n")]
