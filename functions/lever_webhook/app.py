"""Lever webhooks: a hire, or a move into the offer stage, read back from the Lever API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges import clock, config, outcome_wiring, wiring
from nudges.handlers import api_handler
from nudges.http import json_body, raw_body, resolver, source_answer

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response

app = resolver()


@app.post("/webhooks/lever")
def lever_webhook() -> Response:
    # Lever signs token + triggeredAt, which sit inside the body: parse, verify, then re-fetch.
    handled = outcome_wiring.outcome_sources().lever(
        json_body(raw_body(app.current_event)),
        wiring.webhook_secrets().for_provider("lever"),
        config.lever_offer_stage(),
        app.current_event.get_query_string_value("company"),
        outcome_wiring.lever_api(),
        clock.now(),
    )
    return source_answer(handled)


lambda_handler = api_handler(app)
