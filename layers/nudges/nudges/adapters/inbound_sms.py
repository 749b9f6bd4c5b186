"""Inbound texts and the keyword replies sent to them (HELP, STOP, START...).

| item        | PK                  | SK  | attributes                                                   |
|-------------|---------------------|-----|--------------------------------------------------------------|
| inbound SMS | INBOUND_SMS#<id>    | SMS | sender_hash, body, received_at, expires_at; once answered:   |
|             |                     |     | kind (``sms_reply``), reply_claimed_at, send_sms (message id, |
|             |                     |     | sent_at, sent_order), as a nudge records its sends           |

The number is kept only as its hash. A reply is claimed with a conditional write before it is
sent, so a redelivered inbound message (the SMS topic delivers at least once) is answered once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from nudges.adapters.aws import error_code
from nudges.adapters.dynamo import DynamoTable
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime

# Kept only long enough to act on and to answer.
KEEP = timedelta(days=30)
REPLY_KIND = "sms_reply"


def _key(message_id: str) -> tuple[str, str]:
    return f"INBOUND_SMS#{message_id}", "SMS"


class InboundSmsLog(DynamoTable):
    def record(self, message_id: str, sender_hash: str, body: str, received_at: datetime) -> None:
        """Remember the text (an update: a redelivery keeps the reply recorded on it)."""
        self._db.update_item(
            TableName=self._table,
            Key=self._key(*_key(message_id)),
            UpdateExpression="SET sender_hash = :hash, body = :body, "
            "received_at = if_not_exists(received_at, :at), expires_at = if_not_exists(expires_at, :exp)",
            ExpressionAttributeValues={
                ":hash": {"S": sender_hash},
                ":body": {"S": body},
                ":at": {"S": iso(received_at)},
                ":exp": {"N": str(int((received_at + KEEP).timestamp()))},
            },
        )

    def claim_reply(self, message_id: str, now: datetime) -> bool:
        """Take the right to answer this text; False when an earlier delivery of it did."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key=self._key(*_key(message_id)),
                UpdateExpression="SET reply_claimed_at = :now, kind = :kind",
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(reply_claimed_at)",
                ExpressionAttributeValues={":now": {"S": iso(now)}, ":kind": {"S": REPLY_KIND}},
            )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release_reply(self, message_id: str) -> None:
        """Give up a claim whose send failed, so the redelivery answers."""
        self._db.update_item(
            TableName=self._table,
            Key=self._key(*_key(message_id)),
            UpdateExpression="REMOVE reply_claimed_at",
        )

    def record_reply(self, message_id: str, reply_message_id: str, sent_at: datetime, sent_order: int) -> None:
        """The reply as sent (``send_sms``, shaped like a nudge's send record: the outbox and the
        operator read both the same way)."""
        self._db.update_item(
            TableName=self._table,
            Key=self._key(*_key(message_id)),
            UpdateExpression="SET send_sms = :send",
            ExpressionAttributeValues={
                ":send": self._ser.serialize(
                    {"message_id": reply_message_id, "sent_at": iso(sent_at), "sent_order": sent_order}
                )
            },
        )
