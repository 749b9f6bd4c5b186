"""Contact preferences: addresses that may not be emailed (bounced, complained, unsubscribed),
numbers that opted out by SMS, and the inbound texts that said so (with the keyword replies
sent to them).

Keyed by the address or a hash of the number, not by candidate: a bounce or a STOP is about
the address itself and must hold for whoever registers it next.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused, serialize
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime

# An inbound text is kept only long enough to act on and to answer.
KEEP_INBOUND_SMS = timedelta(days=30)
SMS_REPLY = "sms_reply"  # the kind a keyword reply is recorded under


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
        """Remember the text; an update, so a redelivery keeps the reply recorded on it."""
        self._update(
            keys.inbound_sms(message_id),
            UpdateExpression="SET sender_hash = :hash, body = :body, "
            "received_at = if_not_exists(received_at, :at), expires_at = if_not_exists(expires_at, :exp)",
            ExpressionAttributeValues={
                ":hash": {"S": sender_hash},
                ":body": {"S": body},
                ":at": {"S": iso(received_at)},
                ":exp": {"N": str(int((received_at + KEEP_INBOUND_SMS).timestamp()))},
            },
        )

    # A keyword reply is claimed on its inbound text before it is sent (``reply_claimed_at``), and
    # recorded there as a nudge records its sends (``send_sms``: message id, time, order; ``kind``
    # ``sms_reply``): a redelivered text is answered once, and the outbox finds the answer.
    def claim_sms_reply(self, message_id: str, now: datetime) -> bool:
        """Take the right to answer this text; False when an earlier delivery of it did."""
        answer = self._update(
            keys.inbound_sms(message_id),
            UpdateExpression="SET reply_claimed_at = :now, kind = :kind",
            ConditionExpression="attribute_exists(PK) AND attribute_not_exists(reply_claimed_at)",
            ExpressionAttributeValues={":now": {"S": iso(now)}, ":kind": {"S": SMS_REPLY}},
        )
        return not isinstance(answer, Refused)

    def release_sms_reply(self, message_id: str) -> None:
        """Give up a claim whose send failed, so the redelivery answers."""
        self._update(keys.inbound_sms(message_id), UpdateExpression="REMOVE reply_claimed_at")

    def record_sms_reply(self, message_id: str, reply_message_id: str, sent_at: datetime, sent_order: int) -> None:
        self._update(
            keys.inbound_sms(message_id),
            UpdateExpression="SET send_sms = :send",
            ExpressionAttributeValues={
                ":send": serialize({"message_id": reply_message_id, "sent_at": iso(sent_at), "sent_order": sent_order})
            },
        )
