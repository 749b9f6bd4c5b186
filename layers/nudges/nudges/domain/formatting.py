"""Dates, times, time-zone names, lists and numbers as each language writes them: CLDR, through Babel.

The one place that turns an instant into words. Everything comes from CLDR's data for the
locale (``nudges.domain.locales`` names which), so "Donnerstag, 17. Dezember um 14:00
(Mitteleuropäische Zeit)", "jeudi 17 décembre à 14 h 00", "12月17日(木) 14:00（日本時間）" and
"Thursday 17 December at 14:00 (Singapore Time)" are each what that language's conventions say:

- the date: CLDR's full date pattern without the year (the interview is days away), or the
  ``MMMMEEEEd`` skeleton where the locale has one (en-GB: no comma after the weekday); Japanese
  takes the shorter ``MMMEd`` form, "12月17日(木)", as Japanese invitations write it;
- the time: the locale's short time (``HH:mm``, ``H:mm``, ``h:mm a``), or the locale's
  ``time_pattern`` where a careers adviser there writes it otherwise (French "14 h 00");
- date and time joined as CLDR 42's *atTime* pattern says ("um", "à", "às", "alle", "om", a space
  in Japanese and Chinese; Babel 2.18 does not ship those patterns, so the locale record carries
  them, copied from CLDR);
- the zone named as people know it: CLDR's generic name ("Mitteleuropäische Zeit", "Eastern
  Time", "中国时间"); where CLDR has none, the specific name when the zone changes with the
  season ("Greenwich Mean Time" / "British Summer Time"), else the location form ("Singapore
  Time", "Singapur (Ortszeit)", "シンガポール時間"); never an offset like "+08";
- lists with CLDR's list patterns ("A, B and C", "A, B, and C", "A, B und C", "A、B、C", "A、B和C").

Pure: an aware datetime, a zone and a locale code in, text out. Unit-tested against CLDR in
tests/unit/test_formatting.py.
"""

from __future__ import annotations

import re
from datetime import datetime
from datetime import time as dt_time
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel import Locale as CldrLocale
from babel import dates, lists
from babel.core import get_global

from nudges.domain.locales import resolve

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

# CLDR 42+ dateTimeFormat-atTime ("{1} 'at' {0}"), as "{date} ... {time}"; Babel 2.18 lacks them.
AT_TIME = {
    "en": "{date} at {time}",
    "de": "{date} um {time}",
    "fr": "{date} à {time}",
    "es": "{date} a las {time}",
    "nl": "{date} om {time}",
    "pt": "{date} às {time}",
    "it": "{date} alle {time}",
    "ja": "{date} {time}",
    "zh": "{date} {time}",
}
# How a zone's name follows a time: in parentheses; full-width ones in Japanese and Chinese.
WITH_ZONE = {"ja": "{when}（{zone}）", "zh": "{when}（{zone}）"}
# The date form where CLDR's full date without its year is not how the language writes it.
DATE_SKELETON = {"ja": "MMMEd"}
_YEAR = re.compile(r"(?:,?\s*(?:'de'\s*)?y+年?|y+年\s*)")


@cache
def _cldr(code: str) -> CldrLocale:
    return CldrLocale.parse(resolve(code).babel)


