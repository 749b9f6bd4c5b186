"""The candidate's consent records: a YES by SMS (found by the number's hash, ``keys.phone_pointer``),
and lifting an email unsubscribe they asked for themselves.

The YES itself is kept on the candidate's profile (and its copy under the email pointer) as
``sms_yes``: ``{obtained_at, method: "sms_yes", message_id}``, erased with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges.adapters import keys
from nudges.adapters.candidates import consent_item
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key, serialize
from nudges.domain.candidate import phone_key

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate, Consent


class ConsentStore(DynamoTable):
    def candidates_for_phone(self, phone_hash: str) -> list[str]:
        """The ids of the candidates registered with this number (one Query on its hash)."""
        items = self._query(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"{keys.PHONE_PREFIX}{phone_hash}"}},
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
            "ExpressionAttributeValues": {":yes": serialize(consent_item(consent))},
        }
        targets = [keys.candidate(candidate.candidate_id), keys.email_pointer(candidate.email)]
        answer = self._transact([{"Update": {"Key": dynamo_key(k), **change}} for k in targets])
        return not isinstance(answer, Refused)

    def move_phone(self, candidate: Candidate, old_phone: str | None, now: datetime) -> None:
        """The candidate's number changed: the pointer follows it, and neither a YES from the old
        number nor the consent given for it counts for the new one (a new YES is asked)."""
        if old_phone == candidate.phone:
            return
        if old_phone:
            self._delete(keys.phone_pointer(phone_key(old_phone), candidate.candidate_id))
        if candidate.phone:
            pk, sk = keys.phone_pointer(phone_key(candidate.phone), candidate.candidate_id)
            # Kept as long as the profile at least (retention extends it with the candidate's items).
            self._put({"PK": pk, "SK": sk, "candidate_id": candidate.candidate_id, "expires_at": self._expires(now)})
        for key in (keys.candidate(candidate.candidate_id), keys.email_pointer(candidate.email)):
            self._update(key, UpdateExpression="REMOVE sms_yes, sms_consent")

    def resubscribe_email(self, email: str) -> bool:
        """Lift the address's suppression if it is an unsubscribe (the candidate's own choice);
        never a bounce or a complaint. True when one was lifted."""
        answer = self._delete(
            keys.suppression(email),
            ConditionExpression="reason = :unsubscribed",
            ExpressionAttributeValues={":unsubscribed": {"S": "unsubscribed"}},
        )
        return not isinstance(answer, Refused)
