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
    now = clock.now()
    charset = _charset(app.current_event.headers.get("content-type"))
    interviews, ignored = invites.receive_invite(candidate, body, now, charset)
    return json_response(
        200,
        {
            "status": "accepted" if interviews or not ignored else "ignored",
            # As GET .../interviews shows them: an interview that ended already is "completed".
            "interviews": [{"interview_id": i.interview_id, "interview_status": i.status_at(now)} for i in interviews],
            "ignored": ignored,
        },
    )


def _charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header (``text/calendar; charset=iso-8859-1``)."""
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


@logger.inject_lambda_context(clear_state=True)
@log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
