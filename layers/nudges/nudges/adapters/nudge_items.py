"""A nudge item read back into its record (for the ledger, and for the reads that take a nudge
along with other items in one BatchGetItem)."""

from __future__ import annotations

from typing import Any

from nudges.domain.records import NudgeRecord
from nudges.timefmt import parse_iso


def read_nudge(owner_id: str, data: dict[str, Any]) -> NudgeRecord:
    return NudgeRecord(
        owner_id=owner_id,
        kind=data["kind"],
        status=data["status"],
        interview_id=data["interview_id"],
        due_at=parse_iso(data["due_at"]) if data.get("due_at") else None,
        schedule_name=data.get("schedule_name"),
        reason=data.get("reason"),
        candidate_id=data.get("candidate_id"),
    )
