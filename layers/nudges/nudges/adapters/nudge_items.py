"""A nudge's item read, and a decision's steps written: the plans, the withdrawals and whatever
is written with them (the interview, a provider reference's link, a retention extension), in one
TransactWriteItems (``nudges.domain.nudge_steps`` decides them; the ledger and the interview
repository write them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.applications import read_application
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key, serialize
from nudges.adapters.retention import Extension, Retention
from nudges.domain.kinds import APPLICATION_KINDS, INTERVIEW_NUDGE_KINDS
from nudges.domain.records import NudgeRecord, RoundNudges
from nudges.errors import ConcurrentUpdate
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from collections.abc import Iterable

    from nudges.adapters.keys import Key
    from nudges.domain.nudge_steps import Plan, Withdrawal

ATTEMPTS = 5


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


def round_keys(interview_id: str, application_id: str) -> list[Key]:
    """The keys of an interview's own nudges, its application and the application's own nudges."""
    return [
        *(keys.nudge(interview_id, kind) for kind in INTERVIEW_NUDGE_KINDS),
        keys.application(application_id),
        *(keys.nudge(application_id, kind) for kind in APPLICATION_KINDS),
    ]


def read_round(interview_id: str, application_id: str, found: dict[Key, dict[str, Any]]) -> RoundNudges:
    """``round_keys``' items, as read."""

    def of(owner_id: str, kinds: Iterable[str]) -> dict[str, NudgeRecord]:
        return {
            k: read_nudge(owner_id, found[keys.nudge(owner_id, k)]) for k in kinds if keys.nudge(owner_id, k) in found
        }

    application = found.get(keys.application(application_id))
    return RoundNudges(
        interview_id,
        application_id,
        of(interview_id, INTERVIEW_NUDGE_KINDS),
        read_application(application) if application else None,
        of(application_id, APPLICATION_KINDS),
    )


class StepWrites(DynamoTable):
    def plan_update(self, nudge: NudgeRecord, expires_after: Any) -> dict[str, Any]:
        """The UpdateItem (or transaction Update) fields that write ``nudge``'s plan. An update,
        not a put: what the sender recorded on the item (its claim, the channels already sent)
        survives a re-plan, so a moved nudge is never sent twice on a channel."""
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

    @staticmethod
    def withdrawal_update(withdrawal: Withdrawal) -> dict[str, Any]:
        """Move a still-scheduled nudge to the withdrawal's status, with its reason."""
        nudge = withdrawal.nudge
        return {
            "Key": dynamo_key(keys.nudge(nudge.owner_id, nudge.kind)),
            "UpdateExpression": "SET #s = :new, #r = :reason",
            "ConditionExpression": "#s = :scheduled",
            "ExpressionAttributeNames": {"#s": "status", "#r": "reason"},
            "ExpressionAttributeValues": {
                ":new": {"S": withdrawal.status},
                ":reason": {"S": withdrawal.reason},
                ":scheduled": {"S": "scheduled"},
            },
        }

    def write(
        self,
        plans: tuple[Plan, ...],
        withdrawals: tuple[Withdrawal, ...],
        *,
        first: list[dict[str, Any]] | None = None,
        extension: Extension | None = None,
    ) -> tuple[Withdrawal, ...]:
        """Write the steps in one TransactWriteItems, with ``first`` (entries whose condition
        failing means the read is stale: ConcurrentUpdate, nothing written) and ``extension``.
        A withdrawal whose nudge is no longer scheduled (sent, or withdrawn meanwhile) is left
        out, as is an extension item that already lives longer, and the rest written again.
        Returns the withdrawals written. Past 100 entries the extension is written after."""
        first = first or []
        own = {(e["Put"]["Item"]["PK"]["S"], e["Put"]["Item"]["SK"]["S"]) for e in first if "Put" in e}
        wanted = Extension(tuple(k for k in extension.keys if k not in own), extension.until) if extension else None
        fixed = [
            *first,
            *(
                {
                    "Update": {
                        "Key": dynamo_key(keys.nudge(p.nudge.owner_id, p.nudge.kind)),
                        **self.plan_update(p.nudge, p.expires_after),
                    }
                }
                for p in plans
            ),
        ]
        later = None
        if wanted is not None and len(fixed) + len(withdrawals) + len(wanted.keys) > 100:
            wanted, later = None, wanted
        assert len(fixed) + len(withdrawals) <= 100, "a decision of over 100 writes"
        if not first and wanted is None and len(plans) + len(withdrawals) == 1:
            return self._alone(plans, withdrawals, later)
        for _ in range(ATTEMPTS):
            updates = [{"Update": self.withdrawal_update(w)} for w in withdrawals]
            entries = [*fixed, *updates, *(wanted.updates() if wanted else [])]
            if not entries:
                break
            answer = self._transact(entries)
            if not isinstance(answer, Refused):
                break
            failed = {i for i, r in enumerate(answer.reasons or []) if r.get("Code") == "ConditionalCheckFailed"}
            if any(i < len(first) for i in failed):
                raise ConcurrentUpdate("the interview changed since it was read")
            if not failed:
                continue  # a conflict with another transaction: botocore's retry is spent, ours is not
            at = len(fixed)
            withdrawals = tuple(w for i, w in enumerate(withdrawals) if at + i not in failed)
            if wanted is not None:
                wanted = wanted.without({i - at - len(updates) for i in failed if i >= at + len(updates)})
        else:
            raise RuntimeError("not written: the transaction kept conflicting; the change is retried")
        if later is not None:
            Retention(self._db, self._table, self._retention).write(later)
        return withdrawals

    def _alone(
        self, plans: tuple[Plan, ...], withdrawals: tuple[Withdrawal, ...], later: Extension | None
    ) -> tuple[Withdrawal, ...]:
        """One plan or one withdrawal: an UpdateItem (a transaction of one costs twice the units)."""
        written = withdrawals
        if plans:
            nudge = plans[0].nudge
            self._update(keys.nudge(nudge.owner_id, nudge.kind), **self.plan_update(nudge, plans[0].expires_after))
        else:
            nudge = withdrawals[0].nudge
            update = {k: v for k, v in self.withdrawal_update(withdrawals[0]).items() if k != "Key"}
            if isinstance(self._update(keys.nudge(nudge.owner_id, nudge.kind), **update), Refused):
                written = ()
        if later is not None:
            Retention(self._db, self._table, self._retention).write(later)
        return written
