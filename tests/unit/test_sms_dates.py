"""Texts in German, Brazilian Portuguese and Japanese keep the interview's date (issue 21, step 9):
the fitting keeps people by name first, then the date (in words, then in numbers: CLDR's
``MEd``), then the company; every nudge in one segment where its advice fits (160 GSM-7
septets; Japanese is UCS-2, languages' rule ``ucs2``: 70 characters in one segment)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from nudges.domain import formatting, messages, sms_encoding
from nudges.domain.interview import Person
from nudges.domain.rendering import Words
from tests.unit.test_messages import CANDIDATE, INTERVIEW, ctx

LOCALES = {"de-DE": "Europe/Berlin", "pt-BR": "America/Sao_Paulo", "ja-JP": "Asia/Tokyo"}
ANA, BEN, CHIDI = (
    Person("Ana Costa", "ana@northwind.com"),
    Person("Ben Ode", "ben@northwind.com"),
    Person("Chidi Okafor", "chidi@northwind.com"),
)
PEOPLE = {"one": (ANA,), "two": (ANA, BEN), "three": (ANA, BEN, CHIDI)}
COMPANIES = {"short": "Acme", "long": "Brightwave Energy", "domain": "brightwaveenergy.com"}
# Seen from 48 h before (a weekday and date) and from the evening before ("tomorrow").
SEEN = {
    "two days": datetime(2026, 12, 8, 14, 0, tzinfo=UTC),
    "the day before": datetime(2026, 12, 9, 18, 0, tzinfo=UTC),
}


def candidate(locale: str, sms_only: bool = False):
    return replace(
        CANDIDATE, locale=locale, timezone=LOCALES[locale], channels=("sms",) if sms_only else ("email", "sms")
    )


def said_when(locale: str, now: datetime) -> list[str]:
    """Every way an SMS may say when: the time, with the day in words, in numbers or relative."""
    zone = candidate(locale).zone
    words = Words(locale)
    clock = words.clock(INTERVIEW.start.astimezone(zone))
    said = [
        clock,
        formatting.short_date(INTERVIEW.start, zone, locale),
        formatting.numeric_date(INTERVIEW.start, zone, locale),
        words.day(INTERVIEW.start, now, zone),
    ]
    return [sms_encoding.for_sms(s, locale) for s in said]  # as the text writes them ("amanha")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("people", PEOPLE.values(), ids=PEOPLE.keys())
@pytest.mark.parametrize("company", COMPANIES.values(), ids=COMPANIES.keys())
@pytest.mark.parametrize("now", SEEN.values(), ids=SEEN.keys())
@pytest.mark.parametrize("sms_only", [False, True], ids=["email+sms", "sms-only"])
def test_the_research_prompt_text_says_when_by_name_in_one_segment(locale, people, company, now, sms_only):
    who = candidate(locale, sms_only)
    sms = messages.compose(
        "research_prompt",
        replace(
            ctx("research_prompt", who, interviewers=people, everyone=people, company=company),
            now=now,
            sms_only=sms_only,
        ),
    ).sms
    clock, *days = said_when(locale, now)
    assert sms_encoding.sms_segments(sms) == 1, (sms_encoding.count(sms), sms)
    assert clock in sms and any(day in sms for day in days), sms
    assert ANA.name in sms, sms  # the first person to research, by name


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", messages.KINDS)
@pytest.mark.parametrize("people", PEOPLE.values(), ids=PEOPLE.keys())
def test_every_nudge_text_in_these_languages_takes_one_segment(locale, kind, people):
    sms = messages.compose(
        kind, ctx(kind, candidate(locale), interviewers=people, everyone=people, addressee=people[0])
    ).sms
    counted = sms_encoding.count(sms)
    assert counted.segments == 1, (counted, sms)
    assert counted.encoding == ("UCS-2" if locale == "ja-JP" else "GSM-7"), sms


def test_the_date_in_numbers_is_the_locales_own_order():
    moment = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert formatting.numeric_date(moment, "Europe/Berlin", "de-DE") == "Do., 3.12."
    assert formatting.numeric_date(moment, "America/Sao_Paulo", "pt-BR") == "qui., 03/12"
    assert formatting.numeric_date(moment, "Asia/Tokyo", "ja-JP") == "12/3(木)"


def test_a_domain_starting_a_sentence_keeps_its_case():
    sms = messages.compose(
        "research_prompt",
        replace(ctx("research_prompt", candidate("ja-JP")), company="globex.com", interviewers=(ANA,), everyone=(ANA,)),
    )
    assert "Globex.com" not in sms.sms + sms.text
