"""A calendar said something about an interview: record it and bring its nudges in line."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from nudges.domain.booking import BookingChange
from nudges.domain.bounds import MAX_REF, bounded_interview, check_identity
from nudges.domain.interview import interview_id_for, normalise_email
from nudges.errors import ConcurrentUpdate
from nudges.observability import logger

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview, InterviewStatus
    from nudges.services.planning import NudgePlanner
    from nudges.services.ports import Candidates, Interviews, Retention

ATTEMPTS = 5


class BookingService:
    def __init__(
        self, interviews: Interviews, candidates: Candidates, retention: Retention, planner: NudgePlanner
    ) -> None:
        self._interviews = interviews
        self._candidates = candidates
        self._retention = retention
        self._planner = planner

    def receive(self, change: BookingChange | None, now: datetime, *, ignored: dict[str, str]) -> Interview | None:
        """A calendar webhook's booking change applied; None for a delivery that carries no
        booking (another trigger, described by ``ignored``), which the provider need not retry."""
        if change is None:
            logger.info("webhook event ignored", extra=ignored)
            return None
        return self.apply(change, now)

    def apply(self, change: BookingChange, now: datetime) -> Interview:
        # Every source's model checked its own fields; this holds whatever it missed, before any write.
        change = replace(change, interview=bounded_interview(change.interview, now))
        if change.previous_ref:
            check_identity(change.previous_ref, MAX_REF, "previous_ref")
        interview = self._apply_retrying(change, now)
        told = change.interview
        own_id = interview_id_for(told.source, told.source_ref)
        moved_here = change.action == "rescheduled" and own_id != interview.interview_id
        kept_apart = change.action == "cancelled" and own_id == interview.interview_id
        if moved_here or kept_apart:
            # A cancel of a reschedule's new booking that overtook the reschedule (or raced it)
            # was kept under the new booking's own id: it belongs to the moved interview.
            interview = self._fold_early_cancel(own_id, now) or interview
        return interview

    def _fold_early_cancel(self, own_id: str, now: datetime) -> Interview | None:
        """Apply a cancel kept under a booking's own id to the interview its reference now
        names, and forget the stand-in. Each side (the cancel, the reschedule) writes first and
        looks for the other after, so at least one of two racing deliveries finds the other."""
        found = self._interviews.get(own_id)
        if found is None or found[0].status != "cancelled":
            return None
        early = found[0]
        target = self._interviews.for_source(early.source, early.source_ref)
        if target is None or target == own_id:
            return None
        interview = self._apply_retrying(BookingChange("cancelled", early), now)
        self._interviews.forget(own_id)
        logger.info("early cancel applied to its interview", extra={"interview_id": interview.interview_id})
        return interview

    def _apply_retrying(self, change: BookingChange, now: datetime) -> Interview:
        for _ in range(ATTEMPTS):
            try:
                return self._apply_once(change, now)
            except ConcurrentUpdate:
                continue  # two webhooks for one interview at once: read again, redo
        raise ConcurrentUpdate(change.interview.source_ref)

    def _apply_once(self, change: BookingChange, now: datetime) -> Interview:
        """Read once: the reference's link, the interview, the candidate and the round's nudges
        (one BatchGetItem), the candidate's other interviews (a Query) and what the retention
        extension keeps. Decide purely: the interview after the change (``_merge``) and its
        nudges (``nudge_steps.decide_booking``). Write once: the interview (or a check that it is
        still the version read), its plans and withdrawals, the extension and a new reference's
        link in one transaction, refused whole (ConcurrentUpdate: read again) when another change
        wrote the interview meanwhile. Then schedule. The interview as it now stands."""
        told = change.interview
        ref = change.previous_ref or told.source_ref
        named = replace(told, interview_id=interview_id_for(told.source, ref))
        seen = self._interviews.lookup(told.source, ref, told.candidate_email, named.application_id)
        interview_id = seen.linked_id or seen.own_id
        found = seen.own if interview_id == seen.own_id else self._interviews.get(interview_id)
        existing, version = found if found else (None, None)
        updated = self._merge(existing, change, interview_id)
        if existing is not None and _moved_between_own_addresses(existing, updated, seen.candidate):
            # The candidate changed their email since this interview was filed: news about it
            # naming their new address (or the old) leaves it where it is, in its application.
            updated = replace(updated, candidate_email=existing.candidate_email)
            candidate = seen.candidate
        elif normalise_email(updated.candidate_email) == normalise_email(told.candidate_email):
            candidate = seen.candidate
        else:  # the interview as known names another address than this change does
            candidate = self._candidates.by_email(updated.candidate_email)
        changed = updated != existing
        # The candidate's own items live at least as long as this interview's: written with it.
        keep = self._retention.pending(updated.candidate_email, updated.end, candidate=candidate) if changed else None
        steps = self._planner.decide(self._planner.booking_view(updated, candidate, seen.round), now)
        # Later news about the new booking must find this same interview.
        link = (told.source, told.source_ref) if change.previous_ref else None
        withdrawn = self._interviews.save(updated, version, keep, changed=changed, steps=steps, link=link)
        if changed:
            logger.info(
                "interview recorded",
                extra={"interview_id": interview_id, "action": change.action, "status": updated.status},
            )
        self._planner.carried_out(steps, withdrawn, now)
        return updated

    @staticmethod
    def _older(told: Interview, existing: Interview) -> bool:
        """Whether ``told`` is older news than ``existing``: the provider's revision number
        decides where both have one (a lower iCalendar SEQUENCE), else the time it was said."""
        told_v, known_v = told.provider_version, existing.provider_version
        if told_v is not None and known_v is not None and told_v != known_v:
            return told_v < known_v
        return bool(existing.updated_at and told.updated_at and told.updated_at < existing.updated_at)

    @staticmethod
    def _merge(existing: Interview | None, change: BookingChange, interview_id: str) -> Interview:
        """The interview after this change; ``existing`` unchanged when the change is old news."""
        told = change.interview
        known_refs = existing.source_refs if existing else ()
        refs = tuple(dict.fromkeys([*known_refs, *filter(None, [change.previous_ref, told.source_ref])]))
        status: InterviewStatus = "cancelled" if change.action == "cancelled" else "scheduled"
        updated = replace(told, interview_id=interview_id, status=status, source_refs=refs)
        if change.action == "replaced":
            if existing is None:
                # Undated, so the details of the new booking win whenever they arrive.
                return replace(updated, updated_at=None, provider_version=None)
            if existing.status == "cancelled":
                return existing
            return replace(existing, source_ref=told.source_ref, source_refs=refs)
        if existing is None:
            return updated
        if existing.status == "cancelled":
            return existing  # a cancelled booking stays cancelled; a new time is a new booking
        if BookingService._older(told, existing):
            logger.info("stale booking change ignored", extra={"interview_id": interview_id})
            return existing
        if change.action == "cancelled" and told.source_ref != existing.source_ref:
            return existing  # the booking a reschedule replaced, not the interview itself
        return updated


def _moved_between_own_addresses(existing: Interview, updated: Interview, candidate: Candidate | None) -> bool:
    """Whether ``updated`` names another address than ``existing`` of the same candidate."""
    before, after = normalise_email(existing.candidate_email), normalise_email(updated.candidate_email)
    if candidate is None or before == after:
        return False
    own = {normalise_email(a) for a in candidate.addresses}
    return before in own and after in own
