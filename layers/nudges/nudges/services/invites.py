"""Calendar invites forwarded to a candidate's inbox, over HTTP or by email."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges.errors import InvalidInput, Unauthorized
from nudges.observability import logger
from nudges.services.bookings import BookingService

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.store import NudgeStore
    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.services.planning import NudgePlanner
    from nudges.services.receipts import InviteReceipts


class InviteService:
    def __init__(self, store: NudgeStore, planner: NudgePlanner, receipts: InviteReceipts | None = None) -> None:
        self._store = store
        self._bookings = BookingService(store, planner)
        self._receipts = receipts  # forwarded mail is answered (None: AcknowledgeForwardedInvites off)

    def candidate_for(self, inbox_token: str) -> Candidate:
        """The inbox's owner; 401 for a token nobody holds (the token is the credential, as a signature is elsewhere)."""
        candidate = self._store.candidate_by_inbox_token(inbox_token)
        if candidate is None:
            raise Unauthorized("no such inbox")
        return candidate

    def receive(self, candidate: Candidate, calendar: bytes, now: datetime) -> list[Interview]:
        """Book, move or cancel what the invite says: every event in it parsed before any is stored."""
        from nudges.models.ics import invite_changes

        token = candidate.ics_inbox_token.lower()
        changes = invite_changes(
            calendar, candidate, now, is_candidate_address=lambda a: a.partition("@")[0].lower() == token
        )
        interviews = [self._bookings.apply(change, now) for change in changes]
        logger.info(
            "invite received",
            extra={"candidate_id": candidate.candidate_id, "interviews": [i.interview_id for i in interviews]},
        )
        return interviews

    def receive_mail(
        self, recipients: list[str], inbox_domain: str, message: bytes, now: datetime, mail_id: str = ""
    ) -> list[Interview]:
        """An email to one or more inbox addresses (``<token>@<inbox domain>``): each calendar in
        it goes to each candidate it was addressed to, who is told what was read (or what was
        wrong). Mail to unknown inboxes is dropped unanswered."""
        from nudges.models.ics import calendars_in_mail

        domain = inbox_domain.lower().strip(".")
        candidates = []
        for recipient in recipients:
            local, _, host = recipient.strip().strip("<>").rpartition("@")
            if host.lower() != domain or not local:
                continue
            candidate = self._store.candidate_by_inbox_token(local)
            if candidate is None:
                logger.info("mail to an unknown inbox dropped")
            elif candidate not in candidates:
                candidates.append(candidate)
        if not candidates:
            return []
        calendars = calendars_in_mail(message)
        if not calendars:
            logger.info("mail without a calendar invite dropped")
        interviews = []
        for candidate in candidates:
            theirs: list[Interview] = []
            problems = [] if calendars else ["there was no calendar invitation (.ics) in the mail."]
            for calendar in calendars:
                try:
                    found = self.receive(candidate, calendar, now)
                except InvalidInput as exc:
                    # A broken attachment will not mend on a retry: drop it, keep the rest.
                    logger.info("unreadable invite dropped", extra={"reason": exc.message})
                    problems.append(f"the invitation file could not be read ({exc.message}).")
                    continue
                if not found:
                    problems.append(
                        "the invitation has no timed event to be invited to (a reply or an all-day event?)."
                    )
                theirs += found
            interviews += theirs
            if self._receipts is not None and mail_id:
                self._receipts.acknowledge(candidate, theirs, problems, mail_id, now)
        return interviews
