"""Webhook receipts: the delivery ids (or signed tokens) a provider's webhooks were received
with, remembered for a while so a duplicate or a replay changes nothing. (Sending a nudge is a
delivery; hearing from a provider is a receipt.)"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime, timedelta


class WebhookReceipts(DynamoTable):
    def claim(self, source: str, receipt_id: str, now: datetime, keep: timedelta) -> bool:
        """Remember a provider's delivery id; False if it was received before (a duplicate or replay).

        The claim carries a token of its own: when the answer to the put was lost and botocore's
        retry finds the item, the token tells this receipt's own claim from a duplicate's.
        """
        token = uuid.uuid4().hex
        pk, sk = key = keys.webhook_receipt(source, receipt_id)
        answer = self._put(
            {
                "PK": pk,
                "SK": sk,
                "received_at": iso(now),
                "claim_token": token,
                "expires_at": int((now + keep).timestamp()),
            },
            ConditionExpression="attribute_not_exists(PK)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        if not isinstance(answer, Refused):
            return True
        if answer.item is not None:
            return answer.item.get("claim_token", {}).get("S") == token
        return (self._get(key) or {}).get("claim_token") == token

    def release(self, source: str, receipt_id: str) -> None:
        """Forget a claimed receipt whose processing failed, so the provider's retry is heard."""
        self._delete(keys.webhook_receipt(source, receipt_id))
