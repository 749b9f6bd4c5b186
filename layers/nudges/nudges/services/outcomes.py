"""An application's outcome: an offer brings the connect nudge; any outcome ends the others.

Outcomes come from the operator (naming an interview) or from outside (an applicant tracking
system or the operator's own system, naming a candidate's email and a company). Either way they
are recorded on the application (candidate + company), so an outcome that arrives before any
interview is kept and applied when the first interview of that application arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from nudges.domain.interview import UNKNOWN_COMPANY, application_id_for, company_key, normalise_email
from nudges.domain.nudge_steps import decide_outcome
from nudges.domain.records import Application
from nudges.errors import InvalidInput, NotFound
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from nudges.services.planning import NudgePlanner
    from nudges.services.ports import Applications, Candidates, Interviews, Retention

Outcome = Literal["offer", "rejected", "withdrawn"]


@dataclass(frozen=True)
class Withdrawn:
    withdrawn: bool
    application_id: str
    reason: str = ""


@dataclass(frozen=True)
class Recorded:
    application: Application
    matched: bool  # False: no interview of this application is known yet; kept for when one is


class OutcomeService:
    def __init__(
        self,
        interviews: Interviews,
        applications: Applications,
        candidates: Candidates,
        retention: Retention,
        planner: NudgePlanner,
    ) -> None:
        self._interviews = interviews
        self._applications = applications
        self._candidates = candidates
        self._retention = retention
        self._planner = planner

    def record_for_interview(self, interview_id: str, outcome: Outcome, now: datetime) -> Application:
        found = self._interviews.get(interview_id)
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
        return self._record(application, now).application

    def record_by_candidate(self, application_id: str, email: str, outcome: Outcome, now: datetime) -> Application:
        """The candidate's own word on their outcome page (source ``candidate``), recorded as an
        operator's is; the caller has checked that no operator's or ATS's outcome stands."""
        rounds = sorted(
            (i for i in self._interviews.for_email(email) if i.application_id == application_id),
            key=lambda i: i.start,
        )
        if not rounds:
            raise NotFound(f"no interview of application {application_id}", field="application_id")
        application = Application(
            application_id=application_id,
            candidate_email=normalise_email(email),
            company=rounds[0].company,
            outcome=outcome,
            interview_id=rounds[0].interview_id,
            outcome_source="candidate",
        )
        return self._record(application, now).application

    def record_for_candidate(self, emails: Iterable[str], company: str, outcome: Outcome, now: datetime) -> Recorded:
        """An outcome named by candidate email (any of ``emails``, as an ATS may know several)
        and company (a name or a domain; matched as docs/providers.md "Matching" says)."""
        if company_key(company) == UNKNOWN_COMPANY:
            # "unknown" is no company: matching it would end some unrelated interview's process.
            raise InvalidInput(f"company: {company!r} names no company (no letter or digit in it)", field="company")
        email = self._choose_email(emails, company)
        application_id = application_id_for(email, company)
        rounds = sorted(
            (i for i in self._interviews.for_email(email) if i.application_id == application_id),
            key=lambda i: i.start,
        )
        known = self._applications.get(application_id)
        application = Application(
            application_id=application_id,
            candidate_email=email,
            # Written as the interviews already name it, so messages read the same.
            company=rounds[0].company if rounds else (known.company if known else company_key(company)),
            outcome=outcome,
            interview_id=rounds[0].interview_id if rounds else (known.interview_id if known else None),
        )
        return self._record(application, now)

    def withdraw_offer(self, emails: Iterable[str], company: str, now: datetime) -> Withdrawn:
        """Take back a recorded offer (the ATS deleted it): the application is open again and its
        connect nudge, unless it went already, is cancelled. Nudges the offer ended stay ended."""
        if company_key(company) == UNKNOWN_COMPANY:
            raise InvalidInput(f"company: {company!r} names no company (no letter or digit in it)", field="company")
        email = self._choose_email(emails, company)
        application_id = application_id_for(email, company)
        known = self._applications.get(application_id)
        if known is None or known.outcome != "offer":
            return Withdrawn(False, application_id, "no offer is recorded for this application")
        if self._planner.connect_sent(application_id):
            return Withdrawn(False, application_id, "the connect nudge went already")
        self._applications.record_outcome(replace(known, outcome=None), now)
        self._planner.cancel_pending(application_id, "the offer was withdrawn", now)
        logger.info("offer withdrawn", extra={"application_id": application_id})
        return Withdrawn(True, application_id)

    def _choose_email(self, emails: Iterable[str], company: str) -> str:
        """The address the candidate is known by here: registered, else with interviews at
        this company, else the first one given."""
        candidates = list(dict.fromkeys(normalise_email(e) for e in emails if e and "@" in e))
        if not candidates:
            raise NotFound("no candidate email address to match", field="candidate_email")
        for email in candidates:
            registered = self._candidates.by_email(email)
            if registered is not None:
                # A candidate who changed their address: the one this company's interviews are
                # filed under (an alias, say), so the outcome finds its application.
                for address in dict.fromkeys([email, *registered.addresses]):
                    application_id = application_id_for(address, company)
                    if any(i.application_id == application_id for i in self._interviews.for_email(address)):
                        return address
                return email
        for email in candidates:
            application_id = application_id_for(email, company)
            if any(i.application_id == application_id for i in self._interviews.for_email(email)):
                return email
        return candidates[0]

    def _record(self, application: Application, now: datetime) -> Recorded:
        outcome = application.outcome
        if self._applications.record_outcome(application, now):
            logger.info("outcome recorded", extra={"application_id": application.application_id, "outcome": outcome})
        # The rest is repeated on every delivery, so a retry finishes what a crash left.
        # The address's interviews and applications in one Query: the rounds, and what the
        # retention extension keeps.
        interviews, applications = self._interviews.owned_by(application.candidate_email)
        rounds = [i for i in interviews if i.application_id == application.application_id]
        owners = (interviews, list(dict.fromkeys([*applications, application.application_id])))
        # Every owner's items and nudges and the candidate in one read: what the decision needs,
        # and the expiry of each item the retention extension keeps (not read again there).
        read = self._planner.nudges_of([*(i.interview_id for i in interviews), *owners[1]], application.candidate_email)
        nudges, candidate = read.nudges, read.candidate
        # The application closed: everything about the candidate is kept DATA_RETENTION_DAYS from now.
        self._retention.extend(
            application.candidate_email, now, everything=True, candidate=candidate, owners=owners, read=read.expires
        )
        self._planner.carry_out(decide_outcome(application, rounds, nudges, candidate, now, self._planner.timings), now)
        return Recorded(application, matched=bool(rounds))
