"""What a candidate chose about being contacted, and what became of what was sent: SMS keywords,
SES's delivery, bounce and complaint events (the message log's status), unsubscribe links. Keyed by the address or a hash of the number, not by candidate: a bounce or
a STOP is about the address itself and must hold for whoever registers it next."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from nudges.adapters.contact_preferences import SMS_REPLY
from nudges.domain.candidate import phone_key
from nudges.domain.channels import SMS
from nudges.domain.deliveries import LoggedMessage, event_ref, event_status
from nudges.domain.locales import DEFAULT_LOCALE
from nudges.domain.messages import DEFAULT_BRANDING, sms_reply
from nudges.domain.sms_keywords import Keyword, parse_keyword
from nudges.errors import RecipientOptedOut
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.domain.messages import Branding
    from nudges.services.ports import Candidates, Messages, Preferences, SmsOut

# YES (SMS consent): handed the number, the inbound message id and the time; the candidate
# journey's consent service records it (and answers). Until one is wired, YES is only logged.
type ConsentHook = Callable[[str, str, datetime], str | None]  # the answer to send, if any


def suppressions(notification: dict[str, Any]) -> list[tuple[str, str]]:
    """The addresses an SES event says must not be emailed again, each with why."""
    kind = notification.get("eventType") or notification.get("notificationType")
    if kind == "Bounce":
        bounce = notification["bounce"]
        # Transient bounces (mailbox full, auto-replies) may succeed later; only permanent ones stop us.
        if bounce.get("bounceType") != "Permanent":
            return []
        return [(r["emailAddress"], "bounced") for r in bounce.get("bouncedRecipients", [])]
    if kind == "Complaint":
        return [(r["emailAddress"], "complained") for r in notification["complaint"].get("complainedRecipients", [])]
    return []


class PreferenceService:
    def __init__(
        self,
        candidates: Candidates,
        preferences: Preferences,
        sms: SmsOut,
        on_consent: ConsentHook | None = None,
        messages: Messages | None = None,
        branding: Branding = DEFAULT_BRANDING,
        locale_of: Callable[[str], str | None] | None = None,
        phone_owners: Callable[[str], list[str]] | None = None,
    ) -> None:
        self._phone_owners = phone_owners  # who is registered with a number (by its hash)
        # The language of the number's candidate: keywords are understood in English and in it,
        # and answered in it (nudges.domain.locales lists each language's words).
        self._locale_of = locale_of
        self._candidates = candidates
        self._preferences = preferences
        self._sms = sms
        self._on_consent = on_consent
        self._messages = messages  # the message log, whose statuses SES's events move on
        self._branding = branding

    def sms_received(self, message_id: str, number: str, body: str, now: datetime) -> Keyword | None:
        """An inbound text: STOP and its synonyms opt out, START opts back in, HELP answers, YES is
        consent; in any case, with punctuation or words after them (``domain/sms_keywords``).
        Safe to repeat: a redelivered text changes nothing more and is answered once."""
        locale = (self._locale_of(number) if self._locale_of else None) or DEFAULT_LOCALE
        keyword = parse_keyword(body, locale)
        number_hash = phone_key(number)
        self._preferences.record_inbound_sms(message_id, number_hash, body, now)
        if keyword is Keyword.STOP:
            self._preferences.set_sms_opt_out(number_hash, True, now)
            self._reply(message_id, number, sms_reply("stop", locale, self._branding), now)
        elif keyword is Keyword.START:
            self._preferences.set_sms_opt_out(number_hash, False, now)
            try:
                self._sms.opt_in(number)  # also lift a carrier-level STOP; AWS allows this once in 30 days
            except Exception:
                logger.warning("carrier opt-in refused", extra={"message_id": message_id})
            self._reply(message_id, number, sms_reply("start", locale, self._branding), now)
        elif keyword is Keyword.HELP:
            self._reply(message_id, number, sms_reply("help", locale, self._branding), now)
        elif keyword is Keyword.YES:
            if self._on_consent is not None:
                answer = self._on_consent(number, message_id, now)
                if answer:
                    self._reply(message_id, number, answer, now)
            else:
                logger.info("SMS consent keyword received; no consent service wired", extra={"message_id": message_id})
        logger.info("inbound SMS handled", extra={"message_id": message_id, "keyword": keyword or "none"})
        return keyword

    def _reply(self, message_id: str, number: str, text: str, now: datetime) -> None:
        """Answer a keyword once (claimed on the inbound text first), and record the answer like a
        nudge's send (kind ``sms_reply``): the operator and the local outbox read it there."""
        if not self._preferences.claim_sms_reply(message_id, now):
            return  # an earlier delivery of this text answered it
        try:
            reply_id = self._sms.send(number, text)
        except RecipientOptedOut:
            # End User Messaging put the number on its opt-out list when it texted STOP, before
            # this ran, and answers STOP (and HELP to an opted-out number) with the number's own
            # keyword responses: nothing for us to send, and nothing failed.
            logger.info("keyword reply not sent: the number is opted out at the channel")
            return
        except Exception:
            self._preferences.release_sms_reply(message_id)
            raise
        self._preferences.record_sms_reply(message_id, reply_id, now, time.time_ns())
        if self._messages is not None and self._phone_owners is not None:
            # In the log of whoever this number belongs to (the operator and the console read it
            # there), with its delivery status as the SMS events report it.
            for candidate_id in self._phone_owners(phone_key(number)):
                self._messages.record(LoggedMessage(candidate_id, SMS_REPLY, SMS.name, reply_id, now))

    def email_event(self, notification: dict[str, Any], now: datetime) -> int:
        """An SES event (through the configuration set's topic): the message log's status of its
        message moves on (never back), and a permanent bounce or a complaint suppresses the
        address; how many addresses it suppressed."""
        message_id = notification.get("mail", {}).get("messageId")
        found = suppressions(notification)
        for address, reason in found:
            self._preferences.suppress_email(address, reason, now)
            logger.info("address suppressed", extra={"reason": reason, "message_id": message_id})
        status = event_status(notification)
        if status is not None and self._messages is not None:
            logged = self._messages.set_status(status[0], status[1], now, event_ref(notification))
            if logged is None:
                # Not one of ours to track (sent before the log existed, or erased since).
                logger.info("event for a message not in the log", extra={"message_id": message_id})
            else:
                logger.info(
                    "message status",
                    extra={"message_id": message_id, "status": logged.status, "candidate_id": logged.candidate_id},
                )
        return len(found)

    def unsubscribe(self, candidate_id: str, now: datetime) -> None:
        """The candidate's one-click unsubscribe: nothing more is emailed to their address."""
        candidate = self._candidates.get(candidate_id)
        if candidate is not None:
            self._preferences.suppress_email(candidate.email, "unsubscribed", now)
            logger.info("unsubscribed from email", extra={"candidate_id": candidate_id})
