"""Inbound texts from the two-way SMS topic: STOP and its synonyms opt out, START opts back in,
HELP answers, YES is consent. Every reply is sent once and recorded like a nudge's send (kind
``sms_reply``), so the operator and the outbox see it with its time.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

from nudges.domain.candidate import phone_key
from nudges.domain.sms_keywords import Keyword, parse_keyword
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

HELP_REPLY = (
    "Interview Nudges: reminders to research before, thank after, and connect once you get an offer. "
    "Reply STOP to stop texts, START to resume. Emails have their own unsubscribe link."
)
STOP_REPLY = "Interview Nudges: you will get no more texts from us. Reply START to resume. Emails are not affected."
START_REPLY = "Interview Nudges: texts are back on. Reply STOP to stop them, HELP for help."

# YES: the journey's consent service records it (time and message id) and answers; it is handed
# the number, the inbound message id and the time.
type ConsentHook = Callable[[str, str, datetime], None]


class OptOuts(Protocol):
    def set_sms_opt_out(self, phone_hash: str, opted_out: bool, at: datetime) -> None: ...


class InboundLog(Protocol):
    def record(self, message_id: str, sender_hash: str, body: str, received_at: datetime) -> None: ...
    def claim_reply(self, message_id: str, now: datetime) -> bool: ...
    def release_reply(self, message_id: str) -> None: ...
    def record_reply(self, message_id: str, reply_message_id: str, sent_at: datetime, sent_order: int) -> None: ...


class Texts(Protocol):
    def send(self, to: str, text: str) -> str: ...
    def opt_in(self, phone: str) -> None: ...


class InboundSmsService:
    def __init__(self, opt_outs: OptOuts, log: InboundLog, sms: Texts, on_consent: ConsentHook | None = None) -> None:
        self._opt_outs = opt_outs
        self._log = log
        self._sms = sms
        self._on_consent = on_consent

    def handle(self, number: str, body: str, message_id: str, now: datetime) -> Keyword | None:
        """Act on one inbound text; safe to repeat (a redelivery changes nothing more)."""
        keyword = parse_keyword(body)
        number_hash = phone_key(number)
        self._log.record(message_id, number_hash, body, now)
        if keyword is Keyword.STOP:
            self._opt_outs.set_sms_opt_out(number_hash, True, now)
            self._reply(message_id, number, STOP_REPLY, now)
        elif keyword is Keyword.START:
            self._opt_outs.set_sms_opt_out(number_hash, False, now)
            try:
                self._sms.opt_in(number)  # also lift a carrier-level STOP; AWS allows this once in 30 days
            except Exception:
                logger.warning("carrier opt-in refused", extra={"message_id": message_id})
            self._reply(message_id, number, START_REPLY, now)
        elif keyword is Keyword.HELP:
            self._reply(message_id, number, HELP_REPLY, now)
        elif keyword is Keyword.YES:
            if self._on_consent is not None:
                self._on_consent(number, message_id, now)
            else:
                logger.info("SMS consent keyword received; no consent service wired", extra={"message_id": message_id})
        return keyword

    def _reply(self, message_id: str, number: str, text: str, now: datetime) -> None:
        if not self._log.claim_reply(message_id, now):
            return  # an earlier delivery of this text answered it
        try:
            reply_id = self._sms.send(number, text)
        except Exception:
            self._log.release_reply(message_id)
            raise
        self._log.record_reply(message_id, reply_id, now, time.time_ns())
