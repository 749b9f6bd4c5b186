"""What the words say about rounds, roles, recruiters and the SMS segments (nudges.domain.messages)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from nudges.domain import messages, sms_encoding
from nudges.domain.company_names import role_from_title
from nudges.domain.interview import Person
from tests.unit.test_messages import CANDIDATE, INTERVIEW, JANE, SAM, SMS_ONLY, US_CANDIDATE, render

ANA = Person("Ana Costa", "ana@acme.com")
SARAH = Person("Sarah Mills", "sarah.mills@hays.com")
PANEL = tuple(
    Person(n, f"{n.split()[0].lower()}@acme.com")
    for n in ("Ines Duarte", "Ana Costa", "Ben Ode", "Kwame Mensah", "Leo Park", "Fay Yu")
)
ROLE_TITLE = replace(INTERVIEW, title="Senior Backend Engineer interview")


def test_a_draft_to_someone_met_before_says_so_and_a_new_person_gets_the_first_thanks():
    body = render("thank_you", interviewers=(JANE, SAM), met_before=(JANE,)).text
    jane, sam = body.split("To: jane@acme.com", 1)[1].split("To: sam@acme.com", 1)
    assert "Thank you for meeting me again today" in jane
    assert "Thank you for taking the time to speak with me today" in sam


def test_a_round_with_nobody_new_gets_a_short_prompt_not_the_checklist():
    message = render("research_prompt", interviewers=(JANE, SAM), met_before=(JANE, SAM))
    assert message.subject == "Prepare for your Acme interview: meeting Jane Doe and Sam Roe again"
    assert "you have met Jane Doe and Sam Roe before: no need to research them again" in message.text
    assert "first-degree connections" not in message.text and "For each person" not in message.text
    assert "Research" not in message.sms and "Jane Doe" in message.sms
    assert sms_encoding.sms_segments(message.sms) == 1


@pytest.mark.parametrize("kind", ["research_prompt", "thank_you"])
def test_subjects_name_at_most_two_people(kind):
    subject = render(kind, interviewers=PANEL).subject
    assert subject.count(",") == 0 and len(subject) <= 80, subject
    research = render("research_prompt", interviewers=PANEL).subject
    assert research == "Prepare for your Acme interview: research Ines Duarte and 5 others"
    assert render("research_prompt", interviewers=PANEL[:2]).subject.endswith("research Ines Duarte and Ana Costa")


def test_drafts_name_the_role_and_the_day_and_leave_a_why_i_fit_line():
    body = render("thank_you", interview=ROLE_TITLE).text
    assert "Subject: Thank you: Senior Backend Engineer interview" in body
    assert "speak with me today about the Senior Backend Engineer role at Acme." in body
    assert "[One line on why you fit: a skill or result of yours that matches what they need.]" in body
    follow = render("follow_up", interview=ROLE_TITLE, now=INTERVIEW.end.replace(day=17)).text
    assert "my interview on 10 December about the Senior Backend Engineer role at Acme" in follow
    assert "Subject: Thank you for our conversation" in render("thank_you").text  # the title names no role


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Senior Backend Engineer interview", "Senior Backend Engineer"),
        ("Interview for Senior Analyst at Northwind", "Senior Analyst"),
        ("Technical interview: Robotics software engineer", "Robotics software engineer"),
        ("Panel interview", None),
        ("Founder chat - Lumen Labs", None),
        ("Technical interview between Eldon Tyrell and Leo Grant", None),
    ],
)
def test_the_role_a_title_names(title, role):
    assert role_from_title(title) == role


def test_the_recruiter_is_asked_thanked_and_followed_up_with():
    research = render("research_prompt", interviewers=(ANA,), recruiter=SARAH)
    assert "Your recruiter, Sarah Mills, arranged this interview: ask them" in research.text
    assert "  - Sarah Mills" not in research.text
    thanks = render("thank_you", interviewers=(ANA,), recruiter=SARAH)
    assert re.findall(r"^To: (.+)$", thanks.text, re.M) == ["ana@acme.com", "sarah.mills@hays.com"]
    assert "Thank you for arranging my interview with Acme today." in thanks.text
    assert "pass my thanks on" not in thanks.text
    alone = render("thank_you", interviewers=(), recruiter=SARAH)
    assert re.findall(r"^To: (.+)$", alone.text, re.M) == ["sarah.mills@hays.com"]
    assert "could you pass my thanks on to them?" in alone.text
    assert "to your recruiter, Sarah Mills, today" in alone.text
    follow = render("follow_up", addressee=SARAH, addressee_is_contact=False, recruiter=SARAH)
    assert "To: sarah.mills@hays.com" in follow.text and "Dear Sarah," in follow.text


NAMES = (ANA, Person("Ben Ode", "ben@acme.com"), Person("Chidi Okafor", "chidi@acme.com"))


@pytest.mark.parametrize("kind", messages.KINDS)
@pytest.mark.parametrize("candidate", [CANDIDATE, US_CANDIDATE, SMS_ONLY], ids=["en-GB", "en-US", "sms-only"])
@pytest.mark.parametrize("people", [(JANE,), NAMES], ids=["one", "three"])
def test_every_kind_goes_in_one_sms_segment_when_the_advice_fits(kind, candidate, people):
    sms = render(kind, candidate, interviewers=people, everyone=people, addressee=people[0]).sms
    assert sms_encoding.sms_segments(sms) == 1, (messages.sms_length(sms), sms)


def test_a_receipt_never_says_nothing_more_beside_what_was_not_used():
    from datetime import UTC, datetime

    from nudges.domain.service_messages import InviteProblem, InviteReceipt, invite_receipt

    problem = InviteProblem("all_day")
    none = invite_receipt(CANDIDATE, [], [problem]).text
    assert "forward the invitation again" in none and "You need do nothing more" not in none
    assert "for a whole day and its title names no interview" in none
    got = InviteReceipt("Northwind", "Superday", datetime(2026, 12, 10, 9, tzinfo=UTC))
    some = invite_receipt(CANDIDATE, [got], [problem]).text
    assert 'for what is listed under "Not used"' in some and "You need do nothing more" not in some
    assert "You need do nothing more" in invite_receipt(CANDIDATE, [got], []).text


@pytest.mark.parametrize("locale", ["fr-CA", "en", "sv-SE", ""])
def test_an_unsupported_locale_names_the_supported_ones_in_plain_words(locale):
    from pydantic import ValidationError

    from nudges.models.api import CandidateChanges, NewCandidate

    for model, body in (
        (NewCandidate, {"email": "a@example.org", "timezone": "Europe/London", "locale": locale}),
        (CandidateChanges, {"locale": locale}),
    ):
        with pytest.raises(ValidationError) as refused:
            model.model_validate(body)
        [error] = refused.value.errors()
        assert error["loc"] == ("locale",)
        assert error["msg"].endswith(
            "use one of en-GB, en-US, de-DE, fr-FR, es-ES, nl-NL, pt-BR, it-IT, ja-JP or zh-CN"
        )
