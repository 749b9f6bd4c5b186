"""Which numbers were asked for their consent to texts (the "reply YES" request): at most once
per number, unless the candidate asks again on their page or an adviser resends it. The number
only as its hash; each request sent is recorded on the item (kind ``consent_request``), as the
outbox and the message log read it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused, serialize
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime


class ConsentRequests(DynamoTable):
    def claim(self, phone_hash: str, now: datetime, *, again: bool) -> int | None:
        """The number of this request (1 for the first); None when one went already and
        ``again`` is False (a second change of channels asks nothing)."""
        condition = {} if again else {"ConditionExpression": "attribute_not_exists(PK)"}
        answer = self._update(
            keys.consent_asked(phone_hash),
            UpdateExpression="ADD requests :one SET kind = :kind, last_asked_at = :now, expires_at = :exp",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":kind": {"S": "consent_request"},
                ":now": {"S": iso(now)},
                ":exp": {"N": str(self._expires(now))},
            },
            ReturnValues="UPDATED_NEW",
            **condition,
        )
        if isinstance(answer, Refused):
            return None
        return int(answer["Attributes"]["requests"]["N"])

    def release(self, phone_hash: str, request: int) -> None:
        """The send failed: the first request is free to go again (a later one just stays counted)."""
        if request == 1:
            self._delete(
                keys.consent_asked(phone_hash),
                ConditionExpression="requests = :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

    def record_send(self, phone_hash: str, request: int, message_id: str, now: datetime) -> None:
        self._update(
            keys.consent_asked(phone_hash),
            UpdateExpression="SET #send = :send",
            ExpressionAttributeNames={"#send": f"send_sms_{request}"},
            ExpressionAttributeValues={
                ":send": serialize({"message_id": message_id, "sent_at": iso(now), "sent_order": 0})
            },
        )
