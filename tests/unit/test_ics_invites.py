"""Calendar invites as Google Calendar, Exchange and Microsoft 365 send them (the project's own,
tests/fixtures/ics), read into interviews, and the mail they come in."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from nudges.domain.candidate import Candidate
from nudges.domain.interview import Person
from nudges.errors import InvalidInput
from nudges.models.ics import invite_changes
from nudges.models.invite_mail import calendars_in_mail

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ics"
NOW = datetime(2030, 5, 1, tzinfo=UTC)
MAYA = Candidate(
    candidate_id="c_1",
    email="maya.okafor@example.org",
    timezone="Europe/London",
    channels=("email",),
    created_at=NOW,
    ics_inbox_token="inboxtoken000000",
    name="Maya Okafor",
)
BRIGHTWAVE = (
    Person("Daniel Reyes", "daniel.reyes@brightwave.io"),
    Person("Sofia Lindqvist", "sofia.lindqvist@brightwave.io"),
)  # not Maya (invited by address only), not the meeting room (CUTYPE=RESOURCE)
FABRIKAM = (
    Person("Hannah Whitfield", "hannah.whitfield@fabrikam-energy.co.uk"),
    Person("Oliver Grant", "oliver.grant@fabrikam-energy.co.uk"),
)  # not the room (CUTYPE=ROOM)

EXPECTED = {
    "google_request.ics": (
        "booked",
        "Interview: Maya Okafor / Platform Engineer",
        datetime(2030, 5, 14, 13, 0, tzinfo=UTC),
        datetime(2030, 5, 14, 13, 45, tzinfo=UTC),
        "brightwave.io",
        BRIGHTWAVE,
        0,
    ),
    "google_cancel.ics": (
        "cancelled",
        "Interview: Maya Okafor / Platform Engineer",
        datetime(2030, 5, 14, 13, 0, tzinfo=UTC),
        datetime(2030, 5, 14, 13, 45, tzinfo=UTC),
        "brightwave.io",
        BRIGHTWAVE,
        1,
    ),
    "outlook_request.ics": (  # "GMT Standard Time" in June: British Summer Time, UTC+1
        "booked",
        "Technical interview - Data Engineer",
        datetime(2030, 6, 11, 9, 30, tzinfo=UTC),
        datetime(2030, 6, 11, 10, 15, tzinfo=UTC),
        "fabrikam-energy.co.uk",  # the registrable domain
        FABRIKAM,
        3,
    ),
    "outlook_cancel.ics": (
        "cancelled",
        "Canceled: Technical interview - Data Engineer",
        datetime(2030, 6, 11, 9, 30, tzinfo=UTC),
        datetime(2030, 6, 11, 10, 15, tzinfo=UTC),
        "fabrikam-energy.co.uk",
        FABRIKAM,
        4,
    ),
    "outlook365_request.ics": (  # "W. Europe Standard Time" in November: UTC+1; Maya invited at another address
        "booked",
        "Vorstellungsgespräch – Backend Engineer",
        datetime(2030, 11, 19, 13, 0, tzinfo=UTC),
        datetime(2030, 11, 19, 13, 30, tzinfo=UTC),
        "tailspin.onmicrosoft.com",  # the tenant
        (
            Person("Lena Vogel", "lena.vogel@tailspin.onmicrosoft.com"),
            Person("", "jonas.becker@tailspin.onmicrosoft.com"),
        ),
        0,
    ),
}


def test_every_fixture_is_read_here():
    assert sorted(p.name for p in FIXTURES.glob("*.ics")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("line_end", [b"\r\n", b"\n"])
def test_each_fixture_reads_into_its_interview(name, line_end):
    data = (FIXTURES / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", line_end)
    [change] = invite_changes(data, MAYA, NOW)
    i = change.interview
    assert (change.action, i.title, i.start, i.end, i.company, i.interviewers, i.provider_version) == EXPECTED[name]
    assert (i.source, i.candidate_email) == ("ics", "maya.okafor@example.org")
    assert i.source_ref.startswith("c_1/")  # one interview per candidate and UID


@pytest.mark.parametrize(
    ("request_file", "cancel_file"),
    [("google_request.ics", "google_cancel.ics"), ("outlook_request.ics", "outlook_cancel.ics")],
)
def test_a_request_and_its_cancel_name_the_same_interview_the_cancel_a_later_revision(request_file, cancel_file):
    [request] = invite_changes((FIXTURES / request_file).read_bytes(), MAYA, NOW)
    [cancel] = invite_changes((FIXTURES / cancel_file).read_bytes(), MAYA, NOW)
    assert request.interview.source_ref == cancel.interview.source_ref
    assert cancel.interview.provider_version > request.interview.provider_version
    assert cancel.interview.updated_at > request.interview.updated_at


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
    [change] = invite_changes(invite, MAYA, NOW, is_candidate_address=lambda a: a.startswith("inboxtoken000000@"))
    assert change.interview.interviewers == (Person("Jane Doe", "jane@acme.co.uk"), Person("Bob", "bob@acme.co.uk"))
    assert change.interview.company == "acme.co.uk"
    assert change.interview.start == datetime(2015, 7, 1, 7, 30, tzinfo=UTC)  # Windows zone name, no VTIMEZONE
    assert change.interview.end == datetime(2015, 7, 1, 8, 30, tzinfo=UTC)  # no DTEND: an hour
    assert invite_changes(invite.replace(b"METHOD:REQUEST", b"METHOD:REPLY"), MAYA, NOW) == []


@pytest.mark.parametrize("body", [b"", b"hello", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:soon\r\nEND:VEVENT\r\n"])
def test_what_is_not_a_calendar_is_invalid(body):
    with pytest.raises(InvalidInput):
        invite_changes(body, MAYA, NOW)


def test_the_calendar_is_found_in_the_mail_once():
    invite = (FIXTURES / "outlook_request.ics").read_bytes()
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
