"""Greenhouse web hooks: offers and hires (and the ping Greenhouse sends when a web hook is saved)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from nudges import clock, wiring
from nudges.http import json_body, json_response, raw_body, register_error_handlers
from nudges.metrics import log_metrics
from nudges.observability import logger
from nudges.signatures import require_hex_signature, split_algorithm_signature

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = APIGatewayHttpResolver()
register_error_handlers(app)


@app.post("/webhooks/greenhouse")
def greenhouse_webhook() -> Response:
    event = app.current_event
    body = raw_body(event)
    # "Signature: sha256 <hex>": the HMAC-SHA256 of the whole body under the web hook's secret key.
    signature = split_algorithm_signature(event.headers.get("signature"))
    require_hex_signature("Greenhouse", signature, body, wiring.webhook_secrets().for_provider("greenhouse"))
    handled = wiring.offer_sources().greenhouse(
        json_body(body),
        event.headers.get("greenhouse-event-id"),
        event.get_query_string_value("company"),
        wiring.greenhouse_api,
        clock.now(),
    )
    return json_response(handled.http_status, handled.body())


@logger.inject_lambda_context(clear_state=True)
@log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
