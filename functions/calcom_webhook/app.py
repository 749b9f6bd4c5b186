"""Cal.com booking webhook: verified on the raw bytes, then recorded and planned."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from nudges import clock, wiring
from nudges.http import booking_reply, json_body, parse, raw_body, register_error_handlers
from nudges.metrics import log_metrics
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

    now = clock.now()
    webhook = parse(CalcomWebhook, json_body(body))
    return booking_reply(booking_change(webhook, now), now, ignored={"trigger": webhook.triggerEvent})


@logger.inject_lambda_context(clear_state=True)
@log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
