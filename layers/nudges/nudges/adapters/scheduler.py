"""EventBridge Scheduler for nudges due later; the send queue for nudges due now.

Each nudge has one schedule, named after the nudge: planning it again is a no-op, and moving it
updates that schedule in place (its time and its Input) instead of adding another.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from nudges.adapters.aws import Refused, attempt
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.config import SchedulingConfig
    from nudges.domain.records import NudgeRecord

# A nudge due within this much of now goes straight to the send queue.
SEND_NOW_WINDOW = timedelta(minutes=1)
NOT_FOUND = "ResourceNotFoundException"
RETRY_POLICY = {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 6 * 3600}


def delivery_input(nudge: NudgeRecord) -> dict[str, str]:
    """What the sender receives: enough to read the nudge and its candidate in one call, and to
    tell a stale delivery. The candidate's id, not their address: nothing personal in a schedule."""
    assert nudge.due_at is not None and nudge.candidate_id is not None
    return {
        "owner_id": nudge.owner_id,
        "kind": nudge.kind,
        "due_at": iso(nudge.due_at),
        "candidate_id": nudge.candidate_id,
    }


def schedule_name(nudge: NudgeRecord) -> str:
    return f"{nudge.owner_id}-{nudge.kind}"


class NudgeScheduler:
    def __init__(self, scheduler_client: Any, sqs_client: Any, config: SchedulingConfig) -> None:
        self._scheduler = scheduler_client
        self._sqs = sqs_client
        self._config = config

    def schedule(self, nudge: NudgeRecord, now: datetime) -> str | None:
        """Arrange delivery at ``nudge.due_at``; returns the schedule name (None when queued now)."""
        assert nudge.due_at is not None
        payload = json.dumps(delivery_input(nudge))
        if nudge.due_at - now <= SEND_NOW_WINDOW:
            self._sqs.send_message(QueueUrl=self._config.send_queue_url, MessageBody=payload)
            return None
        name = schedule_name(nudge)
        request = {
            "Name": name,
            "GroupName": self._config.group_name,
            "ScheduleExpression": f"at({nudge.due_at.strftime('%Y-%m-%dT%H:%M:%S')})",
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "Target": {
                "Arn": self._config.target_arn,
                "RoleArn": self._config.role_arn,
                "Input": payload,
                "RetryPolicy": RETRY_POLICY,
                "DeadLetterConfig": {"Arn": self._config.dead_letter_arn},
            },
        }
        for _ in range(3):
            if not isinstance(attempt(self._scheduler.create_schedule, ("ConflictException",), **request), Refused):
                break
            # Already there (a retry, or the nudge moved): make it say what we mean now. A racing
            # cancel may delete it between our create and this read: then create it again (the
            # planner re-reads the interview afterwards and withdraws it if it was cancelled).
            existing = attempt(self._scheduler.get_schedule, (NOT_FOUND,), Name=name, GroupName=self._config.group_name)
            if isinstance(existing, Refused):
                continue
            if existing.get("Target", {}).get("Input") == payload:
                break
            if not isinstance(attempt(self._scheduler.update_schedule, (NOT_FOUND,), **request), Refused):
                break
        else:
            raise RuntimeError(f"schedule {name} kept changing under us; the delivery will be retried")
        return name

    def cancel(self, name: str | None) -> None:
        if not name:
            return
        # Deleting one already gone (fired, or cancelled before) is a no-op.
        attempt(self._scheduler.delete_schedule, (NOT_FOUND,), Name=name, GroupName=self._config.group_name)
