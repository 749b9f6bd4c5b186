"""Every kind in every locale, as the candidate reads it: nothing left in English, the six research
points and the connection advice said, drafts in the draft language, names listed as the language
lists them, and every SMS within two segments (the average reported per locale)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain import message_context, messages, sms_encoding
from nudges.domain.candidate import Candidate
from nudges.domain.catalog import catalog
from nudges.domain.interview import Interview, Person
from nudges.domain.locales import CODES

NON_ENGLISH = [c for c in CODES if not c.startswith("en-")]
HOME = {
    "en-GB": "Europe/London",
    "en-US": "America/New_York",
    "de-DE": "Europe/Berlin",
    "fr-FR": "Europe/Paris",
    "es-ES": "Europe/Madrid",
    "nl-NL": "Europe/Amsterdam",
    "pt-BR": "America/Sao_Paulo",
    "it-IT": "Europe/Rome",
    "ja-JP": "Asia/Tokyo",
    "zh-CN": "Asia/Shanghai",
}
JANE, SAM = Person("Jane Doe", "jane@acme.com"), Person("Sam Roe", "sam@acme.com")
PANEL = (
    JANE,
    SAM,
    Person("Zoë Łukasiewicz", "zoe@acme.com"),
    Person("王伟", "wang@acme.com"),
    Person("Lee Chan", "lee@acme.com"),
)
RECRUITER = Person("Acme Recruiting", "recruiting@acme.com")
START = datetime(2026, 12, 10, 13, 0, tzinfo=UTC)
INTERVIEW = Interview(
    interview_id="iv_1",
    source="calcom",
    source_ref="uid-1",
    candidate_email="ada@example.org",
    company="acme",
    title="Technical interview",
    start=START,
    end=START + timedelta(hours=1),
    interviewers=(JANE, SAM),
)
# English that must not be left in another locale's message.
ENGLISH = (
    "Hi Ada",
    "Dear Jane",
    "Don't connect",
    "don't connect",
    "Good luck",
    "Best regards",
    "research them",
    "Hold off",
)
KINDS = ("research_prompt", "thank_you", "connect", "follow_up", "rejection_reply")


def candidate(locale: str, **changes) -> Candidate:
    base = Candidate(
        candidate_id="c_1",
        email="ada@example.org",
        timezone=HOME[locale],
        channels=("email", "sms"),
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        ics_inbox_token="tok",
        phone="+447700900123",
        name="Ada Lovelace",
        locale=locale,
    )
    return replace(base, **changes)


def render(kind: str, who: Candidate, people: tuple[Person, ...] = (JANE, SAM), company: str | None = "Acme"):
    now = {
        "research_prompt": START - timedelta(hours=48),
        "connect": START + timedelta(days=2),
        "follow_up": START + timedelta(days=7),
        "rejection_reply": START + timedelta(days=3),
    }.get(kind, START + timedelta(hours=2))
    context = message_context.Context(
        candidate=who,
        now=now,
        company=company,
        interview=replace(INTERVIEW, interviewers=people),
        interviewers=people,
        everyone=people,
        addressee=RECRUITER if kind in ("follow_up", "rejection_reply") else None,
        addressee_is_contact=kind in ("follow_up", "rejection_reply"),
        sms_only="email" not in who.channels,
    )
    return messages.compose(kind, context)


@pytest.mark.parametrize("locale", NON_ENGLISH)
@pytest.mark.parametrize("kind", KINDS)
def test_nothing_is_left_in_english(kind, locale):
    message = render(kind, candidate(locale))
    for said in (message.subject, message.text, message.sms):
        for english in ENGLISH:
            assert english not in said, (locale, kind, english, said)
    assert message.text.startswith(catalog(locale).text("phrase.hi_candidate", first_name="Ada"))


@pytest.mark.parametrize("locale", CODES)
def test_the_research_prompt_says_the_six_points_and_no_connection_requests(locale):
    text = render("research_prompt", candidate(locale)).text
    source = catalog(locale).raw("research_prompt.email")
    points = [line.strip() for line in source.splitlines() if line.strip().startswith("- ")]
    assert len(points) == 6
    for point in points:
        assert point in text, (locale, point)
    last = [p for p in source.split("\n\n") if "LinkedIn" in p or "领英" in p]
    assert last and last[0] in text  # the no-connection-requests paragraph


@pytest.mark.parametrize("locale", CODES)
def test_drafts_follow_the_draft_locale(locale):
    who = candidate(locale, draft_locale="en-GB")
    thank_you = render("thank_you", who)
    assert "Dear Jane," in thank_you.text and "Subject: Thank you for our conversation" in thank_you.text
    if locale not in ("en-GB", "en-US"):
        assert thank_you.text.startswith(catalog(locale).text("phrase.hi_candidate", first_name="Ada"))
    japanese = render("thank_you", candidate(locale, draft_locale="ja-JP"))
    assert "Jane Doe様" in japanese.text and "件名：面接のお礼" in japanese.text
    connect = render("connect", candidate(locale, draft_locale="de-DE"))
    assert "Hallo Jane Doe, vielen Dank nochmals" in connect.text


@pytest.mark.parametrize(
    ("locale", "listed"),
    [
        ("en-GB", "Jane Doe, Sam Roe and 3 others"),
        ("en-US", "Jane Doe, Sam Roe, and 3 others"),
        ("de-DE", "Jane Doe, Sam Roe und 3 weitere Personen"),
        ("fr-FR", "Jane Doe, Sam Roe et 3 autres personnes"),
        ("ja-JP", "Jane Doeさん、Sam Roeさん、他3名"),
        ("zh-CN", "Jane Doe、Sam Roe和另外3人"),
    ],
)
def test_names_and_others_are_listed_as_the_language_lists_them(locale, listed):
    from nudges.domain.rendering import Words

    words = Words(locale)
    assert words.join([words.label(JANE), words.label(SAM), words.others(3)]) == listed


@pytest.mark.parametrize("locale", CODES)
def test_every_sms_in_every_locale_fits_two_segments_and_ends_on_a_word(locale):
    segments = []
    for kind in KINDS:
        for people in ((JANE,), (JANE, SAM), PANEL):
            for company in ("Acme", "Яндекс Технологии", None):
                for channels in (("email", "sms"), ("sms",)):
                    sms = render(kind, candidate(locale, channels=channels), people, company).sms
                    counted = sms_encoding.count(sms)
                    assert counted.segments <= 2, (locale, kind, len(people), company, channels, sms)
                    assert sms[-1] in ".!?。！？)", (locale, kind, sms)  # a whole sentence, never cut mid-word
                    segments.append(counted.segments)
    average = sum(segments) / len(segments)
    print(f"{locale}: {len(segments)} texts, {average:.2f} segments on average, at most {max(segments)}")
    assert average <= 2


@pytest.mark.parametrize("locale", ["de-DE", "fr-FR", "es-ES", "nl-NL", "pt-BR", "it-IT"])
def test_latin_locales_text_in_gsm7(locale):
    for kind in KINDS:
        sms = render(kind, candidate(locale)).sms
        assert sms_encoding.count(sms).encoding == "GSM-7", (locale, kind, sms)