def _local(moment: datetime, zone: tzinfo | str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every instant here carries its offset")
    return moment.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


@cache
def date_pattern(code: str) -> str:
    """The weekday-day-month pattern for ``code`` (no year), derived from CLDR."""
    cldr, language = _cldr(code), resolve(code).language
    skeleton = DATE_SKELETON.get(language)
    if skeleton:
        return str(cldr.datetime_skeletons[skeleton].pattern)
    own = cldr.datetime_skeletons.get("MMMMEEEEd")
    if own is not None:
        return str(own.pattern)
    return _YEAR.sub("", str(cldr.date_formats["full"].pattern)).strip(" ,")


@cache
def time_pattern(code: str) -> str:
    return resolve(code).time_pattern or str(_cldr(code).time_formats["short"].pattern)


def date(moment: datetime, zone: tzinfo | str, code: str) -> str:
    """The day: "Donnerstag, 17. Dezember", "jeudi 17 décembre", "Thursday, December 17", "12月17日(木)"."""
    return dates.format_datetime(_local(moment, zone), date_pattern(code), locale=_cldr(code))


def short_date(moment: datetime, zone: tzinfo | str, code: str) -> str:
    """The date as a text message says it: "Thu 17 Dec", "Do., 17. Dez.", "12月17日(木)"."""
    pattern = _cldr(code).datetime_skeletons["MMMEd"].pattern
    return dates.format_datetime(_local(moment, zone), str(pattern), locale=_cldr(code))


def numeric_date(moment: datetime, zone: tzinfo | str, code: str) -> str:
    """The date in numbers, as a text pressed for room says it in the locale's own order (CLDR's
    ``MEd``): "Do., 17.12.", "qui., 17/12", "12/17(木)", "Thu 17/12", "Thu, 12/17"."""
    pattern = _cldr(code).datetime_skeletons["MEd"].pattern
    return dates.format_datetime(_local(moment, zone), str(pattern), locale=_cldr(code))


def day_month(moment: datetime, zone: tzinfo | str, code: str) -> str:
    """The date without its weekday: "17. Dezember", "17 de dezembro", "December 17", "12月17日"."""
    pattern = _cldr(code).datetime_skeletons["MMMMd"].pattern
    return dates.format_datetime(_local(moment, zone), str(pattern), locale=_cldr(code))


def weekday(moment: datetime, zone: tzinfo | str, code: str) -> str:
    """The weekday: "Donnerstag", "jeudi", "Thursday", "木曜日", "星期四"."""
    return dates.format_datetime(_local(moment, zone), "EEEE", locale=_cldr(code))


def time(moment: datetime, zone: tzinfo | str, code: str) -> str:
    """The time: "14:00", "14 h 00", "2:00 PM", "9:30" (Spanish and Japanese write no leading zero)."""
    return dates.format_datetime(_local(moment, zone), time_pattern(code), locale=_cldr(code))


def clock_time(moment: dt_time, code: str) -> str:
    """A time of day on its own (the quiet hours): "21:00", "21 h 00", "9 PM" (12-hour locales
    drop ":00" on the hour, as CLDR's ``ha`` skeleton writes it)."""
    pattern = time_pattern(code)
    if moment.minute == 0 and "h" in pattern and "H" not in pattern:
        pattern = str(_cldr(code).datetime_skeletons["h"].pattern)
    return dates.format_time(moment, pattern, locale=_cldr(code))


def at(date_text: str, time_text: str, code: str) -> str:
    """A day (a date, or "morgen") and a time joined as the language joins them."""
    return AT_TIME[resolve(code).language].format(date=date_text, time=time_text)


def zone_name(moment: datetime, zone: tzinfo | str, code: str) -> str:
    """The zone as people there know it, in ``code``'s language (see the module's docstring)."""
    local = _local(moment, zone)
    zone_id = str(getattr(local.tzinfo, "key", "") or "UTC")
    zone_id = get_global("zone_aliases").get(zone_id, zone_id)
    cldr = _cldr(code)
    own = cldr.time_zones.get(zone_id, {}).get("long", {})
    meta = cldr.meta_zones.get(get_global("meta_zones").get(zone_id, ""), {}).get("long", {})
    generic = own.get("generic") or meta.get("generic")
    if generic:
        return str(generic)
    tz = ZoneInfo(zone_id) if zone_id != "UTC" else local.tzinfo
    year = local.year
    seasonal = datetime(year, 1, 15, tzinfo=tz).utcoffset() != datetime(year, 7, 15, tzinfo=tz).utcoffset()
    specific = own.get("daylight" if local.dst() else "standard") or meta.get("daylight" if local.dst() else "standard")
    if seasonal and specific:
        return str(specific)
    if zone_id in ("UTC", "Etc/UTC"):
        return str(specific or dates.get_timezone_name(local, "long", locale=cldr))
    return str(dates.get_timezone_location(local, locale=cldr))


def with_zone(when: str, zone_text: str, code: str) -> str:
    return WITH_ZONE.get(resolve(code).language, "{when} ({zone})").format(when=when, zone=zone_text)


def when(moment: datetime, zone: tzinfo | str, code: str, *, zone_shown: bool = True) -> str:
    """The whole moment: "Donnerstag, 17. Dezember um 14:00 (Mitteleuropäische Zeit)"."""
    text = at(date(moment, zone, code), time(moment, zone, code), code)
    return with_zone(text, zone_name(moment, zone, code), code) if zone_shown else text


def join(items: Sequence[str], code: str, style: str = "standard") -> str:
    """A list as the language writes one: "A, B and C" (en-GB), "A, B, and C" (en-US), "A, B und C",
    "A、B、C"; ``style="or"`` for alternatives ("A, B oder C")."""
    if not items:
        return ""
    return lists.format_list(list(items), style=style, locale=_cldr(code))  # type: ignore[arg-type]


def plural_category(count: int, code: str) -> str:
    """CLDR's plural category for ``count``: "one", "other" (Japanese and Chinese: always "other")."""
    return str(_cldr(code).plural_form(count))


def zone_territory(zone: str) -> str | None:
    """The country a time zone belongs to, per CLDR ("America/New_York" -> "US"), or None."""
    zone = get_global("zone_aliases").get(zone, zone)
    territory = get_global("zone_territories").get(zone)
    return str(territory) if territory else None


def language_name(code: str, in_code: str) -> str:
    """``code``'s language named in ``in_code``'s ("Deutsch" in German, "German" in English)."""
    return str(_cldr(code).get_display_name(_cldr(in_code)))
