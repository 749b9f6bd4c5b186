"""Sends a due nudge: invoked by EventBridge Scheduler (the Input is the event) or by the
send queue (a batch of the same payloads)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nudges import clock, metrics, wiring
from nudges.batch import sqs_batch
from nudges.handlers import entry
from nudges.observability import logger
from nudges.services.sending import delivery_from

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext


def _deliver(payload: dict[str, Any]) -> None:
    # A dead-lettered Lambda async failure, redriven, wraps the original payload.
    payload = payload.get("requestPayload", payload)
    delivery, now = delivery_from(payload), clock.now()
    outcome = wiring.sender().deliver(delivery, now)
    if outcome.startswith("sent"):
        # How late the nudge went out: send time minus due time (Scheduler, queue and retries).
        metrics.send_lateness((now - delivery.due_at).total_seconds())
    logger.info(
        "delivery handled", extra={"owner_id": payload["owner_id"], "kind": payload["kind"], "outcome": outcome}
    )


def _deliver_record(record: SQSRecord) -> None:
    _deliver(json.loads(record.body))


@entry
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any] | None:
    if "Records" not in event:
        _deliver(event)  # raise on failure: Scheduler/Lambda retries, then the dead-letter queue
        return None
    return sqs_batch(event, context, _deliver_record, "delivery")
