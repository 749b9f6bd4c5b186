"""What an adviser does to a candidate from the console, each through the operator API's own
service (``OutcomeService.record_for_interview``, ``ConsentRequestService.ask``,
``CandidateService.delete``), and each written to the audit log with who did it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges.adapters.audit_log import AuditEntry
from nudges.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.audit_log import AuditLog
    from nudges.domain.advisers import Adviser
    from nudges.services.candidates import CandidateService
    from nudges.services.consent_requests import ConsentRequestService
    from nudges.services.outcomes import OutcomeService

OUTCOMES = ("offer", "rejected", "withdrawn")
ERASE_WORD = "ERASE"  # typed into the erase form to confirm


class AdviserActions:
    def __init__(
        self,
        candidates: CandidateService,
        outcomes: OutcomeService,
        consent_requests: ConsentRequestService,
        audit: AuditLog,
    ) -> None:
        self._candidates = candidates
        self._outcomes = outcomes
        self._consent = consent_requests
        self._audit = audit

    def _record(self, adviser: Adviser, action: str, now: datetime, **what: str) -> None:
        self._audit.write(AuditEntry(now, adviser.sub, adviser.email, action, **what))

    def record_outcome(
        self, adviser: Adviser, candidate_id: str, interview_id: str, outcome: str, now: datetime
    ) -> str:
        if outcome not in OUTCOMES:
            raise InvalidInput("outcome: choose offer, rejected or withdrawn", field="outcome")
        candidate = self._candidates.get(candidate_id)
        owned = {i["interview_id"] for i in self._candidates.timeline(candidate_id, now)}
        if interview_id not in owned:
            raise NotFound(f"no interview {interview_id} for this candidate", field="interview_id")
        application = self._outcomes.record_for_interview(interview_id, outcome, now)  # type: ignore[arg-type]
        self._record(
            adviser,
            "outcome",
            now,
            candidate_id=candidate_id,
            interview_id=interview_id,
            detail=f"{outcome} (application {application.application_id})",
            subject=candidate.email,
        )
        return outcome

    def resend_consent(self, adviser: Adviser, candidate_id: str, now: datetime) -> bool:
        candidate = self._candidates.get(candidate_id)
        sent = self._consent.ask(candidate, now, again=True)
        self._record(
            adviser,
            "consent_request",
            now,
            candidate_id=candidate_id,
            detail="sent" if sent else "not sent (no number, consent on record or texts refused)",
            subject=candidate.email,
        )
        return sent

    def erase(self, adviser: Adviser, candidate_id: str, confirmation: str, now: datetime) -> None:
        self._candidates.get(candidate_id)  # NotFound for an unknown (or erased) candidate
        if confirmation.strip() != ERASE_WORD:
            raise InvalidInput(f"confirm: type {ERASE_WORD} to erase this candidate", field="confirm")
        # The erasure removes the candidate's email from the earlier entries (``Retention.erase``,
        # for every erasure: API, command line and console); this one never names it.
        self._candidates.delete(candidate_id)
        self._record(adviser, "erase", now, candidate_id=candidate_id, detail="candidate erased")
