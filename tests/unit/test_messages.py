"""What each nudge says, checked as a candidate would read it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from nudges.domain import messages
from nudges.domain.candidate import Candidate
from nudges.domain.interview import Interview, Person

CANDIDATE = Candidate(
    candidate_id="c_1",
    email="ada@example.org",
    timezone="Europe/London",
    channels=("email", "sms"),
    created_at=datetime(2026, 11, 1, tzinfo=UTC),
    ics_inbox_token="tok",
    phone="+447700900123",
    name="Ada Lovelace",
)
JANE, SAM = Person("Jane Doe", "jane@acme.com"), Person("Sam Roe", "sam@acme.com")
INTERVIEW = Interview(
    interview_id="iv_1",
    source="calcom",
    source_ref="uid-1",
    candidate_email="ada@example.org",
    company="acme",
    title="Backend engineer: technical interview",
    start=datetime(2026, 12, 10, 14, 0, tzinfo=UTC),
    end=datetime(2026, 12, 10, 15, 0, tzinfo=UTC),
    interviewers=(JANE, SAM),
)


def test_research_prompt_names_each_interviewer_and_the_six_points():
    message = messages.research_prompt(CANDIDATE, INTERVIEW)
    assert "Jane Doe" in message.text and "Sam Roe" in message.text
    for point in messages.RESEARCH_POINTS:
        assert point in message.text
    assert "connection request" in message.text and "friend request" in message.text
    assert "Thursday 10 December, 14:00 (GMT)" in message.text
    assert "Jane Doe and Sam Roe" in message.sms


def test_thank_you_says_not_to_connect_yet_and_drafts_an_email_to_the_interviewers():
    message = messages.thank_you(CANDIDATE, INTERVIEW)
    assert "Hold off on LinkedIn" in message.text and "presumptuous" in message.text
    assert "To: jane@acme.com, sam@acme.com" in message.text
    assert "Dear Jane and Sam," in message.text
    assert "Best regards,\nAda Lovelace" in message.text
    assert "don't connect" in message.sms


def test_connect_lists_everyone_met_with_a_note_and_a_search_link():
    message = messages.connect(CANDIDATE, "acme", (JANE, SAM))
    assert "Now is the time to connect" in message.text
    for person in (JANE, SAM):
        assert person.name in message.text
    assert "keywords=Jane+Doe+Acme" in message.text
    assert "Jane Doe and Sam Roe" in message.sms


def test_every_sms_fits_two_segments_even_with_long_names():
    many = tuple(Person(f"Maximilian-Alexander Featherstonehaugh-{n}", f"p{n}@acme.com") for n in range(8))
    long_interview = replace(INTERVIEW, interviewers=many, start=INTERVIEW.start + timedelta(days=1))
    for message in (
        messages.research_prompt(CANDIDATE, long_interview),
        messages.thank_you(CANDIDATE, long_interview),
        messages.connect(CANDIDATE, "acme", many),
    ):
        assert len(message.sms) <= messages.SMS_LIMIT, message.sms


def test_us_locale_uses_a_12_hour_clock():
    us = replace(CANDIDATE, locale="en-US", timezone="America/New_York")
    assert "Thursday, December 10, 9:00 AM (EST)" in messages.research_prompt(us, INTERVIEW).text
