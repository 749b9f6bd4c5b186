"""Calendly webhook (API v2): verified on the raw bytes with its signed timestamp, then recorded and planned."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from nudges import clock, wiring
from nudges.http import booking_reply, json_body, parse, raw_body, register_error_handlers
from nudges.metrics import log_metrics
from nudges.observability import logger
from nudges.signatures import require_timestamped_signature

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

# Calendly's advice: refuse a signature whose timestamp is older than three minutes.
SIGNATURE_TOLERANCE = timedelta(minutes=3)

app = APIGatewayHttpResolver()
register_error_handlers(app)


@app.post("/webhooks/calendly")
def calendly_webhook() -> Response:
    body = raw_body(app.current_event)
    now = clock.now()
    require_timestamped_signature(
        "Calendly",
        app.current_event.headers.get("calendly-webhook-signature"),
        body,
        wiring.webhook_secrets().for_provider("calendly"),
        now,
        SIGNATURE_TOLERANCE,
    )

    from nudges.models.calendly import CalendlyWebhook, booking_change

    webhook = parse(CalendlyWebhook, json_body(body))
    return booking_reply(booking_change(webhook, now), now, ignored={"event": webhook.event})


@logger.inject_lambda_context(clear_state=True)
@log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
