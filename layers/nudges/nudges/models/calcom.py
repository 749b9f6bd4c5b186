"""Cal.com webhook payloads (booking triggers), as Cal.com documents and sends them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from nudges.domain.agencies import cast
from nudges.domain.booking import BookingChange
from nudges.domain.bounds import MAX_PEOPLE, MAX_REF, check_instant
from nudges.domain.interview import Interview, normalise_email
from nudges.domain.people import Address
from nudges.models.parsing import parse


class CalcomPerson(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = ""
    email: EmailStr
    timeZone: str | None = None


class CalcomTeam(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    members: list[CalcomPerson] = Field(default=[], max_length=MAX_PEOPLE)


class CalcomBooking(BaseModel):
    model_config = ConfigDict(extra="ignore")

    uid: str = Field(min_length=1, max_length=MAX_REF)
    title: str = "Interview"
    startTime: AwareDatetime
    endTime: AwareDatetime
    organizer: CalcomPerson
    attendees: list[CalcomPerson] = Field(min_length=1, max_length=MAX_PEOPLE)
    team: CalcomTeam | None = None
    rescheduleUid: str | None = Field(default=None, max_length=MAX_REF)
    description: str | None = Field(default=None, max_length=20_000)
    status: str | None = None
    # Seated events (several candidates in one slot): the event type's seats, and this seat's
    # reference (Cal.com's ``attendeeSeatId``, a booking seat's ``referenceUid``).
    seatsPerTimeSlot: int | None = Field(default=None, ge=0, le=1_000_000)
    attendeeSeatId: str | None = Field(default=None, max_length=MAX_REF)

    @property
    def seated(self) -> bool:
        return bool(self.seatsPerTimeSlot) or bool(self.attendeeSeatId)

    @field_validator("endTime")
    @classmethod
    def _ends_after_start(cls, end_time: datetime, info: ValidationInfo) -> datetime:
        # A field's own check, so the 400 names ``endTime`` (a model check names no field).
        start = info.data.get("startTime")
        if start is not None and end_time <= start:
            raise PydanticCustomError("end_before_start", "endTime must be after startTime")
        return end_time


class CalcomWebhook(BaseModel):
    """The envelope; ``payload`` is read as a booking only for the booking triggers."""

    model_config = ConfigDict(extra="ignore")

    triggerEvent: str = Field(min_length=1, max_length=200)
    createdAt: AwareDatetime | None = None
    payload: dict[str, Any] = {}


NAMELESS = "Nameless"

BOOKING_TRIGGERS: dict[str, Literal["booked", "rescheduled", "cancelled"]] = {
    "BOOKING_CREATED": "booked",
    "BOOKING_RESCHEDULED": "rescheduled",
    "BOOKING_CANCELLED": "cancelled",
}


SEAT = "/seat/"


def seat_ref(booking_uid: str, attendee_email: str) -> str:
    """A seat's own reference: the booking and the seat's attendee. (Cal.com's seat reference,
    ``attendeeSeatId``, comes with a seat's booking but not with its cancellation, which names
    the booking and lists only that seat's attendee: the pair is what every trigger carries.)"""
    return f"{booking_uid}{SEAT}{normalise_email(attendee_email)}"


def booking_change(webhook: CalcomWebhook, received_at: datetime) -> BookingChange | None:
    """The first (for a booking without seats, the only) change of ``booking_changes``."""
    changes = booking_changes(webhook, received_at)
    return changes[0] if changes else None


def booking_changes(webhook: CalcomWebhook, received_at: datetime) -> list[BookingChange]:
    """The booking changes a Cal.com webhook describes; none for triggers that are not bookings.

    The attendee is the candidate; the organizer (and, for team events, the hosts) are the
    interviewers, unless nudges.domain.people says they are contacts or machines; the company is
    the team's name, else one the title names, else the hosts' email domain (not free mail).

    A seated event (``seatsPerTimeSlot``, ``attendeeSeatId``) gives each seat its own interview,
    one change per attendee listed (reference ``seat_ref``): a seat's booking lists its
    attendee, a seat's cancellation lists only the attendee who left, a whole booking's
    cancellation or move lists every seat. A booking without seats is one interview, for its
    first attendee, as before.
    """
    action = BOOKING_TRIGGERS.get(webhook.triggerEvent)
    if action is None:
        return []
    booking = parse(CalcomBooking, webhook.payload)
    check_instant(booking.startTime, received_at, "startTime")
    check_instant(booking.endTime, received_at, "endTime")
    if webhook.createdAt is not None:
        check_instant(webhook.createdAt, received_at, "createdAt")
    seats = list({normalise_email(a.email): a for a in booking.attendees}.values()) if booking.seated else None
    candidates = seats or booking.attendees[:1]
    # Attendance (issue 21, step 4): Cal.com's organizer is the host whose calendar holds the
    # booking, always one who takes part; ``team.members`` are the *other* hosts assigned (Cal.com
    # leaves the organizer out of them by design), ``attendees`` the booker and their guests. So
    # no list ever names an attending organizer, and one absent from them still counts, as in
    # Exchange and Graph (``organizer_listed`` stays False). A host the booker also listed as a
    # guest is still a host: the candidate is the booking's (or each seat's) attendee alone.
    hosts = [booking.organizer, *(booking.team.members if booking.team else [])]
    # Cal.com writes "Nameless" for a host without a name.
    who = cast(
        [Address(h.email, "" if h.name == NAMELESS else h.name, organizer=h is booking.organizer) for h in hosts],
        title=booking.title,
        description=booking.description,
        named=booking.team.name if booking.team else None,
        own_addresses=[normalise_email(a.email) for a in candidates],
        own_names=[a.name for a in candidates],
    )
    company = who.company
    changes = []
    for candidate in candidates:
        interview = Interview(
            interview_id="",
            source="calcom",
            source_ref=seat_ref(booking.uid, candidate.email) if seats else booking.uid,
            candidate_email=normalise_email(candidate.email),
            candidate_name=candidate.name or None,
            company=company,
            title=booking.title,
            start=booking.startTime.astimezone(UTC),
            end=booking.endTime.astimezone(UTC),
            interviewers=who.interviewers,
            contacts=who.contacts,
            recruiter=who.recruiter,
            updated_at=webhook.createdAt or received_at,
        )
        previous = booking.rescheduleUid if action == "rescheduled" else None
        if previous and seats:
            previous = seat_ref(previous, candidate.email)
        changes.append(BookingChange(action=action, interview=interview, previous_ref=previous))
    return changes
