"""A calendar invite posted to a candidate's inbox URL: the inbox token is the credential."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from nudges import clock, wiring
from nudges.errors import Unauthorized
from nudges.handlers import api_handler
from nudges.http import json_response, raw_body, resolver

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

app = resolver()


@app.post("/webhooks/ics/<inbox_token>")
def ics_webhook(inbox_token: str) -> Response:
    body = raw_body(app.current_event)
    if not TOKEN.match(inbox_token):
        raise Unauthorized("no such inbox")
    invites = wiring.invites()
    candidate = invites.candidate_for(inbox_token)  # one GetItem on the token's own item
    interviews = invites.receive(candidate, body, clock.now())
    return json_response(
        200,
        {
            "status": "accepted",
            "interviews": [{"interview_id": i.interview_id, "interview_status": i.status} for i in interviews],
        },
    )


lambda_handler = api_handler(app)
