"""Calendar sync: jobs from the calendar sync queue (a notification's follow-up, a first full
sync) and, on its schedule, the renewal of watch channels and subscriptions before they expire."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges import clock, wiring
from nudges.metrics import log_metrics
from nudges.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(clear_state=True)
@log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    from nudges.services.calendars import SyncJob

    service = wiring.calendars()
    if "Records" not in event:
        # EventBridge Scheduler's Input: {"action": "renew"}
        return service.renew_due(clock.now())
    failures = []
    for record in event["Records"]:
        try:
            job = SyncJob.from_json(record["body"])
            service.run(job, clock.now())
            logger.info("calendar job done", extra={"provider": job.provider, "action": job.action})
        except Exception:
            logger.exception("calendar job failed", extra={"message_id": record["messageId"]})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
