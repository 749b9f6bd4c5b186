"""DynamoDB: one table, keyed so every read is a GetItem or a Query (never a Scan).

| item                    | PK                     | SK                    | GSI1PK / GSI1SK                       |
|-------------------------|------------------------|-----------------------|---------------------------------------|
| candidate               | CANDIDATE#<id>         | PROFILE               |                                       |
| email -> candidate      | EMAIL#<email>          | CANDIDATE             |                                       |
| ics inbox -> candidate  | INBOX#<token>          | CANDIDATE             |                                       |
| interview               | INTERVIEW#<id>         | INTERVIEW             | EMAIL#<email> / INTERVIEW#<start>#<id> |
| provider ref -> interview | SOURCE#<source>#<ref> | INTERVIEW             |                                       |
| application             | APPLICATION#<id>       | APPLICATION           | EMAIL#<email> / APPLICATION#<id>      |
| nudge                   | <owner PK>             | NUDGE#<kind>          |                                       |
| send record             | <owner PK>             | SEND#<kind>#<channel> | MESSAGE#<message id> / SEND           |
| inbound SMS             | INBOUND_SMS#<id>       | SMS                   |                                       |
| webhook delivery seen   | DELIVERY#<source>#<id> | DELIVERY              |                                       |

A nudge's owner is its interview (research_prompt, thank_you) or its application (connect).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from nudges.adapters.aws import error_code
from nudges.adapters.dynamo import DynamoTable
from nudges.domain.candidate import Candidate
from nudges.domain.interview import Interview, Person, normalise_email
from nudges.errors import Conflict
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from nudges.domain.plan import NudgeKind, NudgeStatus

GSI1 = "GSI1"


class ConcurrentUpdate(Exception):
    """Someone else wrote the item since we read it; read again and redo the change."""


def owner_pk(owner_id: str) -> str:
    return f"APPLICATION#{owner_id}" if owner_id.startswith("ap_") else f"INTERVIEW#{owner_id}"


@dataclass(frozen=True)
class NudgeRecord:
    owner_id: str
    kind: NudgeKind
    status: NudgeStatus
    interview_id: str
    due_at: datetime | None = None
    schedule_name: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Application:
    application_id: str
    candidate_email: str
    company: str
    outcome: str | None = None
    outcome_at: datetime | None = None
    interview_id: str | None = None


SendClaim = Literal["claimed", "already_sent", "busy"]


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
            # Until an interview or a closed application pushes it further (extend_retention).
            "expires_at": self._expires(candidate.created_at),
        }
        pointer = {"candidate_id": candidate.candidate_id, "SK": "CANDIDATE", "expires_at": profile["expires_at"]}
        not_there = "attribute_not_exists(PK)"
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self._table, "Item": self._item(profile), "ConditionExpression": not_there}},
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": self._item({**pointer, "PK": f"EMAIL#{email}"}),
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
                ]
            )
        except Exception as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise Conflict("a candidate with this email is already registered", field="email") from exc
            raise

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
        )

    def get_candidate(self, candidate_id: str) -> Candidate | None:
        data = self._get(f"CANDIDATE#{candidate_id}", "PROFILE")
        return self._candidate(data) if data else None

    def candidate_by_inbox_token(self, token: str) -> Candidate | None:
        """The candidate whose ics inbox this is: one GetItem on the token's own pointer."""
        pointer = self._get(f"INBOX#{token}", "CANDIDATE") if token else None
        return self.get_candidate(pointer["candidate_id"]) if pointer else None

    def candidate_by_email(self, email: str) -> Candidate | None:
        pointer = self._get(f"EMAIL#{normalise_email(email)}", "CANDIDATE")
        return self.get_candidate(pointer["candidate_id"]) if pointer else None

    def delete_candidate_records(self, candidate: Candidate) -> None:
        """Everything stored about the candidate: profile, pointers, interviews, applications,
        nudges, send records. Schedules are the caller's to cancel first."""
        keys = self._candidate_keys(candidate)
        for start in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": self._key(pk, sk)}} for pk, sk in keys[start : start + 25]]
            pending: dict[str, Any] = {self._table: requests}
            while pending:
                pending = self._db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def extend_retention(self, email: str, after: datetime, *, everything: bool) -> None:
        """Keep the candidate's data until ``after`` plus the retention period at least.

        With ``everything`` (an application closed) every item about them is extended: profile,
        pointers, calendar connections, interviews, applications, nudges, send records, provider
        references. Without, only the candidate's own items (a new or moved interview, whose own
        items carry its end already). Never shortens; never creates an item.
        """
        email = normalise_email(email)
        pointer = self._get(f"EMAIL#{email}", "CANDIDATE")
        keys: list[tuple[str, str]] = []
        if pointer:
            candidate = self.get_candidate(pointer["candidate_id"])
            if candidate:
                keys += self._candidate_keys(candidate, owned=everything)
        elif everything:
            keys += self._owned_keys(email)
        until = {":e": {"N": str(self._expires(after))}}
        for pk, sk in keys:
            if pk.startswith("WATCH#"):
                continue  # a watch lives as long as the provider's channel
            try:
                self._db.update_item(
                    TableName=self._table,
                    Key=self._key(pk, sk),
                    UpdateExpression="SET expires_at = :e",
                    ConditionExpression="attribute_exists(PK) AND (attribute_not_exists(expires_at) OR expires_at < :e)",
                    ExpressionAttributeValues=until,
                )
            except Exception as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise

    def _owned_keys(self, email: str) -> list[tuple[str, str]]:
        """Interviews and applications found by the address, with their nudges, sends and refs."""
        keys: list[tuple[str, str]] = []
        for owned in self._query(
            IndexName=GSI1,
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"EMAIL#{email}"}},
        ):
            for item in self._query(
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": owned["PK"]}},
                ProjectionExpression="PK, SK",
            ):
                keys.append((item["PK"], item["SK"]))
            for ref in owned.get("source_refs", []):
                keys.append((f"SOURCE#{ref}", "INTERVIEW"))
        return keys

    def _candidate_keys(self, candidate: Candidate, *, owned: bool = True) -> list[tuple[str, str]]:
        email = normalise_email(candidate.email)
        keys = [
            (f"CANDIDATE#{candidate.candidate_id}", "PROFILE"),
            (f"EMAIL#{email}", "CANDIDATE"),
            (f"INBOX#{candidate.ics_inbox_token}", "CANDIDATE"),
        ]
        # Calendar connections live under the candidate's own key, with their watch items.
        for item in self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :calendar)",
            ExpressionAttributeValues={
                ":pk": {"S": f"CANDIDATE#{candidate.candidate_id}"},
                ":calendar": {"S": "CALENDAR#"},
            },
            ProjectionExpression="PK, SK, watch_key",
        ):
            keys.append((item["PK"], item["SK"]))
            if item.get("watch_key"):
                keys.append((item["watch_key"], "WATCH"))
        if owned:
            keys += self._owned_keys(email)
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
        if not data:
            return None
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
            interview_id=data["interview_id"],
            due_at=parse_iso(data["due_at"]) if data.get("due_at") else None,
            schedule_name=data.get("schedule_name"),
            reason=data.get("reason"),
        )

    def get_nudge(self, owner_id: str, kind: str) -> NudgeRecord | None:
        data = self._get(owner_pk(owner_id), f"NUDGE#{kind}")
        return self._nudge(owner_id, data) if data else None

    def put_nudge(self, nudge: NudgeRecord, *, only_if_new: bool = False, expires_after: datetime) -> bool:
        """Write the nudge; with ``only_if_new`` nothing happens (False) when it already exists."""
        extra: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(PK)"} if only_if_new else {}
        try:
            self._db.put_item(
                TableName=self._table,
                Item=self._item(
                    {
                        "PK": owner_pk(nudge.owner_id),
                        "SK": f"NUDGE#{nudge.kind}",
                        "kind": nudge.kind,
                        "status": nudge.status,
                        "interview_id": nudge.interview_id,
                        "due_at": iso(nudge.due_at) if nudge.due_at else None,
                        "schedule_name": nudge.schedule_name,
                        "reason": nudge.reason,
                        "expires_at": self._expires(expires_after),
                    }
                ),
                **extra,
            )
        except Exception as exc:
            if only_if_new and error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

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
    def claim_send(self, nudge: NudgeRecord, channel: str, now: datetime, lease: timedelta) -> SendClaim:
        """Take the right to send this nudge on this channel.

        Conditional on nobody having sent it, and on any earlier claim's lease having run out
        (a delivery that crashed mid-send). Exactly one of two racing deliveries wins. Each claim
        carries a token of its own, so a claim whose answer was lost (and that botocore's retry
        then finds taken) is recognised as this delivery's own.
        """
        token = uuid.uuid4().hex
        try:
            self._db.put_item(
                TableName=self._table,
                Item=self._item(
                    {
                        "PK": owner_pk(nudge.owner_id),
                        "SK": f"SEND#{nudge.kind}#{channel}",
                        "status": "sending",
                        "claim_token": token,
                        "lease_until": iso(now + lease),
                        "kind": nudge.kind,
                        "channel": channel,
                        "interview_id": nudge.interview_id,
                        "expires_at": self._expires(now),
                    }
                ),
                ConditionExpression="attribute_not_exists(PK) OR (#s = :sending AND lease_until < :now)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":sending": {"S": "sending"}, ":now": {"S": iso(now)}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            old = getattr(exc, "response", {}).get("Item") or {}
            status, holder = old.get("status", {}).get("S"), old.get("claim_token", {}).get("S")
            if status is None:
                current = self._get(owner_pk(nudge.owner_id), f"SEND#{nudge.kind}#{channel}") or {}
                status, holder = current.get("status"), current.get("claim_token")
            if status == "sending" and holder == token:
                return "claimed"
            return "already_sent" if status == "sent" else "busy"
        return "claimed"

    def complete_send(
        self, nudge: NudgeRecord, channel: str, message_id: str, sent_at: datetime, sent_order: int
    ) -> None:
        self._db.update_item(
            TableName=self._table,
            Key=self._key(owner_pk(nudge.owner_id), f"SEND#{nudge.kind}#{channel}"),
            UpdateExpression=(
                "SET #s = :sent, message_id = :mid, sent_at = :at, sent_order = :order, "
                "GSI1PK = :gpk, GSI1SK = :gsk REMOVE lease_until"
            ),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":sent": {"S": "sent"},
                ":mid": {"S": message_id},
                ":at": {"S": iso(sent_at)},
                ":order": {"N": str(sent_order)},
                ":gpk": {"S": f"MESSAGE#{message_id}"},
                ":gsk": {"S": "SEND"},
            },
        )

    def release_send(self, nudge: NudgeRecord, channel: str) -> None:
        """Give up a claim whose send failed, so the retry need not wait for the lease."""
        try:
            self._db.delete_item(
                TableName=self._table,
                Key=self._key(owner_pk(nudge.owner_id), f"SEND#{nudge.kind}#{channel}"),
                ConditionExpression="#s = :sending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":sending": {"S": "sending"}},
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
        """Write back the candidate's changeable settings (channels, time zone, locale, name, phone)."""
        self._db.update_item(
            TableName=self._table,
            Key=self._key(f"CANDIDATE#{candidate.candidate_id}", "PROFILE"),
            UpdateExpression="SET channels = :channels, #tz = :tz, locale = :locale, #name = :name, phone = :phone",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeNames={"#tz": "timezone", "#name": "name"},
            ExpressionAttributeValues={
                ":channels": self._ser.serialize(list(candidate.channels)),
                ":tz": {"S": candidate.timezone},
                ":locale": {"S": candidate.locale},
                ":name": self._ser.serialize(candidate.name),
                ":phone": self._ser.serialize(candidate.phone),
            },
        )
