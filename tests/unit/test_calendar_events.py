"""Which calendar events are interviews, read from Google and Graph event resources."""

from __future__ import annotations

from datetime import UTC, datetime

from nudges.domain.candidate import Candidate
from nudges.models.calendar_events import interview_pattern, read_google_event, read_microsoft_event

ADA = Candidate(
    candidate_id="c_1",
    email="ada@example.org",
    timezone="Europe/London",
    channels=("email",),
    created_at=datetime(2031, 1, 1, tzinfo=UTC),
    ics_inbox_token="t",
    name="Ada Lovelace",
)
PATTERN = interview_pattern(None)


def google(**extra):
    return {
        "id": "ev1",
        "status": "confirmed",
        "summary": "Phone INTERVIEW",
        "updated": "2031-03-01T10:00:00.000Z",
        "start": {"dateTime": "2031-03-06T14:00:00+01:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": "2031-03-06T15:00:00+01:00", "timeZone": "Europe/Paris"},
        "organizer": {"email": "jane@acme.fr", "displayName": "Jane"},
        "attendees": [
            {"email": "jane@acme.fr", "organizer": True, "responseStatus": "accepted"},
            {"email": "ada.work@gmail.com", "self": True, "responseStatus": "needsAction"},
        ],
        **extra,
    }


def test_a_google_interview_the_candidate_attends():
    reading = read_google_event(google(), ADA, PATTERN)
    assert reading.interview is not None
    assert reading.interview.start == datetime(2031, 3, 6, 13, 0, tzinfo=UTC)
    assert reading.interview.company == "acme.fr"
    assert [p.email for p in reading.interview.interviewers] == ["jane@acme.fr"]
    assert reading.interview.candidate_email == "ada@example.org"


def test_google_events_that_are_not_interviews():
    declined = google(attendees=[{"email": "ada@example.org", "self": True, "responseStatus": "declined"}])
    own = google(organizer={"email": "ada@example.org", "self": True})
    other_word = google(summary="Interviewing skills workshop")  # not the word "interview"
    not_invited = google(attendees=[])
    cancelled = {"id": "ev1", "status": "cancelled"}
    for event in (declined, own, other_word, not_invited, cancelled):
        assert read_google_event(event, ADA, PATTERN).interview is None, event


def test_an_all_day_google_interview_starts_at_the_working_morning():
    all_day = google(start={"date": "2031-03-06"}, end={"date": "2031-03-08"}, summary="Assessment centre interview")
    interview = read_google_event(all_day, ADA, PATTERN).interview
    assert interview is not None
    assert interview.start == datetime(2031, 3, 6, 9, 0, tzinfo=UTC)  # London, winter: 09:00 GMT
    assert interview.end == datetime(2031, 3, 7, 17, 0, tzinfo=UTC)


def test_the_pattern_is_configurable():
    assert read_google_event(google(summary="Vorstellungsgespräch"), ADA, interview_pattern("gespräch")).interview


def graph(**extra):
    return {
        "id": "AAMk1",
        "subject": "Catch-up",
        "bodyPreview": "Second round interview with the team",
        "start": {"dateTime": "2031-03-06T14:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2031-03-06T15:00:00.0000000", "timeZone": "UTC"},
        "isOrganizer": False,
        "responseStatus": {"response": "tentativelyAccepted"},
        "organizer": {"emailAddress": {"name": "Kenji", "address": "kenji@globex.co.uk"}},
        "attendees": [
            {"type": "required", "status": {"response": "none"}, "emailAddress": {"address": "ada@contoso.com"}},
            {"type": "resource", "status": {"response": "accepted"}, "emailAddress": {"address": "room@globex.co.uk"}},
        ],
        "lastModifiedDateTime": "2031-03-01T10:00:00Z",
    }


def test_a_graph_interview_matched_by_its_body_and_without_the_mailbox_owner():
    reading = read_microsoft_event(graph(), ADA, "ada@contoso.com", PATTERN)
    assert reading.interview is not None
    assert reading.interview.start == datetime(2031, 3, 6, 14, 0, tzinfo=UTC)
    assert (reading.interview.company, [p.name for p in reading.interview.interviewers]) == ("globex.co.uk", ["Kenji"])


def test_graph_events_that_are_not_interviews():
    for extra in (
        {"isCancelled": True},
        {"isOrganizer": True},
        {"responseStatus": {"response": "declined"}},
        {"type": "seriesMaster"},
        {"bodyPreview": "lunch"},
    ):
        assert read_microsoft_event({**graph(), **extra}, ADA, None, PATTERN).interview is None, extra


def test_google_attendance_a_coordinator_left_out_of_the_attendees_and_a_decliner_are_contacts():
    event = google(
        organizer={"email": "cleo@acme.fr", "displayName": "Cleo Ward"},
        attendees=[
            {"email": "ada.work@gmail.com", "self": True, "responseStatus": "accepted"},
            {"email": "jane@acme.fr", "displayName": "Jane Roux", "responseStatus": "accepted"},
            {"email": "paul@acme.fr", "displayName": "Paul Blanc", "responseStatus": "declined"},
        ],
    )
    interview = read_google_event(event, ADA, PATTERN).interview
    assert interview is not None
    assert [p.name for p in interview.interviewers] == ["Jane Roux"]
    assert [p.name for p in interview.contacts] == ["Cleo Ward", "Paul Blanc"]


def test_graph_attendance_the_organizer_counts_and_a_decliner_is_a_contact():
    attendees = [
        {"type": "required", "status": {"response": "none"}, "emailAddress": {"address": "ada@contoso.com"}},
        {
            "type": "required",
            "status": {"response": "declined"},
            "emailAddress": {"name": "Mia Wong", "address": "mia@globex.co.uk"},
        },
    ]
    interview = read_microsoft_event({**graph(), "attendees": attendees}, ADA, "ada@contoso.com", PATTERN).interview
    assert interview is not None
    assert [p.name for p in interview.interviewers] == ["Kenji"]
    assert [p.name for p in interview.contacts] == ["Mia Wong"]


def test_an_all_day_graph_interview_starts_at_the_working_morning():
    event = {
        **graph(),
        "isAllDay": True,
        "subject": "Assessment centre interview",
        "start": {"dateTime": "2031-03-06T00:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2031-03-08T00:00:00.0000000", "timeZone": "UTC"},
    }
    interview = read_microsoft_event(event, ADA, "ada@contoso.com", PATTERN).interview
    assert interview is not None
    assert (interview.start, interview.end) == (
        datetime(2031, 3, 6, 9, 0, tzinfo=UTC),
        datetime(2031, 3, 7, 17, 0, tzinfo=UTC),
    )
