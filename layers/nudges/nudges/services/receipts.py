"""Forwarded invites answered: a short email back saying what was read from the mail ("Got it:
Interview with Acme, Tuesday 14:00; research prompt on Sunday 14:00"), or what was wrong with it.

Sent to the candidate's registered address (never to the mail's From, which anyone can forge),
only when they get email from us and the address is not suppressed, and once per mail and
candidate: a redelivered notification finds the receipt claimed and sends nothing.
``AcknowledgeForwardedInvites=false`` in the template turns it off.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from nudges.domain import messages, service_messages
from nudges.domain.deliveries import LoggedMessage
from nudges.domain.kinds import RECEIPT_KIND
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.services.ports import EmailOut, Messages, Nudges, Preferences, Receipts

KEEP_CLAIM = timedelta(days=7)


class InviteReceipts:
    def __init__(
        self,
        nudges: Nudges,
        preferences: Preferences,
        receipts: Receipts,
        email: EmailOut,
        unsubscribe_link: Callable[[str], str | None],
        branding: messages.Branding = messages.DEFAULT_BRANDING,
        add_interview_link: Callable[[str, str | None], str | None] | None = None,
        log: Messages | None = None,
    ) -> None:
        self._log = log  # the message log: the receipt shows in the candidate's messages
        self._nudges = nudges
        self._preferences = preferences
        self._receipts = receipts
        self._email = email
        self._unsubscribe_link = unsubscribe_link
        self._branding = branding
        # Where a candidate adds an interview by hand (the page /interviews/new/{token}, prefilled
        # with the mail's subject): the receipt of a refused or partly used invite points there.
        self._add_interview_link = add_interview_link  # (candidate id, the mail's subject) -> the page

    def _receipt(self, interview: Interview) -> service_messages.InviteReceipt:
        research = self._nudges.for_owner(interview.interview_id).get(RECEIPT_KIND)
        return service_messages.InviteReceipt(
            company=interview.company,
            title=interview.title,
            start=interview.start,
            cancelled=interview.status == "cancelled",
            research_at=research.due_at if research and research.status == "scheduled" else None,
            research_skipped=research.reason if research and research.status == "skipped" else None,
        )

    def acknowledge(
        self,
        candidate: Candidate,
        interviews: list[Interview],
        problems: list[service_messages.InviteProblem],
        mail_id: str,
        now: datetime,
        subject: str | None = None,
    ) -> str | None:
        """Send the receipt; its message id, or None when it is not to be sent."""
        if "email" not in candidate.reachable_channels() or "email" in self._preferences.refusals(candidate):
            return None
        if not self._receipts.claim("invite_receipt", f"{mail_id}#{candidate.candidate_id}", now, KEEP_CLAIM):
            return None  # answered already (the notification came twice)
        link = self._unsubscribe_link(candidate.candidate_id)
        add_url = None
        if (problems or not interviews) and self._add_interview_link is not None:
            add_url = self._add_interview_link(candidate.candidate_id, subject)
        message = service_messages.invite_receipt(
            candidate, [self._receipt(i) for i in interviews], problems, link, self._branding, add_url
        )
        try:
            message_id = self._email.send(
                candidate.email,
                message.subject,
                message.text,
                message.html,
                to_name=candidate.name,
                unsubscribe_url=link,
            )
        except Exception:
            self._receipts.release("invite_receipt", f"{mail_id}#{candidate.candidate_id}")
            raise
        if self._log is not None:
            self._log.record(LoggedMessage(candidate.candidate_id, "invite_receipt", "email", message_id, now))
        logger.info(
            "invite acknowledged",
            extra={"candidate_id": candidate.candidate_id, "interviews": len(interviews), "problems": len(problems)},
        )
        return message_id
