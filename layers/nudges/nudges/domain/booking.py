"""What a calendar said about a booking, in the same words whichever calendar said it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from nudges.domain.interview import Interview, Person


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


_WHEN = ("start", "end", "updated_at")


def change_to_dict(change: BookingChange) -> dict[str, Any]:
    """``change`` as JSON-ready data (a part of a big invite file on the work queue)."""
    interview = change.interview
    data: dict[str, Any] = {
        name: getattr(interview, name)
        for name in (
            "source",
            "source_ref",
            "candidate_email",
            "candidate_name",
            "company",
            "title",
            "provider_version",
        )
    }
    data.update({name: getattr(interview, name).isoformat() for name in _WHEN if getattr(interview, name)})
    data["interviewers"] = [[p.name, p.email] for p in interview.interviewers]
    data["contacts"] = [[p.name, p.email] for p in interview.contacts]
    return {"action": change.action, "previous_ref": change.previous_ref, "interview": data}


def change_from_dict(data: dict[str, Any]) -> BookingChange:
    told = dict(data["interview"])
    when = {name: datetime.fromisoformat(told.pop(name)) if told.get(name) else None for name in _WHEN}
    interview = Interview(
        interview_id="",
        **{k: v for k, v in told.items() if k not in ("interviewers", "contacts")},
        start=when["start"],  # type: ignore[arg-type]
        end=when["end"],  # type: ignore[arg-type]
        updated_at=when["updated_at"],
        interviewers=tuple(Person(name, email) for name, email in told["interviewers"]),
        contacts=tuple(Person(name, email) for name, email in told["contacts"]),
    )
    return BookingChange(action=data["action"], interview=interview, previous_ref=data.get("previous_ref"))
