"""What every function's ``lambda_handler`` is made of, said once: the decorator stack (context
in the logs, metrics written when the invocation ends), the HTTP resolver with its one error
mapping, and Powertools' partial-batch processing for SQS."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from nudges import metrics
from nudges.http import register_error_handlers
from nudges.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

Handler = Callable[[Any, "LambdaContext"], Any]


def entry[**P, R](handler: Callable[P, R]) -> Callable[P, R]:
    """The decorators every function's handler wears: the Lambda context in each log line
    (cleared between invocations) and this invocation's metrics written when it ends."""
    return logger.inject_lambda_context(clear_state=True)(metrics.flushing(handler))


def resolver() -> APIGatewayHttpResolver:
    """An HTTP API resolver answering errors the one way (``http.register_error_handlers``)."""
    app = APIGatewayHttpResolver()
    register_error_handlers(app)
    return app


def api_handler(app: APIGatewayHttpResolver) -> Handler:
    """The ``lambda_handler`` of an HTTP function: its routes resolved, with ``entry``'s decorators."""

    @entry
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return app.resolve(event, context)

    return lambda_handler


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
