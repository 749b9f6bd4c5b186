"""Greenhouse web hooks: offers and hires (and the ping Greenhouse sends when a web hook is saved)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges import clock, outcome_wiring, wiring
from nudges.handlers import api_handler
from nudges.http import json_body, raw_body, resolver, source_answer
from nudges.signatures import require_hex_signature, split_algorithm_signature

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response

app = resolver()


@app.post("/webhooks/greenhouse")
def greenhouse_webhook() -> Response:
    event = app.current_event
    body = raw_body(event)
    # "Signature: sha256 <hex>": the HMAC-SHA256 of the whole body under the web hook's secret key.
    signature = split_algorithm_signature(event.headers.get("signature"))
    require_hex_signature("Greenhouse", signature, body, wiring.webhook_secrets().for_provider("greenhouse"))
    handled = outcome_wiring.outcome_sources().greenhouse(
        json_body(body),
        event.headers.get("greenhouse-event-id"),
        event.get_query_string_value("company"),
        outcome_wiring.greenhouse_api(),
        clock.now(),
    )
    return source_answer(handled)


lambda_handler = api_handler(app)
