"""What became of each text and WhatsApp message: End User Messaging SMS's configuration-set
events and End User Messaging Social's relayed WhatsApp statuses move the message log on (never
back: events come out of order and twice); a WhatsApp message the candidate wrote goes to the
WhatsApp keywords (STOP, START, HELP)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges.domain.channels import SMS, WHATSAPP
from nudges.domain.deliveries import sms_event_ref, sms_event_status
from nudges.domain.whatsapp_events import is_whatsapp_event, read_event
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.domain.deliveries import MessageStatus
    from nudges.domain.whatsapp_events import InboundWhatsApp
    from nudges.services.ports import Messages


class MessageEvents:
    def __init__(
        self, log: Messages, whatsapp_received: Callable[[InboundWhatsApp, datetime], Any] | None = None
    ) -> None:
        self._log = log
        self._whatsapp_received = whatsapp_received

    def handle(self, event: dict[str, Any], now: datetime) -> None:
        """One event from the message events topic, whichever service published it."""
        if is_whatsapp_event(event):
            statuses, inbound = read_event(event)
            for update in statuses:
                self._move(update.message_id, update.status, now, WHATSAPP.name, update.error_code)
            for message in inbound:
                if self._whatsapp_received is None:
                    logger.info(
                        "WhatsApp message received; WhatsApp is not wired", extra={"message_id": message.message_id}
                    )
                else:
                    self._whatsapp_received(message, now)
            return
        found = sms_event_status(event)
        if found is not None:
            self._move(found[0], found[1], now, SMS.name, None, event.get("eventType"), sms_event_ref(event))

    def _move(
        self,
        message_id: str,
        status: MessageStatus,
        now: datetime,
        channel: str,
        error_code: int | None = None,
        event_type: Any = None,
        ref: str | None = None,
    ) -> None:
        logged = self._log.set_status(message_id, status, now, ref)
        extra: dict[str, Any] = {"message_id": message_id, "channel": channel, "status": status}
        if error_code is not None:
            extra["error_code"] = error_code
        if event_type:
            extra["event_type"] = event_type
        if logged is None:
            # Not one of ours to track (sent before the log existed, or erased since).
            logger.info("event for a message not in the log", extra=extra)
        else:
            logger.info("message status", extra={**extra, "status": logged.status, "candidate_id": logged.candidate_id})
