"""What every function's ``lambda_handler`` is made of, said once: the decorator stack (context
in the logs, metrics written when the invocation ends) and, for an HTTP function, its routes
resolved. (The HTTP resolver itself is ``http.resolver``; SQS batches are ``batch.sqs_batch``:
each function imports only the Powertools utilities it uses.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges import metrics
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
    from aws_lambda_powertools.utilities.typing import LambdaContext


def entry[**P, R](handler: Callable[P, R]) -> Callable[P, R]:
    """The decorators every function's handler wears: the Lambda context in each log line
    (cleared between invocations) and this invocation's metrics written when it ends."""
    return logger.inject_lambda_context(clear_state=True)(metrics.flushing(handler))


def api_handler(app: APIGatewayHttpResolver) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The ``lambda_handler`` of an HTTP function: its routes resolved, with ``entry``'s decorators."""

    @entry
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return app.resolve(event, context)

    return lambda_handler
