"""What became of a message after it left: its delivery status, from the provider's events.

Pure: a provider's event in (SES's event publishing, End User Messaging SMS's configuration-set
event, End User Messaging Social's relayed WhatsApp status), the status it means out. Events arrive out of
order and more than once (SNS is at-least-once), so a status only ever moves forward: a
delivery never hides a bounce or a complaint that was heard first, and a repeat changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from datetime import datetime

MessageStatus = Literal["sent", "delayed", "delivered", "read", "bounced", "failed", "complained"]
MESSAGE_STATUSES: tuple[MessageStatus, ...] = (
    "sent",
    "delayed",
    "delivered",
    "read",
    "bounced",
    "failed",
    "complained",
)


@dataclass(frozen=True)
class LoggedMessage:
    candidate_id: str
    kind: str
    channel: str
    provider_message_id: str
    sent_at: datetime
    status: MessageStatus = "sent"
    interview_id: str | None = None
    status_at: datetime | None = None


@dataclass(frozen=True)
class SentMessage:
    """What a report counts of a logged message (GSI2 holds no more)."""

    kind: str
    channel: str
    status: MessageStatus


# How far along a status is: an event is applied only when it moves the message further.
RANK: dict[MessageStatus, int] = {
    "sent": 0,
    "delayed": 1,
    "delivered": 2,
    "read": 3,  # WhatsApp's blue ticks: after delivered
    "bounced": 3,
    "failed": 3,
    "complained": 4,
}

# SES event types (the configuration set's eventType) -> the status they mean.
_EVENT_STATUS: dict[str, MessageStatus] = {
    "Delivery": "delivered",
    "DeliveryDelay": "delayed",
    "Bounce": "bounced",
    "Complaint": "complained",
    "Reject": "failed",
    "Rendering Failure": "failed",
}


# The message tag (SES) and context key (End User Messaging SMS) that carry a nudge's message log
# key to its provider and back with each of its events.
LOG_TAG = "log"


def event_ref(notification: dict[str, Any]) -> str | None:
    """The log key an SES event carries back (``mail.tags``: each tag's values as a list)."""
    values = ((notification.get("mail") or {}).get("tags") or {}).get(LOG_TAG) or []
    return str(values[0]) if values else None


def sms_event_ref(event: dict[str, Any]) -> str | None:
    """The log key an End User Messaging SMS event carries back (``context``, as sent)."""
    found = (event.get("context") or {}).get(LOG_TAG)
    return str(found) if found else None


def event_status(notification: dict[str, Any]) -> tuple[str, MessageStatus] | None:
    """(SES MessageId, the status it now has) for an SES notification, or None for another kind."""
    kind = notification.get("eventType") or notification.get("notificationType")
    status = _EVENT_STATUS.get(str(kind))
    message_id = (notification.get("mail") or {}).get("messageId")
    if status is None or not message_id:
        return None
    return str(message_id), status


# End User Messaging SMS event types (a configuration set's events) -> the status they mean. The
# carrier's receipt is final; TEXT_SUCCESSFUL (handed to the carrier) and TEXT_UNKNOWN (no final
# receipt after 72 hours) leave the text ``sent``.
_SMS_EVENT_STATUS: dict[str, MessageStatus] = {
    "TEXT_DELIVERED": "delivered",
    "TEXT_INVALID": "failed",
    "TEXT_INVALID_MESSAGE": "failed",
    "TEXT_UNREACHABLE": "failed",
    "TEXT_CARRIER_UNREACHABLE": "failed",
    "TEXT_BLOCKED": "failed",
    "TEXT_CARRIER_BLOCKED": "failed",
    "TEXT_SPAM": "failed",
    "TEXT_TTL_EXPIRED": "failed",
    "TEXT_PROTECT_BLOCKED": "failed",
}


def sms_event_status(event: dict[str, Any]) -> tuple[str, MessageStatus] | None:
    """(End User Messaging SMS MessageId, the status it now has) for a text's event, or None."""
    status = _SMS_EVENT_STATUS.get(str(event.get("eventType")))
    message_id = event.get("messageId")
    if status is None or not message_id:
        return None
    return str(message_id), status


# WhatsApp statuses as Meta reports them (relayed by End User Messaging Social).
WHATSAPP_STATUSES: dict[str, MessageStatus] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
}
