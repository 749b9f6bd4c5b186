"""What each nudge says, on each channel, in each locale, checked as a candidate would read it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

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
US_CANDIDATE = replace(CANDIDATE, locale="en-US", timezone="America/New_York")
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
UNSUBSCRIBE = "https://nudges.example.com/unsubscribe/abc"
GB_POINTS = (
    "how their role relates to the job",
    "the organisation's culture",
    "its projects and clients",
    "shared first-degree connections",
    "articles or posts they have published",
    "one or two thoughtful comments",
)


def render(kind: str, candidate: Candidate = CANDIDATE, **kwargs) -> messages.Message:
    if kind == "connect":
        return messages.connect(candidate, "acme", (JANE, SAM), **kwargs)
    return getattr(messages, kind)(candidate, INTERVIEW, **kwargs)


@pytest.mark.parametrize("candidate", [CANDIDATE, US_CANDIDATE], ids=["en-GB", "en-US"])
def test_research_prompt_email_names_each_interviewer_and_the_six_points(candidate):
    message = render("research_prompt", candidate, unsubscribe_url=UNSUBSCRIBE)
    assert message.subject == "Prepare for Acme: research Jane Doe and Sam Roe"
    assert "  - Jane Doe\n  - Sam Roe" in message.text
    for point in GB_POINTS:
        expected = point.replace("organisation", "organization") if candidate.locale == "en-US" else point
        assert expected in message.text
    assert "LinkedIn connection request or a Facebook friend request" in message.text
    assert f"Stop these emails: {UNSUBSCRIBE}" in message.text
    assert f'<a href="{UNSUBSCRIBE}">' in message.html


def test_dates_follow_the_locale_and_zone():
    assert "Thursday 10 December, 14:00 (GMT)" in render("research_prompt").text
    assert "Thursday, December 10, 9:00 AM (EST)" in render("research_prompt", US_CANDIDATE).text


@pytest.mark.parametrize("candidate", [CANDIDATE, US_CANDIDATE], ids=["en-GB", "en-US"])
def test_research_prompt_sms_says_the_essentials_and_points_to_the_email(candidate):
    sms = render("research_prompt", candidate).sms
    assert "research Jane Doe and Sam Roe now" in sms and "No connection requests yet" in sms
    assert sms.endswith("Details in your email.")


@pytest.mark.parametrize("candidate", [CANDIDATE, US_CANDIDATE], ids=["en-GB", "en-US"])
def test_thank_you_says_not_to_connect_yet_and_drafts_an_email_to_the_interviewers(candidate):
    message = render("thank_you", candidate)
    assert message.subject == "Send a thank-you to Acme today (don't connect yet)"
    assert "Hold off on LinkedIn" in message.text and "presumptuous" in message.text
    assert "To: jane@acme.com, sam@acme.com" in message.text
    assert "Dear Jane and Sam," in message.text
    sign_off = "Best,\nAda Lovelace" if candidate.locale == "en-US" else "Best regards,\nAda Lovelace"
    assert sign_off in message.text
    assert "don't connect on LinkedIn yet" in message.sms


@pytest.mark.parametrize("candidate", [CANDIDATE, US_CANDIDATE], ids=["en-GB", "en-US"])
def test_connect_lists_everyone_met_with_a_note_and_a_search_link(candidate):
    message = render("connect", candidate)
    assert "Now is the time to connect" in message.text
    assert "keywords=Jane+Doe+Acme" in message.text and "keywords=Sam+Roe+Acme" in message.text
    assert "our conversation during my interviews at Acme" in message.text
    assert "Jane Doe and Sam Roe" in message.sms
    assert '<a href="https://www.linkedin.com/search/results/people/?keywords=Jane+Doe+Acme">' in message.html


def test_names_from_webhooks_render_harmlessly_in_html():
    evil = Person('<script>alert("x")</script> Eve', "eve@acme.com")
    interview = replace(INTERVIEW, interviewers=(evil,), title="<b>Interview</b> & more")
    for message in (messages.research_prompt(CANDIDATE, interview), messages.thank_you(CANDIDATE, interview)):
        assert "<script>" not in message.html and "<b>" not in message.html
        assert "&lt;script&gt;" in message.html
        assert "<script>" in message.text  # plain text shows it as text, which is harmless


def test_every_sms_fits_two_segments_even_with_the_longest_realistic_names():
    many = tuple(Person(f"Maximilian-Alexander Featherstonehaugh-Cholmondeley {n}", f"p{n}@acme.com") for n in range(6))
    long_interview = replace(
        INTERVIEW,
        interviewers=many,
        start=INTERVIEW.start + timedelta(days=1),
        company="international-business-machines",
    )
    for candidate in (CANDIDATE, US_CANDIDATE):
        for message in (
            messages.research_prompt(candidate, long_interview),
            messages.thank_you(candidate, long_interview),
            messages.connect(candidate, "international-business-machines", many),
        ):
            assert messages.sms_length(message.sms) <= messages.sms_limit(message.sms), message.sms


def test_non_gsm_names_fall_back_to_the_ucs2_limit():
    people = tuple(Person(f"Zoë Łukasiewicz-Øyen 名前 {n}", f"z{n}@acme.com") for n in range(4))
    sms = messages.connect(CANDIDATE, "acme", people).sms
    assert messages.sms_limit(sms) == messages.UCS2_LIMIT
    assert len(sms) <= messages.UCS2_LIMIT
