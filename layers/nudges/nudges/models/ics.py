"""Calendar invites (iCalendar, RFC 5545/5546) as Outlook, Google and others send them, and the
mail they arrive in.

Import this module only where invites are read: it brings in the icalendar library.
``METHOD:REQUEST`` (or ``PUBLISH``, or none: a saved .ics) books or updates the event by its
``UID``; ``METHOD:CANCEL`` or ``STATUS:CANCELLED`` cancels it; ``SEQUENCE`` is the organizer's
revision number, stored as the interview's provider version so an older revision changes nothing.
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import icalendar

from nudges.domain.booking import BookingChange
from nudges.domain.interview import UNKNOWN_COMPANY, Interview, Person, company_from_email, normalise_email
from nudges.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Callable

    from nudges.domain.candidate import Candidate

SOURCE = "ics"
BOOKING_METHODS = {"REQUEST", "PUBLISH", "ADD"}
# Rooms and equipment are invited too; nobody to research or thank there.
NOT_PEOPLE = {"ROOM", "RESOURCE"}
_LINE_END = re.compile(rb"\r*\n|\r+(?!\n)")
DEFAULT_LENGTH = timedelta(hours=1)
CALENDAR_TYPES = {"text/calendar", "application/ics", "application/x-ics"}


def parse_calendar(data: bytes) -> icalendar.Calendar:
    """The calendar in ``data`` (CRLF or LF line ends, folded lines); 400 if it is none."""
    # Mail relays leave LF, CRLF, or a doubled CR: one line end, whatever they did.
    data = _LINE_END.sub(b"\r\n", data)
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise InvalidInput(f"the body is not an iCalendar object: {exc}") from exc
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise InvalidInput("the body is not a VCALENDAR")
    return calendar


def _address(value: Any) -> str | None:
    """``mailto:Jane@X.com`` -> ``jane@x.com``; None for anything that is not a mail address."""
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = normalise_email(text)
    return text if "@" in text else None


def _name(value: Any) -> str:
    cn = str(getattr(value, "params", {}).get("CN", "")).strip().strip('"')
    return "" if "@" in cn else cn  # Google writes the address as the name when it has none


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _instant(value: Any, zone: Any) -> datetime | None:
    """An aware UTC instant; floating times are read in the candidate's zone; all-day is None."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return None
    return None


def _decoded(event: icalendar.cal.Component, name: str) -> Any:
    try:
        return event.decoded(name) if name in event else None
    except (ValueError, KeyError) as exc:
        raise InvalidInput(f"{name}: {exc}", field=name) from exc


def invite_changes(
    data: bytes,
    candidate: Candidate,
    received_at: datetime,
    *,
    is_candidate_address: Callable[[str], bool] = lambda _address: False,
) -> list[BookingChange]:
    """What an invite sent to ``candidate``'s inbox says, one change per event in it.

    The candidate is known from the inbox; the organizer and the other attendees (not the
    candidate, not rooms or resources) are the interviewers; the company is the organizer's
    domain unless it is free mail (then the first interviewer's that is not).
    """
    calendar = parse_calendar(data)
    method = str(calendar.get("METHOD", "PUBLISH")).strip().upper()
    if method not in BOOKING_METHODS and method != "CANCEL":
        return []  # REPLY, COUNTER, REFRESH...: answers about an event, not the event
    changes = []
    own = {normalise_email(candidate.email)}
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID", "")).strip()
        if not uid:
            raise InvalidInput("a VEVENT has no UID", field="UID")
        cancelled = method == "CANCEL" or str(event.get("STATUS", "")).upper() == "CANCELLED"
        start = _instant(_decoded(event, "DTSTART"), candidate.zone)
        if start is None and not cancelled:
            continue  # an all-day (or dateless) event is not an interview
        end = _instant(_decoded(event, "DTEND"), candidate.zone)
        duration = _decoded(event, "DURATION")
        if start is None:
            start = received_at
        if end is None or end <= start:
            end = start + (duration if isinstance(duration, timedelta) and duration > timedelta(0) else DEFAULT_LENGTH)

        people: dict[str, Person] = {}
        organizer = event.get("ORGANIZER")
        organizer_email = _address(organizer) if organizer is not None else None
        if organizer_email:
            people[organizer_email] = Person(_name(organizer), organizer_email)
        for attendee in _as_list(event.get("ATTENDEE")):
            address = _address(attendee)
            cutype = str(getattr(attendee, "params", {}).get("CUTYPE", "INDIVIDUAL")).upper()
            if address and cutype not in NOT_PEOPLE:
                people.setdefault(address, Person(_name(attendee), address))
        # The candidate may be invited at another address than the one registered; their name tells.
        own_name = (candidate.name or "").strip().lower()
        interviewers = {
            e: p
            for e, p in people.items()
            if e not in own
            and not is_candidate_address(e)
            and not (own_name and p.name.lower() == own_name and e != organizer_email)
        }
        company = company_from_email(organizer_email or "") or next(
            (c for c in (company_from_email(e) for e in interviewers) if c), UNKNOWN_COMPANY
        )
        stamp = _decoded(event, "DTSTAMP") or _decoded(event, "LAST-MODIFIED")
        recurrence = _decoded(event, "RECURRENCE-ID")
        ref = f"{candidate.candidate_id}/{uid}"
        if isinstance(recurrence, (datetime, date)):
            ref += f"/{recurrence.isoformat()}"
        interview = Interview(
            interview_id="",
            source=SOURCE,
            source_ref=ref,
            candidate_email=normalise_email(candidate.email),
            candidate_name=candidate.name,
            company=company,
            title=str(event.get("SUMMARY", "")).strip() or "Interview",
            start=start,
            end=end,
            interviewers=tuple(interviewers.values()),
            updated_at=_instant(stamp, UTC) if stamp is not None else received_at,
            provider_version=int(event.get("SEQUENCE", 0) or 0),
        )
        changes.append(BookingChange(action="cancelled" if cancelled else "booked", interview=interview))
    return changes


def calendars_in_mail(raw: bytes) -> list[bytes]:
    """Every calendar in a MIME message: ``text/calendar`` parts (Outlook, Google), .ics
    attachments, and those of messages forwarded as attachments. The same calendar sent twice
    (Google sends it inline and attached) is returned once."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    found: list[bytes] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = (part.get_filename() or "").lower()
        if part.get_content_type() not in CALENDAR_TYPES and not filename.endswith(".ics"):
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and payload and payload.strip() not in (p.strip() for p in found):
            found.append(payload)
    return found
