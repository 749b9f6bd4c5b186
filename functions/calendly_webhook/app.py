"""Calendly webhook (API v2): verified on the raw bytes with its signed timestamp, then recorded and planned."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from nudges import clock, wiring
from nudges.http import json_body, json_response, parse, raw_body, register_error_handlers
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
    from nudges.services.bookings import BookingService

    webhook = parse(CalendlyWebhook, json_body(body))
    change = booking_change(webhook, now)
    if change is None:
        logger.info("Calendly event ignored", extra={"event": webhook.event})
        return json_response(200, {"status": "ignored", "event": webhook.event})
    interview = BookingService(wiring.store(), wiring.planner()).apply(change, now)
    return json_response(
        200, {"status": "accepted", "interview_id": interview.interview_id, "interview_status": interview.status}
    )


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
