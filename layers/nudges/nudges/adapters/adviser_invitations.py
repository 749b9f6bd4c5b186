"""What was mailed to an invited adviser: the message id and time of their invitation (kind
``adviser_invitation``), as the outbox and a message's delivery events read it. Never the
temporary password. Kept until the temporary password has expired, and a day more. And the
short-lived claim on sending it again (``RESEND_WINDOW``), so a double click mails once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused, serialize
from nudges.timefmt import iso

KIND = "adviser_invitation"
KEPT = timedelta(days=8)  # the pool's TemporaryPasswordValidityDays (7), and a day
# A second "send the invitation again" within this long of the first sends nothing (a double
# click would otherwise mail two passwords, and only the later one works).
RESEND_WINDOW = timedelta(minutes=1)


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

    def claim_resend(self, sub: str, now: datetime) -> datetime | None:
        """Take the resend of ``sub``'s invitation for ``RESEND_WINDOW`` (a conditional write, so
        of two clicks at once one wins): None when taken, else when the one in the window was."""
        until = now + RESEND_WINDOW
        answer = self._update(
            keys.adviser_resend(sub),
            UpdateExpression="SET claimed_at = :now, claimed_until = :until, expires_at = :exp",  # epoch seconds
            ConditionExpression="attribute_not_exists(claimed_until) OR claimed_until <= :now",
            ExpressionAttributeValues={
                ":now": {"N": str(now.timestamp())},
                ":until": {"N": str(until.timestamp())},
                ":exp": {"N": str(int((until + timedelta(days=1)).timestamp()))},
            },
        )
        if not isinstance(answer, Refused):
            return None
        held = self._get(keys.adviser_resend(sub)) or {}
        return datetime.fromtimestamp(float(held["claimed_at"]), UTC) if "claimed_at" in held else now

    def release_resend(self, sub: str) -> None:
        """A resend that failed (nothing mailed) frees the window: the next click sends."""
        self._delete(keys.adviser_resend(sub))

    def forget(self, sub: str) -> None:
        self._delete(keys.adviser_invitation(sub))
        self._delete(keys.adviser_resend(sub))
