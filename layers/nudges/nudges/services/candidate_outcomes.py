"""The candidate says how it went (the outcome page, signed for one candidate and one
application): offer -> the connect nudge naming everyone met; not this time -> the rejection
reply; withdrew -> nothing more; still waiting -> nothing changes. Recorded as the operator's
outcome is (``OutcomeService``), with source ``candidate``. An outcome the operator or an ATS
recorded stands over the candidate's (and theirs, arriving later, over it); the same answer
posted twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from nudges.domain.company_names import company_display
from nudges.errors import NotFound
from nudges.observability import logger
from nudges.services.addresses import interviews_of

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.services.outcomes import Outcome, OutcomeService
    from nudges.services.ports import Applications, Interviews


@dataclass(frozen=True)
class About:
    application_id: str
    company: str  # as the candidate reads it
    outcome: str | None
    source: str | None  # who recorded ``outcome``: "candidate", else the operator or an ATS


@dataclass(frozen=True)
class Told:
    changed: bool
    standing: str | None = None  # an operator's or ATS's outcome that stands over the candidate's


class CandidateOutcomes:
    def __init__(self, interviews: Interviews, applications: Applications, outcomes: OutcomeService) -> None:
        self._interviews = interviews
        self._applications = applications
        self._outcomes = outcomes

    def _rounds(self, candidate: Candidate, application_id: str) -> list[Interview]:
        return [i for i in interviews_of(self._interviews, candidate) if i.application_id == application_id]

    def about(self, candidate: Candidate, application_id: str) -> About:
        rounds = self._rounds(candidate, application_id)
        if not rounds:
            raise NotFound("no interview of this application is known (any more)", field="token")
        application = self._applications.get(application_id)
        company = company_display(min(rounds, key=lambda i: i.start).company) or rounds[0].title
        return About(
            application_id,
            company,
            application.outcome if application else None,
            (application.outcome_source or "operator") if application and application.outcome else None,
        )

    def report(self, candidate: Candidate, application_id: str, choice: str, now: datetime) -> Told:
        about = self.about(candidate, application_id)
        if about.outcome and about.source != "candidate":
            return Told(False, standing=about.outcome)
        if choice == "waiting":
            return Told(False)
        if about.outcome == choice:
            return Told(False)  # posted twice: nothing changes
        # Recorded under the address the application is filed under (one of the candidate's).
        filed_under = self._rounds(candidate, application_id)[0].candidate_email
        self._outcomes.record_by_candidate(application_id, filed_under, cast("Outcome", choice), now)
        logger.info("outcome told by the candidate", extra={"application_id": application_id, "outcome": choice})
        return Told(True)
