"""Moves dead letters back to where they get worked on again: `make redrive STACK=<name>`.

- The nudge dead-letter queue collects failures from three places: the send queue's redrive
  policy (the body is a delivery), EventBridge Scheduler (the body is the schedule's Input, a
  delivery) and Lambda's on-failure destination (the delivery wrapped in ``requestPayload``).
  Schedules and Lambda have no source queue, so SQS's own StartMessageMoveTask cannot send
  them back; every delivery goes to the send queue, whose sender sends each (nudge, channel)
  at most once. Anything that is not a delivery (an inbound-mail event the invite reader gave
  up on) stays in the dead-letter queue and is counted.
- The calendar sync dead-letter queue goes back to the calendar sync queue; a failed watch
  renewal ({"action": "renew"}) is not a queue job and stays (the next run every 6 hours
  renews anyway).

Queues come from the CloudFormation stack's outputs; where there is no such stack (the local
stack, which names each queue ``<stack>-<LogicalId>``) they are looked up by name. Set
AWS_ENDPOINT_URL to work against a local endpoint. Prints what it moved and what it kept.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.aws_env import aws_region

if TYPE_CHECKING:
    from collections.abc import Callable

# (dead-letter queue output, target queue output, what of a dead letter goes back, if anything)
ROUTES = (
    ("NudgeDeadLetterQueue", "SendQueue"),
    ("CalendarSyncDeadLetterQueue", "CalendarSyncQueue"),
)


def nudge_delivery(body: str) -> str | None:
    """The delivery in a nudge dead letter (unwrapping a Lambda failure record), or None."""
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    if isinstance(payload, dict) and isinstance(payload.get("requestPayload"), dict):
        payload = payload["requestPayload"]
    if isinstance(payload, dict) and {"owner_id", "kind", "due_at"} <= payload.keys():
        return json.dumps({k: payload[k] for k in ("owner_id", "kind", "due_at")})
    return None


def calendar_job(body: str) -> str | None:
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    if isinstance(payload, dict) and {"candidate_id", "provider", "calendar_id", "action"} <= payload.keys():
        return body
    return None


EXTRACTORS: dict[str, Callable[[str], str | None]] = {
    "NudgeDeadLetterQueue": nudge_delivery,
    "CalendarSyncDeadLetterQueue": calendar_job,
}


@dataclass
class Result:
    source: str
    target: str
    moved: int = 0
    kept: int = 0
    kept_ids: list[str] = field(default_factory=list)


def redrive(sqs: Any, dlq_url: str, target_url: str, extract: Callable[[str], str | None]) -> Result:
    """Receive every visible message once; send what ``extract`` accepts, then delete it."""
    result = Result(dlq_url, target_url)
    seen: set[str] = set()
    kept: list[str] = []  # receipt handles, made visible again at the end
    while True:
        messages = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=120, WaitTimeSeconds=0
        ).get("Messages", [])
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:
            break
        for message in fresh:
            seen.add(message["MessageId"])
            body = extract(message["Body"])
            if body is None:
                kept.append(message["ReceiptHandle"])
                result.kept += 1
                result.kept_ids.append(message["MessageId"])
                continue
            # Sent before it is deleted: a crash in between redrives it twice, and the sender's
            # per-(nudge, channel) claim makes the second delivery send nothing.
            sqs.send_message(QueueUrl=target_url, MessageBody=body)
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            result.moved += 1
    for handle in kept:
        sqs.change_message_visibility(QueueUrl=dlq_url, ReceiptHandle=handle, VisibilityTimeout=0)
    return result


def queue_urls(session: Any, stack: str) -> dict[str, str]:
    """Logical id -> queue URL, from the stack's outputs or (no such stack) by queue name."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    wanted = {name for route in ROUTES for name in route}
    try:
        cfn = session.client("cloudformation", endpoint_url=endpoint)
        outputs = cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
        found = {o["OutputKey"].removesuffix("Url"): o["OutputValue"] for o in outputs}
        if wanted <= found.keys():
            return {name: found[name] for name in wanted}
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("ValidationError", "404"):
            raise
    sqs = session.client("sqs", endpoint_url=endpoint)
    return {name: sqs.get_queue_url(QueueName=f"{stack}-{name}")["QueueUrl"] for name in wanted}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--stack", default=os.environ.get("STACK", "interview-nudges"), help="CloudFormation stack name"
    )
    args = parser.parse_args(argv)
    try:
        return _redrive_all(args.stack)
    except RedriveError as exc:
        print(f"make redrive: {exc}", file=sys.stderr)
        return 2


class RedriveError(Exception):
    """What the operator must fix first (credentials, region, the stack's name), in one line."""


def _redrive_all(stack: str) -> int:
    from botocore.exceptions import (
        BotoCoreError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    # The region as the AWS tools read it: AWS_REGION, then AWS_DEFAULT_REGION, then the profile.
    session = boto3.session.Session(region_name=aws_region())
    if not session.region_name and os.environ.get("AWS_ENDPOINT_URL"):
        session = boto3.session.Session(region_name="us-east-1")  # a local endpoint (the local stack's region)
    if not session.region_name:
        raise RedriveError("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or add region to your profile")
    try:
        sqs = session.client(
            "sqs",
            endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
            config=Config(retries={"mode": "standard", "max_attempts": 5}),
        )
        urls = queue_urls(session, stack)
        return _move(sqs, urls)
    except NoRegionError:
        raise RedriveError(
            "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or add region to your profile"
        ) from None
    except (NoCredentialsError, PartialCredentialsError):
        raise RedriveError("no AWS credentials: run `aws configure` (or `aws sso login`), or set AWS_PROFILE") from None
    except EndpointConnectionError as exc:
        raise RedriveError(f"cannot reach AWS: {exc}") from None
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            raise RedriveError(
                f"no stack {stack} in {session.region_name} (nor its queues): say STACK=<name>"
            ) from None
        raise RedriveError(f"{code or 'AWS refused'}: {exc}") from None
    except BotoCoreError as exc:
        raise RedriveError(str(exc)) from None


def _move(sqs: Any, urls: dict[str, str]) -> int:
    for dlq, target in ROUTES:
        result = redrive(sqs, urls[dlq], urls[target], EXTRACTORS[dlq])
        print(f"{dlq} -> {target}: moved {result.moved}, kept {result.kept}")
        for message_id in result.kept_ids:
            print(f"  kept {message_id} (not a {target} message; read it with `aws sqs receive-message`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
