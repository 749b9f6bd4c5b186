"""Lever webhooks: a hire, or a move into the offer stage, read back from the Lever API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from nudges import clock, config, wiring
from nudges.http import json_body, json_response, raw_body, register_error_handlers
from nudges.metrics import log_metrics
from nudges.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = APIGatewayHttpResolver()
register_error_handlers(app)


@app.post("/webhooks/lever")
def lever_webhook() -> Response:
    # Lever signs token + triggeredAt, which sit inside the body: parse, verify, then re-fetch.
    handled = wiring.offer_sources().lever(
        json_body(raw_body(app.current_event)),
        wiring.webhook_secrets().for_provider("lever"),
        config.lever_offer_stage(),
        app.current_event.get_query_string_value("company"),
        wiring.lever_api,
        clock.now(),
    )
    return json_response(handled.http_status, handled.body())


@logger.inject_lambda_context(clear_state=True)
@log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
