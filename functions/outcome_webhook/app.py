"""The generic signed outcome webhook: an operator's own system reports offer/rejected/withdrawn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges import clock, outcome_wiring, wiring
from nudges.handlers import api_handler
from nudges.http import json_body, raw_body, resolver, source_answer
from nudges.signatures import REPLAY_WINDOW, require_timestamped_signature

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response

app = resolver()


@app.post("/webhooks/outcome")
def outcome_webhook() -> Response:
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
    handled = outcome_wiring.outcome_sources().generic(json_body(body), signature, now)
    return source_answer(handled)


lambda_handler = api_handler(app)
