"""Calendly webhook payloads (API v2 ``invitee.created`` / ``invitee.canceled``), as Calendly sends them.

The envelope is ``{"event", "created_at", "created_by", "payload"}``; ``payload`` is the Invitee
resource with the ``scheduled_event`` embedded. A reschedule is two deliveries: the old invitee
``invitee.canceled`` with ``rescheduled: true`` and ``new_invitee``, and the new invitee
``invitee.created`` with ``old_invitee``, in whichever order they arrive.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from typing import TYPE_CHECKING, Any

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

SOURCE = "calendly"


class CalendlyMembership(BaseModel):
    """A host of the scheduled event (the interviewer)."""

    model_config = ConfigDict(extra="ignore")

    user: str | None = None
    user_email: EmailStr
    user_name: str | None = None


class CalendlyScheduledEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    uri: str | None = None
    name: str | None = None
    start_time: AwareDatetime
    end_time: AwareDatetime
    event_memberships: list[CalendlyMembership] = Field(default=[], max_length=MAX_PEOPLE)

    @model_validator(mode="after")
    def _ends_after_start(self) -> CalendlyScheduledEvent:
        if self.end_time <= self.start_time:
            raise PydanticCustomError("end_before_start", "end_time must be after start_time")
        return self


class CalendlyInvitee(BaseModel):
    """The invitee (the candidate), with the event they booked."""

    model_config = ConfigDict(extra="ignore")

    uri: str = Field(min_length=1, max_length=MAX_REF)
    email: EmailStr
    name: str | None = None
    status: str | None = None
    rescheduled: bool = False
    old_invitee: str | None = Field(default=None, max_length=MAX_REF)
    new_invitee: str | None = Field(default=None, max_length=MAX_REF)
    updated_at: AwareDatetime | None = None
    scheduled_event: CalendlyScheduledEvent


class CalendlyWebhook(BaseModel):
    """The envelope; ``payload`` is read as an invitee only for the invitee events."""

    model_config = ConfigDict(extra="ignore")

    event: str = Field(min_length=1, max_length=200)
    created_at: AwareDatetime | None = None
    payload: dict[str, Any] = {}


INVITEE_EVENTS = ("invitee.created", "invitee.canceled")


def booking_change(webhook: CalendlyWebhook, received_at: datetime) -> BookingChange | None:
    """The booking change a Calendly webhook describes; None for events that are not bookings.

    The invitee is the candidate, the hosts are the interviewers (unless nudges.domain.people
    says they are contacts or machines), and the company is one the event's name names, else the
    first host's email domain that is not free mail. Each invitee URI is one booking: a reschedule
    links the new invitee to the interview the old one made.
    """
    if webhook.event not in INVITEE_EVENTS:
        return None
    invitee = parse(CalendlyInvitee, webhook.payload)
    event = invitee.scheduled_event
    check_instant(event.start_time, received_at, "scheduled_event.start_time")
    check_instant(event.end_time, received_at, "scheduled_event.end_time")
    for said, field in ((webhook.created_at, "created_at"), (invitee.updated_at, "updated_at")):
        if said is not None:
            check_instant(said, received_at, field)
    candidate_email = normalise_email(invitee.email)
    hosts = event.event_memberships
    who = cast(
        [Address(h.user_email, h.user_name or "", organizer=n == 0) for n, h in enumerate(hosts)],
        title=event.name,
        own_addresses=[candidate_email],
        own_names=[invitee.name or ""],
    )
    company = who.company
    interview = Interview(
        interview_id="",
        source=SOURCE,
        source_ref=invitee.uri,
        candidate_email=candidate_email,
        candidate_name=invitee.name or None,
        company=company,
        title=event.name or "Interview",
        start=event.start_time.astimezone(UTC),
        end=event.end_time.astimezone(UTC),
        interviewers=who.interviewers,
        contacts=who.contacts,
        recruiter=who.recruiter,
        updated_at=webhook.created_at or invitee.updated_at or received_at,
    )
    if webhook.event == "invitee.created":
        if invitee.old_invitee:
            return BookingChange(action="rescheduled", interview=interview, previous_ref=invitee.old_invitee)
        return BookingChange(action="booked", interview=interview)
    if invitee.rescheduled and invitee.new_invitee:
        # Not a cancellation: the booking moved to ``new_invitee``, whose own webhook tells where.
        moved = replace(interview, source_ref=invitee.new_invitee)
        return BookingChange(action="replaced", interview=moved, previous_ref=invitee.uri)
    return BookingChange(action="cancelled", interview=interview)
