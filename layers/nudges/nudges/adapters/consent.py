"""The candidate's consent records: a YES by SMS (found by the number's hash), and lifting an
email unsubscribe they asked for themselves.

| item                 | PK              | SK              |
|----------------------|-----------------|-----------------|
| phone -> candidate   | PHONE#<sha256>  | CANDIDATE#<id>  |

The YES itself is kept on the candidate's profile (and its copy under the email pointer) as
``sms_yes``: ``{obtained_at, method: "sms_yes", message_id}``, erased with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges.adapters.aws import error_code
from nudges.adapters.dynamo import DynamoTable
from nudges.adapters.store import consent_item
from nudges.domain.candidate import phone_key
from nudges.domain.interview import normalise_email

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from nudges.domain.candidate import Candidate, Consent


class ConsentStore(DynamoTable):
    def __init__(self, client: Any, table_name: str, retention: timedelta) -> None:
        super().__init__(client, table_name)
        self._retention = retention

    def candidates_for_phone(self, phone_hash: str) -> list[str]:
        """The ids of the candidates registered with this number (one Query on its hash)."""
        items = self._query(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"PHONE#{phone_hash}"}},
            ProjectionExpression="candidate_id",
        )
        return [i["candidate_id"] for i in items]

    def record_sms_yes(self, candidate: Candidate, consent: Consent) -> bool:
        """Keep the YES on the profile and its email copy, in one transaction. A YES already kept
        stays as it was (the first is the evidence): False then, and a repeated delivery of the
        same text changes nothing."""
        change = {
            "UpdateExpression": "SET sms_yes = :yes",
            "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(sms_yes)",
            "ExpressionAttributeValues": {":yes": self._ser.serialize(consent_item(consent))},
        }
        keys = [
            (f"CANDIDATE#{candidate.candidate_id}", "PROFILE"),
            (f"EMAIL#{normalise_email(candidate.email)}", "CANDIDATE"),
        ]
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {"Update": {"TableName": self._table, "Key": self._key(pk, sk), **change}} for pk, sk in keys
                ]
            )
        except Exception as exc:
            if error_code(exc) == "TransactionCanceledException":
                return False
            raise
        return True

    def move_phone(self, candidate: Candidate, old_phone: str | None, now: datetime) -> None:
        """The candidate's number changed: the pointer follows it, and a YES from the old number
        no longer counts for the new one."""
        if old_phone == candidate.phone:
            return
        if old_phone:
            self._db.delete_item(
                TableName=self._table,
                Key=self._key(f"PHONE#{phone_key(old_phone)}", f"CANDIDATE#{candidate.candidate_id}"),
            )
        if candidate.phone:
            item: dict[str, Any] = {
                "PK": f"PHONE#{phone_key(candidate.phone)}",
                "SK": f"CANDIDATE#{candidate.candidate_id}",
                "candidate_id": candidate.candidate_id,
                # Kept as long as the profile at least (retention extends it with the candidate's items).
                "expires_at": int((now + self._retention).timestamp()),
            }
            self._db.put_item(TableName=self._table, Item=self._item(item))
        for pk, sk in (
            (f"CANDIDATE#{candidate.candidate_id}", "PROFILE"),
            (f"EMAIL#{normalise_email(candidate.email)}", "CANDIDATE"),
        ):
            self._db.update_item(TableName=self._table, Key=self._key(pk, sk), UpdateExpression="REMOVE sms_yes")

    def resubscribe_email(self, email: str) -> bool:
        """Lift the address's suppression if it is an unsubscribe (the candidate's own choice);
        never a bounce or a complaint. True when one was lifted."""
        try:
            self._db.delete_item(
                TableName=self._table,
                Key=self._key(f"SUPPRESSED#{normalise_email(email)}", "EMAIL"),
                ConditionExpression="reason = :unsubscribed",
                ExpressionAttributeValues={":unsubscribed": {"S": "unsubscribed"}},
            )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True
