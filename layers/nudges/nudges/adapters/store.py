"""DynamoDB: one table, keyed so every read is a GetItem or a Query (never a Scan).

| item                    | PK                     | SK                    | GSI1PK / GSI1SK                       |
|-------------------------|------------------------|-----------------------|---------------------------------------|
| candidate               | CANDIDATE#<id>         | PROFILE               | CANDIDATES / CANDIDATE#<created>#<id> |
| email -> candidate      | EMAIL#<email>          | CANDIDATE             |                                       |
| ics inbox -> candidate  | INBOX#<token>          | CANDIDATE             |                                       |
| interview               | INTERVIEW#<id>         | INTERVIEW             | EMAIL#<email> / INTERVIEW#<start>#<id> |
| provider ref -> interview | SOURCE#<source>#<ref> | INTERVIEW             |                                       |
| application             | APPLICATION#<id>       | APPLICATION           | EMAIL#<email> / APPLICATION#<id>      |
| nudge (+ its sends)     | <owner PK>             | NUDGE#<kind>          |                                       |
| phone -> candidate      | PHONE#<sha256>         | CANDIDATE#<id>        |                                       |
| inbound SMS             | INBOUND_SMS#<id>       | SMS                   |                                       |
| webhook delivery seen   | DELIVERY#<source>#<id> | DELIVERY              |                                       |

A nudge's owner is its interview (research_prompt, thank_you), its application (connect) or
the candidate (welcome). The phone pointer finds who a YES by SMS is from (``adapters/consent.py``).
The nudge item also carries the sender's claim (``claim_token``, ``lease_until``: one claim
covers all its channels) and one ``send_<channel>`` map per channel sent (message id, time,
order): a send is recorded with one conditional UpdateItem, and erasure and retention find it
with its nudge.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from nudges.adapters.aws import error_code
from nudges.adapters.dynamo import DynamoTable
from nudges.domain.candidate import Candidate, Consent, phone_key
from nudges.domain.interview import Interview, Person, interview_id_for, normalise_email
from nudges.errors import Conflict
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from nudges.domain.plan import NudgeKind, NudgeStatus

GSI1 = "GSI1"


class ConcurrentUpdate(Exception):
    """Someone else wrote the item since we read it; read again and redo the change."""


def owner_pk(owner_id: str) -> str:
    if owner_id.startswith("c_"):
        return f"CANDIDATE#{owner_id}"  # the welcome
    return f"APPLICATION#{owner_id}" if owner_id.startswith("ap_") else f"INTERVIEW#{owner_id}"


def consent_item(consent: Consent | None) -> dict[str, Any] | None:
    if consent is None:
        return None
    item = {"obtained_at": iso(consent.obtained_at), "method": consent.method}
    return {**item, "message_id": consent.message_id} if consent.message_id else item


def _consent(data: dict[str, Any] | None) -> Consent | None:
    if not data:
        return None
    return Consent(parse_iso(data["obtained_at"]), data["method"], data.get("message_id"))


@dataclass(frozen=True)
class NudgeRecord:
    owner_id: str
    kind: NudgeKind
    status: NudgeStatus
    interview_id: str
    due_at: datetime | None = None
    schedule_name: str | None = None
    reason: str | None = None
    candidate_id: str | None = None  # who it is for: the sender reads the profile by it


@dataclass(frozen=True)
class Application:
    application_id: str
    candidate_email: str
    company: str
    outcome: str | None = None
    outcome_at: datetime | None = None
    interview_id: str | None = None


@dataclass(frozen=True)
class SendClaim:
    """The right to send a nudge, or why not: ``stale`` (no longer scheduled at this time: sent,
    skipped, cancelled or moved) or ``busy`` (another delivery holds a live claim)."""

    state: Literal["claimed", "stale", "busy"]
    token: str = ""
    sent: frozenset[str] = frozenset()  # channels already sent (by a delivery that crashed)


@dataclass(frozen=True)
class DeliveryView:
    """What a delivery needs, read in one BatchGetItem: the nudge, its owner, the candidate."""

    nudge: NudgeRecord | None
    interview: Interview | None
    application: Application | None
    candidate: Candidate | None


class NudgeStore(DynamoTable):
    def __init__(self, client: Any, table_name: str, retention: timedelta) -> None:
        super().__init__(client, table_name)
        self._retention = retention

    def _expires(self, after: datetime) -> int:
        return int((after + self._retention).timestamp())

    # ------------------------------------------------------------------ candidates
    def add_candidate(self, candidate: Candidate) -> None:
        """Profile, email claim and inbox token in one transaction: an email registers once."""
        email = normalise_email(candidate.email)
        profile = {
            "PK": f"CANDIDATE#{candidate.candidate_id}",
            "SK": "PROFILE",
            "candidate_id": candidate.candidate_id,
            "email": email,
            "phone": candidate.phone,
            "name": candidate.name,
            "timezone": candidate.timezone,
            "channels": list(candidate.channels),
            "locale": candidate.locale,
            "ics_inbox_token": candidate.ics_inbox_token,
            "created_at": iso(candidate.created_at),
            "paused": candidate.paused,
            "kinds_off": list(candidate.kinds_off),
            "sms_consent": consent_item(candidate.sms_consent),
            # Every candidate under one GSI1 key, so listing them is a Query, never a Scan.
            "GSI1PK": "CANDIDATES",
            "GSI1SK": f"CANDIDATE#{iso(candidate.created_at)}#{candidate.candidate_id}",
            # Until an interview or a closed application pushes it further (extend_retention).
            "expires_at": self._expires(candidate.created_at),
        }
        pointer = {"candidate_id": candidate.candidate_id, "SK": "CANDIDATE", "expires_at": profile["expires_at"]}
        # The email pointer carries a copy of the profile: finding a candidate by address (every
        # booking, offer and retention walk) is one GetItem. update_candidate writes both.
        by_email = {**profile, "PK": f"EMAIL#{email}", "SK": "CANDIDATE"}
        not_there = "attribute_not_exists(PK)"
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self._table, "Item": self._item(profile), "ConditionExpression": not_there}},
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": self._item(by_email),
                            "ConditionExpression": not_there,
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": self._item({**pointer, "PK": f"INBOX#{candidate.ics_inbox_token}"}),
                            "ConditionExpression": not_there,
                        }
                    },
                    *(
                        [{"Put": {"TableName": self._table, "Item": self._item(self._phone_pointer(candidate))}}]
                        if candidate.phone
                        else []
                    ),
                ]
            )
        except Exception as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise Conflict("a candidate with this email is already registered", field="email") from exc
            raise

    def _phone_pointer(self, candidate: Candidate) -> dict[str, Any]:
        """Who a text from this number is from (a YES): the number only as its hash."""
        assert candidate.phone
        return {
            "PK": f"PHONE#{phone_key(candidate.phone)}",
            "SK": f"CANDIDATE#{candidate.candidate_id}",
            "candidate_id": candidate.candidate_id,
            "expires_at": self._expires(candidate.created_at),
        }

    def _candidate(self, data: dict[str, Any]) -> Candidate:
        return Candidate(
            candidate_id=data["candidate_id"],
            email=data["email"],
            timezone=data["timezone"],
            channels=tuple(data.get("channels", [])),
            created_at=parse_iso(data["created_at"]),
            ics_inbox_token=data["ics_inbox_token"],
            phone=data.get("phone"),
            name=data.get("name"),
            locale=data.get("locale", "en-GB"),
            paused=bool(data.get("paused", False)),
            kinds_off=tuple(data.get("kinds_off") or ()),
            sms_consent=_consent(data.get("sms_consent")),
            sms_yes=_consent(data.get("sms_yes")),
        )

    def candidates(self) -> list[Candidate]:
        """Every registered candidate, oldest registration first: one GSI1 Query (paged), no Scan."""
        items = self._query(
            IndexName=GSI1,
            KeyConditionExpression="GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
            ExpressionAttributeValues={":pk": {"S": "CANDIDATES"}, ":prefix": {"S": "CANDIDATE#"}},
        )
        return [self._candidate(i) for i in items]

    def get_candidate(self, candidate_id: str) -> Candidate | None:
        data = self._get(f"CANDIDATE#{candidate_id}", "PROFILE")
        return self._candidate(data) if data else None

    def candidate_by_inbox_token(self, token: str) -> Candidate | None:
        """The candidate whose ics inbox this is: one GetItem on the token's own pointer."""
        pointer = self._get(f"INBOX#{token}", "CANDIDATE") if token else None
        return self.get_candidate(pointer["candidate_id"]) if pointer else None

    def candidate_by_email(self, email: str) -> Candidate | None:
        data = self._get(f"EMAIL#{normalise_email(email)}", "CANDIDATE")
        return self._candidate(data) if data else None

    def delete_candidate_records(self, candidate: Candidate) -> None:
        """Everything stored about the candidate: profile, pointers, interviews, applications,
        nudges, send records. Schedules are the caller's to cancel first."""
        keys = self._candidate_keys(candidate)
        for start in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": self._key(pk, sk)}} for pk, sk in keys[start : start + 25]]
            pending: dict[str, Any] = {self._table: requests}
            while pending:
                pending = self._db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def extend_retention(
        self, email: str, after: datetime, *, everything: bool, candidate: Candidate | None = None
    ) -> None:
        """Keep the candidate's data until ``after`` plus the retention period at least.

        With ``everything`` (an application closed) every item about them is extended: profile,
        pointers, calendar connections, interviews, applications, nudges, send records, provider
        references. Without, only the candidate's own items (a new or moved interview, whose own
        items carry its end already). Never shortens; never creates an item. The writes go in
        TransactWriteItems of up to 100 items, not one UpdateItem each. ``candidate``: the one
        registered with this address, when the caller has just read it.
        """
        email = normalise_email(email)
        candidate = candidate or self.candidate_by_email(email)
        until = self._expires(after)
        keys: list[tuple[str, str]] = []
        if candidate:
            keys += self._candidate_keys(candidate, owned=everything, until=until)
        elif everything:
            keys += self._owned_keys(email, until)
        pending = [k for k in dict.fromkeys(keys) if not k[0].startswith("WATCH#")]  # a watch lives as its channel
        for start in range(0, len(pending), 100):
            self._extend(pending[start : start + 100], until)

    def _extend(self, keys: list[tuple[str, str]], until: int) -> None:
        """Set ``expires_at`` to ``until`` on each item that exists and expires earlier. An item that
        fails its condition (already later, or gone) cancels the transaction: it is left out and
        the rest written again."""
        while keys:
            try:
                self._db.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": self._table,
                                "Key": self._key(pk, sk),
                                "UpdateExpression": "SET expires_at = :e",
                                "ConditionExpression": (
                                    "attribute_exists(PK) AND (attribute_not_exists(expires_at) OR expires_at < :e)"
                                ),
                                "ExpressionAttributeValues": {":e": {"N": str(until)}},
                            }
                        }
                        for pk, sk in keys
                    ]
                )
                return
            except Exception as exc:
                reasons = getattr(exc, "response", {}).get("CancellationReasons") or []
                if error_code(exc) != "TransactionCanceledException" or len(reasons) != len(keys):
                    raise
                failed = {i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"}
                if not failed:
                    raise  # a conflict with another transaction: botocore's retry is spent, let ours
                keys = [k for i, k in enumerate(keys) if i not in failed]

    def _owned_keys(self, email: str, until: int | None = None) -> list[tuple[str, str]]:
        """Interviews and applications found by the address, with their nudges, sends and refs
        (with ``until``: not the items that already expire that late)."""
        keys: list[tuple[str, str]] = []
        for owned in self._query(
            IndexName=GSI1,
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"EMAIL#{email}"}},
        ):
            for item in self._query(
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": owned["PK"]}},
                ProjectionExpression="PK, SK, expires_at",
            ):
                if until is None or item.get("expires_at", 0) < until:
                    keys.append((item["PK"], item["SK"]))
            for ref in owned.get("source_refs", []):
                source, _, provider_ref = ref.partition("#")
                # The first reference names the interview by its id alone: no pointer item exists.
                if owned.get("interview_id") != interview_id_for(source, provider_ref):
                    keys.append((f"SOURCE#{ref}", "INTERVIEW"))
        return keys

    def _candidate_keys(
        self, candidate: Candidate, *, owned: bool = True, until: int | None = None
    ) -> list[tuple[str, str]]:
        email = normalise_email(candidate.email)
        keys = [
            (f"CANDIDATE#{candidate.candidate_id}", "PROFILE"),
            (f"EMAIL#{email}", "CANDIDATE"),
            (f"INBOX#{candidate.ics_inbox_token}", "CANDIDATE"),
        ]
        if candidate.phone:
            keys.append((f"PHONE#{phone_key(candidate.phone)}", f"CANDIDATE#{candidate.candidate_id}"))
        # Calendar connections (with their watch items) and the welcome nudge live under the
        # candidate's own key.
        for item in self._query(
            KeyConditionExpression="PK = :pk AND SK > :profile_or_before",
            ExpressionAttributeValues={
                ":pk": {"S": f"CANDIDATE#{candidate.candidate_id}"},
                ":profile_or_before": {"S": "CALENDAR"},
            },
            ProjectionExpression="PK, SK, watch_key",
        ):
            if item["SK"] == "PROFILE":
                continue
            keys.append((item["PK"], item["SK"]))
            if item.get("watch_key"):
                keys.append((item["watch_key"], "WATCH"))
        if owned:
            keys += self._owned_keys(email, until)
        return keys

    # ------------------------------------------------------------------ interviews
    def _interview_item(self, interview: Interview, version: int) -> dict[str, Any]:
        return {
            "PK": f"INTERVIEW#{interview.interview_id}",
            "SK": "INTERVIEW",
            "GSI1PK": f"EMAIL#{normalise_email(interview.candidate_email)}",
            "GSI1SK": f"INTERVIEW#{iso(interview.start)}#{interview.interview_id}",
            "interview_id": interview.interview_id,
            "source": interview.source,
            "source_ref": interview.source_ref,
            "source_refs": [f"{interview.source}#{r}" for r in interview.source_refs or (interview.source_ref,)],
            "candidate_email": normalise_email(interview.candidate_email),
            "candidate_name": interview.candidate_name,
            "company": interview.company,
            "application_id": interview.application_id,
            "title": interview.title,
            "start": iso(interview.start),
            "end": iso(interview.end),
            "interviewers": [{"name": p.name, "email": p.email} for p in interview.interviewers],
            "status": interview.status,
            "updated_at": iso(interview.updated_at) if interview.updated_at else None,
            "provider_version": interview.provider_version,
            "version": version,
            "expires_at": self._expires(interview.end),
        }

    @staticmethod
    def _interview(data: dict[str, Any]) -> Interview:
        return Interview(
            interview_id=data["interview_id"],
            source=data["source"],
            source_ref=data["source_ref"],
            source_refs=tuple(r.split("#", 1)[1] for r in data.get("source_refs", [])),
            candidate_email=data["candidate_email"],
            candidate_name=data.get("candidate_name"),
            company=data["company"],
            title=data["title"],
            start=parse_iso(data["start"]),
            end=parse_iso(data["end"]),
            interviewers=tuple(Person(p.get("name", ""), p["email"]) for p in data.get("interviewers", [])),
            status=data["status"],
            updated_at=parse_iso(data["updated_at"]) if data.get("updated_at") else None,
            provider_version=int(data["provider_version"]) if data.get("provider_version") is not None else None,
        )

    def get_interview(self, interview_id: str) -> tuple[Interview, int] | None:
        """The interview and its version, for a conditional write back."""
        data = self._get(f"INTERVIEW#{interview_id}", "INTERVIEW")
        return (self._interview(data), int(data["version"])) if data else None

    def save_interview(self, interview: Interview, read_version: int | None) -> None:
        """Write if nobody else has since ``read_version`` (None: only if it does not exist yet)."""
        new_version = (read_version or 0) + 1
        if read_version is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(PK)"}
        else:
            condition = {
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": {"N": str(read_version)}},
            }
        try:
            self._db.put_item(
                TableName=self._table, Item=self._item(self._interview_item(interview, new_version)), **condition
            )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise ConcurrentUpdate(interview.interview_id) from exc
            raise

    def forget_interview(self, interview_id: str) -> None:
        """Delete a cancelled interview item that stood in for another (a cancel that came
        before the reschedule it cancels); anything else stays."""
        try:
            self._db.delete_item(
                TableName=self._table,
                Key=self._key(f"INTERVIEW#{interview_id}", "INTERVIEW"),
                ConditionExpression="#s = :cancelled",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":cancelled": {"S": "cancelled"}},
            )
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise

    def interview_for_source(self, source: str, ref: str) -> str | None:
        data = self._get(f"SOURCE#{source}#{ref}", "INTERVIEW")
        return data["interview_id"] if data else None

    def link_source(self, source: str, ref: str, interview_id: str, expires_after: datetime) -> None:
        """Remember that a provider's (new) booking reference names this interview."""
        self._db.put_item(
            TableName=self._table,
            Item=self._item(
                {
                    "PK": f"SOURCE#{source}#{ref}",
                    "SK": "INTERVIEW",
                    "interview_id": interview_id,
                    "expires_at": self._expires(expires_after),
                }
            ),
        )

    def interviews_for_email(self, email: str) -> list[Interview]:
        items = self._query(
            IndexName=GSI1,
            KeyConditionExpression="GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": f"EMAIL#{normalise_email(email)}"},
                ":prefix": {"S": "INTERVIEW#"},
            },
        )
        return [self._interview(i) for i in items]

    # ------------------------------------------------------------------ applications
    def get_application(self, application_id: str) -> Application | None:
        data = self._get(f"APPLICATION#{application_id}", "APPLICATION")
        return self._application(data) if data else None

    @staticmethod
    def _application(data: dict[str, Any]) -> Application:
        return Application(
            application_id=data["application_id"],
            candidate_email=data["candidate_email"],
            company=data["company"],
            outcome=data.get("outcome"),
            outcome_at=parse_iso(data["outcome_at"]) if data.get("outcome_at") else None,
            interview_id=data.get("interview_id"),
        )

    def applications_for_email(self, email: str) -> list[Application]:
        items = self._query(
            IndexName=GSI1,
            KeyConditionExpression="GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": f"EMAIL#{normalise_email(email)}"},
                ":prefix": {"S": "APPLICATION#"},
            },
        )
        found = [self.get_application(i["application_id"]) for i in items]
        return [a for a in found if a]

    def record_outcome(self, application: Application, now: datetime) -> bool:
        """Store the outcome; False when the application already has this very outcome."""
        email = normalise_email(application.candidate_email)
        try:
            self._db.put_item(
                TableName=self._table,
                Item=self._item(
                    {
                        "PK": f"APPLICATION#{application.application_id}",
                        "SK": "APPLICATION",
                        "GSI1PK": f"EMAIL#{email}",
                        "GSI1SK": f"APPLICATION#{application.application_id}",
                        "application_id": application.application_id,
                        "candidate_email": email,
                        "company": application.company,
                        "outcome": application.outcome,
                        "outcome_at": iso(now),
                        "interview_id": application.interview_id,
                        "expires_at": self._expires(now),
                    }
                ),
                ConditionExpression="attribute_not_exists(PK) OR outcome <> :outcome",
                ExpressionAttributeValues={":outcome": {"S": application.outcome or ""}},
            )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def attach_interview(self, application_id: str, interview_id: str) -> None:
        """Name the interview an application's connect nudge belongs to, if it has none yet
        (an outcome that arrived before any interview)."""
        self._db.update_item(
            TableName=self._table,
            Key=self._key(f"APPLICATION#{application_id}", "APPLICATION"),
            UpdateExpression="SET interview_id = if_not_exists(interview_id, :iv)",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":iv": {"S": interview_id}},
        )

    # ------------------------------------------------------------------ nudges
    def nudges(self, owner_id: str) -> dict[str, NudgeRecord]:
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": {"S": owner_pk(owner_id)}, ":prefix": {"S": "NUDGE#"}},
            ConsistentRead=True,
        )
        records = [self._nudge(owner_id, i) for i in items]
        return {r.kind: r for r in records}

    @staticmethod
    def _nudge(owner_id: str, data: dict[str, Any]) -> NudgeRecord:
        return NudgeRecord(
            owner_id=owner_id,
            kind=data["kind"],
            status=data["status"],
            interview_id=data.get("interview_id") or "",
            due_at=parse_iso(data["due_at"]) if data.get("due_at") else None,
            schedule_name=data.get("schedule_name"),
            reason=data.get("reason"),
            candidate_id=data.get("candidate_id"),
        )

    def get_nudge(self, owner_id: str, kind: str) -> NudgeRecord | None:
        data = self._get(owner_pk(owner_id), f"NUDGE#{kind}")
        return self._nudge(owner_id, data) if data else None

    def put_nudge(self, nudge: NudgeRecord, *, expires_after: datetime) -> None:
        """Write the nudge's plan. An update, not a put: what the sender recorded on the item
        (its claim, the channels already sent) survives a re-plan, so a moved nudge is never
        sent twice on a channel."""
        plan: dict[str, Any] = {
            "kind": nudge.kind,
            "status": nudge.status,
            "interview_id": nudge.interview_id or None,  # none for the welcome
            "due_at": iso(nudge.due_at) if nudge.due_at else None,
            "schedule_name": nudge.schedule_name,
            "reason": nudge.reason,
            "candidate_id": nudge.candidate_id,
            "expires_at": self._expires(expires_after),
        }
        names = {f"#{k}": k for k in plan}
        sets = [f"#{k} = :{k}" for k, v in plan.items() if v is not None]
        removes = [f"#{k}" for k, v in plan.items() if v is None]
        self._db.update_item(
            TableName=self._table,
            Key=self._key(owner_pk(nudge.owner_id), f"NUDGE#{nudge.kind}"),
            UpdateExpression="SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":{k}": self._ser.serialize(v) for k, v in plan.items() if v is not None},
        )

    def set_nudge_status(
        self, nudge: NudgeRecord, status: NudgeStatus, reason: str | None = None
    ) -> NudgeRecord | None:
        """Move a still-scheduled nudge to ``status``; None if it was no longer scheduled."""
        names = {"#s": "status", "#r": "reason"}
        values = {":new": {"S": status}, ":scheduled": {"S": "scheduled"}}
        update = "SET #s = :new"
        if reason:
            update += ", #r = :reason"
            values[":reason"] = {"S": reason}
        try:
            self._db.update_item(
                TableName=self._table,
                Key=self._key(owner_pk(nudge.owner_id), f"NUDGE#{nudge.kind}"),
                UpdateExpression=update,
                ConditionExpression="#s = :scheduled",
                ExpressionAttributeNames=names if reason else {"#s": "status"},
                ExpressionAttributeValues=values,
            )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return replace(nudge, status=status, reason=reason or nudge.reason)

    # ------------------------------------------------------------------ sends
    def delivery_view(self, owner_id: str, kind: str, candidate_id: str) -> DeliveryView:
        """The nudge, its owner (interview or application) and the candidate's profile: one call."""
        owner = owner_pk(owner_id)
        owner_sk = {"APPLICATION": "APPLICATION", "CANDIDATE": "PROFILE"}.get(owner.partition("#")[0], "INTERVIEW")
        # The welcome's owner is the profile itself: one key once (BatchGetItem refuses duplicates).
        keys = list(
            dict.fromkeys([(owner, f"NUDGE#{kind}"), (owner, owner_sk), (f"CANDIDATE#{candidate_id}", "PROFILE")])
        )
        found = self._batch_get(keys)
        nudge = found.get((owner, f"NUDGE#{kind}"))
        data = found.get((owner, owner_sk))
        profile = found.get((f"CANDIDATE#{candidate_id}", "PROFILE"))
        return DeliveryView(
            nudge=self._nudge(owner_id, nudge) if nudge else None,
            interview=self._interview(data) if data and owner_sk == "INTERVIEW" else None,
            application=self._application(data) if data and owner_sk == "APPLICATION" else None,
            candidate=self._candidate(profile) if profile else None,
        )

    def refusals(self, email: str | None, phone_hash: str | None) -> tuple[str | None, bool]:
        """(why the address may not be emailed or None, whether the number opted out by SMS):
        one BatchGetItem for both, read at send time."""
        keys = {}
        if email:
            keys["email"] = (f"SUPPRESSED#{normalise_email(email)}", "EMAIL")
        if phone_hash:
            keys["sms"] = (f"SMS_OPT_OUT#{phone_hash}", "SMS")
        found = self._batch_get(list(keys.values())) if keys else {}
        suppressed = found.get(keys["email"]) if "email" in keys else None
        return (suppressed["reason"] if suppressed else None), ("sms" in keys and keys["sms"] in found)

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
        key = self._key(owner_pk(nudge.owner_id), f"NUDGE#{nudge.kind}")
        try:
            item = self._db.update_item(
                TableName=self._table,
                Key=key,
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
            )["Attributes"]
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            item = getattr(exc, "response", {}).get("Item")
            if item is None:
                item = self._db.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item") or {}
            current = self._plain(item)
            if current.get("claim_token") != token:
                scheduled = current.get("status") == "scheduled" and current.get("due_at") == iso(nudge.due_at)
                return SendClaim("busy" if scheduled else "stale")
        return SendClaim("claimed", token, frozenset(k.removeprefix("send_") for k in item if k.startswith("send_")))

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
    ) -> None:
        """Record the channel as sent on the nudge item (``send_<channel>``: message id, time,
        order); the last channel also marks the nudge sent. Conditional on the claim still being
        this delivery's; repeating it (a lost answer) changes nothing."""
        changes: dict[str, Any] = {
            f"send_{channel}": {"message_id": message_id, "sent_at": iso(sent_at), "sent_order": sent_order}
        }
        if last:
            changes["status"] = "sent"
        self._update_claimed(nudge, claim, changes)

    def finish_claimed(self, nudge: NudgeRecord, claim: SendClaim, status: NudgeStatus, reason: str | None) -> None:
        """Close a claimed nudge with no send left to record (every channel sent before, or none
        allowed): its status, conditional on the claim still being this delivery's."""
        self._update_claimed(nudge, claim, {"status": status, "reason": reason} if reason else {"status": status})

    def _update_claimed(self, nudge: NudgeRecord, claim: SendClaim, changes: dict[str, Any]) -> None:
        """Set attributes on a nudge only while this delivery's claim holds it."""
        names = {f"#a{i}": name for i, name in enumerate(changes)}
        values = {f":v{i}": self._ser.serialize(value) for i, value in enumerate(changes.values())}
        self._db.update_item(
            TableName=self._table,
            Key=self._key(owner_pk(nudge.owner_id), f"NUDGE#{nudge.kind}"),
            UpdateExpression="SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(changes))),
            ConditionExpression="claim_token = :token",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={**values, ":token": {"S": claim.token}},
        )

    def release_send(self, nudge: NudgeRecord, claim: SendClaim) -> None:
        """Give up a claim whose send failed, so the retry need not wait for the lease."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key=self._key(owner_pk(nudge.owner_id), f"NUDGE#{nudge.kind}"),
                UpdateExpression="REMOVE claim_token, lease_until",
                ConditionExpression="claim_token = :token",
                ExpressionAttributeValues={":token": {"S": claim.token}},
            )
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise

    # ------------------------------------------------------------------ webhook deliveries
    def claim_delivery(self, source: str, delivery_id: str, now: datetime, keep: timedelta) -> bool:
        """Remember a provider's delivery id; False if it was seen before (a duplicate or replay).

        The claim carries a token of its own: when the answer to the put was lost and botocore's
        retry finds the item, the token tells this delivery's own claim from a duplicate's.
        """
        token = uuid.uuid4().hex
        try:
            self._db.put_item(
                TableName=self._table,
                Item=self._item(
                    {
                        "PK": f"DELIVERY#{source}#{delivery_id}",
                        "SK": "DELIVERY",
                        "received_at": iso(now),
                        "claim_token": token,
                        "expires_at": int((now + keep).timestamp()),
                    }
                ),
                ConditionExpression="attribute_not_exists(PK)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                old = getattr(exc, "response", {}).get("Item")
                if old is not None:
                    return old.get("claim_token", {}).get("S") == token
                current = self._get(f"DELIVERY#{source}#{delivery_id}", "DELIVERY") or {}
                return current.get("claim_token") == token
            raise
        return True

    def release_delivery(self, source: str, delivery_id: str) -> None:
        """Forget a claimed delivery whose processing failed, so the provider's retry is heard."""
        self._db.delete_item(TableName=self._table, Key=self._key(f"DELIVERY#{source}#{delivery_id}", "DELIVERY"))

    # ------------------------------------------------------------------ inbound SMS
    def record_inbound_sms(self, message_id: str, sender_hash: str, body: str, received_at: datetime) -> None:
        self._db.put_item(
            TableName=self._table,
            Item=self._item(
                {
                    "PK": f"INBOUND_SMS#{message_id}",
                    "SK": "SMS",
                    "sender_hash": sender_hash,
                    "body": body,
                    "received_at": iso(received_at),
                    # Kept only long enough to act on (opt-out handling arrives with its issue).
                    "expires_at": int((received_at + timedelta(days=30)).timestamp()),
                }
            ),
        )

    # ------------------------------------------------------------------ delivery choices
    # Keyed by the address or a hash of the number, not by candidate: a bounce or a STOP is about
    # the address itself and must hold for whoever registers it next.
    def suppress_email(self, email: str, reason: str, at: datetime) -> None:
        self._db.put_item(
            TableName=self._table,
            Item=self._item(
                {"PK": f"SUPPRESSED#{normalise_email(email)}", "SK": "EMAIL", "reason": reason, "since": iso(at)}
            ),
        )

    def email_suppression(self, email: str) -> str | None:
        """Why nothing may be emailed to this address (bounce, complaint, unsubscribe), or None."""
        data = self._get(f"SUPPRESSED#{normalise_email(email)}", "EMAIL")
        return data["reason"] if data else None

    def set_sms_opt_out(self, phone_hash: str, opted_out: bool, at: datetime) -> None:
        key = self._key(f"SMS_OPT_OUT#{phone_hash}", "SMS")
        if opted_out:
            self._db.put_item(TableName=self._table, Item={**key, "since": {"S": iso(at)}})
        else:
            self._db.delete_item(TableName=self._table, Key=key)

    def sms_opted_out(self, phone_hash: str) -> bool:
        return self._get(f"SMS_OPT_OUT#{phone_hash}", "SMS") is not None

    def update_candidate(self, candidate: Candidate) -> None:
        """Write back the candidate's changeable settings (channels, time zone, locale, name, phone,
        paused, kinds turned off),
        on the profile and on its copy under the email pointer, in one transaction."""
        change = {
            "UpdateExpression": (
                "SET channels = :channels, #tz = :tz, locale = :locale, #name = :name, phone = :phone,"
                " paused = :paused, kinds_off = :kinds_off"
            ),
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": {"#tz": "timezone", "#name": "name"},
            "ExpressionAttributeValues": {
                ":channels": self._ser.serialize(list(candidate.channels)),
                ":tz": {"S": candidate.timezone},
                ":locale": {"S": candidate.locale},
                ":name": self._ser.serialize(candidate.name),
                ":phone": self._ser.serialize(candidate.phone),
                ":paused": {"BOOL": candidate.paused},
                ":kinds_off": self._ser.serialize(list(candidate.kinds_off)),
            },
        }
        keys = [
            (f"CANDIDATE#{candidate.candidate_id}", "PROFILE"),
            (f"EMAIL#{normalise_email(candidate.email)}", "CANDIDATE"),
        ]
        self._db.transact_write_items(
            TransactItems=[
                {"Update": {"TableName": self._table, "Key": self._key(pk, sk), **change}} for pk, sk in keys
            ]
        )
