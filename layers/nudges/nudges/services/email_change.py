"""A candidate's email address changed: the old address told, and the candidate's own change
verified like a sign-up.

An operator's or adviser's change applies at once (they vouch for it: ``CandidateService.
change_email``); the candidate's own, from their preferences page, mails a link to the NEW address
(signed as the join page's are: a random token kept only as its hash, 24 h, once; at most
``ADDRESS_LIMIT`` mails an hour to one address) and changes nothing until it is clicked. The
pending change is findable from the candidate (``keys.email_change``): erasing them deletes it,
and its link then says it is not valid. Either
way the OLD address gets a short notice (kind ``email_changed``), logged with the candidate's
messages, unless it refuses email (bounced, complained, unsubscribed).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from nudges.adapters.join_codes import Verification, digest
from nudges.domain import messages
from nudges.domain.deliveries import LoggedMessage
from nudges.domain.interview import normalise_email
from nudges.domain.page_words import mail_html, say
from nudges.errors import InvalidInput, NotFound
from nudges.observability import logger
from nudges.services.candidates import valid_email
from nudges.services.signup import ADDRESS_LIMIT, VALID_FOR, Gone

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.adapters.join_codes import JoinCodes
    from nudges.domain.candidate import Candidate
    from nudges.services.candidates import CandidateService
    from nudges.services.ports import Candidates, EmailOut, Messages

# Why a change is refused (field ``email``), as the page says it: the catalog's ``page.fields.<key>``.
TAKEN = "email: another registration uses this address"
SAME = "email: this is already your address"
REFUSALS = {TAKEN: "email_taken", SAME: "email_same"}
KIND = "email_changed"  # the notice to the old address, as the message log and the outbox name it
PURPOSE = "email"  # a verification's purpose: an email change (a sign-up's is "join")
RATE_SCOPE = "email-change-address"


class EmailChangeNotice:
    """The short mail to the old address: where the nudges go now, and whom to tell if it was not them."""

    def __init__(
        self,
        email: EmailOut,
        log: Messages | None = None,
        refused: Callable[[str], bool] | None = None,
        branding: messages.Branding = messages.DEFAULT_BRANDING,
    ) -> None:
        self._email = email
        self._log = log
        self._refused = refused  # (address) -> whether it takes no mail from us (suppressed)
        self._branding = branding

    def tell_old_address(self, candidate: Candidate, old_email: str, now: datetime) -> str | None:
        """Mail ``old_email`` that ``candidate`` (as changed) now gets their nudges at their new
        address; the message id, or None when that address takes no mail from us."""
        if self._refused is not None and self._refused(old_email):
            logger.info("email change notice not sent: the old address refuses mail")
            return None
        operator = self._branding.operator_name
        support = self._branding.support_email or self._branding.sender_name
        subject = say("email_changed_mail", "subject", candidate.locale, operator=operator)
        text = say(
            "email_changed_mail",
            "text",
            candidate.locale,
            operator=operator,
            new_email=candidate.email,
            support=support,
        )
        message_id = self._email.send(old_email, subject, text, mail_html(text), to_name=candidate.name)
        if self._log is not None:
            self._log.record(LoggedMessage(candidate.candidate_id, KIND, "email", message_id, now))
        logger.info("email change notice sent", extra={"candidate_id": candidate.candidate_id})
        return message_id


class EmailChanges:
    """The candidate's own change of address, from their preferences page: a link to the new
    address first, the change on its click."""

    def __init__(
        self,
        candidates: CandidateService,
        store: Candidates,
        verifications: JoinCodes,
        email: EmailOut,
        branding: messages.Branding = messages.DEFAULT_BRANDING,
    ) -> None:
        self._candidates = candidates
        self._store = store
        self._verifications = verifications
        self._email = email
        self._branding = branding

    def request(self, candidate: Candidate, raw_email: str, base_url: str, now: datetime) -> str:
        """Mail the confirmation link to the new address; nothing changes yet. The address as
        checked (for the page to say where the link went). ``InvalidInput`` (field ``email``)
        for a malformed address, the candidate's own, or one another candidate holds. Past
        ``ADDRESS_LIMIT`` mails an hour to the address, no more are sent (silently, as the join
        page does)."""
        new_email = valid_email(raw_email)
        if new_email == normalise_email(candidate.email):
            raise InvalidInput(SAME, field="email")
        holder = self._store.by_email(new_email)
        if holder is not None and holder.candidate_id != candidate.candidate_id:
            raise InvalidInput(TAKEN, field="email")
        keep = now + VALID_FOR
        if not self._verifications.within_limit(
            RATE_SCOPE, new_email, now.strftime("%Y-%m-%dT%H"), ADDRESS_LIMIT, keep
        ):
            logger.info("email change link not sent: address over its hourly limit")
            return new_email
        token = secrets.token_urlsafe(24)
        verification = Verification(
            token_hash=digest(token),
            purpose=PURPOSE,
            email=new_email,
            created_at=now,
            expires_at=now + VALID_FOR,
            candidate_id=candidate.candidate_id,
            locale=candidate.locale,
        )
        # With its pointer in the candidate's partition: an erasure before the click deletes both.
        if not self._verifications.add_email_change(token, verification):
            raise NotFound(f"no candidate {candidate.candidate_id}", field="candidate_id")  # erased meanwhile
        link = f"{base_url.rstrip('/')}/email/verify/{token}"
        operator = self._branding.operator_name
        subject = say("email_change_mail", "subject", candidate.locale, operator=operator)
        text = say("email_change_mail", "text", candidate.locale, operator=operator, link=link)
        message_id = self._email.send(new_email, subject, text, mail_html(text), to_name=candidate.name)
        self._verifications.record_send(verification.token_hash, "email", message_id, now)
        logger.info("email change link sent", extra={"candidate_id": candidate.candidate_id})
        return new_email

    def pending(self, token: str, now: datetime) -> Verification:
        """The change a link stands for, while it still works."""
        found = self._verifications.verification(token)
        if found is None or found.purpose != PURPOSE or not found.candidate_id:
            raise NotFound("this confirmation link is not valid", field="token")
        if found.used_at is not None or now >= found.expires_at:
            raise Gone("this confirmation link has expired or was used", field="token")
        return found

    def confirm(self, token: str, now: datetime) -> Candidate:
        """The click: the address changes (the old one told), then the link is spent. A change
        applied by an earlier click that crashed before spending it finds the address theirs and
        only spends it."""
        verification = self.pending(token, now)
        assert verification.candidate_id is not None
        changed = self._candidates.change_email(verification.candidate_id, verification.email, now, source="candidate")
        if not self._verifications.use(verification.token_hash, now):
            raise Gone("this confirmation link was used", field="token")
        return changed
