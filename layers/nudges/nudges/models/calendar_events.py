"""Calendar events from Google Calendar and Microsoft Graph, read as interviews (or not).

An event is an interview when the connected candidate attends it (and has not declined) but did
not organise it, and its title or description matches the interview pattern (a template
Parameter; by default the word "interview", any case). Anything else about a known interview
(cancelled, deleted, declined, renamed away from the pattern) stops it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from nudges.domain.agencies import cast
from nudges.domain.calendars import CalendarProviderName  # noqa: TC001 (pydantic reads it at runtime)
from nudges.domain.candidate import own_addresses
from nudges.domain.interview import Interview, all_day_span, is_interview_like
from nudges.domain.people import Address

if TYPE_CHECKING:
    from collections.abc import Iterable

    from nudges.domain.candidate import Candidate

DEFAULT_INTERVIEW_PATTERN = r"\binterview\b"


class CalendarConnect(BaseModel):
    """A calendar to watch, with the candidate's OAuth refresh token for it (offline access)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"provider": "google", "refresh_token": "1//0g-the-refresh-token", "calendar_id": "primary"}]
        },
    )

    provider: CalendarProviderName
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=4096)]
    calendar_id: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^/\s]+$")] = "primary"


def interview_pattern(text: str | None) -> re.Pattern[str]:
    return re.compile(text or DEFAULT_INTERVIEW_PATTERN, re.IGNORECASE)


@dataclass(frozen=True)
class EventReading:
    """What one provider event means here: an interview as it stands now, or not one (any more)."""

    ref: str  # the provider's event id
    interview: Interview | None  # None: not (or no longer) an interview
    updated_at: datetime | None


def _matches(pattern: re.Pattern[str], *texts: str | None) -> bool:
    return any(pattern.search(t) for t in texts if t)


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; one at the very edge of the calendar (9999-12-31T23:00-05:00) as the
    edge itself, which the booking's bounds then refuse and the sync skips."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.max if moment.year > 1 else datetime.min).replace(tzinfo=UTC)


def _parse_time(value: str) -> datetime:
    return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


# ---------------------------------------------------------------------- Google


