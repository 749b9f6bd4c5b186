"""Contact preferences: addresses that may not be emailed (bounced, complained, unsubscribed),
numbers that opted out by SMS, and the inbound texts that said so (with the keyword replies
sent to them).

Keyed by the address or a hash of the number, not by candidate: a bounce or a STOP is about
the address itself and must hold for whoever registers it next.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused, serialize
from nudges.domain.channels import CHANNEL_SPECS
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.keys import Key
    from nudges.domain.candidate import Candidate

# An inbound text is kept only long enough to act on and to answer.
KEEP_INBOUND_SMS = timedelta(days=30)
SMS_REPLY = "sms_reply"  # the kind a keyword reply is recorded under


def refusal_keys(candidate: Candidate) -> dict[str, Key]:
    """The opt-out record of each channel the candidate has an address on, by channel."""
    wanted: dict[str, Key] = {}
    for name, spec in CHANNEL_SPECS.items():
        address = spec.address(candidate)
        if address:
            wanted[name] = keys.OPT_OUT_KEYS[spec.opt_out](spec.opt_out_address(address))
    return wanted


def refusals_in(wanted: dict[str, Key], found: dict[Key, dict[str, Any]]) -> dict[str, str]:
    """Why each channel refuses, from its opt-out record as read (``refusal_keys``' keys)."""
    return {
        name: str(found[key].get("reason") or CHANNEL_SPECS[name].opt_out_reason)
        for name, key in wanted.items()
        if key in found
    }


class ContactPreferences(DynamoTable):
    def suppress_email(self, email: str, reason: str, at: datetime) -> None:
        pk, sk = keys.suppression(email)
        self._put({"PK": pk, "SK": sk, "reason": reason, "since": iso(at)})

    def email_suppressed(self, email: str) -> bool:
        """Whether the address takes no mail from us (bounced, complained, unsubscribed)."""
        return self._get(keys.suppression(email)) is not None

    def set_sms_opt_out(self, phone_hash: str, opted_out: bool, at: datetime) -> None:
        pk, sk = key = keys.sms_opt_out(phone_hash)
        if opted_out:
            self._put({"PK": pk, "SK": sk, "since": iso(at)})
        else:
            self._delete(key)

    def refusals(self, candidate: Candidate) -> dict[str, str]:
        """Why each channel the candidate has an address on refuses them now (a suppressed
        address, a number that opted out by SMS), by channel: one BatchGetItem, read at send time."""
        wanted = refusal_keys(candidate)
        return refusals_in(wanted, self._batch_get(list(wanted.values())) if wanted else {})

    def record_inbound_sms(self, message_id: str, sender_hash: str, body: str, received_at: datetime) -> None:
        """Remember the text; an update, so a redelivery keeps the reply recorded on it."""
        self._update(
            keys.inbound_sms(message_id),
            UpdateExpression="SET sender_hash = :hash, body = :body, "
            "received_at = if_not_exists(received_at, :at), expires_at = if_not_exists(expires_at, :exp)",
            ExpressionAttributeValues={
                ":hash": {"S": sender_hash},
                ":body": {"S": body},
                ":at": {"S": iso(received_at)},
                ":exp": {"N": str(int((received_at + KEEP_INBOUND_SMS).timestamp()))},
            },
        )

    # A keyword reply is claimed on its inbound text before it is sent (``reply_claimed_at``), and
    # recorded there as a nudge records its sends (``send_sms``: message id, time, order; ``kind``
    # ``sms_reply``): a redelivered text is answered once, and the outbox finds the answer.
    def claim_sms_reply(self, message_id: str, now: datetime) -> bool:
        """Take the right to answer this text; False when an earlier delivery of it did."""
        answer = self._update(
            keys.inbound_sms(message_id),
            UpdateExpression="SET reply_claimed_at = :now, kind = :kind",
            ConditionExpression="attribute_exists(PK) AND attribute_not_exists(reply_claimed_at)",
            ExpressionAttributeValues={":now": {"S": iso(now)}, ":kind": {"S": SMS_REPLY}},
        )
        return not isinstance(answer, Refused)

    def release_sms_reply(self, message_id: str) -> None:
        """Give up a claim whose send failed, so the redelivery answers."""
        self._update(keys.inbound_sms(message_id), UpdateExpression="REMOVE reply_claimed_at")

    def record_sms_reply(self, message_id: str, reply_message_id: str, sent_at: datetime, sent_order: int) -> None:
        self._update(
            keys.inbound_sms(message_id),
            UpdateExpression="SET send_sms = :send",
            ExpressionAttributeValues={
                ":send": serialize({"message_id": reply_message_id, "sent_at": iso(sent_at), "sent_order": sent_order})
            },
        )
