"""One-click unsubscribe from nudge emails (RFC 8058).

POST unsubscribes: no login, no cookie, no redirect, and doing it twice is doing it once.
GET only shows a page with a button that POSTs; it changes nothing, because mail scanners
follow links.
"""

from __future__ import annotations

import html

from aws_lambda_powertools.event_handler import Response, content_types

from nudges import clock, links, pages, wiring
from nudges.handlers import api_handler
from nudges.http import resolver
from nudges.unsubscribe import candidate_for

app = resolver()

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Interview Nudges</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 3em auto">{body}</body></html>
"""


def _page(status: int, body: str) -> Response:
    # The candidate pages' headers: no script, never framed, no Referer (the URL is a credential).
    return Response(
        status_code=status, content_type=content_types.TEXT_HTML, body=PAGE.format(body=body), headers=pages.HEADERS
    )


def _preferences_link(candidate_id: str) -> str:
    """Where the candidate can choose instead (or turn email back on later)."""
    token = links.make_token(wiring.unsubscribe_keys()[0], "preferences", candidate_id)
    return f'<p>Or <a href="/preferences/{html.escape(token)}">choose what you get</a> instead.</p>'


@app.get("/unsubscribe/<token>")
def confirm(token: str) -> Response:
    candidate_id = candidate_for(token, wiring.unsubscribe_keys())  # 404 for a forged link
    return _page(
        200,
        "<h1>Stop nudge emails?</h1><p>You will get no more Interview Nudges emails.</p>"
        f'<form method="post" action="/unsubscribe/{html.escape(token)}"><button type="submit">Unsubscribe</button></form>'
        + _preferences_link(candidate_id),
    )


@app.post("/unsubscribe/<token>")
def unsubscribe(token: str) -> Response:
    candidate_id = candidate_for(token, wiring.unsubscribe_keys())
    wiring.preference_service().unsubscribe(candidate_id, clock.now())
    return _page(
        200,
        "<h1>Unsubscribed</h1><p>You will get no more Interview Nudges emails.</p>" + _preferences_link(candidate_id),
    )


lambda_handler = api_handler(app)
