"""Cal.com webhook payloads (booking triggers), as Cal.com documents and sends them."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, model_validator
from pydantic_core import PydanticCustomError

from nudges.domain.agencies import cast
from nudges.domain.booking import BookingChange
from nudges.domain.bounds import MAX_PEOPLE, MAX_REF, check_instant
from nudges.domain.interview import Interview, normalise_email
from nudges.domain.people import Address
from nudges.models.parsing import parse

if TYPE_CHECKING:
    from datetime import datetime


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

    @model_validator(mode="after")
    def _ends_after_start(self) -> CalcomBooking:
        if self.endTime <= self.startTime:
            raise PydanticCustomError("end_before_start", "endTime must be after startTime")
        return self


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


def booking_change(webhook: CalcomWebhook, received_at: datetime) -> BookingChange | None:
    """The booking change a Cal.com webhook describes; None for triggers that are not bookings.

    The attendee is the candidate; the organizer (and, for team events, the hosts) are the
    interviewers, unless nudges.domain.people says they are contacts or machines; the company is
    the team's name, else one the title names, else the hosts' email domain (not free mail).
    """
    action = BOOKING_TRIGGERS.get(webhook.triggerEvent)
    if action is None:
        return None
    booking = parse(CalcomBooking, webhook.payload)
    check_instant(booking.startTime, received_at, "startTime")
    check_instant(booking.endTime, received_at, "endTime")
    if webhook.createdAt is not None:
        check_instant(webhook.createdAt, received_at, "createdAt")
    candidate = booking.attendees[0]
    attendee_emails = {normalise_email(a.email) for a in booking.attendees}
    hosts = [booking.organizer, *(booking.team.members if booking.team else [])]
    # Cal.com writes "Nameless" for a host without a name.
    who = cast(
        [Address(h.email, "" if h.name == NAMELESS else h.name, organizer=h is booking.organizer) for h in hosts],
        title=booking.title,
        description=booking.description,
        named=booking.team.name if booking.team else None,
        own_addresses=attendee_emails,
        own_names=[a.name for a in booking.attendees],
    )
    company = who.company
    interview = Interview(
        interview_id="",
        source="calcom",
        source_ref=booking.uid,
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
    return BookingChange(action=action, interview=interview, previous_ref=previous)
