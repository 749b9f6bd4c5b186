"""What other producers really send in an .ics: broken properties, no UID, Latin-1, series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain.candidate import Candidate
from nudges.errors import InvalidInput
from nudges.models.ics import read_invite
from nudges.models.ics_values import decode_calendar

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LAERKE = Candidate(
    candidate_id="c_1",
    email="ada@example.org",
    timezone="Europe/Copenhagen",
    channels=("email",),
    created_at=NOW,
    ics_inbox_token="inboxtoken000000",
    name="Ada Lovelace",
)


def invite(*lines: str, method: str = "REQUEST") -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", f"METHOD:{method}", *lines, "END:VCALENDAR", ""]
    return "\r\n".join(body).encode()


def event(*lines: str, uid: str | None = "u1", start: str = "20261210T100000Z") -> list[str]:
    head = [f"UID:{uid}"] if uid else []
    return [
        "BEGIN:VEVENT",
        *head,
        f"DTSTART:{start}",
        "DURATION:PT1H",
        "SUMMARY:Interview",
        "ORGANIZER;CN=Jane Doe:mailto:jane@acme.example",
        *lines,
        "END:VEVENT",
    ]


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        (["SEQUENCE:one"], "SEQUENCE"),
        (["DTEND:20261210T1100Z"], "DTEND"),
        (["DTSTART:20261211T100000Z"], "DTSTART"),  # a second DTSTART
        (["DURATION:PT2H"], "DURATION"),
        (["RRULE:FREQ=SOMETIMES"], "RRULE"),
    ],
)
def test_a_broken_property_is_refused_naming_the_event_and_the_property(lines, field):
    with pytest.raises(InvalidInput) as refused:
        read_invite(invite(*event(*lines)), LAERKE, NOW)
    assert refused.value.field == field and "VEVENT u1" in refused.value.message


@pytest.mark.parametrize("start", ["99991210T100000Z", "00011210T100000Z"])
def test_a_date_outside_the_window_is_refused(start):
    with pytest.raises(InvalidInput) as refused:
        read_invite(invite(*event(start=start)), LAERKE, NOW)
    assert refused.value.field == "DTSTART"


def test_too_many_attendees_are_refused():
    people = [f"ATTENDEE;CN=P{n}:mailto:p{n}@acme.example" for n in range(101)]
    with pytest.raises(InvalidInput, match="at most 100"):
        read_invite(invite(*event(*people)), LAERKE, NOW)


def test_an_event_without_uid_is_read_on_its_own_and_the_same_again_is_the_same():
    body = invite(*event(uid=None), *event(uid="u2", start="20261211T100000Z"))
    first, again = read_invite(body, LAERKE, NOW), read_invite(body, LAERKE, NOW)
    assert len(first.changes) == 2
    assert first.changes[0].interview.source_ref == again.changes[0].interview.source_ref


def test_an_all_day_event_that_names_no_interview_is_ignored_with_its_reason():
    body = invite("BEGIN:VEVENT", "UID:day", "DTSTART;VALUE=DATE:20261210", "SUMMARY:Offsite", "END:VEVENT")
    reading = read_invite(body, LAERKE, NOW)
    assert reading.changes == [] and reading.ignored == [
        {"event": "day", "summary": "Offsite", "reason": "an all-day event whose title names no interview"}
    ]


@pytest.mark.parametrize(
    ("dates", "summary", "first_day", "last_day"),
    [
        (("DTSTART;VALUE=DATE:20261210", "DTEND;VALUE=DATE:20261211"), "Assessment centre - Northwind", 10, 10),
        (("DTSTART;VALUE=DATE:20261210",), "Superday", 10, 10),
        (("DTSTART;VALUE=DATE:20261210", "DTEND;VALUE=DATE:20261212"), "Final round interviews (2 days)", 10, 11),
        (("DTSTART;VALUE=DATE:20261210", "DURATION:P2D"), "Onsite interview", 10, 11),
    ],
)
def test_an_all_day_or_multi_day_interview_starts_at_the_working_morning(dates, summary, first_day, last_day):
    body = invite("BEGIN:VEVENT", "UID:day", *dates, f"SUMMARY:{summary}", "END:VEVENT")
    [change] = read_invite(body, LAERKE, NOW).changes
    zone = LAERKE.zone
    assert change.action == "booked"
    assert change.interview.start.astimezone(zone).replace(tzinfo=None) == datetime(2026, 12, first_day, 9, 0)
    assert change.interview.end.astimezone(zone).replace(tzinfo=None) == datetime(2026, 12, last_day, 17, 0)


def test_latin1_names_are_read_by_the_declared_charset_or_the_fallback():
    body = invite(*event("ATTENDEE;CN=Lærke Brandhøj:mailto:laerke@acme.example")).decode().encode("iso-8859-1")
    for charset in ("iso-8859-1", None):
        [change] = read_invite(body, LAERKE, NOW, charset=charset).changes
        assert "Lærke Brandhøj" in {p.name for p in change.interview.interviewers}
    assert "\ufffd" not in decode_calendar("Brandhøj ☃".encode() + b"\r\n" + "Lærke".encode("cp1252"))


def test_a_weekly_series_books_its_occurrences_ahead_without_the_excluded_and_with_the_moved():
    began = NOW - timedelta(days=9)  # two occurrences passed already
    lines = [
        "BEGIN:VEVENT",
        "UID:series",
        f"DTSTART:{began:%Y%m%dT%H%M%SZ}",
        f"DTEND:{began + timedelta(hours=1):%Y%m%dT%H%M%SZ}",
        "RRULE:FREQ=WEEKLY;COUNT=6",
        f"EXDATE:{began + timedelta(weeks=3):%Y%m%dT%H%M%SZ}",
        "SUMMARY:Pairing with the team",
        "ORGANIZER;CN=Jane Doe:mailto:jane@acme.example",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:series",
        f"RECURRENCE-ID:{began + timedelta(weeks=4):%Y%m%dT%H%M%SZ}",
        f"DTSTART:{began + timedelta(weeks=4, days=1):%Y%m%dT%H%M%SZ}",
        f"DTEND:{began + timedelta(weeks=4, days=1, hours=1):%Y%m%dT%H%M%SZ}",
        "SUMMARY:Pairing (moved)",
        "ORGANIZER;CN=Jane Doe:mailto:jane@acme.example",
        "END:VEVENT",
    ]
    reading = read_invite(invite(*lines), LAERKE, NOW)
    booked = [(c.interview.start, c.interview.title) for c in reading.changes if c.action == "booked"]
    assert booked == [
        (began + timedelta(weeks=2), "Pairing with the team"),  # the next one, in five days
        (began + timedelta(weeks=4, days=1), "Pairing (moved)"),
        (began + timedelta(weeks=5), "Pairing with the team"),
    ]
    [excluded] = [c.interview.start for c in reading.changes if c.action == "cancelled"]
    assert excluded == began + timedelta(weeks=3)
    refs = [c.interview.source_ref for c in reading.changes]
    assert len(set(refs)) == len(refs) and all(r.startswith("c_1/series/") for r in refs)


def test_a_series_repeating_every_minute_is_no_interview():
    reading = read_invite(invite(*event("RRULE:FREQ=MINUTELY")), LAERKE, NOW)
    assert reading.changes == [] and "minutely" in reading.ignored[0]["reason"]


def test_a_rule_no_date_matches_is_ignored_at_once():
    reading = read_invite(invite(*event("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")), LAERKE, NOW)
    assert reading.changes == [] and reading.ignored == [
        {"event": "u1", "summary": "Interview", "reason": "the series' RRULE matches no date"}
    ]
