"""WhatsApp as a channel: a nudge goes as the operator's approved template for its kind and the
candidate's locale, filled with their first name and the kind's short advice; a message the
candidate writes is read for STOP, START, HELP and YES, and answered once in free text (the
24-hour window their message opened allows it). A consent request never goes by WhatsApp.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from nudges.domain.candidate import Consent, phone_key
from nudges.domain.sms_keywords import Keyword, parse_keyword
from nudges.domain.whatsapp import template, template_values
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.messages import Message
    from nudges.domain.whatsapp_events import InboundWhatsApp
    from nudges.services.ports import Candidates, PhoneConsent, WhatsAppInboxPort, WhatsAppOut

# YES by WhatsApp: (number, message id, now) -> the answer to send, if any (the consent service).
type ConsentHook = Callable[[str, str, datetime], str | None]


class WhatsAppChannel:
    """The nudge as its WhatsApp template. The provider keeps no opt-out list of its own (a STOP on
    WhatsApp is ours, in the contact preferences): nothing to ask before a send."""

    def __init__(self, whatsapp: WhatsAppOut) -> None:
        self._whatsapp = whatsapp

    def send(self, candidate: Candidate, message: Message, unsubscribe_url: str | None, ref: str | None = None) -> str:
        """The message's kind as its template, its short text as the advice (a ChannelSender;
        WhatsApp's statuses carry no tag back: ``ref`` is unused, its events look the message up)."""
        found = template(message.kind, candidate.locale)
        if found is None:
            raise LookupError(f"no WhatsApp template for {message.kind}")
        assert candidate.phone is not None
        values = template_values(found, candidate.first_name, message.advice or message.sms)
        return self._whatsapp.send_template(candidate.phone, found.name, found.language, values)

    def opted_out(self, candidate: Candidate) -> bool:
        return False


class WhatsAppConsent:
    """A YES on WhatsApp: the candidate's own opt-in, kept on every candidate registered with that
    number (their time and the message's id); the answer says WhatsApp is on, or None."""

    def __init__(
        self, candidates: Candidates, phones: PhoneConsent, inbox: WhatsAppInboxPort, answer: Callable[[str], str]
    ) -> None:
        self._candidates = candidates
        self._phones = phones
        self._inbox = inbox
        self._answer = answer  # locale -> the words

    def __call__(self, number: str, message_id: str, now: datetime) -> str | None:
        locale = None
        for candidate_id in self._phones.candidates_for_phone(phone_key(number)):
            candidate = self._candidates.get(candidate_id)
            if candidate is None or candidate.phone != number:
                continue  # a pointer left by a number changed since
            if self._inbox.record_yes(candidate, Consent(now, "whatsapp_yes", message_id)):
                logger.info("WhatsApp consent given", extra={"candidate_id": candidate_id, "message_id": message_id})
                locale = candidate.locale
        return self._answer(locale) if locale is not None else None


class WhatsAppKeywords:
    def __init__(
        self,
        inbox: WhatsAppInboxPort,
        whatsapp: WhatsAppOut,
        replies: Callable[[str], str],
        on_consent: ConsentHook | None = None,
    ) -> None:
        self._inbox = inbox
        self._whatsapp = whatsapp
        self._replies = replies  # keyword ("help", "stop", "start") -> the answer's words (en-GB)
        self._on_consent = on_consent

    def received(self, message: InboundWhatsApp, now: datetime) -> Keyword | None:
        """STOP (and its synonyms) ends WhatsApp for the number, START brings it back, HELP
        answers, YES is consent to WhatsApp; safe to repeat (answered once)."""
        keyword = parse_keyword(message.body)
        number_hash = phone_key(message.sender)
        self._inbox.record(message.message_id, number_hash, message.body, now)
        if keyword is Keyword.STOP:
            self._inbox.set_opt_out(number_hash, True, now)
            self._reply(message, self._replies("stop"), now)
        elif keyword is Keyword.START:
            self._inbox.set_opt_out(number_hash, False, now)
            self._reply(message, self._replies("start"), now)
        elif keyword is Keyword.HELP:
            self._reply(message, self._replies("help"), now)
        elif keyword is Keyword.YES and self._on_consent is not None:
            answer = self._on_consent(message.sender, message.message_id, now)
            if answer:
                self._reply(message, answer, now)
        logger.info("inbound WhatsApp handled", extra={"message_id": message.message_id, "keyword": keyword or "none"})
        return keyword

    def _reply(self, message: InboundWhatsApp, text: str, now: datetime) -> None:
        if not self._inbox.claim_reply(message.message_id, now):
            return  # an earlier delivery of this message answered it
        try:
            reply_id = self._whatsapp.send_text(message.sender, text)
        except Exception:
            self._inbox.release_reply(message.message_id)
            raise
        self._inbox.record_reply(message.message_id, reply_id, now, time.time_ns())
