"""What End User Messaging Social publishes to the WhatsApp Business Account's event destination.

Pure: one event in (the AWS header, and Meta's webhook entry as a JSON string in
``whatsAppWebhookEntry``), out the statuses it reports for messages sent (by AWS's ``messageId``,
the id ``SendWhatsAppMessage`` answered, in the header) and the messages the candidate wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nudges.domain.deliveries import WHATSAPP_STATUSES

if TYPE_CHECKING:
    from nudges.domain.deliveries import MessageStatus


@dataclass(frozen=True)
class StatusUpdate:
    message_id: str  # AWS's messageId of the message sent
    status: MessageStatus
    error_code: int | None = None  # Meta's, for a failure (131047: outside the 24-hour window)


@dataclass(frozen=True)
class InboundWhatsApp:
    message_id: str  # Meta's wamid: the same message relayed twice has the same one
    sender: str  # E.164
    body: str


def is_whatsapp_event(event: dict[str, Any]) -> bool:
    return isinstance(event.get("whatsAppWebhookEntry"), str)


def read_event(event: dict[str, Any]) -> tuple[list[StatusUpdate], list[InboundWhatsApp]]:
    """The statuses and inbound text messages in one event (anything else is ignored)."""
    try:
        entry = json.loads(event["whatsAppWebhookEntry"])
    except (KeyError, TypeError, ValueError):
        return [], []
    header_id = str(event.get("messageId") or "")
    statuses: list[StatusUpdate] = []
    inbound: list[InboundWhatsApp] = []
    for change in entry.get("changes") or [] if isinstance(entry, dict) else []:
        value = change.get("value") or {} if isinstance(change, dict) else {}
        for reported in value.get("statuses") or []:
            status = WHATSAPP_STATUSES.get(str(reported.get("status")))
            if status is not None and header_id:
                errors = reported.get("errors") or [{}]
                code = errors[0].get("code") if status == "failed" else None
                statuses.append(StatusUpdate(header_id, status, int(code) if isinstance(code, int) else None))
        for message in value.get("messages") or []:
            sender = str(message.get("from") or "")
            text = (message.get("text") or {}).get("body") if message.get("type") == "text" else None
            if sender and isinstance(text, str) and message.get("id"):
                inbound.append(InboundWhatsApp(str(message["id"]), "+" + sender.lstrip("+"), text))
    return statuses, inbound
