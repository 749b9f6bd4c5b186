"""Cal.com booking webhook: verified on the raw bytes, then recorded and planned."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from nudges import clock, wiring
from nudges.http import json_body, json_response, parse, raw_body, register_error_handlers
from nudges.observability import logger
from nudges.signatures import require_hex_signature

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = APIGatewayHttpResolver()
register_error_handlers(app)


@app.post("/webhooks/calcom")
def calcom_webhook() -> Response:
    body = raw_body(app.current_event)
    signature = app.current_event.headers.get("x-cal-signature-256")
    # Cal.com sends this literal when the webhook was set up without a secret: nothing to trust.
    if signature == "no-secret-provided":
        signature = None
    require_hex_signature("Cal.com", signature, body, wiring.webhook_secrets().for_provider("calcom"))

    from nudges.models.calcom import CalcomWebhook, booking_change
    from nudges.services.bookings import BookingService

    now = clock.now()
    webhook = parse(CalcomWebhook, json_body(body))
    change = booking_change(webhook, now)
    if change is None:
        logger.info("Cal.com trigger ignored", extra={"trigger": webhook.triggerEvent})
        return json_response(200, {"status": "ignored", "trigger": webhook.triggerEvent})
    interview = BookingService(wiring.store(), wiring.planner()).apply(change, now)
    return json_response(
        200, {"status": "accepted", "interview_id": interview.interview_id, "interview_status": interview.status}
    )


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
