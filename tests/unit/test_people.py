"""Who is a person, what they are called across rounds, and which company an event is with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain.candidate import Candidate
from nudges.domain.company_names import company_display, company_from_title, company_name
from nudges.domain.interview import UNKNOWN_COMPANY, Interview, Person
from nudges.domain.people import Address, best_names, named, real_name, role_of, sort_people
from nudges.models.calcom import CalcomWebhook, booking_change
from nudges.models.calendar_events import interview_pattern, read_google_event, read_microsoft_event
from nudges.models.ics import invite_changes

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADA = Candidate(
    candidate_id="c_1",
    email="ada@example.org",
    timezone="Europe/London",
    channels=("email",),
    created_at=NOW,
    ics_inbox_token="tok",
    name="Ada Lovelace",
)


@pytest.mark.parametrize(
    ("address", "role"),
    [
        (Address("jose.garcia@globex.com", "José García"), "interviewer"),
        (Address("priya.r@globex.com", "priya.r"), "interviewer"),
        (Address("steve.jobs@apple.com", "Steve Jobs"), "interviewer"),
        (Address("recruiting@globex.com", "Globex Recruiting"), "contact"),
        (Address("talent.acquisition@globex.com"), "contact"),
        (Address("careers@globex.com"), "contact"),
        (Address("hr@globex.com"), "contact"),
        (Address("jobs@globex.com"), "contact"),
        (Address("people-ops@globex.com"), "contact"),
        (Address("globex-hiring@globex.com"), "contact"),
        (Address("interviews@globex.com"), "contact"),
        (Address("scheduling@globex.com"), "contact"),
        (Address("team@globex.com"), "contact"),
        (Address("info@globex.com"), "contact"),
        (Address("pat@globex.com", "Globex Talent"), "contact"),
        (Address("eng@globex.com", group=True), "contact"),
        (Address("noreply@globex.com"), "machine"),
        (Address("no-reply@zoom.us", "Zoom"), "machine"),
        (Address("no-reply@cal.com"), "machine"),
        (Address("calendar-notification@google.com"), "machine"),
        (Address("donotreply@webex.com"), "machine"),
        (Address("messenger@webex.com", "Webex"), "machine"),
        (Address("abc123@group.calendar.google.com"), "machine"),
        (Address("room-1@globex.com", "Room 1", resource=True), "resource"),
        (Address("c_188abc@resource.calendar.google.com", "Boardroom"), "resource"),
    ],
)
def test_who_is_a_person(address, role):
    assert role_of(address) == role


def test_a_name_that_is_an_address_or_its_local_part_is_no_name():
    assert real_name("priya.r", "priya.r@globex.com") == ""
    assert real_name("wang wei", "wang.wei@globex.com") == ""
    assert real_name("priya.r@globex.com", "priya.r@globex.com") == ""
    assert real_name("Bob", "bob@globex.com") == "Bob"  # written as a name: a name
    assert real_name("王伟", "wang.wei@globex.com") == "王伟"
    assert real_name('  "José  García" ', "jose@globex.com") == "José García"


def test_a_panel_sorts_into_interviewers_and_contacts_without_rooms_or_the_candidate():
    found = sort_people(
        [
            Address("jose@globex.com", "José García"),
            Address("priya.r@globex.com", "priya.r"),
            Address("wang.wei@globex.com", "王伟"),
            Address("recruiting@globex.com", "Globex Recruiting"),
            Address("room-4@globex.com", "Room 4", resource=True),
            Address("Ada@Example.org", "Ada Lovelace"),
            Address("jose@globex.com", "José"),  # listed twice
        ],
        exclude=["ada@example.org"],
    )
    assert found.interviewers == (
        Person("José García", "jose@globex.com"),
        Person("", "priya.r@globex.com"),
        Person("王伟", "wang.wei@globex.com"),
    )
    assert found.contacts == (Person("Globex Recruiting", "recruiting@globex.com"),)


def _round(day: int, *people: Person) -> Interview:
    start = datetime(2026, 12, day, 14, tzinfo=UTC)
    return Interview(
        interview_id=f"iv_{day}",
        source="ics",
        source_ref=str(day),
        candidate_email="ada@example.org",
        company="globex",
        title="Interview",
        start=start,
        end=start + timedelta(hours=1),
        interviewers=people,
    )


def test_the_best_known_name_is_kept_across_the_rounds_of_an_application():
    first = _round(1, Person("José", "jose@globex.com"), Person("王伟", "wang.wei@globex.com"))
    second = _round(8, Person("José García", "jose@globex.com"), Person("wang.wei", "wang.wei@globex.com"))
    third = _round(15, Person("", "jose@globex.com"), Person("Wei", "wang.wei@globex.com"))
    names = best_names([third, second, first])
    assert names == {"jose@globex.com": "José García", "wang.wei@globex.com": "王伟"}
    assert named(third.interviewers, names) == (
        Person("José García", "jose@globex.com"),
        Person("王伟", "wang.wei@globex.com"),
    )


@pytest.mark.parametrize(
    ("title", "company"),
    [
        ("Founder chat - Lumen Labs", "Lumen Labs"),
        ("Interview - PM, Litware", "Litware"),
        ("Lumen Labs – Founder chat", "Lumen Labs"),
        ("Phone screen | Contoso Ltd", "Contoso Ltd"),
        ("Technical interview: Robotics software engineer", None),
        ("Technical interview between Eldon Tyrell and Leo Grant", None),
        ("30 Min Meeting between Biff McIfttt and Jane Doe", None),
        ("Interview - Ben Carter", None),  # a person on the event
        ("Interview", None),
        ("Interview - Monday", None),
        ("Updated invitation: Interview - 3 Dec", None),
        ("Zoom - Interview", None),
    ],
)
def test_a_title_names_the_company_only_when_it_does(title, company):
    assert company_from_title(title, people=["Ben Carter", "Ada Lovelace"]) == company


def test_company_sources_in_order_and_never_the_company():
    assert company_name(named="Lumen Labs", title="Chat - Other", emails=["ben@lumen.io"]) == "Lumen Labs"
    assert company_name(named="Engineering Interviews", emails=["ben@lumen.io"]) == "lumen.io"
    assert company_name(title="Founder chat - Lumen Labs", emails=["ben.carter@gmail.com"]) == "Lumen Labs"
    assert company_name(title="Founder chat - Lumen Labs", emails=["ben@lumenlabs.io"]) == "Lumen Labs"
    assert company_name(title="Vorstellungsgespräch - Backend Engineer", emails=["x@tailspin.com"]) == "tailspin.com"
    assert (
        company_name(title="Interview - Jane Doe", emails=["jane@acme.com"]) == "acme.com"
    )  # the domain says otherwise
    assert company_name(title="Chat", emails=["no-reply@zoom.us", "jane@acme-robotics.com"]) == "acme-robotics.com"
    assert company_name(title="Chat", emails=["ben.carter@gmail.com", "no-reply@cal.com"]) == UNKNOWN_COMPANY
    assert company_display("acme-robotics") == "Acme Robotics"
    assert company_display("Lumen Labs") == "Lumen Labs"
    assert company_display("Яндекс") == "Яндекс"
    assert company_display("iRobot") == "iRobot"  # kept as its source writes it
    assert company_display(UNKNOWN_COMPANY) is None


def _ics(*lines: str) -> bytes:
    body = ["BEGIN:VCALENDAR", "METHOD:REQUEST", "BEGIN:VEVENT", "UID:u-1", "DTSTAMP:20261201T090000Z"]
    body += ["DTSTART:20261210T140000Z", "DTEND:20261210T150000Z", *lines, "END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(body).encode()


def test_a_zoom_invite_gives_the_company_of_the_people_not_zoom():
    invite = _ics(
        "SUMMARY:Backend engineer interview",
        "ORGANIZER;CN=Zoom:mailto:no-reply@zoom.us",
        "ATTENDEE;CN=Ada Lovelace:mailto:ada@example.org",
        "ATTENDEE;CN=Jane Doe:mailto:jane.doe@acme-robotics.com",
    )
    [change] = invite_changes(invite, ADA, NOW)
    assert change.interview.company == "acme-robotics.com"
    assert change.interview.interviewers == (Person("Jane Doe", "jane.doe@acme-robotics.com"),)


def test_a_cal_com_invite_with_the_organizer_hidden_shares_no_company_and_no_interviewer():
    invite = _ics(
        "SUMMARY:Founder chat - Lumen Labs",
        "ORGANIZER;CN=Ben Carter:mailto:no-reply@cal.com",
        "ATTENDEE;CN=Ada Lovelace:mailto:ada@example.org",
        "ATTENDEE;CN=Ben Carter:mailto:ben.carter@gmail.com",
    )
    [change] = invite_changes(invite, ADA, NOW)
    assert change.interview.company == "Lumen Labs"
    assert change.interview.interviewers == (Person("Ben Carter", "ben.carter@gmail.com"),)
    hidden = _ics(
        "SUMMARY:30 Min Meeting between Ben Carter and Ada Lovelace",
        "ORGANIZER;CN=Ben Carter:mailto:no-reply@cal.com",
        "ATTENDEE;CN=Ada Lovelace:mailto:ada@example.org",
    )
    [change] = invite_changes(hidden, ADA, NOW)
    assert change.interview.company == UNKNOWN_COMPANY  # not "cal"
    assert change.interview.interviewers == ()


def test_a_panel_invite_keeps_role_mailboxes_as_contacts_and_drops_rooms():
    invite = _ics(
        "SUMMARY:Panel interview",
        "ORGANIZER;CN=Globex Recruiting:mailto:recruiting@globex.com",
        "ATTENDEE;CN=Ada Lovelace:mailto:ada@example.org",
        "ATTENDEE;CN=José García:mailto:jose@globex.com",
        "ATTENDEE;CN=priya.r:mailto:priya.r@globex.com",
        "ATTENDEE;CN=王伟:mailto:wang.wei@globex.com",
        "ATTENDEE;CUTYPE=ROOM;CN=Room 4:mailto:room-4@globex.com",
    )
    [change] = invite_changes(invite, ADA, NOW)
    assert [p.email for p in change.interview.interviewers] == [
        "jose@globex.com",
        "priya.r@globex.com",
        "wang.wei@globex.com",
    ]
    assert change.interview.contacts == (Person("Globex Recruiting", "recruiting@globex.com"),)
    assert change.interview.company == "globex.com"


def _calcom(title: str, organizer: dict, team: dict | None = None) -> CalcomWebhook:
    payload = {
        "uid": "b-1",
        "title": title,
        "startTime": "2026-12-10T14:00:00Z",
        "endTime": "2026-12-10T15:00:00Z",
        "organizer": organizer,
        "attendees": [{"name": "Ada Lovelace", "email": "ada@example.org"}],
    }
    if team:
        payload["team"] = team
    return CalcomWebhook.model_validate({"triggerEvent": "BOOKING_CREATED", "payload": payload})


def test_cal_com_company_from_the_team_then_the_title_then_the_domain():
    team = {"name": "Lumen Labs", "members": [{"name": "Ben Carter", "email": "ben@lumen.io"}]}
    with_team = booking_change(_calcom("Founder chat", {"name": "Ben", "email": "ben@lumen.io"}, team), NOW)
    assert with_team.interview.company == "Lumen Labs"
    free_mail = booking_change(_calcom("Founder chat - Lumen Labs", {"name": "Ben", "email": "ben@gmail.com"}), NOW)
    assert free_mail.interview.company == "Lumen Labs"
    nameless = booking_change(_calcom("Chat", {"name": "Nameless", "email": "ben@gmail.com"}), NOW)
    assert nameless.interview.company == UNKNOWN_COMPANY
    assert nameless.interview.interviewers == (Person("", "ben@gmail.com"),)


def test_google_and_graph_events_keep_people_and_drop_rooms_machines_and_mailboxes():
    google = {
        "id": "ev1",
        "summary": "Panel interview",
        "start": {"dateTime": "2026-12-10T14:00:00Z"},
        "end": {"dateTime": "2026-12-10T15:00:00Z"},
        "organizer": {"email": "recruiting@globex.com", "displayName": "Globex Recruiting"},
        "attendees": [
            {"email": "ada@example.org", "self": True, "responseStatus": "accepted"},
            {"email": "jose@globex.com", "displayName": "José García"},
            {"email": "c_1888@resource.calendar.google.com", "displayName": "Room 4", "resource": True},
            {"email": "boardroom@globex.com", "displayName": "Boardroom", "resource": True},
            {"email": "calendar-notification@google.com"},
        ],
    }
    interview = read_google_event(google, ADA, interview_pattern(None)).interview
    assert interview.interviewers == (Person("José García", "jose@globex.com"),)
    assert interview.contacts == (Person("Globex Recruiting", "recruiting@globex.com"),)
    assert interview.company == "globex.com"
    graph = {
        "id": "ev2",
        "subject": "Interview",
        "start": {"dateTime": "2026-12-10T14:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-10T15:00:00.0000000", "timeZone": "UTC"},
        "organizer": {"emailAddress": {"name": "Zoom", "address": "no-reply@zoom.us"}},
        "attendees": [
            {"type": "required", "emailAddress": {"name": "priya.r", "address": "priya.r@contoso.com"}},
            {"type": "resource", "emailAddress": {"name": "Room 7", "address": "room7@contoso.com"}},
            {"type": "optional", "emailAddress": {"name": "Contoso Talent", "address": "talent@contoso.com"}},
        ],
    }
    interview = read_microsoft_event(graph, ADA, None, interview_pattern(None)).interview
    assert interview.interviewers == (Person("", "priya.r@contoso.com"),)
    assert interview.contacts == (Person("Contoso Talent", "talent@contoso.com"),)
    assert interview.company == "contoso.com"
