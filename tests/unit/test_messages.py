"""What each nudge says, on each channel, in each locale, checked as a candidate would read it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain import message_context, messages, sms_encoding
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
SMS_ONLY = replace(CANDIDATE, channels=("sms",))
JANE, SAM = Person("Jane Doe", "jane@acme.com"), Person("Sam Roe", "sam@acme.com")
PRIYA = Person("", "priya.r@acme.com")  # known only by address
RECRUITER = Person("Acme Recruiting", "recruiting@acme.com")
INTERVIEW = Interview(
    interview_id="iv_1",
    source="calcom",
    source_ref="uid-1",
    candidate_email="ada@example.org",
    company="acme",
    title="Technical interview between Eldon Tyrell and Leo Grant",
    start=datetime(2026, 12, 10, 14, 0, tzinfo=UTC),
    end=datetime(2026, 12, 10, 15, 0, tzinfo=UTC),
    interviewers=(JANE, SAM),
)
BEFORE = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)  # 48 h before the start
AFTER = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)  # 1 h after the end
UNSUBSCRIBE = "https://nudges.example.com/unsubscribe/abc"
PERSON_POINTS = (
    "how their role relates to the job",
    "first-degree connections you have in common, and ask those contacts about the company",
    "articles or posts they have published",
    "one or two of their industry posts you could comment on thoughtfully, without overdoing it",
)
ORGANISATION_POINTS = ("the organisation's culture", "its projects and clients")
# Every way a message says "don't connect yet".
DONT_CONNECT = re.compile(r"don't (send linkedin|connect)|no connection requests|hold off on linkedin", re.I)


def ctx(kind: str = "research_prompt", candidate: Candidate = CANDIDATE, **changes) -> message_context.Context:
    now = {"research_prompt": BEFORE, "connect": AFTER + timedelta(days=2)}.get(kind, AFTER)
    base = message_context.Context(
        candidate=candidate,
        now=now,
        company="Acme",
        interview=INTERVIEW,
        interviewers=INTERVIEW.interviewers,
        everyone=INTERVIEW.interviewers,
        addressee=RECRUITER,
        addressee_is_contact=True,
        sms_only="email" not in candidate.channels,
    )
    return replace(base, **changes)


def render(kind: str, candidate: Candidate = CANDIDATE, **changes) -> messages.Message:
    return messages.compose(kind, ctx(kind, candidate, **changes))


@pytest.mark.parametrize("candidate", [CANDIDATE, US_CANDIDATE], ids=["en-GB", "en-US"])
def test_research_prompt_has_the_six_points_person_level_per_person_organisation_level_once(candidate):
    message = render("research_prompt", candidate, unsubscribe_url=UNSUBSCRIBE)
    assert message.subject == "Prepare for your Acme interview: research Jane Doe and Sam Roe"
    text = message.text
    assert "  - Jane Doe\n  - Sam Roe" in text
    person_part, _, organisation_part = text.partition("About Acme as an organi")
    assert "For each person, look into:" in person_part
    for point in PERSON_POINTS:
        assert person_part.count(point) == 1
    for point in ORGANISATION_POINTS:
        expected = point.replace("organisation", "organization") if candidate.locale == "en-US" else point
        assert organisation_part.count(expected) == 1 and expected not in person_part
    assert "LinkedIn connection or Facebook friend requests" in text
    assert f"Stop these emails: {UNSUBSCRIBE}" in text
    assert f'<a href="{UNSUBSCRIBE}">' in message.html


@pytest.mark.parametrize("kind", messages.KINDS)
@pytest.mark.parametrize("candidate", [CANDIDATE, SMS_ONLY], ids=["email-and-sms", "sms-only"])
def test_dont_connect_yet_is_said_at_most_once_per_message(kind, candidate):
    message = render(kind, candidate)
    expected = 1 if kind in ("research_prompt", "thank_you", "follow_up") else 0  # the process goes on
    assert len(DONT_CONNECT.findall(message.text)) == expected, message.text
    assert len(DONT_CONNECT.findall(message.sms)) == expected, message.sms
    assert not DONT_CONNECT.search(message.subject)


def test_times_are_said_with_at_in_the_locale_and_zone_and_relative_to_the_send_time():
    assert "is on Thursday 10 December at 14:00 (Greenwich Mean Time)." in render("research_prompt").text
    assert "is on Thursday, December 10 at 9:00\u202fAM (Eastern Time)." in render("research_prompt", US_CANDIDATE).text
    day_before = datetime(2026, 12, 9, 10, tzinfo=UTC)
    assert (
        "is tomorrow, Thursday 10 December at 14:00 (Greenwich Mean Time)."
        in render("research_prompt", now=day_before).text
    )
    assert "is tomorrow at 14:00." in render("research_prompt", now=day_before).sms
    assert "is on Thu 10 Dec at 14:00." in render("research_prompt").sms
    assert "is on Thu, Dec 10 at 9:00 AM." in render("research_prompt", US_CANDIDATE).sms


def _thank_you_day(candidate: Candidate, end: datetime, sent: datetime) -> str:
    interview = replace(INTERVIEW, start=end - timedelta(hours=1), end=end)
    message = render("thank_you", candidate, interview=interview, now=sent)
    found = re.search(r"speak with me (today|yesterday|on \w+)", message.text)
    assert found, message.text
    assert f"go {found.group(1)}?" in message.text and f"interview {found.group(1)}:" in message.sms
    return found.group(1)


def test_the_thank_you_day_word_follows_the_send_time_in_the_candidates_zone():
    london, new_york = CANDIDATE, US_CANDIDATE
    # Ended 20:30, sent at 08:00 the next morning (quiet hours): yesterday.
    assert _thank_you_day(london, datetime(2026, 12, 1, 20, 30, tzinfo=UTC), datetime(2026, 12, 2, 8, tzinfo=UTC)) == (
        "yesterday"
    )
    # Either side of midnight in London.
    assert _thank_you_day(
        london, datetime(2026, 12, 1, 22, 30, tzinfo=UTC), datetime(2026, 12, 1, 23, 50, tzinfo=UTC)
    ) == ("today")
    assert _thank_you_day(
        london, datetime(2026, 12, 1, 22, 30, tzinfo=UTC), datetime(2026, 12, 2, 0, 10, tzinfo=UTC)
    ) == ("yesterday")
    # New York: already the next day in UTC, still the same evening there.
    assert _thank_you_day(
        new_york, datetime(2026, 12, 11, 2, 0, tzinfo=UTC), datetime(2026, 12, 11, 3, 0, tzinfo=UTC)
    ) == ("today")
    # Across the end of British Summer Time (25 October 2026): 23:30 BST Saturday, 08:00 GMT Sunday.
    assert _thank_you_day(
        london, datetime(2026, 10, 24, 22, 30, tzinfo=UTC), datetime(2026, 10, 25, 8, tzinfo=UTC)
    ) == ("yesterday")
    # Across the start of US daylight time (8 March 2026): 23:00 EST Saturday, 09:00 EDT Monday.
    assert _thank_you_day(
        new_york, datetime(2026, 3, 8, 4, 0, tzinfo=UTC), datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    ) == ("on Saturday")


def test_one_thank_you_draft_per_interviewer_each_addressed_and_specific():
    message = render("thank_you", interviewers=(JANE, SAM, PRIYA))
    text = message.text
    assert INTERVIEW.title not in message.subject and INTERVIEW.title not in text
    assert message.subject == "3 thank-you drafts for your Acme interview"
    assert re.findall(r"^To: (.+)$", text, re.M) == ["jane@acme.com", "sam@acme.com", "priya.r@acme.com"]
    assert re.findall(r"^(Dear \w+,|Hello,)$", text, re.M) == ["Dear Jane,", "Dear Sam,", "Hello,"]
    assert re.findall(r"^Subject: (.+)$", text, re.M) == ["Thank you for our conversation"] * 3
    assert "[one specific thing Jane discussed" in text and "[one specific thing Sam discussed" in text
    assert "[one specific thing your interviewer discussed" in text
    assert "priya.r," not in text and "Dear priya" not in text
    assert "3 drafts are in your email" in message.sms


def test_someone_known_only_by_address_is_your_interviewer_with_the_address():
    message = render("research_prompt", interviewers=(PRIYA,))
    assert "  - your interviewer (priya.r@acme.com)" in message.text
    assert message.subject == "Prepare for your Acme interview: research your interviewer (priya.r@acme.com)"
    connect = render("connect", everyone=(JANE, PRIYA))
    assert "  - your interviewer (priya.r@acme.com)" in connect.text
    assert "keywords=priya" not in connect.text
    assert '"Hi, thank you again' in connect.text


def test_a_second_round_says_who_is_new_and_whom_they_met_before():
    lee = Person("Lee Chan", "lee@acme.com")
    message = render("research_prompt", interviewers=(JANE, lee), met_before=(JANE,))
    assert "New in this round: research them.\n  - Lee Chan" in message.text
    assert "Met before: recall what you discussed with them, and build on it.\n  - Jane Doe" in message.text
    assert message.subject == "Prepare for your Acme interview: research Lee Chan"
    # One segment: the text names whom to research; the email says whom to recall.
    assert "Research Lee Chan" in message.sms and sms_encoding.sms_segments(message.sms) == 1


@pytest.mark.parametrize("kind", messages.KINDS)
def test_an_sms_only_candidate_gets_the_essentials_and_is_never_pointed_to_an_email(kind):
    sms = render(kind, SMS_ONLY).sms
    assert "in your email" not in sms.lower() and "by email" not in sms.lower()
    essentials = {
        "research_prompt": ["Jane Doe", "Sam Roe", "role", "culture", "projects", "clients", "Don't connect"],
        "thank_you": ["Jane Doe", "Sam Roe", "thank-you", "one thing", "Don't connect"],
        "connect": ["Jane Doe", "Sam Roe", "connect on LinkedIn", "note"],
        "follow_up": ["Acme Recruiting", "next steps"],
        "rejection_reply": ["Acme Recruiting", "feedback", "future roles"],
    }[kind]
    for word in essentials:
        assert word in sms, sms
    assert sms_encoding.sms_fits(sms) and sms_encoding.sms_segments(sms) == 1


def test_an_unknown_company_is_phrased_around_never_the_company():
    for kind in messages.KINDS:
        message = render(kind, company=None)
        for part in (message.subject, message.text, message.sms):
            assert "the company offer" not in part and "the the" not in part
            assert not re.search(r"\b(with|at|from|to|for) the company\b", part), part
    assert "Congratulations on the offer!" in render("connect", company=None).text
    assert "keywords=Jane+Doe\n" in render("connect", company=None).text
    assert render("research_prompt", company=None).subject.startswith("Prepare for your interview:")


def _segments(sms: str) -> int:
    per = sms_encoding.GSM7_SEGMENT if sms_encoding.is_gsm7(sms) else sms_encoding.UCS2_SEGMENT
    return -(-sms_encoding.sms_length(sms) // per)


PANEL = tuple(Person(f"Maximilian-Alexander Featherstonehaugh {n}", f"p{n}@acme.com") for n in range(6))


@pytest.mark.parametrize("kind", messages.KINDS)
@pytest.mark.parametrize("candidate", [CANDIDATE, US_CANDIDATE, SMS_ONLY], ids=["en-GB", "en-US", "sms-only"])
@pytest.mark.parametrize("company", ["International Business Machines", "Яндекс", None])
def test_every_sms_fits_two_segments_keeps_its_advice_and_ends_on_a_word(kind, candidate, company):
    sms = render(kind, candidate, company=company, interviewers=PANEL, everyone=PANEL, addressee=PANEL[0]).sms
    assert _segments(sms) <= 2, (len(sms), sms)
    assert sms.endswith("."), sms  # whole sentences: nothing cut mid-word
    if kind in ("research_prompt", "thank_you"):
        assert DONT_CONNECT.search(sms), sms


def test_names_go_from_the_end_first_then_a_count():
    many = tuple(Person(f"Person Number{n} Withalongsurname", f"p{n}@acme.com") for n in range(9))
    sms = render("thank_you", interviewers=many).sms
    # A shorter wording keeps the first name before a count takes the names' place.
    assert sms.startswith(
        "After your Acme interview today: thank Person Number0 Withalongsurname and 8 others by email"
    )
    assert sms_encoding.sms_segments(sms) == 1
    longer = tuple(Person(f"Person Number{n} Withaverymuchlongersurnamethanmost", f"p{n}@acme.com") for n in range(9))
    sms = render("thank_you", interviewers=longer, company="International Business Machines").sms
    assert "your 9 interviewers" in sms and sms_encoding.sms_segments(sms) == 1, sms
    few = tuple(Person(f"Person Number{n} Withalongsurname", f"p{n}@acme.com") for n in range(3))
    sms = render("thank_you", interviewers=few).sms
    assert re.search(r"Person Number0 Withalongsurname and 2 others", sms), sms


def test_one_non_gsm_name_is_transliterated_or_left_out_and_the_others_stay():
    zoe = Person("Zoë Łukasiewicz", "zoe@acme.com")
    sms = render("research_prompt", interviewers=(zoe, SAM)).sms
    assert sms_encoding.is_gsm7(sms) and "Zoe Lukasiewicz" in sms and "Sam Roe" in sms
    wang = Person("王伟", "wang.wei@acme.com")
    sms = render("research_prompt", interviewers=(JANE, wang, SAM), company="Acme").sms
    # The whole list fits in UCS-2? Then 王伟 stays; otherwise only 王伟 goes.
    if sms_encoding.is_gsm7(sms):
        assert "Jane Doe, Sam Roe and 1 other" in sms
    else:
        assert "王伟" in sms
    long_panel = (JANE, wang, SAM, Person("Alexandra Featherstonehaugh", "alex@acme.com"))
    sms = render("research_prompt", interviewers=long_panel, company="Acme").sms
    assert "Jane Doe" in sms and "Sam Roe" in sms, sms


def test_a_non_gsm_company_is_left_out_before_a_second_segment_and_the_advice_stays():
    sms = render("research_prompt", company="Яндекс").sms
    assert sms_encoding.is_gsm7(sms) and sms_encoding.sms_segments(sms) == 1
    assert "Яндекс" not in sms and "Don't connect yet" in sms and "culture" in sms


@pytest.mark.parametrize(
    ("text", "segments"),
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("王" * 70, 1), ("王" * 71, 2), ("{" * 80, 1)],
)
def test_segments_are_counted_as_a_carrier_bills_them(text, segments):
    assert sms_encoding.sms_segments(text) == segments


@pytest.mark.parametrize("kind", messages.KINDS)
@pytest.mark.parametrize("candidate", [CANDIDATE, US_CANDIDATE, SMS_ONLY], ids=["en-GB", "en-US", "sms-only"])
def test_each_kind_fits_one_segment_for_a_two_person_interview(kind, candidate):
    sms = render(kind, candidate).sms
    assert sms_encoding.sms_segments(sms) == 1, (sms_encoding.sms_length(sms), sms)


def test_sms_length_counts_gsm_extensions_and_utf16_units():
    assert sms_encoding.sms_length("a{b") == 4 and sms_encoding.sms_limit("a{b") == 306
    assert sms_encoding.sms_length("王😀") == 3 and sms_encoding.sms_limit("王") == 134


def test_follow_up_and_rejection_reply_draft_to_the_contact():
    follow = render("follow_up", now=AFTER + timedelta(days=7))
    assert "To: recruiting@acme.com" in follow.text and "Hello," in follow.text  # a team is not greeted by name
    assert "It has been 7 days since your Acme interview on 10 December" in follow.text
    assert "next steps" in follow.text
    reply = render("rejection_reply", addressee=JANE, addressee_is_contact=False)
    assert "To: jane@acme.com" in reply.text and "Dear Jane," in reply.text
    assert "feedback" in reply.text and "future roles" in reply.text
    assert reply.subject == "A gracious reply to Acme keeps the door open"


def test_names_from_webhooks_render_harmlessly_in_html():
    evil = Person('<script>alert("x")</script> Eve', "eve@acme.com")
    interview = replace(INTERVIEW, title="<b>Interview</b> & more")
    for kind in ("research_prompt", "thank_you"):
        message = render(kind, interview=interview, interviewers=(evil,))
        assert "<script>" not in message.html and "<b>" not in message.html
        assert "&lt;script&gt;" in message.html
        assert "<script>" in message.text  # plain text shows it as text, which is harmless


def test_a_contact_without_a_name_is_named_by_its_address_never_your_interviewer():
    follow = render("follow_up", addressee=Person("", "careers@acme.com"))
    assert "To: careers@acme.com" in follow.text and "Hello," in follow.text
    assert "careers@acme.com" in follow.sms and "your interviewer" not in follow.sms


def test_in_html_each_draft_is_set_apart_to_copy():
    message = render("thank_you", interviewers=(JANE, SAM, PRIYA))
    assert message.html.count("<blockquote") == 3
    assert message.html.index("Draft 1 of 3") < message.html.index("<blockquote")
    assert render("follow_up").html.count("<blockquote") == 1


def test_transliteration_keeps_gsm_letters_and_gives_up_on_other_scripts():
    assert messages.transliterate("Zoë Łukasiewicz") == "Zoe Lukasiewicz"
    assert messages.transliterate("José Müller-Øyen") == "José Müller-Øyen"  # all GSM-7 already
    assert messages.transliterate("Dvořák") == "Dvorak"
    assert messages.transliterate("王伟") is None and messages.transliterate("Иван") is None
