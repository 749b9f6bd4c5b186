"""Interviews the candidate (or an adviser, or the operator's API) adds by hand: a phone call
arranged by email, an invite without a calendar file, a calendar that is not connected.

Each goes through the same ``BookingService`` as a calendar's booking (source ``hand``), so it
gets an application, rounds and every nudge; editing it is a change of that booking (its nudges
move), cancelling it cancels them. A calendar's or provider's booking is theirs to change: it
answers ``Conflict`` here.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from nudges.domain.booking import BookingChange
from nudges.domain.interview import Interview, Person, normalise_email
from nudges.errors import Conflict, NotFound
from nudges.observability import logger

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.models.api import NewInterview
    from nudges.services.bookings import BookingService
    from nudges.services.ports import Interviews

SOURCE = "hand"


def _interview(candidate: Candidate, new: NewInterview, source_ref: str, now: datetime) -> Interview:
    start = new.start.astimezone(new.start.tzinfo)
    return Interview(
        interview_id="",
        source=SOURCE,
        source_ref=source_ref,
        candidate_email=candidate.email,
        candidate_name=candidate.name,
        company=new.company,
        title=new.role or new.company,
        start=start,
        end=start + timedelta(minutes=new.duration_minutes),
        interviewers=tuple(Person(p.name or "", normalise_email(p.email or "")) for p in new.interviewers),
        location=new.location,
        updated_at=now,
    )


class HandInterviews:
    def __init__(self, bookings: BookingService, interviews: Interviews) -> None:
        self._bookings = bookings
        self._interviews = interviews

    def add(self, candidate: Candidate, new: NewInterview, now: datetime) -> Interview:
        interview = _interview(candidate, new, secrets.token_hex(12), now)
        booked = self._bookings.apply(BookingChange("booked", interview), now)
        logger.info("interview added by hand", extra={"interview_id": booked.interview_id})
        return booked

    def owned(self, candidate: Candidate, interview_id: str) -> Interview:
        """The candidate's interview (any source); NotFound for another's or none."""
        found = self._interviews.get(interview_id)
        if found is None or normalise_email(found[0].candidate_email) not in candidate.addresses:
            raise NotFound(f"no interview {interview_id} for this candidate", field="interview_id")
        return found[0]

    def _editable(self, candidate: Candidate, interview_id: str) -> Interview:
        interview = self.owned(candidate, interview_id)
        if interview.source != SOURCE:
            raise Conflict(
                f"interview_id: this interview came from {interview.source}; it changes there, not here",
                field="interview_id",
            )
        return interview

    def edit(self, candidate: Candidate, interview_id: str, new: NewInterview, now: datetime) -> Interview:
        current = self._editable(candidate, interview_id)
        if current.status == "cancelled":
            raise Conflict("interview_id: this interview is cancelled; add a new one instead", field="interview_id")
        changed = _interview(candidate, new, current.source_ref, now)
        changed = replace(changed, source_refs=current.source_refs)
        moved = self._bookings.apply(BookingChange("booked", changed), now)
        logger.info("interview changed by hand", extra={"interview_id": interview_id})
        return moved

    def cancel(self, candidate: Candidate, interview_id: str, now: datetime) -> Interview:
        current = self._editable(candidate, interview_id)
        if current.status == "cancelled":
            return current  # cancelling twice is cancelling once
        cancelled = self._bookings.apply(BookingChange("cancelled", replace(current, updated_at=now)), now)
        logger.info("interview cancelled by hand", extra={"interview_id": interview_id})
        return cancelled
