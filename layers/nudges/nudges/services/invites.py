"""Calendar invites forwarded to a candidate's inbox, over HTTP or by email.

A file is read whole before anything is stored; at most ``MAX_EVENTS_PER_FILE`` of its events
(occurrences of a series counted one by one) are booked, those still ahead first, and the rest
are left out, said so in the answer and the receipt. A file with more than ``INLINE_EVENTS`` to
book is booked in parts on the invite work queue (``take_invite``, ``receive_mail``), so no
request runs near its timeout; each part is applied as a retry would apply it again (the same
reference finds the same interview), and the part that finishes the file sends its one receipt
(docs/reliability.md "Big calendar files").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from nudges.domain.booking import BookingChange, change_from_dict, change_to_dict
from nudges.domain.candidate import own_addresses
from nudges.domain.messages import InviteProblem
from nudges.domain.series import belongs, reconcile
from nudges.errors import InvalidInput, Unauthorized
from nudges.models.ics import InviteReading, calendars_in_mail, mail_subject, read_invite, sender_of
from nudges.observability import logger
from nudges.services.addresses import interviews_of

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.invite_work import InviteFiles, InviteWorkQueue
    from nudges.adapters.mailbox import Mailbox
    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.services.bookings import BookingService
    from nudges.services.ports import Candidates, ConnectedAccounts, Interviews
    from nudges.services.receipts import InviteReceipts

# SES marks mail it judged to carry a virus; nothing in it is read.
REFUSED_VERDICTS = {"FAIL"}
# The events of one file booked at most (a forwarded invite has one to a few; an exported
# calendar of hundreds is refused beyond this, said so): docs/providers.md.
MAX_EVENTS_PER_FILE = 50
# A file with more than this to book is booked in parts on the invite work queue (202).
INLINE_EVENTS = 5
PART_EVENTS = 5
PART_BYTES = 150_000  # an SQS message holds 256 KB
KEEP_PROGRESS_DAYS = 14


@dataclass(frozen=True)
class InviteTaken:
    """What became of a file posted to an inbox: booked now, or queued in parts."""

    interviews: list[Interview]
    ignored: list[dict[str, str]]
    queued: int = 0  # events queued to be booked in parts
    file_id: str | None = None


class InviteService:
    def __init__(
        self,
        candidates: Candidates,
        bookings: BookingService,
        mailbox: Mailbox,
        receipts: InviteReceipts | None = None,
        interviews: Interviews | None = None,
        files: InviteFiles | None = None,
        queue: InviteWorkQueue | None = None,
        accounts: ConnectedAccounts | None = None,
    ) -> None:
        self._candidates = candidates
        # The candidate's connected calendars' accounts are theirs too (None: none are read).
        self._accounts = accounts
        self._bookings = bookings
        self._mailbox = mailbox
        # What is stored for the candidate, to take each event in a file as a whole (a moved
        # series cancels its old occurrences: nudges.domain.series); None reads no series whole.
        self._interviews = interviews
        # Big files are booked in parts through these (None: every file is booked at once).
        self._files = files
        self._queue = queue
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

        The candidate's own addresses (an attendee at one is the candidate, whatever the name):
        the inbox's, and those ``own_addresses`` gathers (registered, aliases, the one the mail
        was forwarded from, the connected calendars' accounts)."""
        changes, ignored = self._read(candidate, calendar, now, charset, forwarded_from)
        return self._book(candidate, changes, now), ignored

    def take_invite(
        self, candidate: Candidate, calendar: bytes, now: datetime, charset: str | None = None
    ) -> InviteTaken:
        """A file posted to the inbox URL: booked at once when small, else queued in parts (the
        same file posted again is the same file: its parts already booked are booked again as a
        retry would, changing nothing)."""
        changes, ignored = self._read(candidate, calendar, now, charset)
        if len(changes) <= INLINE_EVENTS or self._queue is None or self._files is None:
            return InviteTaken(self._book(candidate, changes, now), ignored)
        file_id = hashlib.sha256(candidate.candidate_id.encode() + b"\x1f" + calendar).hexdigest()[:32]
        self._enqueue(file_id, candidate, changes, now)
        return InviteTaken([], ignored, queued=len(changes), file_id=file_id)

    def _read(
        self,
        candidate: Candidate,
        calendar: bytes,
        now: datetime,
        charset: str | None,
        forwarded_from: str | None = None,
    ) -> tuple[list[BookingChange], list[dict[str, str]]]:
        """The file's changes, taken as a whole against what is stored and capped, and what was left out."""
        token = candidate.ics_inbox_token.lower()
        connected = self._accounts.account_emails(candidate.candidate_id) if self._accounts is not None else ()
        own = own_addresses(candidate, connected=connected, forwarded_from=forwarded_from)
        reading = read_invite(
            calendar,
            candidate,
            now,
            is_candidate_address=lambda a: a.partition("@")[0].lower() == token or a.strip().lower() in own,
            charset=charset,
        )
        changes, ignored = self._as_a_whole(candidate, reading, now)
        return _capped(changes, ignored, now)

    def _book(self, candidate: Candidate, changes: list[BookingChange], now: datetime) -> list[Interview]:
        interviews = [self._bookings.apply(change, now) for change in changes]
        logger.info(
            "invite received",
            extra={
                "candidate_id": candidate.candidate_id,
                "interviews": [i.interview_id for i in interviews],
            },
        )
        return interviews

    def _enqueue(
        self,
        file_id: str,
        candidate: Candidate,
        changes: list[BookingChange],
        now: datetime,
        mail_id: str = "",
        problems: list[InviteProblem] | None = None,
    ) -> None:
        """The changes in parts on the work queue, after the file's progress item (so the part
        that finishes the file can tell)."""
        assert self._files is not None and self._queue is not None
        parts: list[list[dict[str, Any]]] = [[]]
        size = 0
        for change in changes:
            data = change_to_dict(change)
            length = len(json.dumps(data))
            if parts[-1] and (len(parts[-1]) >= PART_EVENTS or size + length > PART_BYTES):
                parts.append([])
                size = 0
            parts[-1].append(data)
            size += length
        self._files.start(file_id, len(parts), now + timedelta(days=KEEP_PROGRESS_DAYS))
        common = {"file": file_id, "candidate_id": candidate.candidate_id, "mail_id": mail_id}
        self._queue.send(
            [
                json.dumps(
                    {
                        **common,
                        "part": n,
                        "changes": part,
                        "problems": [[p.key, p.detail] for p in (problems or [])[:20]],
                    }
                )
                for n, part in enumerate(parts)
            ]
        )
        logger.info("invite file queued", extra={"candidate_id": candidate.candidate_id, "parts": len(parts)})

    def work(self, message: dict[str, Any], now: datetime) -> list[Interview]:
        """One part of a big file (from the invite work queue): its changes booked, the part
        recorded; the part that finishes the file sends the mail's receipt (once: claimed)."""
        assert self._files is not None
        candidate = self._candidates.get(message["candidate_id"])
        if candidate is None:
            logger.info("invite file part for an erased candidate dropped")
            return []
        interviews = self._book(candidate, [change_from_dict(c) for c in message["changes"]], now)
        progress = self._files.part_done(message["file"], int(message["part"]), [i.interview_id for i in interviews])
        if progress.finished and message.get("mail_id") and self._receipts is not None and self._interviews:
            found = [self._interviews.get(i) for i in progress.interview_ids]
            booked = sorted((f[0] for f in found if f is not None), key=lambda i: i.start)
            problems = [InviteProblem(key, detail) for key, detail in message.get("problems") or []]
            self._receipts.acknowledge(candidate, booked, problems, message["mail_id"], now)
        return interviews

    def _as_a_whole(
        self, candidate: Candidate, reading: InviteReading, now: datetime
    ) -> tuple[list[BookingChange], list[dict[str, str]]]:
        """The file's changes with each event it gives whole reconciled against what is stored
        for its UID (nudges.domain.series): an older revision left out (and said so), and the
        stored occurrences it no longer books cancelled, after the new ones are booked (so the
        follow-up moves to the application's real last round before the old one goes)."""
        changes, ignored = list(reading.changes), list(reading.ignored)
        if not reading.revisions or self._interviews is None:
            return changes, ignored
        stored = interviews_of(self._interviews, candidate)
        cancels: list[BookingChange] = []
        for revision in reading.revisions:
            result = reconcile(revision, stored, now)
            if result.stale:
                changes = [c for c in changes if not belongs(c.interview, revision.ref)]
                ignored.append({"event": revision.uid, "reason": result.stale})
                continue
            if revision.cancel_all and any(belongs(i, revision.ref) for i in stored):
                # A whole cancel (DTSTART or not): what is stored is cancelled as stored (its
                # times kept), below. Only a cancel before anything is stored keeps a stand-in,
                # so the request it overtook finds itself older news.
                changes = [c for c in changes if not belongs(c.interview, revision.ref)]
            told = {c.interview.source_ref for c in changes}
            cancels += [BookingChange("cancelled", i) for i in result.cancel if i.source_ref not in told]
        return changes + cancels, ignored

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
            changes: list[BookingChange] = []
            problems = [] if calendars else [InviteProblem("no_calendar")]
            for calendar, charset in calendars:
                try:
                    found, ignored = self._read(candidate, calendar, now, charset, forwarded_from)
                except InvalidInput as exc:
                    # A broken attachment will not mend on a retry: drop it, keep the rest.
                    logger.info("unreadable invite dropped", extra={"reason": exc.message})
                    problems.append(InviteProblem("unreadable", exc.message))
                    continue
                # Each event left out is named, with why: a partly used invite says what was not used;
                # an all-day event that names no interview gets the advice on what to forward instead.
                problems += [
                    InviteProblem("all_day")
                    if left["reason"].startswith("an all-day")
                    else InviteProblem("left_out", f"{_event_name(left)}: {left['reason']}.")
                    for left in ignored
                ]
                if not found and not ignored:
                    problems.append(InviteProblem("no_event"))
                changes += found
            if len(changes) > INLINE_EVENTS and self._queue is not None and self._files is not None and mail_id:
                # Booked in parts; the part that finishes the file sends the receipt.
                file_id = hashlib.sha256(f"{mail_id}#{candidate.candidate_id}".encode()).hexdigest()[:32]
                self._enqueue(file_id, candidate, changes, now, mail_id, problems)
                continue
            theirs = self._book(candidate, changes, now)
            interviews += theirs
            if self._receipts is not None and mail_id:
                self._receipts.acknowledge(candidate, theirs, problems, mail_id, now, subject)
        return interviews


def _event_name(left: dict[str, str]) -> str:
    """How a receipt names an event it did not use: its title, else its UID, else "the invitation"."""
    if left.get("summary"):
        return f'"{left["summary"]}"'
    return f"the event {left['event'][:60]}" if left.get("event") else "the invitation"


def _capped(
    changes: list[BookingChange], ignored: list[dict[str, str]], now: datetime
) -> tuple[list[BookingChange], list[dict[str, str]]]:
    """At most ``MAX_EVENTS_PER_FILE`` changes, those still ahead first (soonest first), and the
    rest left out in one entry that says how many and why."""
    if len(changes) <= MAX_EVENTS_PER_FILE:
        return changes, ignored
    ordered = sorted(changes, key=lambda c: (c.interview.end <= now, c.interview.start))
    left = len(ordered) - MAX_EVENTS_PER_FILE
    reason = (
        f"{left} more events in the file were not read: at most {MAX_EVENTS_PER_FILE} are read from one file "
        "(those still ahead first); forward the others in smaller invitations"
    )
    return ordered[:MAX_EVENTS_PER_FILE], [*ignored, {"event": "", "reason": reason}]
