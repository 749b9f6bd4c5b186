"""What a calendar said about a booking, in the same words whichever calendar said it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from nudges.domain.interview import Interview


@dataclass(frozen=True)
class BookingChange:
    """Provider-neutral: what happened, to which booking, as the provider described it."""

    action: Literal["booked", "rescheduled", "cancelled", "replaced"]
    interview: Interview  # as the provider describes it now; its interview_id is filled in by BookingService
    previous_ref: str | None = None  # the booking a reschedule replaces

    # "replaced": the provider says ``previous_ref`` gave way to ``interview.source_ref`` but tells
    # the new details in a change of their own (Calendly cancels the old invitee with
    # ``rescheduled: true``). The interview learns the new reference and is neither cancelled
    # nor moved; ``interview`` carries the old details, used only if nothing is known yet.
