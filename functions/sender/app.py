"""Sends a due nudge: invoked by EventBridge Scheduler (the Input is the event) or by the
send queue (a batch of the same payloads)."""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from nudges import clock, config, metrics, wiring
from nudges.observability import logger
from nudges.services.sending import SendService, delivery_from

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@cache
def _service() -> SendService:
    import os

    from nudges.adapters.aws import LazyClient
    from nudges.adapters.email import EmailSender
    from nudges.adapters.sms import SmsSender

    email = EmailSender(LazyClient("sesv2"), os.environ["SENDER_EMAIL"], os.environ.get("CONFIGURATION_SET_NAME"))
    return SendService(wiring.store(), wiring.composer(), email, SmsSender(LazyClient("sns")), config.timings())


def _deliver(payload: dict[str, Any]) -> None:
    # A dead-lettered Lambda async failure, redriven, wraps the original payload.
    payload = payload.get("requestPayload", payload)
    delivery, now = delivery_from(payload), clock.now()
    outcome = _service().deliver(delivery, now)
    if outcome.startswith("sent"):
        # How late the nudge went out: send time minus due time (Scheduler, queue and retries).
        metrics.send_lateness((now - delivery.due_at).total_seconds())
    logger.info(
        "delivery handled", extra={"owner_id": payload["owner_id"], "kind": payload["kind"], "outcome": outcome}
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any] | None:
    return _handle(event)


def _handle(event: dict[str, Any]) -> dict[str, Any] | None:
    if "Records" not in event:
        _deliver(event)  # raise on failure: Scheduler/Lambda retries, then the dead-letter queue
        return None
    failures = []
    for record in event["Records"]:
        try:
            _deliver(json.loads(record["body"]))
        except Exception:
            logger.exception("delivery failed", extra={"message_id": record["messageId"]})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
