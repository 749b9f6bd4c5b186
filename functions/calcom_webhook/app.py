"""Cal.com booking webhook: verified on the raw bytes, then recorded and planned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges import clock, wiring
from nudges.handlers import api_handler
from nudges.http import booking_answer, json_body, raw_body, resolver
from nudges.models.calcom import CalcomWebhook, booking_changes
from nudges.models.parsing import parse
from nudges.signatures import require_hex_signature

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response

    from nudges.domain.booking import BookingChange

app = resolver()


@app.post("/webhooks/calcom")
def calcom_webhook() -> Response:
    body = raw_body(app.current_event)
    signature = app.current_event.headers.get("x-cal-signature-256")
    # Cal.com sends this literal when the webhook was set up without a secret: nothing to trust.
    if signature == "no-secret-provided":
        signature = None
    require_hex_signature("Cal.com", signature, body, wiring.webhook_secrets().for_provider("calcom"))

    now = clock.now()
    webhook = parse(CalcomWebhook, json_body(body))
    ignored = {"trigger": webhook.triggerEvent}
    bookings = wiring.bookings()
    # A seated event's change is one per seat listed (each seat its own candidate's interview).
    changes: list[BookingChange | None] = [*booking_changes(webhook, now)] or [None]
    interviews = [bookings.receive(change, now, ignored=ignored) for change in changes]
    return booking_answer(interviews[0], ignored, now, also=[i for i in interviews[1:] if i is not None])


lambda_handler = api_handler(app)
