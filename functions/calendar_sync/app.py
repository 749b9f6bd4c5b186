"""Calendar sync: jobs from the calendar sync queue (a notification's follow-up, a first full
sync) and, on its schedule, the renewal of watch channels and subscriptions before they expire."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges import clock, wiring
from nudges.batch import sqs_batch
from nudges.handlers import entry
from nudges.observability import logger
from nudges.services.candidate_calendars import SyncJob

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext


def _run(record: SQSRecord) -> None:
    job = SyncJob.from_json(record.body)
    wiring.calendar_service().run(job, clock.now())
    logger.info("calendar job done", extra={"provider": job.provider, "action": job.action})


@entry
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" not in event:
        # EventBridge Scheduler's Input: {"action": "renew"}
        return wiring.calendar_service().renew_due(clock.now())
    return sqs_batch(event, context, _run, "calendar job")
