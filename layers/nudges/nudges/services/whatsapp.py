"""WhatsApp as a channel: a nudge goes as the operator's approved template for its kind and the
candidate's locale, filled with their first name and the kind's short advice; a message the
candidate writes is read for STOP, START, HELP and YES, and answered once in free text (the
24-hour window their message opened allows it). A consent request never goes by WhatsApp.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from nudges.domain.candidate import phone_key
from nudges.domain.sms_keywords import Keyword, parse_keyword
from nudges.domain.whatsapp import template, template_values
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.messages import Message
    from nudges.domain.whatsapp_events import InboundWhatsApp
    from nudges.services.ports import WhatsAppInboxPort, WhatsAppOut

# YES by WhatsApp: (number, message id, now) -> the answer to send, if any (the consent service).
type ConsentHook = Callable[[str, str, datetime], str | None]


class WhatsAppChannel:
    """The nudge as its WhatsApp template. The provider keeps no opt-out list of its own (a STOP on
    WhatsApp is ours, in the contact preferences): nothing to ask before a send."""

    def __init__(self, whatsapp: WhatsAppOut) -> None:
        self._whatsapp = whatsapp

    def send(self, candidate: Candidate, message: Message, unsubscribe_url: str | None) -> str:
        """The message's kind as its template, its short text as the advice (a ChannelSender)."""
        found = template(message.kind, candidate.locale)
        if found is None:
            raise LookupError(f"no WhatsApp template for {message.kind}")
        assert candidate.phone is not None
        values = template_values(found, candidate.first_name, message.advice or message.sms)
        return self._whatsapp.send_template(candidate.phone, found.name, found.language, values)

    def opted_out(self, candidate: Candidate) -> bool:
        return False


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
