"""Google Calendar push notifications and Microsoft Graph change notifications.

Each is verified against the stored channel or subscription (constant time; 401 and nothing
queued otherwise), then handed to the calendar sync queue: the answer comes at once, the
provider calls happen in the sync function.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types

from nudges import wiring
from nudges.handlers import api_handler
from nudges.http import json_body, json_response, raw_body, resolver
from nudges.models.calendar_events import MicrosoftNotifications
from nudges.models.parsing import parse
from nudges.observability import logger

app = resolver()


@app.post("/webhooks/google")
def google_webhook() -> Response:
    raw_body(app.current_event)  # Google sends no body; the size limit still holds
    outcome = wiring.calendar_service().google_notification(dict(app.current_event.headers))
    logger.info("Google notification", extra={"outcome": outcome})
    return json_response(200, {"status": outcome})


@app.post("/webhooks/microsoft")
def microsoft_webhook() -> Response:
    token = (app.current_event.query_string_parameters or {}).get("validationToken")
    if token is not None:
        # Graph validating the notification URL: echo the token as plain text, at once.
        return Response(status_code=200, content_type=content_types.TEXT_PLAIN, body=token)
    notifications = parse(MicrosoftNotifications, json_body(raw_body(app.current_event)))
    queued = wiring.calendar_service().microsoft_notifications(notifications)
    logger.info("Graph notifications", extra={"queued": queued})
    return json_response(202, {"status": "queued", "count": queued})


lambda_handler = api_handler(app)
