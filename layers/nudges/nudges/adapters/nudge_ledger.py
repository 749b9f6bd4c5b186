"""The nudge ledger: each nudge's plan, the sender's claim on it and what it sent.

A nudge item (under its owner's key: the interview, or the application for connect) carries
the sender's claim (``claim_token``, ``lease_until``: one claim covers all its channels) and one
``send_<channel>`` map per channel sent (message id, time, order): a send is recorded with one
conditional UpdateItem, and erasure and retention find it with its nudge.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.applications import read_application
from nudges.adapters.candidates import read_candidate, read_pointer
from nudges.adapters.contact_preferences import refusal_keys, refusals_in
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key, plain, serialize, to_item
from nudges.adapters.interviews import read_interview
from nudges.adapters.message_log import message_item
from nudges.adapters.nudge_items import StepWrites, read_nudge, read_round, round_keys
from nudges.domain.kinds import APPLICATION_KINDS, INTERVIEW_NUDGE_KINDS, LAST_ROUND_KIND
from nudges.domain.records import (
    DeliveryView,
    NudgeRecord,
    OwnersRead,
    RoundNudges,
    SendClaim,
    is_application,
    is_candidate,
)
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from nudges.domain.deliveries import LoggedMessage
    from nudges.domain.nudge_steps import Plan, Withdrawal
    from nudges.domain.plan import NudgeStatus


class NudgeLedger(DynamoTable):
    # ------------------------------------------------------------------ plans
    def for_owner(self, owner_id: str) -> dict[str, NudgeRecord]:
        """The nudges of an interview or an application, by kind (one consistent Query)."""
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": {"S": keys.owner(owner_id)[0]}, ":prefix": {"S": keys.NUDGE_PREFIX}},
            ConsistentRead=True,
        )
        records = [read_nudge(owner_id, i) for i in items]
        return {r.kind: r for r in records}

    def for_interview(self, interview_id: str, application_id: str) -> RoundNudges:
        """An interview's own nudges, its application and the application's own nudges (by
        kind): one BatchGetItem where two Queries and a GetItem would do."""
        found = self._batch_get(round_keys(interview_id, application_id))
        return read_round(interview_id, application_id, found)

    def for_owners(self, owner_ids: list[str], candidate_email: str) -> OwnersRead:
        """The nudges of several interviews and applications, by owner and kind, the candidate
        registered with the address, and the expiry of each owner's items: one consistent
        BatchGetItem of each owner's item and every kind it can have, where a Query per owner,
        a GetItem and the retention extension's own read would do (an outcome withdraws the
        nudges of each of its rounds and of its application, plans for its candidate and keeps
        everything about them longer)."""
        wanted = {
            (owner_id, kind): keys.nudge(owner_id, kind)
            for owner_id in dict.fromkeys(owner_ids)
            for kind in (APPLICATION_KINDS if is_application(owner_id) else INTERVIEW_NUDGE_KINDS)
        }
        owners = [keys.owner(owner_id) for owner_id in dict.fromkeys(owner_ids)]
        pointer = keys.email_pointer(candidate_email)
        asked = [*owners, *wanted.values(), pointer]
        found = self._batch_get(asked)
        nudges: dict[str, dict[str, NudgeRecord]] = {owner_id: {} for owner_id in owner_ids}
        for (owner_id, kind), key in wanted.items():
            if key in found:
                nudges[owner_id][kind] = read_nudge(owner_id, found[key])
        return OwnersRead(
            nudges,
            read_pointer(found[pointer], self._get) if pointer in found else None,
            {key: int(found[key].get("expires_at", 0)) if key in found else None for key in asked},
        )

    def follow_ups(self, interview_ids: list[str]) -> dict[str, NudgeRecord]:
        """The follow-up of each interview that has one (the other rounds of an application)."""
        wanted = {interview_id: keys.nudge(interview_id, LAST_ROUND_KIND) for interview_id in interview_ids}
        found = self._batch_get(list(wanted.values())) if wanted else {}
        return {i: read_nudge(i, found[key]) for i, key in wanted.items() if key in found}

    def get(self, owner_id: str, kind: str) -> NudgeRecord | None:
        data = self._get(keys.nudge(owner_id, kind))
        return read_nudge(owner_id, data) if data else None

    def put(self, nudge: NudgeRecord, *, expires_after: datetime) -> None:
        """Write the nudge's plan (an update: the sender's claim and sends survive it)."""
        writes = StepWrites(self._db, self._table, self._retention)
        self._update(keys.nudge(nudge.owner_id, nudge.kind), **writes.plan_update(nudge, expires_after))

    def write(self, plans: tuple[Plan, ...], withdrawals: tuple[Withdrawal, ...]) -> tuple[Withdrawal, ...]:
        """A decision's plans and withdrawals in one TransactWriteItems; the withdrawals written
        (one whose nudge was no longer scheduled is left out)."""
        return StepWrites(self._db, self._table, self._retention).write(plans, withdrawals)

    # ------------------------------------------------------------------ sends
    def delivery_view(
        self, owner_id: str, kind: str, candidate_id: str, opt_outs: tuple[tuple[str, str], ...] = ()
    ) -> DeliveryView:
        """The nudge's owner (interview or application), the candidate's profile and the opt-out
        records the nudge was planned with (``opt_outs``): one call. The refusals are the view's
        when those records are still the profile's (else None: the caller reads them again)."""
        owner_key, profile_key = keys.owner(owner_id), keys.candidate(candidate_id)
        planned = [keys.OPT_OUT_KEYS[kind_](address) for kind_, address in opt_outs if kind_ in keys.OPT_OUT_KEYS]
        found = self._batch_get([owner_key, profile_key, *planned])
        data, profile = found.get(owner_key), found.get(profile_key)
        application = is_application(owner_id)
        # The welcome's owner is the profile itself (one key: _batch_get reads it once).
        interview_owned = not application and not is_candidate(owner_id)
        candidate = read_candidate(profile) if profile else None
        refused = None
        if candidate is not None and opt_outs:
            wanted = refusal_keys(candidate)
            if set(wanted.values()) <= set(planned):
                refused = refusals_in(wanted, found)
        return DeliveryView(
            nudge=None,  # the claim reads it (``claim_send``)
            interview=read_interview(data) if data and interview_owned else None,
            application=read_application(data) if data and application else None,
            candidate=candidate,
            candidate_expires_at=int(profile["expires_at"]) if profile and "expires_at" in profile else None,
            refused=refused,
        )

    def claim_send(self, nudge: NudgeRecord, now: datetime, lease: timedelta) -> SendClaim:
        """Take the right to send this nudge (all its channels) with one conditional write.

        Conditional on the nudge being still scheduled at the time this delivery was planned for,
        and on any earlier claim's lease having run out (a delivery that crashed mid-send). Exactly
        one of two racing deliveries wins. Each claim carries a token of its own, so a claim whose
        answer was lost (and that botocore's retry then finds taken) is recognised as this
        delivery's own. The item as it stands after the claim says which channels a crashed
        delivery already sent.
        """
        assert nudge.due_at is not None
        token = uuid.uuid4().hex
        key = keys.nudge(nudge.owner_id, nudge.kind)
        answer = self._update(
            key,
            UpdateExpression="SET claim_token = :token, lease_until = :until",
            ConditionExpression=(
                "#s = :scheduled AND due_at = :due AND (attribute_not_exists(lease_until) OR lease_until < :now)"
            ),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":token": {"S": token},
                ":until": {"S": iso(now + lease)},
                ":scheduled": {"S": "scheduled"},
                ":due": {"S": iso(nudge.due_at)},
                ":now": {"S": iso(now)},
            },
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        if isinstance(answer, Refused):
            current = plain(answer.item) if answer.item is not None else (self._get(key) or {})
            found = read_nudge(nudge.owner_id, current) if current.get("kind") else None
            if current.get("claim_token") != token:
                scheduled = current.get("status") == "scheduled" and current.get("due_at") == iso(nudge.due_at)
                return SendClaim("busy" if scheduled else "stale", nudge=found)
            item = current
        else:
            item = plain(answer["Attributes"])
        sent = frozenset(k.removeprefix("send_") for k in item if k.startswith("send_"))
        return SendClaim("claimed", token, sent, read_nudge(nudge.owner_id, item))

    def record_send(
        self,
        nudge: NudgeRecord,
        claim: SendClaim,
        channel: str,
        message_id: str,
        sent_at: datetime,
        sent_order: int,
        *,
        last: bool,
        skipped: dict[str, str] | None = None,
        logged: LoggedMessage | None = None,
        log_expires_at: int | None = None,
    ) -> None:
        """Record the channel as sent on the nudge item (``send_<channel>``: message id, time,
        order); the last channel also marks the nudge sent. Conditional on the claim still being
        this delivery's; repeating it (a lost answer) changes nothing.

        With ``logged``, the message log's record (at ``keys.sent_message``, the key its events
        carry back) is written in the same TransactWriteItems: one call for both. Should the
        transaction be refused (the claim lost, a conflict), the log record is written alone and
        the send recorded as before, which raises if the claim is no longer this delivery's: a
        message that went out is in the log whatever becomes of its record."""
        changes: dict[str, Any] = {
            f"send_{channel}": {"message_id": message_id, "sent_at": iso(sent_at), "sent_order": sent_order}
        }
        if last:
            changes["status"] = "sent"
        # The channels not sent, and why, ride on the same write (``skip_<channel>``).
        changes.update({f"skip_{c}": {"reason": r} for c, r in (skipped or {}).items()})
        if logged is None:
            self._update_claimed(nudge, claim, changes)
            return
        log_key = keys.sent_message(logged.candidate_id, sent_at, sent_order, channel)
        log = message_item(logged, log_key, max(self._expires(sent_at), log_expires_at or 0))
        answer = self._transact(
            [{"Update": self._claimed_update(nudge, claim, changes)}, {"Put": {"Item": to_item(log)}}]
        )
        if isinstance(answer, Refused):
            self._put(log)
            self._update_claimed(nudge, claim, changes)

    def finish_claimed(
        self,
        nudge: NudgeRecord,
        claim: SendClaim,
        status: NudgeStatus,
        reason: str | None,
        skipped: dict[str, str] | None = None,
    ) -> None:
        """Close a claimed nudge with no send left to record (every channel sent before, or none
        allowed): its status (and each channel not sent, with why), conditional on the claim
        still being this delivery's."""
        changes: dict[str, Any] = {"status": status, "reason": reason} if reason else {"status": status}
        changes.update({f"skip_{c}": {"reason": r} for c, r in (skipped or {}).items()})
        self._update_claimed(nudge, claim, changes)

    def _claimed_update(self, nudge: NudgeRecord, claim: SendClaim, changes: dict[str, Any]) -> dict[str, Any]:
        """The UpdateItem (or transaction Update) fields that set ``changes`` under the claim."""
        names = {f"#a{i}": name for i, name in enumerate(changes)}
        values = {f":v{i}": serialize(value) for i, value in enumerate(changes.values())}
        return {
            "Key": dynamo_key(keys.nudge(nudge.owner_id, nudge.kind)),
            "UpdateExpression": "SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(changes))),
            "ConditionExpression": "claim_token = :token",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {**values, ":token": {"S": claim.token}},
        }

    def _update_claimed(self, nudge: NudgeRecord, claim: SendClaim, changes: dict[str, Any]) -> None:
        """Set attributes on a nudge only while this delivery's claim holds it (raises otherwise)."""
        self._db.update_item(TableName=self._table, **self._claimed_update(nudge, claim, changes))

    def release_send(self, nudge: NudgeRecord, claim: SendClaim) -> None:
        """Give up a claim whose send failed, so the retry need not wait for the lease."""
        self._update(
            keys.nudge(nudge.owner_id, nudge.kind),
            UpdateExpression="REMOVE claim_token, lease_until",
            ConditionExpression="claim_token = :token",
            ExpressionAttributeValues={":token": {"S": claim.token}},
        )
