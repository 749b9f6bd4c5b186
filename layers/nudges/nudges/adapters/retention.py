"""Retention and erasure: everything stored about a candidate, found by their keys, kept longer
(``expires_at``, DynamoDB's TTL) or deleted.

A candidate's items: the profile and its pointers, everything else in their partition (calendar
connections with their watch items, the message log, a pending email change with its link), and, found by address on GSI1 (each of
their addresses: the current one and every alias), their interviews and applications with each
one's nudges, sends and provider references.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.audit_log import AuditLog
from nudges.adapters.candidates import read_pointer
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key
from nudges.domain.candidate import phone_key
from nudges.domain.interview import interview_id_for, normalise_email
from nudges.domain.kinds import APPLICATION_KINDS, INTERVIEW_NUDGE_KINDS

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.keys import Key
    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview


@dataclass(frozen=True)
class Extension:
    """Items to keep until ``until`` (epoch seconds) at least, written with another write in
    one TransactWriteItems (``InterviewRepository.save``): each Update conditional on the item
    existing and expiring earlier."""

    keys: tuple[Key, ...]
    until: int

    def updates(self) -> list[dict[str, Any]]:
        return [
            {
                "Update": {
                    "Key": dynamo_key(key),
                    "UpdateExpression": "SET expires_at = :e",
                    "ConditionExpression": "attribute_exists(PK) AND (attribute_not_exists(expires_at) OR expires_at < :e)",
                    "ExpressionAttributeValues": {":e": {"N": str(self.until)}},
                }
            }
            for key in self.keys
        ]

    def without(self, positions: set[int]) -> Extension:
        """The extension less the items at ``positions`` (whose condition failed)."""
        return Extension(tuple(k for i, k in enumerate(self.keys) if i not in positions), self.until)


class Retention(DynamoTable):
    def erase(self, candidate: Candidate) -> None:
        """Everything stored about the candidate: profile, pointers, calendar connections,
        interviews, applications, nudges, send records; and their email from the advisers' audit
        log (its entries stay under their opaque id). Schedules are the caller's to cancel first."""
        # The audit log first: should it fail, the candidate is still there to erase again.
        AuditLog(self._db, self._table).forget(candidate.candidate_id)
        self._batch_delete(self._candidate_keys(candidate))

    def extend(
        self,
        email: str,
        after: datetime,
        *,
        everything: bool,
        candidate: Candidate | None = None,
        owners: tuple[list[Interview], list[str]] | None = None,
        read: dict[Key, int | None] | None = None,
    ) -> None:
        """Keep the candidate's data until ``after`` plus the retention period at least.

        With ``everything`` (an application closed) every item about them is extended: profile,
        pointers, calendar connections, interviews, applications, nudges, send records, provider
        references. Without, only the candidate's own items (a new or moved interview, whose own
        items carry its end already). Never shortens; never creates an item. The writes go in
        TransactWriteItems of up to 100 items, not one UpdateItem each. ``candidate``: the one
        registered with this address, when the caller has just read it; ``owners``: the address's
        interviews and application ids, when the caller has just read them (saves a Query);
        ``read``: the expiry of items the caller has just read (``Nudges.for_owners``; None: the
        item does not exist), not read again.
        """
        self.write(self.pending(email, after, everything=everything, candidate=candidate, owners=owners, read=read))

    def pending(
        self,
        email: str,
        after: datetime,
        *,
        everything: bool = False,
        candidate: Candidate | None = None,
        owners: tuple[list[Interview], list[str]] | None = None,
        read: dict[Key, int | None] | None = None,
    ) -> Extension:
        """What ``extend`` would write, found but not written: for a caller that writes it with
        its own write in one transaction (a booking: ``InterviewRepository.save``)."""
        email = normalise_email(email)
        if candidate is None:
            data = self._get(keys.email_pointer(email))
            candidate = read_pointer(data, self._get) if data else None
        until = self._expires(after)
        found: list[Key] = []
        if candidate:
            found += self._candidate_keys(
                candidate, owned=everything, until=until, owners=owners, owners_of=email, read=read
            )
        elif everything:
            found += self._owned_keys(email, until, owners, read)
        # A watch item lives as long as its channel, not as its candidate.
        return Extension(tuple(k for k in dict.fromkeys(found) if not k[0].startswith(keys.WATCH_PREFIX)), until)

    def write(self, extension: Extension) -> None:
        """Write an extension, in TransactWriteItems of up to 100 items."""
        for start in range(0, len(extension.keys), 100):
            self._extend(Extension(extension.keys[start : start + 100], extension.until))

    def _extend(self, batch: Extension) -> None:
        """Set ``expires_at`` to ``until`` on each item that exists and expires earlier. An item that
        fails its condition (already later, or gone) cancels the transaction: it is left out and
        the rest written again."""
        while batch.keys:
            answer = self._transact(batch.updates())
            if not isinstance(answer, Refused):
                return
            reasons = answer.reasons
            failed = {i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"}
            if len(reasons) != len(batch.keys) or not failed:
                # A conflict with another transaction: botocore's retry is spent, let ours.
                raise RuntimeError(f"retention not extended: the transaction was cancelled ({answer.code})")
            batch = batch.without(failed)

    def _owned_keys(
        self,
        email: str,
        until: int | None = None,
        owners: tuple[list[Interview], list[str]] | None = None,
        read: dict[Key, int | None] | None = None,
    ) -> list[Key]:
        """Interviews and applications found by the address, with their nudges, sends and refs
        (with ``until``: not the items that already expire that late).

        Erasure (no ``until``) lists everything under each owner's key with a Query per owner.
        An extension reads the items an owner can have (the owner item and a nudge item per
        kind: ``keys``' table) in one BatchGetItem for all owners instead, less those in ``read``
        (their expiry as the caller read them; None: no such item)."""
        found: list[Key] = []
        if owners is not None:
            owned_items = [*map(self._as_found, owners[0]), *(self._application_found(a) for a in owners[1])]
        else:
            owned_items = self._query(
                IndexName=keys.GSI1,
                KeyConditionExpression="GSI1PK = :pk",
                ExpressionAttributeValues={":pk": {"S": keys.by_email(email)}},
            )
        if until is not None:
            wanted = [key for owned in owned_items for key in self._owner_items(owned)]
            known = read or {}
            expiries = {k: e for k, e in known.items() if k in set(wanted) and e is not None}
            missing = [key for key in wanted if key not in known]
            if missing:
                expiries |= {key: item.get("expires_at", 0) for key, item in self._batch_get(missing).items()}
            found += [key for key in dict.fromkeys(wanted) if key in expiries and expiries[key] < until]
        for owned in owned_items:
            if until is None:
                for item in self._query(
                    KeyConditionExpression="PK = :pk",
                    ExpressionAttributeValues={":pk": {"S": owned["PK"]}},
                    ProjectionExpression="PK, SK, expires_at",
                ):
                    found.append((item["PK"], item["SK"]))
            for ref in owned.get("source_refs", []):
                source, _, provider_ref = ref.partition("#")
                # The first reference names the interview by its id alone: no link item exists.
                if owned.get("interview_id") != interview_id_for(source, provider_ref):
                    found.append(keys.source_link(source, provider_ref))
        return found

    @staticmethod
    def _as_found(interview: Interview) -> dict[str, Any]:
        """An interview as its item on GSI1 names it (its key and its provider references)."""
        pk, sk = keys.interview(interview.interview_id)
        refs = [keys.source_ref(interview.source, r) for r in interview.source_refs or (interview.source_ref,)]
        return {"PK": pk, "SK": sk, "interview_id": interview.interview_id, "source_refs": refs}

    @staticmethod
    def _application_found(application_id: str) -> dict[str, Any]:
        pk, sk = keys.application(application_id)
        return {"PK": pk, "SK": sk, "application_id": application_id}

    @staticmethod
    def _owner_items(owned: dict[str, Any]) -> list[Key]:
        """Every item an interview or application (as found on GSI1) can have under its key."""
        kinds = APPLICATION_KINDS if owned["PK"].startswith(keys.APPLICATION_PREFIX) else INTERVIEW_NUDGE_KINDS
        return [(owned["PK"], owned["SK"]), *((owned["PK"], f"{keys.NUDGE_PREFIX}{kind}") for kind in kinds)]

    def _candidate_keys(
        self,
        candidate: Candidate,
        *,
        owned: bool = True,
        until: int | None = None,
        owners: tuple[list[Interview], list[str]] | None = None,
        owners_of: str | None = None,
        read: dict[Key, int | None] | None = None,
    ) -> list[Key]:
        profile = keys.candidate(candidate.candidate_id)
        # Every address's pointer: the current one and each alias (an address the candidate had).
        found = [profile, *map(keys.email_pointer, candidate.addresses), keys.inbox(candidate.ics_inbox_token)]
        if candidate.phone:
            found.append(keys.phone_pointer(phone_key(candidate.phone), candidate.candidate_id))
        # Calendar connections (with their watch items), the welcome nudge and the message log
        # live under the candidate's own key: every item there but the profile (listed above).
        for item in self._query(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": profile[0]}},
            ProjectionExpression="PK, SK, watch_key, verify_key",
        ):
            if (item["PK"], item["SK"]) == profile:
                continue
            if item.get("verify_key"):
                # A pending email change (the new address and its link): erased, never kept longer.
                if until is None:
                    found += [(item["PK"], item["SK"]), (item["verify_key"], keys.VERIFY_SK)]
                continue
            found.append((item["PK"], item["SK"]))
            if item.get("watch_key"):
                found.append((item["watch_key"], keys.WATCH_SK))
        if owned:
            # What is filed under each of the candidate's addresses (``owners``, when the caller
            # read them, are those of ``owners_of``, the address it asked about; else its first).
            read_for = normalise_email(owners_of or candidate.email)
            for address in map(normalise_email, candidate.addresses):
                found += self._owned_keys(address, until, owners if address == read_for else None, read)
        return found
