"""Calendar invites forwarded to a candidate's inbox, over HTTP or by email."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges.domain.messages import InviteProblem
from nudges.errors import InvalidInput, Unauthorized
from nudges.models.ics import calendars_in_mail, mail_subject, read_invite, sender_of
from nudges.observability import logger

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.mailbox import Mailbox
    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.services.bookings import BookingService
    from nudges.services.ports import Candidates
    from nudges.services.receipts import InviteReceipts

# SES marks mail it judged to carry a virus; nothing in it is read.
REFUSED_VERDICTS = {"FAIL"}


class InviteService:
    def __init__(
        self,
        candidates: Candidates,
        bookings: BookingService,
        mailbox: Mailbox,
        receipts: InviteReceipts | None = None,
    ) -> None:
        self._candidates = candidates
        self._bookings = bookings
        self._mailbox = mailbox
        self._receipts = receipts  # forwarded mail is answered (None: AcknowledgeForwardedInvites off)

    def candidate_for(self, inbox_token: str) -> Candidate:
        """The inbox's owner; 401 for a token nobody holds (the token is the credential, as a signature is elsewhere)."""
        candidate = self._candidates.by_inbox_token(inbox_token)
        if candidate is None:
            raise Unauthorized("no such inbox")
        return candidate

    def receive(
        self,
        candidate: Candidate,
        calendar: bytes,
        now: datetime,
        charset: str | None = None,
        forwarded_from: str | None = None,
    ) -> list[Interview]:
        """Book, move or cancel what the invite says: every event in it parsed before any is stored."""
        return self.receive_invite(candidate, calendar, now, charset, forwarded_from)[0]

    def receive_invite(
        self,
        candidate: Candidate,
        calendar: bytes,
        now: datetime,
        charset: str | None = None,
        forwarded_from: str | None = None,
    ) -> tuple[list[Interview], list[dict[str, str]]]:
        """``receive``, with the events left out and why (``{"event": <UID>, "reason": ...}``).

        The candidate's own addresses: the inbox's, and the one the mail was forwarded from (an
        attendee there is the candidate, whatever the name)."""
        token = candidate.ics_inbox_token.lower()
        sender = (forwarded_from or "").strip().lower()
        reading = read_invite(
            calendar,
            candidate,
            now,
            is_candidate_address=lambda a: a.partition("@")[0].lower() == token or (bool(sender) and a == sender),
            charset=charset,
        )
        interviews = [self._bookings.apply(change, now) for change in reading.changes]
        logger.info(
            "invite received",
            extra={
                "candidate_id": candidate.candidate_id,
                "interviews": [i.interview_id for i in interviews],
                "ignored": reading.ignored,
            },
        )
        return interviews, reading.ignored

    def mail_stored(self, notification: dict[str, Any], inbox_domain: str, now: datetime) -> list[Interview]:
        """SES stored mail to the inbox domain in S3 and said so: each invite in it read like one
        posted to the inbox URL, then the mail deleted (read once; nothing of it is kept)."""
        receipt = notification.get("receipt") or {}
        action = receipt.get("action") or {}
        if notification.get("notificationType") != "Received" or action.get("type") != "S3":
            logger.info("SES notification ignored", extra={"type": notification.get("notificationType")})
            return []
        bucket, key = action["bucketName"], action["objectKey"]
        interviews: list[Interview] = []
        if (receipt.get("virusVerdict") or {}).get("status") in REFUSED_VERDICTS:
            logger.warning("mail with a virus verdict dropped", extra={"object_key": key})
        else:
            message = self._mailbox.read(bucket, key)
            interviews = self.receive_mail(receipt.get("recipients") or [], inbox_domain, message, now, mail_id=key)
        self._mailbox.delete(bucket, key)
        return interviews

    def receive_mail(
        self, recipients: list[str], inbox_domain: str, message: bytes, now: datetime, mail_id: str = ""
    ) -> list[Interview]:
        """An email to one or more inbox addresses (``<token>@<inbox domain>``): each calendar in
        it goes to each candidate it was addressed to, who is told what was read (or what was
        wrong). Mail to unknown inboxes is dropped unanswered."""
        domain = inbox_domain.lower().strip(".")
        candidates = []
        for recipient in recipients:
            local, _, host = recipient.strip().strip("<>").rpartition("@")
            if host.lower() != domain or not local:
                continue
            candidate = self._candidates.by_inbox_token(local)
            if candidate is None:
                logger.info("mail to an unknown inbox dropped")
            elif candidate not in candidates:
                candidates.append(candidate)
        if not candidates:
            return []
        calendars = calendars_in_mail(message)
        forwarded_from = sender_of(message)
        subject = mail_subject(message)
        if not calendars:
            logger.info("mail without a calendar invite dropped")
        interviews = []
        for candidate in candidates:
            theirs: list[Interview] = []
            problems = [] if calendars else [InviteProblem("no_calendar")]
            for calendar, charset in calendars:
                try:
                    found, ignored = self.receive_invite(candidate, calendar, now, charset, forwarded_from)
                except InvalidInput as exc:
                    # A broken attachment will not mend on a retry: drop it, keep the rest.
                    logger.info("unreadable invite dropped", extra={"reason": exc.message})
                    problems.append(InviteProblem("unreadable", exc.message))
                    continue
                if not found:
                    all_day = any(i["reason"].startswith("an all-day") for i in ignored)
                    problems.append(InviteProblem("all_day" if all_day else "no_event"))
                theirs += found
            interviews += theirs
            if self._receipts is not None and mail_id:
                self._receipts.acknowledge(candidate, theirs, problems, mail_id, now, subject)
        return interviews
