"""Who is the candidate (issue 21, step 3): every address the candidate registered, forwarded
from or connected is theirs; an attendee at one of them is never an interviewer, whatever the
name. One rule (``nudges.domain.candidate.own_addresses``), asked by every invite source that
knows the candidate before it reads: forwarded and posted .ics files (InviteService) and the
connected calendars' own sync (CalendarService)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from nudges.adapters.calendar_connections import CalendarConnection
from nudges.domain.candidate import Candidate, own_addresses
from nudges.models.calendar_events import read_google_event, read_microsoft_event
from nudges.services.invites import InviteService
from tests.fakes.repositories import World
from tests.fakes.services import FakeCalendarConnections

NOW = datetime(2030, 3, 5, 14, 0, tzinfo=UTC)
ADA = Candidate(
    "c_ada", "Ada@Example.org", "Europe/London", ("email",), NOW, "inbox-token-ada-0001", name="Ada Lovelace"
)
WORK = "ada.lovelace@work.example"  # the Google account Ada connected
PATTERN = re.compile(r"\binterview\b", re.IGNORECASE)


def connected(candidate_id: str, provider: str, account: str | None) -> CalendarConnection:
    return CalendarConnection(
        candidate_id, provider, "primary", "refresh", NOW, "https://x.example/webhooks", account_email=account
    )  # type: ignore[arg-type]


def test_own_addresses_gathers_registered_forwarded_and_connected_normalised():
    own = own_addresses(ADA, connected=[" ADA.Lovelace@Work.example ", None, ""], forwarded_from="ada.l@gmail.com")
    assert own == {"ada@example.org", "ada.lovelace@work.example", "ada.l@gmail.com"}
    assert own_addresses(ADA) == {"ada@example.org"}  # nothing forwarded, nothing connected
    moved = ADA.with_email("ada@new.example")  # the old address stays an alias
    assert own_addresses(moved) == {"ada@new.example", "ada@example.org"}
    assert own_addresses(ADA, forwarded_from="not an address") == {"ada@example.org"}


def ics(attendee: str, name: str) -> bytes:
    start = NOW + timedelta(days=3)
    stamp = start.strftime("%Y%m%dT%H%M%SZ")
    end = (start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
        "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:own-1@northwind.com\r\n"
        f"DTSTAMP:{NOW.strftime('%Y%m%dT%H%M%SZ')}\r\nDTSTART:{stamp}\r\nDTEND:{end}\r\n"
        "SUMMARY:Interview: Data Analyst\r\n"
        "ORGANIZER;CN=Ana Costa:mailto:ana.costa@northwind.com\r\n"
        f"ATTENDEE;CN={name};ROLE=REQ-PARTICIPANT:mailto:{attendee}\r\n"
        "ATTENDEE;CN=Ben Ode;ROLE=REQ-PARTICIPANT:mailto:ben.ode@northwind.com\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_a_forwarded_invite_to_the_connected_account_under_another_name_lists_only_the_interviewers():
    world = World()
    world.candidates.add(ADA)
    accounts = FakeCalendarConnections()
    accounts.save(connected("c_ada", "google", WORK))
    accounts.save(connected("c_someone_else", "google", "ben.ode@northwind.com"))  # another candidate's
    invites = InviteService(world.candidates, world.bookings, mailbox=None, accounts=accounts)  # type: ignore[arg-type]

    # Another spelling and script than the registration: only the address says it is Ada.
    [interview] = invites.receive(ADA, ics(WORK, "Лавлейс Ада"), NOW)
    assert [p.email for p in interview.interviewers] == ["ana.costa@northwind.com", "ben.ode@northwind.com"]
    assert WORK not in {p.email for p in (*interview.interviewers, *interview.contacts)}

    # Without the connected accounts read, the same file makes Ada her own interviewer.
    unaware = InviteService(world.candidates, world.bookings, mailbox=None)  # type: ignore[arg-type]
    [before] = unaware.receive(ADA, ics(WORK, "Лавлейс Ада").replace(b"own-1@", b"own-2@"), NOW)
    assert WORK in {p.email for p in before.interviewers}


def test_an_invite_to_an_address_the_candidate_had_before_lists_only_the_interviewers():
    world = World()
    moved = ADA.with_email("ada@new.example")
    world.candidates.add(moved)
    invites = InviteService(world.candidates, world.bookings, mailbox=None, accounts=FakeCalendarConnections())  # type: ignore[arg-type]
    [interview] = invites.receive(moved, ics("ada@example.org", "A. Lovelace-King"), NOW)
    assert [p.email for p in interview.interviewers] == ["ana.costa@northwind.com", "ben.ode@northwind.com"]


def test_the_address_a_mail_was_forwarded_from_is_the_candidates():
    world = World()
    world.candidates.add(ADA)
    invites = InviteService(world.candidates, world.bookings, mailbox=None, accounts=FakeCalendarConnections())  # type: ignore[arg-type]
    [interview] = invites.receive(
        ADA, ics("a.l.private@gmail.com", "A. L."), NOW, forwarded_from="A.L.Private@gmail.com"
    )
    assert "a.l.private@gmail.com" not in {p.email for p in (*interview.interviewers, *interview.contacts)}


def google_event(attendee: str, name: str) -> dict:
    start = NOW + timedelta(days=2)
    return {
        "id": "g1",
        "summary": "Interview - Northwind",
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(hours=1)).isoformat()},
        "organizer": {"email": "ana.costa@northwind.com", "displayName": "Ana Costa"},
        "attendees": [
            {"email": "ana.costa@northwind.com", "displayName": "Ana Costa", "organizer": True},
            {"email": "ada@example.org", "self": True, "responseStatus": "accepted"},
            {"email": attendee, "displayName": name},
        ],
    }


def test_a_calendar_event_naming_another_connected_account_of_the_candidate_lists_only_the_interviewers():
    outlook = "ada@contoso-mail.example"  # Ada's Microsoft account, also connected
    reading = read_google_event(google_event(outlook, "A. Lovelace (Outlook)"), ADA, PATTERN, own=[outlook])
    assert reading.interview is not None
    assert [p.email for p in reading.interview.interviewers] == ["ana.costa@northwind.com"]
    graph = {
        "id": "m1",
        "subject": "Interview - Northwind",
        "start": {"dateTime": (NOW + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
        "end": {
            "dateTime": (NOW + timedelta(days=2, hours=1)).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
            "timeZone": "UTC",
        },
        "organizer": {"emailAddress": {"address": "ana.costa@northwind.com", "name": "Ana Costa"}},
        "attendees": [
            {"type": "required", "status": {"response": "none"}, "emailAddress": {"address": WORK, "name": "Ada L."}},
        ],
        "responseStatus": {"response": "accepted"},
    }
    found = read_microsoft_event(graph, ADA, "ada@contoso-mail.example", PATTERN, own=[WORK])
    assert found.interview is not None
    assert [p.email for p in found.interview.interviewers] == ["ana.costa@northwind.com"]


def test_the_calendar_sync_reads_with_every_connected_account_and_learns_a_missing_one():
    from nudges.services.candidate_calendars import SyncJob
    from tests.unit.test_services_with_fakes import Calendars  # the calendar service on fakes

    c = Calendars()  # Ada registered as ada@example.org
    c.connections.save(connected("c_ada", "microsoft", "ada@contoso-mail.example"))
    c.connections.save(connected("c_ada", "google", None))  # connected before the address was asked for
    c.service.run(SyncJob("c_ada", "google", "primary", "full_sync"), NOW)
    assert c.google.owns[-1] == {"ada@example.org", "ada@contoso-mail.example", "owner@google.example"}
    assert c.connections.get("c_ada", "google", "primary").account_email == "owner@google.example"  # type: ignore[union-attr]


def test_connecting_stores_the_accounts_own_address():
    from tests.unit.test_services_with_fakes import Calendars

    c = Calendars()
    assert c.connect("google").account_email == "owner@google.example"
    assert c.connections.account_emails("c_ada") == ["owner@google.example"]
