"""SQS → Lambda: drains the queues the template wires to functions.

Emulates the event source mapping: receive up to BatchSize messages, invoke the function
with a real-shaped SQS event, delete what succeeded (``ReportBatchItemFailures`` aware; a
raising handler fails the whole batch) and leave failures for the next clock call. Each
message is attempted at most once per clock call; failed ones are made visible again
(``ChangeMessageVisibility`` 0) when the call ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .runtime import FunctionError

if TYPE_CHECKING:
    from .provision import Aws
    from .runtime import Function

# Long enough that a message received in this clock call cannot come back within it.
_RECEIVE_VISIBILITY = 600


@dataclass
class EventSource:
    function: Function
    queue_arn: str
    batch_size: int = 10
    report_failures: bool = False
    queue_url: str = ""
    redrive: dict[str, Any] = field(default_factory=dict)


def _message_attributes(attrs: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in (attrs or {}).items():
        out[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType"),
        }
    return out


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": dict(m.get("Attributes") or {}),
                "messageAttributes": _message_attributes(m.get("MessageAttributes") or {}),
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


class QueueDrainer:
    def __init__(self, aws: Aws, sources: list[EventSource]) -> None:
        self.aws = aws
        self.sources = sources
        sqs = aws.client("sqs")
        for src in sources:
            src.queue_url = sqs.get_queue_url(QueueName=src.queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=src.queue_url, AttributeNames=["RedrivePolicy"])
            policy = attrs.get("Attributes", {}).get("RedrivePolicy")
            src.redrive = json.loads(policy) if policy else {}

    def drain(self, seen: set[str], to_release: list[tuple[str, str]], deliver_twice: bool) -> int:
        """One pass over every source; returns the number of messages handed to functions."""
        delivered = 0
        for src in self.sources:
            while True:
                batch = self._receive(src, seen, to_release)
                if batch is None:
                    break
                if batch:
                    delivered += len(batch)
                    self._deliver(src, batch, to_release, deliver_twice)
        return delivered

    def release(self, to_release: list[tuple[str, str]]) -> None:
        sqs = self.aws.client("sqs")
        for url, receipt in to_release:
            # A message may have been moved to the DLQ or expired meanwhile.
            with contextlib.suppress(ClientError):
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=receipt, VisibilityTimeout=0)

    def _receive(
        self, src: EventSource, seen: set[str], to_release: list[tuple[str, str]]
    ) -> list[dict[str, Any]] | None:
        """Next batch of messages not yet attempted this call ([] = skip-only batch, None = empty)."""
        sqs = self.aws.client("sqs")
        resp = sqs.receive_message(
            QueueUrl=src.queue_url,
            MaxNumberOfMessages=max(1, min(10, src.batch_size)),
            AttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
            VisibilityTimeout=_RECEIVE_VISIBILITY,
            WaitTimeSeconds=0,
        )
        messages = resp.get("Messages", [])
        if not messages:
            return None
        batch = []
        for m in messages:
            if m["MessageId"] in seen:
                to_release.append((src.queue_url, m["ReceiptHandle"]))
                continue
            seen.add(m["MessageId"])
            if self._past_max_receives(src, m):
                continue
            batch.append(m)
        return batch

    def _past_max_receives(self, src: EventSource, message: dict[str, Any]) -> bool:
        """Redrive to the DLQ ourselves if the endpoint did not (moto and AWS do it on receive)."""
        max_receives = int(src.redrive.get("maxReceiveCount") or 0)
        count = int((message.get("Attributes") or {}).get("ApproximateReceiveCount", "1"))
        if not max_receives or count <= max_receives:
            return False
        sqs = self.aws.client("sqs")
        dlq_url = sqs.get_queue_url(QueueName=src.redrive["deadLetterTargetArn"].rsplit(":", 1)[-1])["QueueUrl"]
        extra = {"MessageAttributes": message["MessageAttributes"]} if message.get("MessageAttributes") else {}
        sqs.send_message(QueueUrl=dlq_url, MessageBody=message["Body"], **extra)
        sqs.delete_message(QueueUrl=src.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return True

    def _deliver(
        self,
        src: EventSource,
        batch: list[dict[str, Any]],
        to_release: list[tuple[str, str]],
        deliver_twice: bool,
    ) -> None:
        event = sqs_event(batch, src.queue_arn, self.aws.region)
        ids = [m["MessageId"] for m in batch]
        failed: set[str] | None = None
        for _ in range(2 if deliver_twice else 1):
            outcome = self._invoke(src, event, ids)
            # A message is done once any delivery of it succeeded, as with two consumers.
            failed = outcome if failed is None else failed & outcome
        sqs = self.aws.client("sqs")
        for m in batch:
            if m["MessageId"] in (failed or set()):
                to_release.append((src.queue_url, m["ReceiptHandle"]))
            else:
                sqs.delete_message(QueueUrl=src.queue_url, ReceiptHandle=m["ReceiptHandle"])

    def _invoke(self, src: EventSource, event: dict[str, Any], ids: list[str]) -> set[str]:
        """Invoke once; the set of message ids that failed."""
        try:
            response = src.function.invoke(event)
        except FunctionError:
            return set(ids)  # logged with the function's name by the runtime
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return set(ids)
        if not src.report_failures or not isinstance(response, dict):
            return set()
        failures = response.get("batchItemFailures") or []
        failed = set()
        for item in failures:
            ident = item.get("itemIdentifier") if isinstance(item, dict) else None
            if ident not in ids:
                # Lambda treats an invalid response as a failure of the whole batch.
                return set(ids)
            failed.add(ident)
        return failed
