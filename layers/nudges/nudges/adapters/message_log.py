"""The message log: every message sent to a candidate, with its provider's message id and status.

| item    | PK                 | SK                                     | GSI1PK / GSI1SK                     |
|---------|--------------------|----------------------------------------|-------------------------------------|
| message | CANDIDATE#<id>     | MESSAGE#<sent_at>#<ns>#<provider id>   | MESSAGE#<provider id> / MESSAGE     |

Kept in the candidate's own partition, so a candidate's messages are one Query (newest first),
and erasure and retention find them with the candidate's other items (NudgeStore walks the
candidate's partition). The provider's event finds its message through GSI1 by the SES (or SNS)
MessageId. A record expires no earlier than the candidate's profile does when it is written.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from nudges.adapters.aws import error_code
from nudges.adapters.dynamo import DynamoTable
from nudges.domain.deliveries import RANK, LoggedMessage
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from nudges.domain.deliveries import MessageStatus

GSI1 = "GSI1"


class MessageLog(DynamoTable):
    def __init__(self, client: Any, table_name: str, retention: timedelta) -> None:
        super().__init__(client, table_name)
        self._retention = retention

    def record(self, message: LoggedMessage) -> None:
        """Log a message just handed to SES or SNS (one GetItem for the profile's expiry, one PutItem)."""
        profile = (
            self._db.get_item(
                TableName=self._table,
                Key=self._key(f"CANDIDATE#{message.candidate_id}", "PROFILE"),
                ProjectionExpression="expires_at",
            ).get("Item")
            or {}
        )
        expires = int((message.sent_at + self._retention).timestamp())
        if "expires_at" in profile:
            expires = max(expires, int(profile["expires_at"]["N"]))
        self._db.put_item(
            TableName=self._table,
            Item=self._item(
                {
                    "PK": f"CANDIDATE#{message.candidate_id}",
                    "SK": f"MESSAGE#{iso(message.sent_at)}#{time.time_ns():020d}#{message.provider_message_id}",
                    "GSI1PK": f"MESSAGE#{message.provider_message_id}",
                    "GSI1SK": "MESSAGE",
                    "candidate_id": message.candidate_id,
                    "kind": message.kind,
                    "channel": message.channel,
                    "interview_id": message.interview_id,
                    "provider_message_id": message.provider_message_id,
                    "sent_at": iso(message.sent_at),
                    "status": message.status,
                    "status_rank": RANK[message.status],
                    "expires_at": expires,
                }
            ),
        )

    def for_candidate(self, candidate_id: str) -> list[LoggedMessage]:
        """Every message sent to the candidate, newest first: one Query (paged) on their partition."""
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :message)",
            ExpressionAttributeValues={":pk": {"S": f"CANDIDATE#{candidate_id}"}, ":message": {"S": "MESSAGE#"}},
            ScanIndexForward=False,
            ConsistentRead=True,
        )
        return [self._message(i) for i in items]

    def set_status(self, provider_message_id: str, status: MessageStatus, at: datetime) -> LoggedMessage | None:
        """Move the message with this provider id on to ``status``, unless it is there or further
        already (events come out of order and twice). None when no logged message has that id."""
        found = self._query(
            IndexName=GSI1,
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"MESSAGE#{provider_message_id}"}},
        )
        if not found:
            return None
        item = found[0]
        try:
            self._db.update_item(
                TableName=self._table,
                Key=self._key(item["PK"], item["SK"]),
                UpdateExpression="SET #s = :status, status_rank = :rank, status_at = :at",
                ConditionExpression="attribute_exists(PK) AND status_rank < :rank",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":status": {"S": status},
                    ":rank": {"N": str(RANK[status])},
                    ":at": {"S": iso(at)},
                },
            )
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return self._message(item)  # already there or further, or erased meanwhile
        return self._message({**item, "status": status, "status_at": iso(at)})

    @staticmethod
    def _message(item: dict[str, Any]) -> LoggedMessage:
        return LoggedMessage(
            candidate_id=item["candidate_id"],
            kind=item["kind"],
            channel=item["channel"],
            provider_message_id=item["provider_message_id"],
            sent_at=parse_iso(item["sent_at"]),
            status=item["status"],
            interview_id=item.get("interview_id"),
            status_at=parse_iso(item["status_at"]) if item.get("status_at") else None,
        )
