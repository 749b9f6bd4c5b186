"""Lambda's asynchronous invocation (``InvocationType=Event``), as SNS and S3 notifications use it.

The event is tried once; a function error (an unhandled exception, an init failure, a timeout)
is retried up to the function's ``EventInvokeConfig.MaximumRetryAttempts`` (default 2), then the
event goes to the function's ``OnFailure`` destination (an SQS queue, with the invocation record
Lambda writes) or else its ``DeadLetterQueue`` (the event itself, with ``RequestID``,
``ErrorCode`` and ``ErrorMessage`` attributes). Locally the retries follow one another at once
(Lambda waits about one, then two minutes), so the control call that caused the event answers
after all of them.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .runtime import FunctionError

if TYPE_CHECKING:
    from .provision import Aws
    from .runtime import Function

DEFAULT_MAX_RETRIES = 2


def retry_policy(fn: Function) -> tuple[int, str | None, str | None]:
    """(retries, OnFailure SQS destination ARN, DeadLetterQueue SQS ARN) from the function's template."""
    config = fn.spec.props.get("EventInvokeConfig") or {}
    retries = int(config.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES))
    on_failure = ((config.get("DestinationConfig") or {}).get("OnFailure")) or {}
    destination = str(on_failure["Destination"]) if on_failure.get("Type", "SQS") == "SQS" and on_failure else None
    dlq = fn.spec.props.get("DeadLetterQueue") or {}
    dead_letter = str(dlq["TargetArn"]) if dlq.get("Type") == "SQS" and dlq.get("TargetArn") else None
    return retries, destination, dead_letter


def invoke_async(aws: Aws, fn: Function, event: dict[str, Any]) -> FunctionError | None:
    """Deliver ``event`` as Lambda's event queue does; the last error if every attempt failed."""
    retries, destination, dead_letter = retry_policy(fn)
    error: FunctionError | None = None
    attempts = 0
    for _ in range(1 + retries):
        attempts += 1
        try:
            fn.invoke(event)
            return None
        except FunctionError as exc:  # logged with the function's name by the runtime
            error = exc
    assert error is not None
    request_id = str(uuid.uuid4())
    sqs = aws.client("sqs")
    if destination:
        record = {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "requestContext": {
                "requestId": request_id,
                "functionArn": f"{fn.spec.arn}:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": attempts,
            },
            "requestPayload": event,
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "responsePayload": {
                "errorMessage": error.error_message,
                "errorType": error.error_type,
                "stackTrace": error.stack_trace,
            },
        }
        sqs.send_message(QueueUrl=_queue_url(aws, destination), MessageBody=json.dumps(record))
    elif dead_letter:
        sqs.send_message(
            QueueUrl=_queue_url(aws, dead_letter),
            MessageBody=json.dumps(event),
            MessageAttributes={
                "RequestID": {"DataType": "String", "StringValue": request_id},
                "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                "ErrorMessage": {
                    "DataType": "String",
                    "StringValue": f"{error.error_type}: {error.error_message}"[:256],
                },
            },
        )
    print(
        f"[local-stack] {fn.name}: async event failed {attempts} times ({error.error_type}); "
        f"{'sent to ' + (destination or dead_letter or '') if destination or dead_letter else 'dropped'}",
        file=sys.stderr,
        flush=True,
    )
    return error


def _queue_url(aws: Aws, arn: str) -> str:
    return aws.client("sqs").get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
