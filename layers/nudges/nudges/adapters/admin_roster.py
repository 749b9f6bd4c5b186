"""The console's enabled admins as the table knows them: the arbiter of "at least one admin
must remain", because Cognito has no conditional write.

Two items under ``ADMINS``: the roster (the pool subs of the enabled admins, and a version), and
one item per account being changed (``CHANGE#<sub>``, held ``HELD`` at most). An action that
takes an enabled admin away (disable, demote, remove) first takes that admin off the roster, in
one transaction with its change item, on condition that the admin is on it and is not the last:
of two such actions at the same instant, DynamoDB lets one through, and the other is refused
before Cognito is called. Cognito's call comes after; then the change item goes (``finish``),
or, if Cognito failed, the admin goes back on the roster (``undo``). A process that dies
between leaves the change item: until it lapses, the roster leaves that account alone.

The roster follows the pool (``reconcile``, before each such action): an enabled admin not on
it is added, and anyone on it who is no longer one is taken off, unless a change to them is
under way. The roster is read before the pool and written on condition of its version, so a
change made meanwhile makes the write fail (and the caller read again) rather than put back
someone on their way out. Roster members are always admins in the pool, so the pool keeps
at least one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key

# How long a change to one account holds it: longer than the console function runs (29 s).
HELD = timedelta(minutes=5)

Refusal = Literal["busy", "last"]


@dataclass(frozen=True)
class Roster:
    admins: frozenset[str]  # pool subs
    version: int  # 0: no roster written yet
    changing: frozenset[str]  # subs with a change under way (not lapsed)


class AdminRoster(DynamoTable):
    def read(self, now: datetime) -> Roster:
        """The roster and the changes under way, in one consistent Query."""
        items = self._query(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.ADMINS}},
            ConsistentRead=True,
        )
        roster = next((i for i in items if i["SK"] == keys.admin_roster()[1]), {})
        changing = frozenset(
            str(i["sub"])
            for i in items
            if i["SK"].startswith(keys.ADMIN_CHANGE_PREFIX) and float(i.get("held_until", 0)) > now.timestamp()
        )
        return Roster(frozenset(roster.get("admins") or ()), int(roster.get("version", 0)), changing)

    def reconcile(self, seen: Roster, admins: frozenset[str]) -> bool:
        """Make the roster ``seen`` (read before ``admins``, the pool's enabled admins) follow the
        pool, leaving alone anyone with a change under way. False when the roster changed since
        it was read (read both again)."""
        wanted = (seen.admins & admins) | (admins - seen.admins - seen.changing)
        if seen.version and wanted == seen.admins:
            return True
        condition = "version = :v" if seen.version else "attribute_not_exists(version)"
        values: dict[str, Any] = {":one": {"N": "1"}}
        if seen.version:
            values[":v"] = {"N": str(seen.version)}
        if wanted:
            values[":admins"] = {"SS": sorted(wanted)}
        answer = self._update(
            keys.admin_roster(),
            UpdateExpression=("SET admins = :admins" if wanted else "REMOVE admins") + " ADD version :one",
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
        return not isinstance(answer, Refused)

    def begin(self, sub: str, leaves: bool, now: datetime) -> Refusal | None:
        """Hold ``sub`` for one change; with ``leaves`` (an enabled admin disabled, demoted or
        removed), take them off the roster in the same transaction, only while another admin stays
        on it. None when done; ``busy``: another change to them is under way; ``last``: they are
        the last admin (or not on the roster)."""
        until = now + HELD
        hold = {
            "Put": {
                "Item": {
                    **dynamo_key(keys.admin_change(sub)),
                    "sub": {"S": sub},
                    "held_until": {"N": str(until.timestamp())},
                    "expires_at": {"N": str(int((until + timedelta(days=1)).timestamp()))},
                },
                "ConditionExpression": "attribute_not_exists(PK) OR held_until <= :now",
                "ExpressionAttributeValues": {":now": {"N": str(now.timestamp())}},
            }
        }
        entries = [hold]
        if leaves:
            entries.append(
                {
                    "Update": {
                        "Key": dynamo_key(keys.admin_roster()),
                        "UpdateExpression": "DELETE admins :sub ADD version :one",
                        "ConditionExpression": "contains(admins, :s) AND size(admins) > :one",
                        "ExpressionAttributeValues": {":sub": {"SS": [sub]}, ":s": {"S": sub}, ":one": {"N": "1"}},
                    }
                }
            )
        answer = self._transact(entries)
        if not isinstance(answer, Refused):
            return None
        codes = [r.get("Code") for r in answer.reasons]
        if codes and codes[0] == "ConditionalCheckFailed":
            return "busy"
        if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
            return "last"
        raise RuntimeError(f"admin change not begun: the transaction was cancelled ({codes})")

    def finish(self, sub: str, joins: bool) -> None:
        """The change went through at the pool: let go of ``sub``; with ``joins`` (now an enabled
        admin), on the roster."""
        if joins:
            self._roster_add(sub)
        self._delete(keys.admin_change(sub))

    def undo(self, sub: str, left: bool) -> None:
        """The change failed at the pool: ``sub`` back on the roster if ``begin`` took them off."""
        if left:
            self._roster_add(sub)
        self._delete(keys.admin_change(sub))

    def _roster_add(self, sub: str) -> None:
        self._update(
            keys.admin_roster(),
            UpdateExpression="ADD admins :sub, version :one",
            ExpressionAttributeValues={":sub": {"SS": [sub]}, ":one": {"N": "1"}},
        )
