"""Interviews, versioned for conditional writes, and the links from a provider's booking
references to the interview they name; keys in ``keys``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.candidates import read_pointer
from nudges.adapters.dynamo import DynamoTable, dynamo_key, to_item
from nudges.adapters.nudge_items import StepWrites, read_round, round_keys
from nudges.domain.interview import Interview, Person, interview_id_for, normalise_email
from nudges.domain.records import BookingLookup
from nudges.errors import ConcurrentUpdate
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.retention import Extension
    from nudges.domain.nudge_steps import Steps, Withdrawal


def read_interview(data: dict[str, Any]) -> Interview:
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
        interviewers=tuple(Person(p.get("name", ""), p.get("email") or "") for p in data.get("interviewers", [])),
        location=data.get("location"),
        contacts=tuple(Person(p.get("name", ""), p["email"]) for p in data.get("contacts", [])),
        recruiter=Person(data["recruiter"].get("name", ""), data["recruiter"]["email"])
        if data.get("recruiter")
        else None,
        status=data["status"],
        updated_at=parse_iso(data["updated_at"]) if data.get("updated_at") else None,
        provider_version=int(data["provider_version"]) if data.get("provider_version") is not None else None,
    )


class InterviewRepository(DynamoTable):
    def _record(self, interview: Interview, version: int) -> dict[str, Any]:
        pk, sk = keys.interview(interview.interview_id)
        return {
            "PK": pk,
            "SK": sk,
            "GSI1PK": keys.by_email(interview.candidate_email),
            "GSI1SK": keys.interview_listing(interview.start, interview.interview_id),
            "interview_id": interview.interview_id,
            "source": interview.source,
            "source_ref": interview.source_ref,
            "source_refs": [
                keys.source_ref(interview.source, r) for r in interview.source_refs or (interview.source_ref,)
            ],
            "candidate_email": normalise_email(interview.candidate_email),
            "candidate_name": interview.candidate_name,
            "company": interview.company,
            "application_id": interview.application_id,
            "title": interview.title,
            "start": iso(interview.start),
            "end": iso(interview.end),
            "interviewers": [{"name": p.name, "email": p.email} for p in interview.interviewers],
            "contacts": [{"name": p.name, "email": p.email} for p in interview.contacts],
            "recruiter": {"name": interview.recruiter.name, "email": interview.recruiter.email}
            if interview.recruiter
            else None,
            "status": interview.status,
            "location": interview.location,
            "updated_at": iso(interview.updated_at) if interview.updated_at else None,
            "provider_version": interview.provider_version,
            "version": version,
            "expires_at": self._expires(interview.end),
        }

    def get(self, interview_id: str) -> tuple[Interview, int] | None:
        """The interview and its version, for a conditional write back."""
        data = self._get(keys.interview(interview_id))
        return (read_interview(data), int(data["version"])) if data else None

    def lookup(self, source: str, ref: str, candidate_email: str, application_id: str) -> BookingLookup:
        """The reference's link, the interview under its own id, the candidate of the address,
        and that interview's nudges with its application's (``application_id``: the one the
        change names): one BatchGetItem where three GetItems and the planner's reads would do
        (every booking webhook)."""
        own_id = interview_id_for(source, ref)
        link, own, pointer = keys.source_link(source, ref), keys.interview(own_id), keys.email_pointer(candidate_email)
        found = self._batch_get([link, own, pointer, *round_keys(own_id, application_id)])
        interview, profile = found.get(own), found.get(pointer)
        return BookingLookup(
            linked_id=found[link]["interview_id"] if link in found else None,
            own_id=own_id,
            own=(read_interview(interview), int(interview["version"])) if interview else None,
            candidate=read_pointer(profile, self._get) if profile else None,
            round=read_round(own_id, application_id, found),
        )

    def save(
        self,
        interview: Interview,
        read_version: int | None,
        extending: Extension | None = None,
        *,
        changed: bool = True,
        steps: Steps | None = None,
        link: tuple[str, str] | None = None,
    ) -> tuple[Withdrawal, ...]:
        """Write if nobody else has since ``read_version`` (None: only if it does not exist yet);
        ConcurrentUpdate, and nothing written, otherwise.

        In the same TransactWriteItems: ``extending``, the candidate's items to keep longer
        (``Retention.pending``; an item whose own condition fails, as it already lives longer or
        is gone, is left out and the rest written again); ``steps``, the plans and withdrawals
        decided from this version (``nudge_steps.decide_booking``); ``link``, a provider's new
        booking reference (source, ref) that names this interview from now on. With ``changed``
        False the interview is not written, only checked to be still ``read_version``. Returns
        the withdrawals written (one whose nudge was no longer scheduled is left out)."""
        if not changed:
            assert read_version is not None
            first: dict[str, Any] = {
                "ConditionCheck": {
                    "Key": dynamo_key(keys.interview(interview.interview_id)),
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {":v": {"N": str(read_version)}},
                }
            }
        else:
            if read_version is None:
                condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(PK)"}
            else:
                condition = {
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {":v": {"N": str(read_version)}},
                }
            first = {"Put": {"Item": to_item(self._record(interview, (read_version or 0) + 1)), **condition}}
        entries = [first]
        if link is not None:
            pk, sk = keys.source_link(*link)
            item = {
                "PK": pk,
                "SK": sk,
                "interview_id": interview.interview_id,
                "expires_at": self._expires(interview.end),
            }
            entries.append({"Put": {"Item": to_item(item)}})
        plans, withdrawals = (steps.plans, steps.withdrawals) if steps else ((), ())
        if not changed and not plans and not withdrawals and link is None:
            return ()  # nothing to write: news already recorded, nothing to plan
        try:
            return StepWrites(self._db, self._table, self._retention).write(
                plans, withdrawals, first=entries, extension=extending
            )
        except ConcurrentUpdate:
            raise ConcurrentUpdate(interview.interview_id) from None

    def forget(self, interview_id: str) -> None:
        """Delete a cancelled interview item that stood in for another (a cancel that came
        before the reschedule it cancels); anything else stays."""
        self._delete(
            keys.interview(interview_id),
            ConditionExpression="#s = :cancelled",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":cancelled": {"S": "cancelled"}},
        )

    def for_source(self, source: str, ref: str) -> str | None:
        """The interview a provider's (later) booking reference names, if one was linked."""
        data = self._get(keys.source_link(source, ref))
        return data["interview_id"] if data else None

    def link_source(self, source: str, ref: str, interview_id: str, expires_after: datetime) -> None:
        """Remember that a provider's (new) booking reference names this interview."""
        pk, sk = keys.source_link(source, ref)
        self._put({"PK": pk, "SK": sk, "interview_id": interview_id, "expires_at": self._expires(expires_after)})

    def owned_by(self, email: str) -> tuple[list[Interview], list[str]]:
        """The address's interviews and the ids of its applications: one Query on GSI1 for both
        (an outcome's rounds, and everything its retention extension keeps)."""
        items = self._query(
            IndexName=keys.GSI1,
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.by_email(email)}},
        )
        interviews = [read_interview(i) for i in items if i["SK"] == keys.interview("")[1]]
        applications = [i["application_id"] for i in items if i["SK"] == keys.application("")[1]]
        return interviews, applications

    def for_email(self, email: str) -> list[Interview]:
        items = self._query(
            IndexName=keys.GSI1,
            KeyConditionExpression="GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.by_email(email)},
                ":prefix": {"S": keys.INTERVIEW_PREFIX},
            },
        )
        return [read_interview(i) for i in items]
