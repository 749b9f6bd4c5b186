"""Calendly webhook (API v2): verified on the raw bytes with its signed timestamp, then recorded and planned."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from nudges import clock, wiring
from nudges.handlers import api_handler
from nudges.http import booking_answer, json_body, raw_body, resolver
from nudges.models.calendly import CalendlyWebhook, booking_change
from nudges.models.parsing import parse
from nudges.signatures import require_timestamped_signature

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response

# Calendly's advice: refuse a signature whose timestamp is older than three minutes.
SIGNATURE_TOLERANCE = timedelta(minutes=3)

app = resolver()


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

    webhook = parse(CalendlyWebhook, json_body(body))
    ignored = {"event": webhook.event}
    return booking_answer(wiring.bookings().receive(booking_change(webhook, now), now, ignored=ignored), ignored, now)


lambda_handler = api_handler(app)
