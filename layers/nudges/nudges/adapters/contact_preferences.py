"""Contact preferences: addresses that may not be emailed (bounced, complained, unsubscribed),
numbers that opted out by SMS, and the inbound texts that said so.

Keyed by the address or a hash of the number, not by candidate: a bounce or a STOP is about
the address itself and must hold for whoever registers it next.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime

# An inbound text is kept only long enough to act on.
KEEP_INBOUND_SMS = timedelta(days=30)


class ContactPreferences(DynamoTable):
    def suppress_email(self, email: str, reason: str, at: datetime) -> None:
        pk, sk = keys.suppression(email)
        self._put({"PK": pk, "SK": sk, "reason": reason, "since": iso(at)})

    def set_sms_opt_out(self, phone_hash: str, opted_out: bool, at: datetime) -> None:
        pk, sk = key = keys.sms_opt_out(phone_hash)
        if opted_out:
            self._put({"PK": pk, "SK": sk, "since": iso(at)})
        else:
            self._delete(key)

    def refusals(self, email: str | None, phone_hash: str | None) -> tuple[str | None, bool]:
        """(why the address may not be emailed or None, whether the number opted out by SMS):
        one BatchGetItem for both, read at send time."""
        email_key = keys.suppression(email) if email else None
        sms_key = keys.sms_opt_out(phone_hash) if phone_hash else None
        wanted = [k for k in (email_key, sms_key) if k is not None]
        found = self._batch_get(wanted) if wanted else {}
        suppressed = found.get(email_key) if email_key else None
        return (suppressed["reason"] if suppressed else None), (sms_key is not None and sms_key in found)

    def record_inbound_sms(self, message_id: str, sender_hash: str, body: str, received_at: datetime) -> None:
        pk, sk = keys.inbound_sms(message_id)
        self._put(
            {
                "PK": pk,
                "SK": sk,
                "sender_hash": sender_hash,
                "body": body,
                "received_at": iso(received_at),
                "expires_at": int((received_at + KEEP_INBOUND_SMS).timestamp()),
            }
        )
