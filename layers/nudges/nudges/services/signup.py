"""Candidates who sign themselves up: join codes (one per cohort) and the join page's double
opt-in. Nothing is registered before the click: the join form's POST mails a link (at most
``ADDRESS_LIMIT`` an hour to one address, ``CODE_LIMIT`` an hour through one code), whatever
the address's state, so the page never tells whether an address is registered; the click (24 h,
once) registers exactly as ``POST /candidates`` does, welcome included, with the join code as
the cohort and the consent box's exact words, time and source (``web_form``) as the consent.
A verified sign-up for an address already registered changes nothing and mails that person
their preferences link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from nudges.adapters.join_codes import JoinCode, Verification, digest
from nudges.domain import messages
from nudges.domain.channels import CONSENT_FIELDS
from nudges.domain.interview import normalise_email
from nudges.domain.page_words import mail_html, say
from nudges.errors import Conflict, InvalidInput, NotFound, NudgesError
from nudges.observability import logger
from nudges.timefmt import iso

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.adapters.join_codes import JoinCodes
    from nudges.domain.candidate import Candidate
    from nudges.services.candidates import CandidateService
    from nudges.services.ports import Candidates, EmailOut

VALID_FOR = timedelta(hours=24)
ADDRESS_LIMIT = 3  # verification mails an hour to one address
CODE_LIMIT = 200  # sign-ups an hour through one join code
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud at a careers fair
CODE_LENGTH = 8


class Gone(NudgesError):
    """A link that worked once: expired or used (410)."""

    status_code = 410


class TooMany(NudgesError):
    status_code = 429


@dataclass(frozen=True)
class Confirmed:
    candidate: Candidate
    new: bool  # False: the address was registered already (nothing changed; its link mailed)


def _hour(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H")


class SignupService:
    def __init__(
        self,
        join_codes: JoinCodes,
        candidates: CandidateService,
        candidate_store: Candidates,
        email: EmailOut,
        preferences_link: Callable[[str, str], str],  # (base URL, candidate id) -> the link
        branding: messages.Branding = messages.DEFAULT_BRANDING,
    ) -> None:
        self._codes = join_codes
        self._candidates = candidates
        self._store = candidate_store
        self._email = email
        self._preferences_link = preferences_link
        self._branding = branding

    # ------------------------------------------------------------------ join codes (operator)
    def create_code(self, label: str, now: datetime) -> JoinCode:
        label = label.strip()
        if not label or len(label) > 200:
            raise InvalidInput("label: give the cohort a name of 1 to 200 characters", field="label")
        for _ in range(5):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            created = self._codes.create(code, label, now)
            if created is not None:
                logger.info("join code created", extra={"join_code": code})
                return created
        raise Conflict("join_code: could not draw a free code; try again", field="join_code")

    def active_code(self, code: str) -> JoinCode:
        found = self._codes.get(code) if code and len(code) <= 64 else None
        if found is None or not found.active:
            raise NotFound("join_code: no such join code, or it was revoked", field="join_code")
        return found

    def codes(self) -> list[JoinCode]:
        return self._codes.all()

    def revoke(self, code: str, now: datetime) -> None:
        if not self._codes.revoke(code, now):
            raise NotFound(f"join_code: no join code {code}", field="join_code")
        logger.info("join code revoked", extra={"join_code": code})

    # ------------------------------------------------------------------ the join page
    def start(
        self,
        code: str,
        registration: dict[str, Any],
        consent_texts: dict[str, str],
        base_url: str,
        now: datetime,
    ) -> None:
        """Mail the verification link for a join form already read (``registration``: the
        ``NewCandidate`` fields; ``consent_texts``: channel -> the exact box text ticked).
        Silent past the address's hourly limit; ``TooMany`` past the code's."""
        self.active_code(code)
        keep = now + timedelta(hours=2)
        if not self._codes.within_limit("join-code", code, _hour(now), CODE_LIMIT, keep):
            raise TooMany("too many sign-ups through this join code this hour", field="join_code")
        email = normalise_email(str(registration["email"]))
        if not self._codes.within_limit("join-address", email, _hour(now), ADDRESS_LIMIT, keep):
            logger.info("join verification not sent: address over its hourly limit", extra={"join_code": code})
            return
        stamp = iso(now)
        full: dict[str, Any] = {**registration, "join_code": code}
        for channel, field in CONSENT_FIELDS.items():  # each channel's consent rule: the registry's
            if channel in consent_texts:
                full[field] = {"obtained_at": stamp, "method": "web_form", "text": consent_texts[channel]}
        token = secrets.token_urlsafe(24)
        locale = str(registration.get("locale") or "") or None
        verification = Verification(
            token_hash=digest(token),
            purpose="join",
            email=email,
            created_at=now,
            expires_at=now + VALID_FOR,
            join_code=code,
            registration=full,
            locale=locale,
        )
        self._codes.add_verification(token, verification)
        link = f"{base_url.rstrip('/')}/join/verify/{token}"
        operator = self._branding.operator_name
        subject = say("verify_mail", "subject", locale, operator=operator)
        text = say("verify_mail", "text", locale, operator=operator, email=email, link=link)
        message_id = self._email.send(email, subject, text, mail_html(text))
        self._codes.record_send(verification.token_hash, "email", message_id, now)
        logger.info("join verification sent", extra={"join_code": code})

    def pending(self, token: str, now: datetime) -> Verification:
        """The sign-up a link stands for, while it still works."""
        found = self._codes.verification(token)
        if found is None:
            raise NotFound("this confirmation link is not valid", field="token")
        if found.used_at is not None or now >= found.expires_at:
            raise Gone("this confirmation link has expired or was used", field="token")
        return found

    def confirm(self, token: str, base_url: str, now: datetime) -> Confirmed:
        """The click: register (as ``POST /candidates`` does), then spend the link."""
        from nudges.models.api import NewCandidate  # pydantic only where a registration is parsed
        from nudges.models.parsing import parse

        verification = self.pending(token, now)
        if verification.purpose != "join" or not verification.registration:
            raise NotFound("this confirmation link is not valid", field="token")
        registration = dict(verification.registration)
        registration.pop("whatsapp_consent", None)  # kept on the link; registered once WhatsApp is a channel here
        existing = self._store.by_email(verification.email)
        # Registered before this sign-up began: theirs already. (One registered since may be
        # this very link's, left unspent by a crash: registering again finishes it, or refuses.)
        if existing is None or existing.created_at >= verification.created_at:
            try:
                candidate = self._candidates.register(parse(NewCandidate, registration), now)
            except Conflict:
                existing = self._store.by_email(verification.email)
                if existing is None:
                    raise
            else:
                existing = None
        if existing is not None:
            return self._known(existing, verification, base_url, now)
        self._codes.use(verification.token_hash, now)
        logger.info(
            "candidate joined", extra={"candidate_id": candidate.candidate_id, "join_code": verification.join_code}
        )
        return Confirmed(candidate, new=True)

    def _known(self, existing: Candidate, verification: Verification, base_url: str, now: datetime) -> Confirmed:
        """A verified sign-up for a registered address: nothing changes; their link is mailed."""
        if not self._codes.use(verification.token_hash, now):
            raise Gone("this confirmation link was used", field="token")
        link = self._preferences_link(base_url, existing.candidate_id)
        operator = self._branding.operator_name
        subject = say("known_mail", "subject", existing.locale, operator=operator)
        text = say("known_mail", "text", existing.locale, link=link)
        message_id = self._email.send(existing.email, subject, text, mail_html(text), to_name=existing.name)
        self._codes.record_send(verification.token_hash, "preferences", message_id, now)
        logger.info(
            "join for a registered address: preferences link mailed", extra={"join_code": verification.join_code}
        )
        return Confirmed(existing, new=False)
