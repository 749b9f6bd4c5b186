"""A YES by SMS: the candidate's own consent to texts (double opt-in), kept on every candidate
registered with that number, with its time and the inbound message's id, and answered once.

Callable as the inbound SMS handler's YES hook: ``(number, message_id, now)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges.domain.candidate import Consent, phone_key
from nudges.domain.messages import sms_yes_reply
from nudges.observability import logger

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.services.ports import Candidates, PhoneConsent, SmsOut


class SmsConsentService:
    def __init__(self, candidates: Candidates, consent: PhoneConsent, sms: SmsOut) -> None:
        self._candidates = candidates
        self._consent = consent
        self._sms = sms

    def __call__(self, number: str, message_id: str, now: datetime) -> int:
        """Record the YES; how many candidates it was recorded for (0: nobody, or already kept)."""
        recorded, locale = 0, None
        for candidate_id in self._consent.candidates_for_phone(phone_key(number)):
            candidate = self._candidates.get(candidate_id)
            if candidate is None or candidate.phone != number:
                continue  # a pointer left by a number changed since
            if self._consent.record_sms_yes(candidate, Consent(now, "sms_yes", message_id)):
                logger.info("SMS consent given", extra={"candidate_id": candidate_id, "message_id": message_id})
                recorded, locale = recorded + 1, candidate.locale
        if locale is not None:
            # Only when a YES was newly kept: a redelivered YES is not answered twice.
            self._sms.send(number, sms_yes_reply(locale))
        return recorded
