"""WhatsApp's side of the contact preferences: numbers that said STOP on WhatsApp, and the
messages candidates wrote (with the keyword answers sent to them).

Keyed by a hash of the number, not by candidate, as SMS opt-outs are: a STOP is about the number
and holds for whoever registers it next. An inbound message is kept only long enough to act on
and to answer (its answer is recorded on it as a nudge records its sends, ``send_whatsapp``, so
a redelivered message is answered once and the local outbox finds the answer).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from nudges.adapters import keys
from nudges.adapters.candidates import consent_item
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key, serialize
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate, Consent

KEEP_INBOUND = timedelta(days=30)
REPLY_KIND = "sms_reply"  # a keyword answer, on whichever channel it came


class WhatsAppInbox(DynamoTable):
    def set_opt_out(self, phone_hash: str, opted_out: bool, at: datetime) -> None:
        pk, sk = key = keys.whatsapp_opt_out(phone_hash)
        if opted_out:
            self._put({"PK": pk, "SK": sk, "since": iso(at)})
        else:
            self._delete(key)

    def record_yes(self, candidate: Candidate, consent: Consent) -> bool:
        """A YES on WhatsApp kept as the candidate's WhatsApp opt-in, on the profile and its email
        copy in one transaction, unless one is on record (the first is the evidence): False then."""
        change = {
            "UpdateExpression": "SET whatsapp_consent = :yes",
            "ConditionExpression": "attribute_exists(PK) AND (attribute_not_exists(whatsapp_consent) OR whatsapp_consent = :none)",
            "ExpressionAttributeValues": {":yes": serialize(consent_item(consent)), ":none": {"NULL": True}},
        }
        targets = [keys.candidate(candidate.candidate_id), keys.email_pointer(candidate.email)]
        answer = self._transact([{"Update": {"Key": dynamo_key(k), **change}} for k in targets])
        return not isinstance(answer, Refused)

    def record(self, message_id: str, sender_hash: str, body: str, received_at: datetime) -> None:
        """Remember the message; an update, so a redelivery keeps the answer recorded on it."""
        self._update(
            keys.inbound_whatsapp(message_id),
            UpdateExpression="SET sender_hash = :hash, body = :body, "
            "received_at = if_not_exists(received_at, :at), expires_at = if_not_exists(expires_at, :exp)",
            ExpressionAttributeValues={
                ":hash": {"S": sender_hash},
                ":body": {"S": body},
                ":at": {"S": iso(received_at)},
                ":exp": {"N": str(int((received_at + KEEP_INBOUND).timestamp()))},
            },
        )

    def claim_reply(self, message_id: str, now: datetime) -> bool:
        """Take the right to answer this message; False when an earlier delivery of it did."""
        answer = self._update(
            keys.inbound_whatsapp(message_id),
            UpdateExpression="SET reply_claimed_at = :now, kind = :kind",
            ConditionExpression="attribute_exists(PK) AND attribute_not_exists(reply_claimed_at)",
            ExpressionAttributeValues={":now": {"S": iso(now)}, ":kind": {"S": REPLY_KIND}},
        )
        return not isinstance(answer, Refused)

    def release_reply(self, message_id: str) -> None:
        """Give up a claim whose send failed, so the redelivery answers."""
        self._update(keys.inbound_whatsapp(message_id), UpdateExpression="REMOVE reply_claimed_at")

    def record_reply(self, message_id: str, reply_message_id: str, sent_at: datetime, sent_order: int) -> None:
        self._update(
            keys.inbound_whatsapp(message_id),
            UpdateExpression="SET send_whatsapp = :send",
            ExpressionAttributeValues={
                ":send": serialize({"message_id": reply_message_id, "sent_at": iso(sent_at), "sent_order": sent_order})
            },
        )
