"""SQS batches through Powertools' partial-batch processing: only the records that failed are
retried (``batchItemFailures``), each failure logged with its message id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext


def sqs_batch(event: dict[str, Any], context: LambdaContext, handle: Callable[[SQSRecord], Any], what: str) -> Any:
    """Each SQS record to ``handle``; those that raise are logged and reported back as partial
    batch failures, so only they are retried (the whole batch failing is reported the same way)."""

    def record_handler(record: SQSRecord) -> Any:
        try:
            return handle(record)
        except Exception:
            logger.exception(f"{what} failed", extra={"message_id": record.message_id})
            raise

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
