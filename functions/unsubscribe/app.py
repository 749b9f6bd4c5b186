"""One-click unsubscribe from nudge emails (RFC 8058).

POST unsubscribes: no login, no cookie, no redirect, and doing it twice is doing it once.
GET only shows a page with a button that POSTs; it changes nothing, because mail scanners
follow links.
"""

from __future__ import annotations

import html

from aws_lambda_powertools.event_handler import Response, content_types

from nudges import clock, config, journey_wiring, links, pages, wiring
from nudges.handlers import api_handler
from nudges.http import resolver
from nudges.unsubscribe import candidate_for

app = resolver()


def _locale(candidate_id: str) -> str:
    """The candidate's language (the switcher's ?lang= first; the browser's for one erased since)."""
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    candidate = wiring.candidates().get(candidate_id)
    return pages.choose_locale(
        event.get_query_string_value("lang", "") or "",
        candidate.locale if candidate else None,
        headers.get("accept-language"),
    )


def _page(status: int, title: str, body: str, locale: str) -> Response:
    # The candidate pages' headers: no script, never framed, no Referer (the URL is a credential).
    return Response(
        status_code=status,
        content_type=content_types.TEXT_HTML,
        body=pages.page(title, body, locale),
        headers=pages.HEADERS,
    )


def _preferences_link(candidate_id: str, locale: str) -> str:
    """Where the candidate can choose instead (or turn email back on later)."""
    token = links.make_token(wiring.unsubscribe_keys()[0], "preferences", candidate_id)
    text = html.escape(pages.say(locale, "unsubscribe.instead", link="{link}", end="{end}"))
    return "<p>" + text.format(link=f'<a href="/preferences/{html.escape(token)}">', end="</a>") + "</p>"


@app.get("/unsubscribe/<token>")
def confirm(token: str) -> Response:
    candidate_id = candidate_for(token, wiring.unsubscribe_keys())  # 404 for a forged link
    locale = _locale(candidate_id)
    title = pages.say(locale, "unsubscribe.title")
    return _page(
        200,
        title,
        f"<h1>{html.escape(title)}</h1><p>{html.escape(_no_more(locale))}</p>"
        f'<form method="post" action="/unsubscribe/{html.escape(token)}"><button type="submit">'
        f"{html.escape(pages.say(locale, 'unsubscribe.button'))}</button></form>"
        + _preferences_link(candidate_id, locale),
        locale,
    )


@app.post("/unsubscribe/<token>")
def unsubscribe(token: str) -> Response:
    candidate_id = candidate_for(token, wiring.unsubscribe_keys())
    journey_wiring.preference_service().unsubscribe(candidate_id, clock.now())
    locale = _locale(candidate_id)
    title = pages.say(locale, "unsubscribed.title")
    return _page(
        200,
        title,
        f"<h1>{html.escape(title)}</h1><p>{html.escape(_no_more(locale))}</p>"
        + _preferences_link(candidate_id, locale),
        locale,
    )


def _no_more(locale: str) -> str:
    return pages.say(locale, "unsubscribe.text", sender_name=config.branding().sender_name)


lambda_handler = api_handler(app)
