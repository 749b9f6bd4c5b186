"""One-click unsubscribe from nudge emails (RFC 8058).

POST unsubscribes: no login, no cookie, no redirect, and doing it twice is doing it once.
GET only shows a page with a button that POSTs; it changes nothing, because mail scanners
follow links.
"""

from __future__ import annotations

import html

from aws_lambda_powertools.event_handler import Response, content_types

from nudges import clock, wiring
from nudges.handlers import api_handler
from nudges.http import resolver
from nudges.unsubscribe import candidate_for

app = resolver()

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Interview Nudges</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 3em auto">{body}</body></html>
"""


def _page(status: int, body: str) -> Response:
    return Response(status_code=status, content_type=content_types.TEXT_HTML, body=PAGE.format(body=body))


@app.get("/unsubscribe/<token>")
def confirm(token: str) -> Response:
    candidate_for(token, wiring.unsubscribe_keys())  # 404 for a forged link
    return _page(
        200,
        "<h1>Stop nudge emails?</h1><p>You will get no more Interview Nudges emails.</p>"
        f'<form method="post" action="/unsubscribe/{html.escape(token)}"><button type="submit">Unsubscribe</button></form>',
    )


@app.post("/unsubscribe/<token>")
def unsubscribe(token: str) -> Response:
    wiring.preference_service().unsubscribe(candidate_for(token, wiring.unsubscribe_keys()), clock.now())
    return _page(200, "<h1>Unsubscribed</h1><p>You will get no more Interview Nudges emails.</p>")


lambda_handler = api_handler(app)
