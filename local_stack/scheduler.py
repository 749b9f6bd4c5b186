"""Fires EventBridge Scheduler schedules against the virtual clock.

moto stores schedules but never fires them. On each clock call this module lists the
schedules of the template's groups, works out which are due, invokes their targets as
Scheduler would (Lambda: the event is ``json.loads(Target.Input)``), applies the retry
policy across clock calls, dead-letters exhausted deliveries and completes one-time
schedules (DELETE → deleted, otherwise DISABLED). Retry counts and the last firing of
recurring schedules are process state; everything else lives in the AWS endpoint.
"""

from __future__ import annotations

import json
import sys
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from . import schedule_expressions
from .runtime import FunctionError

if TYPE_CHECKING:
    from .provision import Aws
    from .runtime import Runtime

DEFAULT_MAX_RETRIES = 185
DEFAULT_MAX_EVENT_AGE = 86400


@dataclass
class Due:
    schedule: dict[str, Any]
    at: datetime
    one_time: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.schedule["Arn"], self.at.isoformat())


class SchedulerEmulator:
    def __init__(self, aws: Aws, group_names: list[str], runtime: Runtime, started_at: datetime) -> None:
        self.aws = aws
        self.group_names = group_names
        self.runtime = runtime
        self._window_start = started_at
        self._first_seen: dict[str, datetime] = {}
        self._last_fired: dict[str, datetime] = {}
        self._failures: dict[tuple[str, str], int] = {}
        # Full schedules by ARN with the LastModificationDate they were read at: a clock call
        # lists the schedules (a page holds 100) and reads in full only those new or changed
        # since, instead of one GetSchedule per schedule per pass (thousands at load).
        self._known: dict[str, tuple[Any, dict[str, Any]]] = {}

    # ------------------------------------------------------------------ listing

    def _schedules(self) -> list[dict[str, Any]]:
        client = self.aws.client("scheduler")
        found = []
        listed: set[str] = set()
        for group in self.group_names:
            token = None
            while True:
                page = client.list_schedules(GroupName=group, MaxResults=100, **({"NextToken": token} if token else {}))
                for item in page.get("Schedules", []):
                    if item.get("State") == "DISABLED":
                        continue  # never due (a completed one-time schedule, say)
                    arn, stamp = item["Arn"], item.get("LastModificationDate")
                    listed.add(arn)
                    known = self._known.get(arn)
                    if known is not None and stamp is not None and known[0] == stamp:
                        found.append(known[1])
                        continue
                    try:
                        full = client.get_schedule(Name=item["Name"], GroupName=item.get("GroupName") or group)
                    except ClientError:
                        continue  # deleted between list and get
                    full.pop("ResponseMetadata", None)
                    self._known[arn] = (stamp, full)
                    found.append(full)
                token = page.get("NextToken")
                if not token:
                    break
        for arn in set(self._known) - listed:
            del self._known[arn]
        return found

    def _due(self, schedule: dict[str, Any], now: datetime) -> Due | None:
        if schedule.get("State") == "DISABLED":
            return None
        try:
            expr = schedule_expressions.parse(
                schedule["ScheduleExpression"], schedule.get("ScheduleExpressionTimezone")
            )
        except schedule_expressions.ExpressionError as exc:
            print(f"[local-stack] schedule {schedule.get('Name')}: {exc}", file=sys.stderr)
            return None
        arn = schedule["Arn"]
        if not expr.recurring:
            at = expr.latest(None, now)
            return Due(schedule, at, True) if at else None
        pending = [k for k in self._failures if k[0] == arn]
        if pending:
            return Due(schedule, datetime.fromisoformat(pending[0][1]), False)
        since = self._last_fired.get(arn) or self._first_seen.setdefault(arn, self._window_start)
        start = schedule.get("StartDate")
        if isinstance(start, datetime) and start > since:
            since = start - timedelta(microseconds=1)
        end = schedule.get("EndDate")
        bound = min(now, end) if isinstance(end, datetime) else now
        at = expr.latest(since, bound)
        return Due(schedule, at, False) if at else None

    def next_due(self, bound: datetime, attempted: set[tuple[str, str]]) -> datetime | None:
        """The earliest moment at or before ``bound`` when a schedule not yet attempted is due.

        One-time schedules (the nudges) each at their own time. A recurring one (the watch renewal
        sweep) fires at its latest occurrence before the next one-time delivery: the occurrences
        between would each have swept the same items, and a clock set years ahead would otherwise
        run thousands of sweeps."""
        schedules = self._schedules()
        dues = [d for d in (self._due(s, bound) for s in schedules) if d and d.key not in attempted]
        one_time = [d.at for d in dues if d.one_time]
        horizon = min(one_time, default=bound)
        recurring = [
            d.at for d in (self._due(s, horizon) for s in schedules) if d and not d.one_time and d.key not in attempted
        ]
        return min(one_time + recurring, default=None)

    # ------------------------------------------------------------------ delivery

    def deliver(self, now: datetime, deliver_twice: bool, attempted: set[tuple[str, str]]) -> list[dict[str, str]]:
        """One pass: deliver every schedule due at or before ``now`` not yet attempted this call."""
        dues = [d for d in (self._due(s, now) for s in self._schedules()) if d and d.key not in attempted]
        dues.sort(key=lambda d: (d.at, d.schedule["Name"]))
        fired = []
        for due in dues:
            attempted.add(due.key)
            if self._expired(due, now, before_attempt=True):
                self._dead_letter(due, "AWS.Scheduler.EventExpired", "Maximum event age exceeded")
                continue
            fired.append({"name": due.schedule["Name"], "at": due.at.isoformat()})
            error = self._invoke(due, deliver_twice)
            if error is None:
                self._failures.pop(due.key, None)
                self._complete(due)
                continue
            self._failures[due.key] = self._failures.get(due.key, 0) + 1
            if self._expired(due, now, before_attempt=False):
                self._dead_letter(due, *error)
        return fired

    def end_call(self, now: datetime) -> None:
        self._window_start = now

    def _retry_policy(self, due: Due) -> tuple[int, int]:
        policy = due.schedule.get("Target", {}).get("RetryPolicy") or {}
        return (
            int(policy.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES)),
            int(policy.get("MaximumEventAgeInSeconds", DEFAULT_MAX_EVENT_AGE)),
        )

    def _expired(self, due: Due, now: datetime, *, before_attempt: bool) -> bool:
        max_retries, max_age = self._retry_policy(due)
        too_old = (now - due.at).total_seconds() > max_age
        if before_attempt:
            return too_old and due.key in self._failures
        return too_old or self._failures.get(due.key, 0) - 1 >= max_retries

    def _invoke(self, due: Due, deliver_twice: bool) -> tuple[str, str] | None:
        """Deliver once (or twice); None on success, else (error code, message)."""
        target = due.schedule["Target"]
        arn: str = target["Arn"]
        error = None
        succeeded = False
        for _ in range(2 if deliver_twice else 1):
            try:
                if ":sqs:" in arn:
                    sqs = self.aws.client("sqs")
                    url = sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
                    sqs.send_message(QueueUrl=url, MessageBody=target.get("Input") or "{}")
                else:
                    fn = self.runtime.by_arn(arn)
                    fn.invoke(json.loads(target.get("Input") or "{}"))
                succeeded = True
            except FunctionError as exc:  # logged with the function's name by the runtime
                error = ("AWS.Lambda.FunctionError", f"{exc.error_type}: {exc.error_message}"[:1000])
            except Exception as exc:
                traceback.print_exc(file=sys.stderr)
                code = "AWS.Lambda.FunctionError" if ":lambda:" in arn else "AWS.Scheduler.TargetError"
                error = (code, f"{type(exc).__name__}: {exc}"[:1000])
        # An at-least-once duplicate that fails does not undo the delivery that succeeded.
        return None if succeeded else error

    def _complete(self, due: Due) -> None:
        schedule = due.schedule
        if not due.one_time:
            self._last_fired[schedule["Arn"]] = due.at
            return
        client = self.aws.client("scheduler")
        try:
            if schedule.get("ActionAfterCompletion") == "DELETE":
                client.delete_schedule(Name=schedule["Name"], GroupName=schedule["GroupName"])
            else:
                args = {
                    k: schedule[k]
                    for k in (
                        "Name",
                        "GroupName",
                        "ScheduleExpression",
                        "ScheduleExpressionTimezone",
                        "Description",
                        "StartDate",
                        "EndDate",
                        "FlexibleTimeWindow",
                        "Target",
                        "KmsKeyArn",
                        "ActionAfterCompletion",
                    )
                    if schedule.get(k) is not None
                }
                client.update_schedule(**args, State="DISABLED")
        except ClientError as exc:
            # The function may have deleted or replaced its own schedule meanwhile.
            print(f"[local-stack] completing {schedule['Name']}: {exc}", file=sys.stderr)

    def _dead_letter(self, due: Due, code: str, message: str) -> None:
        target = due.schedule["Target"]
        dlq_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
        attempts = max(0, self._failures.get(due.key, 0) - 1)
        self._failures.pop(due.key, None)
        if dlq_arn:
            sqs = self.aws.client("sqs")
            url = sqs.get_queue_url(QueueName=dlq_arn.rsplit(":", 1)[-1])["QueueUrl"]

            def attr(value: str, data_type: str = "String") -> dict[str, str]:
                return {"DataType": data_type, "StringValue": value}

            sqs.send_message(
                QueueUrl=url,
                MessageBody=target.get("Input") or "{}",
                MessageAttributes={
                    "ERROR_CODE": attr(code),
                    "ERROR_MESSAGE": attr(message or code),
                    "EXECUTION_ID": attr(str(uuid.uuid4())),
                    "RETRY_ATTEMPTS": attr(str(attempts), "Number"),
                    "TARGET_ARN": attr(target["Arn"]),
                    "GROUP": attr(due.schedule["GroupName"]),
                    "SCHEDULE_ARN": attr(due.schedule["Arn"]),
                },
            )
        else:
            print(f"[local-stack] schedule {due.schedule['Name']} dropped: {message}", file=sys.stderr)
        self._complete(due)


