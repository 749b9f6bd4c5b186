"""What was mailed to an invited adviser: the message id and time of their invitation (kind
``adviser_invitation``), as the outbox and a message's delivery events read it. Never the
temporary password. Kept until the temporary password has expired, and a day more.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, serialize
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime

KIND = "adviser_invitation"
KEPT = timedelta(days=8)  # the pool's TemporaryPasswordValidityDays (7), and a day


class AdviserInvitations(DynamoTable):
    def record_send(self, sub: str, message_id: str, now: datetime) -> None:
        self._update(
            keys.adviser_invitation(sub),
            UpdateExpression="SET kind = :kind, send_email = :send, expires_at = :exp",
            ExpressionAttributeValues={
                ":kind": {"S": KIND},
                ":send": serialize({"message_id": message_id, "sent_at": iso(now), "sent_order": 0}),
                ":exp": {"N": str(int((now + KEPT).timestamp()))},
            },
        )

    def forget(self, sub: str) -> None:
        self._delete(keys.adviser_invitation(sub))
