"""Consent that arrives and never nags. When texts become wanted without consent (SMS chosen
later, a new number, a registration without ``sms_consent`` whose welcome did not ask), one
request to reply YES goes to that number, by SMS only (WhatsApp is never used to ask), at most
once per number; again only when the candidate asks for it on their page or an adviser resends
it (``ask(..., again=True)``). A number that replied STOP is never asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges.domain.candidate import phone_key
from nudges.domain.page_words import say
from nudges.observability import logger

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.consent_requests import ConsentRequests
    from nudges.domain.candidate import Candidate
    from nudges.services.ports import Preferences, SmsOut


def wants_asking(candidate: Candidate, before: Candidate | None) -> bool:
    """SMS newly wanted without consent: chosen now and not before, or on a new number."""
    if "sms" not in candidate.channels or not candidate.phone or not candidate.awaiting_sms_consent:
        return False
    if before is None:
        return True
    return "sms" not in before.channels or before.phone != candidate.phone


class ConsentRequestService:
    def __init__(self, asked: ConsentRequests, sms: SmsOut, preferences: Preferences, operator_name: str) -> None:
        self._asked = asked
        self._sms = sms
        self._preferences = preferences
        self._operator = operator_name

    def after_change(self, candidate: Candidate, before: Candidate | None, now: datetime) -> bool:
        """Ask once if the change made texts wanted without consent; whether a request went."""
        return wants_asking(candidate, before) and self.ask(candidate, now, again=False)

    def ask(self, candidate: Candidate, now: datetime, *, again: bool = True) -> bool:
        """Send the YES request to the candidate's number (``again``: the candidate's page or an
        adviser asks once more). False when nothing was sent (no number, consent on record,
        opted out, or asked already)."""
        if not candidate.phone or not candidate.awaiting_sms_consent:
            return False
        number_hash = phone_key(candidate.phone)
        if "sms" in self._preferences.refusals(candidate):
            return False  # they replied STOP: no text at all
        request = self._asked.claim(number_hash, now, again=again)
        if request is None:
            logger.info("consent request not sent: asked already", extra={"candidate_id": candidate.candidate_id})
            return False
        text = say("consent_sms", "text", candidate.locale, operator=self._operator)
        try:
            message_id = self._sms.send(candidate.phone, text)
        except Exception:
            self._asked.release(number_hash, request)
            raise
        self._asked.record_send(number_hash, request, message_id, now)
        logger.info("consent request sent", extra={"candidate_id": candidate.candidate_id, "request": request})
        return True
