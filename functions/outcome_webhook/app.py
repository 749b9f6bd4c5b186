"""The generic signed outcome webhook: an operator's own system reports offer/rejected/withdrawn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from nudges import clock, wiring
from nudges.http import json_body, json_response, raw_body, register_error_handlers
from nudges.metrics import log_metrics
from nudges.observability import logger
from nudges.signatures import require_timestamped_signature

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = APIGatewayHttpResolver()
register_error_handlers(app)


@app.post("/webhooks/outcome")
def outcome_webhook() -> Response:
    from nudges.services.offer_sources import REPLAY_WINDOW  # pydantic models: only when a request comes

    body = raw_body(app.current_event)
    now = clock.now()
    signature = require_timestamped_signature(
        "Nudges-Signature",
        app.current_event.headers.get("nudges-signature"),
        body,
        wiring.webhook_secrets().for_provider("outcome"),
        now,
        REPLAY_WINDOW,
    )
    handled = wiring.offer_sources().generic(json_body(body), signature, now)
    return json_response(handled.http_status, handled.body())


@logger.inject_lambda_context(clear_state=True)
@log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