class GooglePerson(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: str | None = None
    displayName: str | None = None
    self: bool = False
    organizer: bool = False
    resource: bool = False
    responseStatus: str | None = None


class GoogleTime(BaseModel):
    model_config = ConfigDict(extra="ignore")

    dateTime: str | None = None  # RFC 3339 with offset; all-day events have ``date`` instead
    date: str | None = None
    timeZone: str | None = None


class GoogleEvent(BaseModel):
    """An events resource, as events.list returns it (a cancelled one may carry only id and status)."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    status: str = "confirmed"
    summary: str | None = None
    description: str | None = None
    updated: str | None = None
    start: GoogleTime | None = None
    end: GoogleTime | None = None
    organizer: GooglePerson | None = None
    attendees: list[GooglePerson] = []


def _google_all_day(event: GoogleEvent, candidate: Candidate) -> tuple[datetime, datetime] | None:
    """An all-day event whose title names an interview, as one from 09:00 local (else None)."""
    if not (event.start and event.start.date and is_interview_like(event.summary)):
        return None
    first = date.fromisoformat(event.start.date)
    end = date.fromisoformat(event.end.date) if event.end and event.end.date else first + timedelta(days=1)
    return all_day_span(first, max(first, end - timedelta(days=1)), candidate.zone)


def read_google_event(
    data: dict[str, Any], candidate: Candidate, pattern: re.Pattern[str], own: Iterable[str] = ()
) -> EventReading:
    """One Google event as an interview (or not). ``own``: the candidate's addresses besides the
    registered ones (``nudges.domain.candidate.own_addresses``: aliases, connected accounts); the
    attendee Google marks ``self`` is the account's owner, the candidate, too."""
    event = GoogleEvent.model_validate(data)
    updated = _parse_time(event.updated) if event.updated else None
    me = next((a for a in event.attendees if a.self), None)
    organised_by_me = (event.organizer is not None and event.organizer.self) or (me is not None and me.organizer)
    timed = bool(event.start and event.start.dateTime and event.end and event.end.dateTime)
    span = None if timed else _google_all_day(event, candidate)
    if (
        event.status == "cancelled"
        or me is None
        or me.responseStatus == "declined"
        or organised_by_me
        or (not timed and span is None)
        or not _matches(pattern, event.summary, event.description)
    ):
        return EventReading(event.id, None, updated)
    if span is None:
        assert event.start and event.end and event.start.dateTime and event.end.dateTime
        span = (_parse_time(event.start.dateTime), _parse_time(event.end.dateTime))
    # Google lists an attending organizer among the attendees (organizer: true): one left out
    # of them is a coordinator, a contact (nudges.domain.people.attends).
    addresses = [
        Address(
            person.email,
            person.displayName or "",
            resource=person.resource,
            declined=person.responseStatus == "declined",
            organizer=person is event.organizer,
        )
        for person in [event.organizer, *event.attendees]
        if person is not None and person.email and not person.self
    ]
    who = cast(
        addresses,
        title=event.summary,
        description=event.description,
        own_addresses=own_addresses(candidate, connected=own),
        own_names=[candidate.name or ""],
        organizer_listed=True,
    )
    interview = Interview(
        interview_id="",
        source="google",
        source_ref=event.id,
        candidate_email=candidate.email,
        candidate_name=candidate.name,
        company=who.company,
        title=event.summary or "Interview",
        start=span[0],
        end=span[1],
        interviewers=who.interviewers,
        contacts=who.contacts,
        recruiter=who.recruiter,
        updated_at=updated,
    )
    return EventReading(event.id, interview, updated)


# ---------------------------------------------------------------------- Microsoft Graph


class MicrosoftAddress(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    address: str | None = None


class MicrosoftRecipient(BaseModel):
    model_config = ConfigDict(extra="ignore")

    emailAddress: MicrosoftAddress = MicrosoftAddress()


class MicrosoftResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    response: str | None = None  # none, organizer, tentativelyAccepted, accepted, declined, notResponded


class MicrosoftAttendee(MicrosoftRecipient):
    type: str | None = None  # required, optional, resource
    status: MicrosoftResponse = MicrosoftResponse()


class MicrosoftTime(BaseModel):
    model_config = ConfigDict(extra="ignore")

    dateTime: str  # local to timeZone, 7 fractional digits
    timeZone: str = "UTC"


class MicrosoftBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    contentType: str | None = None
    content: str | None = None


class MicrosoftEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    subject: str | None = None
    bodyPreview: str | None = None
    body: MicrosoftBody | None = None
    start: MicrosoftTime | None = None
    end: MicrosoftTime | None = None
    isAllDay: bool = False
    isCancelled: bool = False
    isOrganizer: bool = False
    type: str | None = None  # singleInstance, occurrence, exception, seriesMaster
    responseStatus: MicrosoftResponse = MicrosoftResponse()
    organizer: MicrosoftRecipient | None = None
    attendees: list[MicrosoftAttendee] = []
    lastModifiedDateTime: str | None = None


def _microsoft_time(value: MicrosoftTime) -> datetime:
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.dateTime)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        try:
            zone = UTC if value.timeZone.upper() in ("UTC", "ETC/UTC") else ZoneInfo(value.timeZone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value.timeZone!r}") from exc
        moment = moment.replace(tzinfo=zone)
    return _utc(moment)


def read_microsoft_event(
    data: dict[str, Any],
    candidate: Candidate,
    account_email: str | None,
    pattern: re.Pattern[str],
    own: Iterable[str] = (),
) -> EventReading:
    """One Graph event as an interview (or not); ``own`` as for ``read_google_event``, and the
    connected account's own address (``account_email``) is the candidate's."""
    event = MicrosoftEvent.model_validate(data)
    updated = _parse_time(event.lastModifiedDateTime) if event.lastModifiedDateTime else None
    mine = own_addresses(candidate, connected=[account_email, *own])
    if (
        event.isCancelled
        or event.isOrganizer
        or (event.isAllDay and not is_interview_like(event.subject))
        or event.type == "seriesMaster"
        or event.responseStatus.response in ("declined", "organizer")
        or event.start is None
        or event.end is None
        or not _matches(pattern, event.subject, event.bodyPreview, event.body.content if event.body else None)
    ):
        return EventReading(event.id, None, updated)
    organizer = event.organizer.emailAddress if event.organizer else None
    listed = [(organizer, None), *((a.emailAddress, a) for a in event.attendees)]
    # Graph leaves an attending organizer out of the attendees: the organizer counts.
    addresses = [
        Address(
            address.address,
            address.name or "",
            resource=attendee is not None and attendee.type == "resource",
            declined=attendee is not None and attendee.status.response == "declined",
            organizer=attendee is None,
        )
        for address, attendee in listed
        if address is not None and address.address
    ]
    who = cast(
        addresses,
        title=event.subject,
        description=event.body.content if event.body and event.body.contentType == "text" else event.bodyPreview,
        own_addresses=mine,
        own_names=[candidate.name or ""],
    )
    if event.isAllDay:
        # Graph gives an all-day event as midnight to midnight in its zone: the days it covers.
        first = datetime.fromisoformat(event.start.dateTime[:10]).date()
        last = datetime.fromisoformat(event.end.dateTime[:10]).date() - timedelta(days=1)
        start, end = all_day_span(first, max(first, last), candidate.zone)
    else:
        start, end = _microsoft_time(event.start), _microsoft_time(event.end)
    interview = Interview(
        interview_id="",
        source="microsoft",
        source_ref=event.id,
        candidate_email=candidate.email,
        candidate_name=candidate.name,
        company=who.company,
        title=event.subject or "Interview",
        start=start,
        end=end,
        interviewers=who.interviewers,
        contacts=who.contacts,
        recruiter=who.recruiter,
        updated_at=updated,
    )
    return EventReading(event.id, interview, updated)


# ---------------------------------------------------------------------- Graph notifications


class MicrosoftResourceData(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str | None = None


class MicrosoftNotification(BaseModel):
    """One item of a change or lifecycle notification collection."""

    model_config = ConfigDict(extra="ignore")

    subscriptionId: str = Field(min_length=1)
    clientState: str | None = None
    changeType: str | None = None
    lifecycleEvent: Literal["reauthorizationRequired", "subscriptionRemoved", "missed"] | None = None
    resource: str | None = None
    resourceData: MicrosoftResourceData | None = None
    subscriptionExpirationDateTime: str | None = None
    tenantId: str | None = None


class MicrosoftNotifications(BaseModel):
    model_config = ConfigDict(extra="ignore")

    value: Annotated[list[MicrosoftNotification], Field(min_length=1)]
