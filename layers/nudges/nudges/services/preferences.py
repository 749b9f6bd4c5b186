"""What a candidate chose about being contacted: SMS keywords, email bounces and complaints,
unsubscribe links. Keyed by the address or a hash of the number, not by candidate: a bounce or
a STOP is about the address itself and must hold for whoever registers it next."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from nudges.domain.candidate import phone_key
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.services.ports import Candidates, Preferences, SmsOut

OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"}
OPT_IN = {"START", "UNSTOP"}
HELP = {"HELP", "INFO"}
YES = {"YES", "Y"}  # consent to texts (double opt-in): the welcome SMS asks for it
HELP_REPLY = (
    "Interview Nudges: reminders to research before, thank after, and connect once you get an offer. "
    "Reply STOP to stop texts, START to resume. Emails have their own unsubscribe link."
)

Keyword = Literal["opt_out", "opt_in", "help", "yes", "other"]
# YES is handed to the candidate journey's consent service: (number, inbound message id, now).
type ConsentHook = Callable[[str, str, datetime], object]


def keyword_of(body: str) -> Keyword:
    """What an inbound text asks for, by its first word (carriers' keywords, any case)."""
    word = body.strip().split(" ")[0].upper() if body.strip() else ""
    if word in OPT_OUT:
        return "opt_out"
    if word in OPT_IN:
        return "opt_in"
    if word in YES:
        return "yes"
    return "help" if word in HELP else "other"


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
        self, candidates: Candidates, preferences: Preferences, sms: SmsOut, on_consent: ConsentHook | None = None
    ) -> None:
        self._candidates = candidates
        self._preferences = preferences
        self._sms = sms
        self._on_consent = on_consent

    def sms_received(self, message_id: str, number: str, body: str, now: datetime) -> Keyword:
        """An inbound text: STOP and friends opt out, START opts back in, HELP answers, YES consents."""
        keyword = keyword_of(body)
        self._preferences.record_inbound_sms(message_id, phone_key(number), body, now)
        if keyword == "opt_out":
            self._preferences.set_sms_opt_out(phone_key(number), True, now)
        elif keyword == "opt_in":
            self._preferences.set_sms_opt_out(phone_key(number), False, now)
            try:
                self._sms.opt_in(number)  # also lift a carrier-level STOP; AWS allows this once in 30 days
            except Exception:
                logger.warning("carrier opt-in refused", extra={"message_id": message_id})
        elif keyword == "help":
            self._sms.send(number, HELP_REPLY)
        elif keyword == "yes" and self._on_consent is not None:
            self._on_consent(number, message_id, now)
        logger.info("inbound SMS handled", extra={"message_id": message_id, "keyword": keyword})
        return keyword

    def email_event(self, notification: dict[str, Any], now: datetime) -> int:
        """An SES event (through the configuration set's topic); how many addresses it suppressed."""
        found = suppressions(notification)
        for address, reason in found:
            self._preferences.suppress_email(address, reason, now)
            logger.info(
                "address suppressed",
                extra={"reason": reason, "message_id": notification.get("mail", {}).get("messageId")},
            )
        return len(found)

    def unsubscribe(self, candidate_id: str, now: datetime) -> None:
        """The candidate's one-click unsubscribe: nothing more is emailed to their address."""
        candidate = self._candidates.get(candidate_id)
        if candidate is not None:
            self._preferences.suppress_email(candidate.email, "unsubscribed", now)
            logger.info("unsubscribed from email", extra={"candidate_id": candidate_id})
