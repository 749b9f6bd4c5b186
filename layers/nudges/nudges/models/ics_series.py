"""A recurring invite (``RRULE``/``RDATE``, less ``EXDATE``, with its ``RECURRENCE-ID``
overrides) expanded by ``recurring_ical_events`` into one booking change per occurrence ahead
(nudges.models.ics reads the rest of the invite).

Import this module only where invites are read: it brings in the icalendar library.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

import icalendar
import recurring_ical_events

from nudges.domain.booking import BookingChange
from nudges.errors import InvalidInput
from nudges.models.ics_values import as_list, event_uid, instant, text_of

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview

SERIES_HORIZON = timedelta(weeks=8)
MAX_OCCURRENCES = 8

_MONTH_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def matches_no_date(event: icalendar.Component) -> bool:
    """Whether a rule asks for month days its months never have ("30 February"): dateutil would
    search such a rule day by day up to year 9999 (seconds of CPU) before giving up."""
    for rule in as_list(event.get("RRULE")):
        days = [int(d) for d in rule.get("BYMONTHDAY", [])]
        if not days or any(d < 0 for d in days):
            continue
        months = [int(m) for m in rule.get("BYMONTH", [])] or list(_MONTH_DAYS)
        if min(days) > max(_MONTH_DAYS.get(m, 31) for m in months):
            return True
    return False


def frequency(event: icalendar.Component) -> str:
    rules = as_list(event.get("RRULE"))
    return str(rules[0].get("FREQ", [""])[0]).upper() if rules else ""


def series_occurrences(
    calendar: icalendar.Calendar,
    master: icalendar.Component,
    uid: str,
    interview: Interview,
    candidate: Candidate,
    received_at: datetime,
    cancelled: bool,
) -> list[BookingChange]:
    """One change per occurrence of the series ``uid`` still ahead (or under way), within
    ``SERIES_HORIZON``: each is an interview of its own (its reference names the occurrence by
    its RECURRENCE-ID, as an override does); the occurrences its EXDATE removed are cancelled."""
    series = icalendar.Calendar()
    for name in ("VTIMEZONE",):
        for component in calendar.walk(name):
            series.add_component(component)
    horizon = received_at + SERIES_HORIZON
    for event in calendar.walk("VEVENT"):
        if event_uid(event) == uid:
            series.add_component(event)
    changes: list[BookingChange] = []
    try:
        # Within the horizon only: a rule no date matches ("every Monday 30 February") would
        # otherwise be searched to year 9999 (seconds of CPU for one request).
        found = recurring_ical_events.of(series).between(received_at, horizon)
        for occurrence in itertools.islice(found, MAX_OCCURRENCES):
            start = instant(occurrence.decoded("DTSTART"), candidate.zone)
            if start is None or start > horizon:
                break
            end = instant(occurrence.decoded("DTEND"), candidate.zone) if "DTEND" in occurrence else None
            recurrence = (
                instant(occurrence.decoded("RECURRENCE-ID"), candidate.zone) if "RECURRENCE-ID" in occurrence else None
            )
            this = replace(
                interview,
                start=start,
                end=end if end and end > start else start + (interview.end - interview.start),
                title=text_of(occurrence.get("SUMMARY")) or interview.title,
                source_ref=f"{interview.source_ref}/{(recurrence or start).isoformat()}",
            )
            gone = cancelled or str(occurrence.get("STATUS", "")).upper() == "CANCELLED"
            changes.append(BookingChange(action="cancelled" if gone else "booked", interview=this))
    except InvalidInput:
        raise
    except Exception as exc:  # the library's own refusal of a series it cannot expand
        raise InvalidInput(f"VEVENT {uid[:80]}: RRULE: the series cannot be expanded ({exc})", field="RRULE") from None
    for value in as_list(master.get("EXDATE")):
        for excluded in getattr(value, "dts", []):
            moment = instant(excluded.dt, candidate.zone)
            if moment is not None and received_at < moment <= horizon:
                excluded_one = replace(
                    interview,
                    start=moment,
                    end=moment + (interview.end - interview.start),
                    source_ref=f"{interview.source_ref}/{moment.isoformat()}",
                )
                changes.append(BookingChange(action="cancelled", interview=excluded_one))
    return changes
