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
    now = clock.now()
    charset = _charset(app.current_event.headers.get("content-type"))
    taken = invites.take_invite(candidate, body, now, charset)
    interviews, ignored = taken.interviews, taken.ignored
    if taken.queued:
        # A big file: booked in parts on the invite work queue, shortly (posting it again changes nothing).
        return json_response(
            202, {"status": "queued", "file_id": taken.file_id, "events": taken.queued, "ignored": ignored}
        )
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


lambda_handler = api_handler(app)
