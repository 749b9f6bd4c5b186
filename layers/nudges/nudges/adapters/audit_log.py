"""The audit log of the advisers' console: who did what, when, to which candidate or interview.

One item per action under ``keys.audit_entry``, kept ``AuditRetentionDays`` through the table's
TTL attribute (``expires_at``). The only personal data of a candidate an entry holds is
``subject`` (their email as it was when the adviser acted); erasing the candidate removes it and
keeps the entry under their opaque id.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    adviser_sub: str
    adviser_email: str
    action: str
    candidate_id: str = ""
    interview_id: str = ""
    detail: str = ""
    subject: str = ""  # the candidate's email when the adviser acted; removed on erasure


class AuditLog(DynamoTable):
    def write(self, entry: AuditEntry) -> None:
        # Several actions at one moment of the service's clock keep their order by the wall clock.
        pk, sk = keys.audit_entry(entry.at, f"{time.time_ns():020d}-{secrets.token_hex(4)}")
        item: dict[str, Any] = {
            "PK": pk,
            "SK": sk,
            "at": entry.at.isoformat(),
            "adviser_sub": entry.adviser_sub,
            "adviser_email": entry.adviser_email,
            "action": entry.action,
            "candidate_id": entry.candidate_id,
            "interview_id": entry.interview_id,
            "detail": entry.detail,
            "expires_at": self._expires(entry.at),
        }
        if entry.subject:
            item["subject"] = entry.subject
        self._put(item)

    def _items(self, **request: Any) -> list[dict[str, Any]]:
        return self._query(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.AUDIT}, **request.pop("values", {})},
            **request,
        )

    def recent(self, limit: int = 500) -> list[AuditEntry]:
        items = self._items(ScanIndexForward=False, PaginationConfig={"MaxItems": limit})
        return [
            AuditEntry(
                at=datetime.fromisoformat(i["at"]),
                adviser_sub=i.get("adviser_sub", ""),
                adviser_email=i.get("adviser_email", ""),
                action=i.get("action", ""),
                candidate_id=i.get("candidate_id", ""),
                interview_id=i.get("interview_id", ""),
                detail=i.get("detail", ""),
                subject=i.get("subject", ""),
            )
            for i in items
        ]

    def forget(self, candidate_id: str) -> int:
        """Remove the candidate's personal data from every entry about them; the entries stay."""
        found = self._items(
            FilterExpression="candidate_id = :c AND attribute_exists(subject)",
            values={":c": {"S": candidate_id}},
        )
        for item in found:
            self._update((item["PK"], item["SK"]), UpdateExpression="REMOVE subject")
        return len(found)
