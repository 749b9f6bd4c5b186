"""What became of a message after it left: its delivery status, from the provider's events.

Pure: an SES event-publishing notification in, the status it means out. Events arrive out of
order and more than once (SNS is at-least-once), so a status only ever moves forward: a
delivery never hides a bounce or a complaint that was heard first, and a repeat changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from datetime import datetime

MessageStatus = Literal["sent", "delayed", "delivered", "bounced", "failed", "complained"]
MESSAGE_STATUSES: tuple[MessageStatus, ...] = ("sent", "delayed", "delivered", "bounced", "failed", "complained")


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


# How far along a status is: an event is applied only when it moves the message further.
RANK: dict[MessageStatus, int] = {
    "sent": 0,
    "delayed": 1,
    "delivered": 2,
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


def event_status(notification: dict[str, Any]) -> tuple[str, MessageStatus] | None:
    """(SES MessageId, the status it now has) for an SES notification, or None for another kind."""
    kind = notification.get("eventType") or notification.get("notificationType")
    status = _EVENT_STATUS.get(str(kind))
    message_id = (notification.get("mail") or {}).get("messageId")
    if status is None or not message_id:
        return None
    return str(message_id), status
