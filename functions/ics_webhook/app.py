"""A calendar invite posted to a candidate's inbox URL: the inbox token is the credential."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from nudges import clock, wiring
from nudges.errors import Unauthorized
from nudges.http import json_response, raw_body, register_error_handlers
from nudges.metrics import log_metrics
from nudges.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

app = APIGatewayHttpResolver()
register_error_handlers(app)


@app.post("/webhooks/ics/<inbox_token>")
def ics_webhook(inbox_token: str) -> Response:
    body = raw_body(app.current_event)
    if not TOKEN.match(inbox_token):
        raise Unauthorized("no such inbox")

    from nudges.services.invites import InviteService

    invites = InviteService(wiring.store(), wiring.planner())
    candidate = invites.candidate_for(inbox_token)  # one GetItem on the token's own item
    interviews = invites.receive(candidate, body, clock.now())
    return json_response(
        200,
        {
            "status": "accepted",
            "interviews": [{"interview_id": i.interview_id, "interview_status": i.status} for i in interviews],
        },
    )


@logger.inject_lambda_context(clear_state=True)
@log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
