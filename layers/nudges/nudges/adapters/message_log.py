"""The message log: every message sent to a candidate, with its provider's message id and status.

Kept in the candidate's own partition (``keys.message``), so a candidate's messages are one Query
(newest first), and erasure and retention find them with the candidate's other items
(``Retention`` walks the candidate's partition). The provider's event finds its message through
GSI1 by the SES (or SNS) MessageId (``keys.message_lookup``); a nudge's message is keyed before
it is sent (``keys.sent_message``) and carries its key to the provider (an SES message tag, End
User Messaging's context), so its events update it by key, no lookup. The console's messages
report reads a period through GSI2, keyed by the UTC month of sending (``keys.message_month``,
sharded). A record expires no earlier than the candidate's profile does when it is written.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key, plain
from nudges.domain.deliveries import RANK, LoggedMessage, SentMessage
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.deliveries import MessageStatus

READERS = 8  # GSI2 shards read at once by a report (botocore's pool holds 10 connections)


def read_message(item: dict[str, Any]) -> LoggedMessage:
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


def message_item(message: LoggedMessage, key: tuple[str, str], expires_at: int) -> dict[str, Any]:
    """The log's item for ``message`` at ``key`` (plain values: ``to_item`` makes it DynamoDB's)."""
    return {
        "PK": key[0],
        "SK": key[1],
        "GSI1PK": keys.message_lookup(message.provider_message_id),
        "GSI1SK": keys.MESSAGE_SK,
        # The console's messages report reads a period by the UTC month of sending.
        "GSI2PK": keys.message_month(message.sent_at, message.provider_message_id),
        "GSI2SK": key[1].removeprefix(keys.MESSAGE_PREFIX),
        "candidate_id": message.candidate_id,
        "kind": message.kind,
        "channel": message.channel,
        "interview_id": message.interview_id,
        "provider_message_id": message.provider_message_id,
        "sent_at": iso(message.sent_at),
        "status": message.status,
        "status_rank": RANK[message.status],
        "expires_at": expires_at,
    }


class MessageLog(DynamoTable):
    def ref(self, candidate_id: str, sent_at: datetime, order: int, channel: str) -> str:
        """What a nudge's message carries to its provider, so its events find its log record by
        key (``keys.sent_message``); no call."""
        return keys.message_ref(keys.sent_message(candidate_id, sent_at, order, channel))

    def record(self, message: LoggedMessage, candidate_expires_at: int | None = None) -> None:
        """Log a message just handed to SES or SNS: one PutItem, expiring no earlier than the
        candidate's profile (``candidate_expires_at`` as the caller read it, else one GetItem)."""
        if candidate_expires_at is None:
            profile = (
                self._db.get_item(
                    TableName=self._table,
                    Key=dynamo_key(keys.candidate(message.candidate_id)),
                    ProjectionExpression="expires_at",
                ).get("Item")
                or {}
            )
            candidate_expires_at = int(profile["expires_at"]["N"]) if "expires_at" in profile else None
        expires = max(self._expires(message.sent_at), candidate_expires_at or 0)
        key = keys.message(message.candidate_id, message.sent_at, time.time_ns(), message.provider_message_id)
        self._put(message_item(message, key, expires))

    def for_candidate(self, candidate_id: str) -> list[LoggedMessage]:
        """Every message sent to the candidate, newest first: one Query (paged) on their partition."""
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :message)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.candidate(candidate_id)[0]},
                ":message": {"S": keys.MESSAGE_PREFIX},
            },
            ScanIndexForward=False,
            ConsistentRead=True,
        )
        return [read_message(i) for i in items]

    def sent_between(self, start: datetime, end: datetime) -> Counter[SentMessage]:
        """How many messages sent from ``start`` up to (not including) ``end`` have each (kind,
        channel, status): one Query (paged) a shard of each UTC month on GSI2, which holds those
        three attributes only; never a Scan, never a read of a message outside the period. The
        shards are read side by side (``READERS`` at a time), so a long period costs the time of
        its largest shard, not of all of them; each page is counted and dropped (memory stays a
        page's, however many messages the period holds)."""
        first, last = iso(start), iso(end - timedelta(seconds=1)) + "#~"
        months = keys.message_months(start, end - timedelta(seconds=1))

        def count(month: str) -> Counter[SentMessage]:
            counted: Counter[SentMessage] = Counter()
            pages = self._db.get_paginator("query").paginate(
                TableName=self._table,
                IndexName=keys.GSI2,
                KeyConditionExpression="GSI2PK = :month AND GSI2SK BETWEEN :first AND :last",
                ExpressionAttributeValues={":month": {"S": month}, ":first": {"S": first}, ":last": {"S": last}},
                ProjectionExpression="kind, channel, #s",
                ExpressionAttributeNames={"#s": "status"},
            )
            for page in pages:
                counted.update(
                    SentMessage(i["kind"]["S"], i["channel"]["S"], i["status"]["S"]) for i in page.get("Items", [])
                )
            return counted

        self._db.meta  # noqa: B018  (the client built once, here, before the threads share it)
        total: Counter[SentMessage] = Counter()
        with ThreadPoolExecutor(max_workers=READERS) as pool:
            for counted in pool.map(count, months):
                total.update(counted)
        return total

    def set_status(
        self, provider_message_id: str, status: MessageStatus, at: datetime, ref: str | None = None
    ) -> LoggedMessage | None:
        """Move the message with this provider id on to ``status``, unless it is there or further
        already (events come out of order and twice). None when no logged message has that id.
        With the ``ref`` the event carried back (``ref``): one UpdateItem by key, no lookup."""
        key = keys.message_key(ref) if ref else None
        if key is not None:
            answer = self._update(
                key,
                UpdateExpression="SET #s = :status, status_rank = :rank, status_at = :at",
                ConditionExpression="provider_message_id = :id AND status_rank < :rank",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":status": {"S": status},
                    ":rank": {"N": str(RANK[status])},
                    ":at": {"S": iso(at)},
                    ":id": {"S": provider_message_id},
                },
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            if not isinstance(answer, Refused):
                return read_message(plain(answer["Attributes"]))
            if answer.item is None:
                return None  # not logged (erased since, or the send's record never written)
            old = plain(answer.item)
            if old.get("provider_message_id") == provider_message_id:
                return read_message(old)  # already there or further
        found = self._query(
            IndexName=keys.GSI1,
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.message_lookup(provider_message_id)}},
        )
        if not found:
            return None
        item = found[0]
        answer = self._update(
            (item["PK"], item["SK"]),
            UpdateExpression="SET #s = :status, status_rank = :rank, status_at = :at",
            ConditionExpression="attribute_exists(PK) AND status_rank < :rank",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":status": {"S": status},
                ":rank": {"N": str(RANK[status])},
                ":at": {"S": iso(at)},
            },
        )
        if isinstance(answer, Refused):
            return read_message(item)  # already there or further, or erased meanwhile
        return read_message({**item, "status": status, "status_at": iso(at)})
