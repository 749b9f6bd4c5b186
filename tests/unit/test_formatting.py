"""Dates, times, zone names and lists per locale, as CLDR (through Babel) writes them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel import Locale as CldrLocale
from babel import dates, lists

from nudges.domain import formatting
from nudges.domain.locales import CODES

# Thursday 17 December 2026, 13:00 UTC.
THURSDAY = datetime(2026, 12, 17, 13, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 16, 13, 0, tzinfo=UTC)
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


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en-GB", "Thursday 17 December at 13:00 (Greenwich Mean Time)"),
        ("en-US", "Thursday, December 17 at 8:00\u202fAM (Eastern Time)"),
        ("de-DE", "Donnerstag, 17. Dezember um 14:00 (Mitteleuropäische Zeit)"),
        ("fr-FR", "jeudi 17 décembre à 14 h 00 (heure d’Europe centrale)"),
        ("es-ES", "jueves, 17 de diciembre a las 14:00 (hora de Europa central)"),
        ("nl-NL", "donderdag 17 december om 14:00 (Midden-Europese tijd)"),
        ("pt-BR", "quinta-feira, 17 de dezembro às 10:00 (Horário de Brasília)"),
        ("it-IT", "giovedì 17 dicembre alle 14:00 (Ora dell’Europa centrale)"),
        ("ja-JP", "12月17日(木) 22:00（日本時間）"),
        ("zh-CN", "12月17日星期四 21:00（中国时间）"),
    ],
)
def test_an_interview_moment_is_written_as_each_language_writes_it(code: str, expected: str) -> None:
    assert formatting.when(THURSDAY, HOME[code], code) == expected


@pytest.mark.parametrize("code", CODES)
def test_the_parts_are_cldrs_own(code: str) -> None:
    """Weekday, month and time come from CLDR for that locale, not from a table of our own."""
    cldr = CldrLocale.parse(code.replace("-", "_"))
    local = THURSDAY.astimezone(ZoneInfo(HOME[code]))
    text = formatting.when(THURSDAY, HOME[code], code)
    weekday_width = "abbreviated" if code == "ja-JP" else "wide"
    assert cldr.days["format"][weekday_width][local.weekday()] in text
    if code not in ("ja-JP", "zh-CN"):
        assert cldr.months["format"]["wide"][local.month] in text
    assert str(local.year) not in text  # the interview is days away: no year
    if code != "fr-FR":  # French: "14 h 00", as French employers write it (the locale's time_pattern)
        assert dates.format_time(local, "short", locale=cldr) in text


@pytest.mark.parametrize("code", CODES)
def test_zones_are_named_never_an_offset(code: str) -> None:
    for zone in ("Asia/Singapore", "Asia/Kolkata", "Europe/London", "America/Los_Angeles", "Australia/Sydney"):
        for moment in (THURSDAY, SUMMER):
            name = formatting.zone_name(moment, zone, code)
            assert name
            assert not any(c.isdigit() for c in name), (zone, name)


def test_singapore_time_in_every_language() -> None:
    assert formatting.zone_name(THURSDAY, "Asia/Singapore", "en-GB") == "Singapore Time"
    assert formatting.zone_name(THURSDAY, "Asia/Singapore", "en-US") == "Singapore Time"
    assert formatting.zone_name(THURSDAY, "Asia/Singapore", "de-DE") == "Singapur (Ortszeit)"
    assert formatting.zone_name(THURSDAY, "Asia/Singapore", "ja-JP") == "シンガポール時間"
    assert formatting.zone_name(THURSDAY, "Asia/Singapore", "zh-CN") == "新加坡时间"
    assert formatting.zone_name(THURSDAY, "Asia/Singapore", "es-ES") == "hora de Singapur"


def test_a_zone_without_a_generic_name_is_named_for_the_season() -> None:
    assert formatting.zone_name(THURSDAY, "Europe/London", "en-GB") == "Greenwich Mean Time"
    assert formatting.zone_name(SUMMER, "Europe/London", "en-GB") == "British Summer Time"
    # A generic name stays the same all year: "Central European Time" in July too.
    assert formatting.zone_name(SUMMER, "Europe/Berlin", "de-DE") == "Mitteleuropäische Zeit"
    assert formatting.zone_name(THURSDAY, "US/Eastern", "en-US") == "Eastern Time"  # an alias


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en-GB", "Ada, Grace and Alan"),
        ("en-US", "Ada, Grace, and Alan"),
        ("de-DE", "Ada, Grace und Alan"),
        ("fr-FR", "Ada, Grace et Alan"),
        ("es-ES", "Ada, Grace y Alan"),
        ("nl-NL", "Ada, Grace en Alan"),
        ("pt-BR", "Ada, Grace e Alan"),
        ("it-IT", "Ada, Grace e Alan"),
        ("ja-JP", "Ada、Grace、Alan"),
        ("zh-CN", "Ada、Grace和Alan"),
    ],
)
def test_lists_follow_cldr(code: str, expected: str) -> None:
    names = ["Ada", "Grace", "Alan"]
    assert formatting.join(names, code) == expected
    assert formatting.join(names, code) == lists.format_list(names, locale=code.replace("-", "_"))
    assert formatting.join(["Ada"], code) == "Ada"
    assert formatting.join([], code) == ""


def test_plural_categories_are_cldrs() -> None:
    assert [formatting.plural_category(n, "en-GB") for n in (1, 2)] == ["one", "other"]
    assert [formatting.plural_category(n, "fr-FR") for n in (0, 1, 2)] == ["one", "one", "other"]
    assert [formatting.plural_category(n, "ja-JP") for n in (1, 2)] == ["other", "other"]


@pytest.mark.parametrize(
    ("code", "weekday", "day_month"),
    [
        ("de-DE", "Donnerstag", "17. Dezember"),
        ("fr-FR", "jeudi", "17 décembre"),
        ("pt-BR", "quinta-feira", "17 de dezembro"),
        ("ja-JP", "木曜日", "12月17日"),
        ("en-US", "Thursday", "December 17"),
    ],
)
def test_weekday_and_day_month(code: str, weekday: str, day_month: str) -> None:
    assert formatting.weekday(THURSDAY, "Europe/Berlin", code) == weekday
    assert formatting.day_month(THURSDAY, "Europe/Berlin", code) == day_month


def test_the_local_date_is_the_zones() -> None:
    late = datetime(2026, 12, 17, 23, 30, tzinfo=UTC)  # already Friday in Tokyo
    assert formatting.date(late, "Asia/Tokyo", "ja-JP") == "12月18日(金)"
    assert formatting.time(late, "Asia/Tokyo", "ja-JP") == "8:30"


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        formatting.when(datetime(2026, 12, 17, 13, 0), "Europe/Berlin", "de-DE")


def test_zone_territory() -> None:
    assert formatting.zone_territory("America/New_York") == "US"
    assert formatting.zone_territory("US/Pacific") == "US"
    assert formatting.zone_territory("America/Sao_Paulo") == "BR"
    assert formatting.zone_territory("America/Toronto") == "CA"
