"""SES's event publishing, played locally: what a configuration set sends to its SNS topic.

- Every email the functions send is delivered: once it has reached the AWS endpoint, the stack
  publishes the Delivery event SES would (``notify_deliveries``, after each request, clock move
  and topic delivery), to each configuration-set destination that matches ``delivery``.
- ``POST /_local/email-event`` publishes a Bounce or Complaint for a given SES MessageId, or for
  the latest email sent to an address.

The emails come from the endpoint itself: an embedded moto server's SES backend directly (its
``/moto-api/data.json`` dump grows with every model and takes seconds), any other endpoint
through the outbox's reader, asked only when SES's send count (``GetSendQuota``) has moved.
Which emails already had their Delivery event is this process's state: on start, everything
already in the endpoint counts as delivered (a restarted stack does not deliver twice).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from . import outbox

if TYPE_CHECKING:
    from datetime import datetime

    from .provision import Aws


@dataclass(frozen=True)
class SentEmail:
    message_id: str
    to: tuple[str, ...]
    source: str
    tags: tuple[tuple[str, str], ...] = ()  # the message tags (``X-SES-MESSAGE-TAGS`` of a raw email)


def message_tags(raw: str) -> tuple[tuple[str, str], ...]:
    """The tags of a raw email's ``X-SES-MESSAGE-TAGS: name=value, name=value`` header."""
    header = outbox.header(raw, "X-SES-MESSAGE-TAGS")
    pairs = (part.strip().partition("=") for part in header.split(","))
    return tuple((name, value) for name, _, value in pairs if name and value)


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def notification(kind: str, email: SentEmail, now: datetime, address: str | None = None) -> dict[str, Any]:
    """The JSON SES publishes through a configuration set (eventType Delivery, Bounce, Complaint)."""
    stamp = _stamp(now)
    recipients = [address] if address else list(email.to)
    mail: dict[str, Any] = {
        "timestamp": stamp,
        "messageId": email.message_id,
        "destination": list(email.to),
        "source": email.source,
    }
    if email.tags:
        mail["tags"] = {name: [value] for name, value in email.tags}
    if kind == "delivery":
        return {
            "eventType": "Delivery",
            "mail": mail,
            "delivery": {
                "timestamp": stamp,
                "processingTimeMillis": 1,
                "recipients": recipients,
                "smtpResponse": "250 2.6.0 Message received",
                "reportingMTA": "a8-70.smtp-out.amazonses.com",
            },
        }
    if kind == "bounce":
        return {
            "eventType": "Bounce",
            "mail": mail,
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {
                        "emailAddress": r,
                        "action": "failed",
                        "status": "5.1.1",
                        "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                    }
                    for r in recipients
                ],
                "timestamp": stamp,
                "feedbackId": str(uuid.uuid4()),
            },
        }
    if kind == "complaint":
        return {
            "eventType": "Complaint",
            "mail": mail,
            "complaint": {
                "complainedRecipients": [{"emailAddress": r} for r in recipients],
                "timestamp": stamp,
                "feedbackId": str(uuid.uuid4()),
                "complaintFeedbackType": "abuse",
            },
        }
    raise ValueError(f"no SES event {kind!r}")


class SesEvents:
    def __init__(self, aws: Aws, *, embedded: bool) -> None:
        self._aws = aws
        self._embedded = embedded
        self._lock = threading.Lock()
        self._delivered: set[str] = set()
        self._count = -1

    def start(self) -> None:
        """Everything the endpoint holds already counts as delivered."""
        with self._lock:
            self._count = self._send_count()
            self._delivered = {e.message_id for e in self.sent()}

    def _send_count(self) -> int:
        try:
            return int(self._aws.client("ses").get_send_quota().get("SentLast24Hours", 0))
        except Exception:
            return -1  # an endpoint without SES v1: read the messages every time

    def sent(self) -> list[SentEmail]:
        """Every email the endpoint accepted, in send order."""
        if self._embedded:
            from moto.ses.models import ses_backends

            backend = ses_backends[self._aws.account_id][self._aws.region]
            emails = []
            for message in list(backend.sent_messages):
                to: Any = getattr(message, "destinations", None) or []
                if isinstance(to, dict):  # a simple (not raw) message: {"ToAddresses": [...], ...}
                    to = [*to.get("ToAddresses", []), *to.get("CcAddresses", []), *to.get("BccAddresses", [])]
                raw = getattr(message, "raw_data", None) or ""
                if not to and raw:
                    to = outbox._text_part(raw)[0].split(", ")
                tags = message_tags(raw) if raw else ()
                emails.append(SentEmail(message.id, tuple(a for a in to if a), str(message.source), tags))
            return emails
        return [
            SentEmail(m["id"], tuple(a for a in m["to"].split(", ") if a), "", tuple(m.get("tags") or ()))
            for m in outbox.sent_messages(self._aws.endpoint_url)
            if m["channel"] == "email" and m["id"]
        ]

    def undelivered(self) -> list[SentEmail]:
        """Emails sent since the last call (each returned once): their Delivery events are due."""
        with self._lock:
            count = self._send_count()
            if count != -1 and count == self._count:
                return []
            self._count = count
            new = [e for e in self.sent() if e.message_id not in self._delivered]
            self._delivered.update(e.message_id for e in new)
            return new

    def find(self, message_id: str | None, address: str | None) -> SentEmail | None:
        """The email with this SES MessageId, else the latest sent to this address."""
        emails = self.sent()
        if message_id:
            return next((e for e in emails if e.message_id == message_id), None)
        wanted = (address or "").strip().lower()
        return next((e for e in reversed(emails) if wanted in (a.lower() for a in e.to)), None)
