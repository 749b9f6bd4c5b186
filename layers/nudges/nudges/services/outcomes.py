"""An application's outcome: an offer brings the connect nudge; any outcome ends the others."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from nudges.adapters.store import Application
from nudges.errors import NotFound
from nudges.observability import logger

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.store import NudgeStore
    from nudges.services.planning import NudgePlanner

Outcome = Literal["offer", "rejected", "withdrawn"]


class OutcomeService:
    def __init__(self, store: NudgeStore, planner: NudgePlanner) -> None:
        self._store = store
        self._planner = planner

    def record_for_interview(self, interview_id: str, outcome: Outcome, now: datetime) -> Application:
        found = self._store.get_interview(interview_id)
        if found is None:
            raise NotFound(f"no interview {interview_id}", field="interview_id")
        interview = found[0]
        application = Application(
            application_id=interview.application_id,
            candidate_email=interview.candidate_email,
            company=interview.company,
            outcome=outcome,
            interview_id=interview.interview_id,
        )
        if self._store.record_outcome(application, now):
            logger.info("outcome recorded", extra={"application_id": application.application_id, "outcome": outcome})
        # The rest is repeated on every delivery, so a retry finishes what a crash left.
        for sibling in self._store.interviews_for_email(interview.candidate_email):
            if sibling.application_id == application.application_id:
                self._planner.cancel_pending(sibling.interview_id, f"the application ended: {outcome}")
        if outcome == "offer":
            candidate = self._store.candidate_by_email(interview.candidate_email)
            if candidate is not None:
                self._planner.sync_connect(application, candidate, now)
        else:
            self._planner.cancel_pending(application.application_id, f"the application ended: {outcome}")
        return application
