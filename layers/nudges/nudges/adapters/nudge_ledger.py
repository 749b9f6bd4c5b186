"""The nudge ledger: each nudge's plan, the sender's claim on it and what it sent.

A nudge item (under its owner's key: the interview, or the application for connect) carries
the sender's claim (``claim_token``, ``lease_until``: one claim covers all its channels) and one
``send_<channel>`` map per channel sent (message id, time, order): a send is recorded with one
conditional UpdateItem, and erasure and retention find it with its nudge.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.applications import read_application
from nudges.adapters.candidates import read_candidate, read_pointer
from nudges.adapters.contact_preferences import refusal_keys, refusals_in
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key, plain, serialize, to_item
from nudges.adapters.interviews import read_interview
from nudges.adapters.message_log import message_item
from nudges.domain.kinds import APPLICATION_KINDS, INTERVIEW_NUDGE_KINDS
from nudges.domain.records import Application, DeliveryView, NudgeRecord, SendClaim, is_application, is_candidate
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from nudges.domain.candidate import Candidate
    from nudges.domain.deliveries import LoggedMessage
    from nudges.domain.plan import NudgeStatus


def _channels(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """What the sender recorded per channel: ``send_<channel>`` (sent) or ``skip_<channel>`` (why not)."""
    out: dict[str, dict[str, str]] = {}
    for name, value in data.items():
        if name.startswith("skip_") and isinstance(value, dict):
            out[name.removeprefix("skip_")] = {"status": "skipped", "reason": str(value.get("reason") or "")}
    for name, value in data.items():
        if name.startswith("send_") and isinstance(value, dict):
            out[name.removeprefix("send_")] = {"status": "sent", "sent_at": str(value.get("sent_at") or "")}
    return out


def read_nudge(owner_id: str, data: dict[str, Any]) -> NudgeRecord:
    return NudgeRecord(
        owner_id=owner_id,
        kind=data["kind"],
        status=data["status"],
        interview_id=data.get("interview_id") or "",  # none for the welcome
        due_at=parse_iso(data["due_at"]) if data.get("due_at") else None,
        schedule_name=data.get("schedule_name"),
        reason=data.get("reason"),
        candidate_id=data.get("candidate_id"),
        channels=_channels(data),
        opt_outs=tuple((str(kind), str(address)) for kind, address in data.get("opt_outs") or ()),
    )


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

    def for_interview(
        self, interview_id: str, application_id: str
    ) -> tuple[dict[str, NudgeRecord], Application | None]:
        """An interview's own nudges (by kind) and its application: one BatchGetItem where a
        Query and a GetItem would do (every booking)."""
        wanted = {kind: keys.nudge(interview_id, kind) for kind in INTERVIEW_NUDGE_KINDS}
        application = keys.application(application_id)
        found = self._batch_get([*wanted.values(), application])
        nudges: dict[str, NudgeRecord] = {
            kind: read_nudge(interview_id, found[key]) for kind, key in wanted.items() if key in found
        }
        return nudges, (read_application(found[application]) if application in found else None)

    def for_owners(
        self, owner_ids: list[str], candidate_email: str
    ) -> tuple[dict[str, dict[str, NudgeRecord]], Candidate | None]:
        """The nudges of several interviews and applications, by owner and kind, and the
        candidate registered with the address: one consistent BatchGetItem of every kind an owner
        can have, where a Query per owner and a GetItem would do (an outcome withdraws the
        nudges of each of its rounds and of its application, and plans for its candidate)."""
        wanted = {
            (owner_id, kind): keys.nudge(owner_id, kind)
            for owner_id in dict.fromkeys(owner_ids)
            for kind in (APPLICATION_KINDS if is_application(owner_id) else INTERVIEW_NUDGE_KINDS)
        }
        pointer = keys.email_pointer(candidate_email)
        found = self._batch_get([*wanted.values(), pointer])
        nudges: dict[str, dict[str, NudgeRecord]] = {owner_id: {} for owner_id in owner_ids}
        for (owner_id, kind), key in wanted.items():
            if key in found:
                nudges[owner_id][kind] = read_nudge(owner_id, found[key])
        return nudges, (read_pointer(found[pointer], self._get) if pointer in found else None)

    def get(self, owner_id: str, kind: str) -> NudgeRecord | None:
        data = self._get(keys.nudge(owner_id, kind))
        return read_nudge(owner_id, data) if data else None

    def put(self, nudge: NudgeRecord, *, expires_after: datetime) -> None:
        """Write the nudge's plan. An update, not a put: what the sender recorded on the item
        (its claim, the channels already sent) survives a re-plan, so a moved nudge is never
        sent twice on a channel."""
        self._update(keys.nudge(nudge.owner_id, nudge.kind), **self._plan_update(nudge, expires_after))

    def put_many(
        self, plans: list[tuple[NudgeRecord, datetime]], *, while_version: tuple[str, int] | None = None
    ) -> bool:
        """Write several plans (each with its ``expires_after``) as ``put`` does, in one
        TransactWriteItems (a booking plans its research prompt, thank-you and follow-up at once).
        Unconditional updates: only a transaction in flight on the same item cancels it, and then
        it is sent again. ``while_version``: (interview id, version) the plans were made from:
        written only while the interview is still at that version (a ConditionCheck in the same
        transaction); False, writing nothing, when a newer version was written meanwhile."""
        check = (
            [
                {
                    "ConditionCheck": {
                        "Key": dynamo_key(keys.interview(while_version[0])),
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {":v": {"N": str(while_version[1])}},
                    }
                }
            ]
            if while_version is not None
            else []
        )
        if len(plans) == 1 and not check:
            self.put(plans[0][0], expires_after=plans[0][1])
            return True
        for start in range(0, len(plans), 99):
            entries = [
                *check,
                *(
                    {"Update": {"Key": dynamo_key(keys.nudge(n.owner_id, n.kind)), **self._plan_update(n, after)}}
                    for n, after in plans[start : start + 99]
                ),
            ]
            for _ in range(3):
                answer = self._transact(entries)
                if not isinstance(answer, Refused):
                    break
                if check and answer.reasons and answer.reasons[0].get("Code") == "ConditionalCheckFailed":
                    return False  # a newer version of the interview: planned again from it
            else:
                raise RuntimeError("nudge plans not written: the transaction kept conflicting; the change is retried")
        return True

    def _plan_update(self, nudge: NudgeRecord, expires_after: datetime) -> dict[str, Any]:
        """The UpdateItem (or transaction Update) fields that write ``nudge``'s plan."""
        plan: dict[str, Any] = {
            "kind": nudge.kind,
            "status": nudge.status,
            "interview_id": nudge.interview_id or None,  # none for the welcome
            "due_at": iso(nudge.due_at) if nudge.due_at else None,
            "schedule_name": nudge.schedule_name,
            "reason": nudge.reason,
            "candidate_id": nudge.candidate_id,
            "opt_outs": [list(pair) for pair in nudge.opt_outs] or None,
            "expires_at": self._expires(expires_after),
        }
        sets = [f"#{k} = :{k}" for k, v in plan.items() if v is not None]
        removes = [f"#{k}" for k, v in plan.items() if v is None]
        return {
            "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
            "ExpressionAttributeNames": {f"#{k}": k for k in plan},
            "ExpressionAttributeValues": {f":{k}": serialize(v) for k, v in plan.items() if v is not None},
        }

    def set_status(self, nudge: NudgeRecord, status: NudgeStatus, reason: str | None = None) -> NudgeRecord | None:
        """Move a still-scheduled nudge to ``status``; None if it was no longer scheduled."""
        names = {"#s": "status", "#r": "reason"}
        values = {":new": {"S": status}, ":scheduled": {"S": "scheduled"}}
        update = "SET #s = :new"
        if reason:
            update += ", #r = :reason"
            values[":reason"] = {"S": reason}
        answer = self._update(
            keys.nudge(nudge.owner_id, nudge.kind),
            UpdateExpression=update,
            ConditionExpression="#s = :scheduled",
            ExpressionAttributeNames=names if reason else {"#s": "status"},
            ExpressionAttributeValues=values,
        )
        if isinstance(answer, Refused):
            return None
        return replace(nudge, status=status, reason=reason or nudge.reason)

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