def install_template_schedules(aws: Aws, runtime: Runtime, account_id: str) -> list[str]:
    """Create (or bring up to date) the schedules functions declare as ``ScheduleV2`` or
    ``Schedule`` events, so the emulator fires them like any other; returns their groups.

    SAM turns such an event into an ``AWS::Scheduler::Schedule`` (or an EventBridge rule) whose
    target is the function and whose Input is the event's Input.
    """
    client = aws.client("scheduler")
    groups = []
    for fn in runtime.functions.values():
        for kind in ("ScheduleV2", "Schedule"):
            for event_name, props in fn.spec.events_of_type(kind):
                expression = props.get("ScheduleExpression") or props.get("Schedule")
                if not expression or props.get("State") == "DISABLED" or props.get("Enabled") is False:
                    continue
                group = str(props.get("GroupName") or "default")
                target: dict[str, Any] = {
                    "Arn": fn.spec.arn,
                    "RoleArn": str(
                        props.get("RoleArn") or f"arn:aws:iam::{account_id}:role/{fn.spec.logical_id}{event_name}Role"
                    ),
                    "Input": str(props.get("Input") or "{}"),
                }
                if props.get("RetryPolicy"):
                    target["RetryPolicy"] = props["RetryPolicy"]
                dead_letter = (props.get("DeadLetterConfig") or {}).get("Arn")
                if dead_letter:
                    target["DeadLetterConfig"] = {"Arn": str(dead_letter)}
                request = {
                    "Name": str(props.get("Name") or f"{fn.spec.logical_id}-{event_name}")[:64],
                    "GroupName": group,
                    "ScheduleExpression": str(expression),
                    "ScheduleExpressionTimezone": str(props.get("ScheduleExpressionTimezone") or "UTC"),
                    "FlexibleTimeWindow": props.get("FlexibleTimeWindow") or {"Mode": "OFF"},
                    "Target": target,
                }
                try:
                    client.create_schedule(**request)
                except ClientError as exc:
                    if exc.response.get("Error", {}).get("Code") != "ConflictException":
                        raise
                    client.update_schedule(**request)
                if group not in groups:
                    groups.append(group)
    return groups
