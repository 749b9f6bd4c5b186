"""Applications (a candidate at a company) and their outcomes; keys in ``keys``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key
from nudges.domain.interview import normalise_email
from nudges.domain.records import Application
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from datetime import datetime


def read_application(data: dict[str, Any]) -> Application:
    return Application(
        application_id=data["application_id"],
        candidate_email=data["candidate_email"],
        company=data["company"],
        outcome=data.get("outcome"),
        outcome_at=parse_iso(data["outcome_at"]) if data.get("outcome_at") else None,
        interview_id=data.get("interview_id"),
        outcome_source=data.get("outcome_source"),
    )


class ApplicationRepository(DynamoTable):
    def get(self, application_id: str) -> Application | None:
        data = self._get(keys.application(application_id))
        return read_application(data) if data else None

    def for_email(self, email: str) -> list[Application]:
        items = self._query(
            IndexName=keys.GSI1,
            KeyConditionExpression="GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.by_email(email)},
                ":prefix": {"S": keys.APPLICATION_PREFIX},
            },
        )
        found = [self.get(i["application_id"]) for i in items]
        return [a for a in found if a]

    def record_outcome(self, application: Application, now: datetime) -> bool:
        """Store the outcome; False when the application already has this very outcome."""
        email = normalise_email(application.candidate_email)
        pk, sk = keys.application(application.application_id)
        answer = self._put(
            {
                "PK": pk,
                "SK": sk,
                "GSI1PK": keys.by_email(email),
                "GSI1SK": keys.application_listing(application.application_id),
                "application_id": application.application_id,
                "candidate_email": email,
                "company": application.company,
                "outcome": application.outcome,
                "outcome_at": iso(now),
                "interview_id": application.interview_id,
                "outcome_source": application.outcome_source,
                "expires_at": self._expires(now),
            },
            ConditionExpression="attribute_not_exists(PK) OR outcome <> :outcome",
            ExpressionAttributeValues={":outcome": {"S": application.outcome or ""}},
        )
        return not isinstance(answer, Refused)

    def attach_interview(self, application_id: str, interview_id: str) -> None:
        """Name the interview an application's connect nudge belongs to, if it has none yet
        (an outcome that arrived before any interview)."""
        self._db.update_item(
            TableName=self._table,
            Key=dynamo_key(keys.application(application_id)),
            UpdateExpression="SET interview_id = if_not_exists(interview_id, :iv)",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":iv": {"S": interview_id}},
        )
