"""A YES by SMS: the candidate's own consent to texts (double opt-in), kept on every candidate
registered with that number, with its time and the inbound message's id, and answered once.

Callable as ``PreferenceService``'s YES hook: ``(number, message_id, now)`` -> the answer to send
(which that service sends once and records as an ``sms_reply``), or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges.domain.candidate import Consent, phone_key
from nudges.domain.messages import DEFAULT_BRANDING, Branding
from nudges.domain.service_messages import sms_yes_reply
from nudges.observability import logger

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.services.ports import Candidates, PhoneConsent


class SmsConsentService:
    def __init__(self, candidates: Candidates, consent: PhoneConsent, branding: Branding = DEFAULT_BRANDING) -> None:
        self._candidates = candidates
        self._consent = consent
        self._branding = branding

    def locale_for(self, number: str) -> str | None:
        """The language of whoever is registered with ``number`` (the first found), or None."""
        for candidate_id in self._consent.candidates_for_phone(phone_key(number)):
            candidate = self._candidates.get(candidate_id)
            if candidate is not None and candidate.phone == number:
                return candidate.locale
        return None

    def __call__(self, number: str, message_id: str, now: datetime) -> str | None:
        """Record the YES; the answer ("texts are on"), or None when nothing was newly kept
        (nobody has this number, or their YES is on record already)."""
        locale = None
        for candidate_id in self._consent.candidates_for_phone(phone_key(number)):
            candidate = self._candidates.get(candidate_id)
            if candidate is None or candidate.phone != number:
                continue  # a pointer left by a number changed since
            if self._consent.record_sms_yes(candidate, Consent(now, "sms_yes", message_id)):
                logger.info("SMS consent given", extra={"candidate_id": candidate_id, "message_id": message_id})
                locale = candidate.locale
        return sms_yes_reply(locale, self._branding) if locale is not None else None
