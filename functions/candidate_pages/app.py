"""The candidate's own pages: preferences, and calendar connect by OAuth (public; each behind a
link signed for one candidate, like the unsubscribe link).

GET /preferences/{token}      the page (GET /p/{token}: the same, by the short link in texts): channels, pause, kinds, zone, language, email status,
                              forwarding address, calendars (with disconnect), erase
POST /preferences/{token}     one form's change, then 303 back to the page; nudges ahead re-planned
GET /connect/{provider}/{token}     302 to Google's or Microsoft's consent page (PKCE, single-use state)
GET /oauth/{provider}/callback      the code exchanged and the calendar connected, or a clear 4xx page

A form POSTed from another site is refused (Origin or Sec-Fetch-Site), as the console refuses it.
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from nudges import clock, config, links, pages, wiring
from nudges.errors import NotFound, NudgesError
from nudges.handlers import api_handler
from nudges.http import raw_body
from nudges.observability import logger
from nudges.services.candidate_choices import settings_of

if TYPE_CHECKING:
    from nudges.domain.candidate import Candidate

app = APIGatewayHttpResolver()


def _html(status: int, body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.TEXT_HTML,
        body=body,
        headers={**pages.HEADERS, **(headers or {})},
    )


@app.exception_handler(NudgesError)
def _refused(exc: NudgesError) -> Response:
    if exc.status_code >= 500 and exc.status_code != 503:
        raise exc
    logger.info("page refused", extra={"status": exc.status_code, "reason": exc.message[:200]})
    titles = {400: "Nothing was changed", 404: "This link is not valid", 413: "Too much", 503: "Not set up yet"}
    return _html(exc.status_code, pages.message_page(titles.get(exc.status_code, "Refused"), exc.message))


def _base() -> str:
    return config.public_base_url(app.current_event.request_context.domain_name)


def _keys() -> list[str]:
    return wiring.unsubscribe_keys()


def _candidate(token: str) -> Candidate:
    candidate_id = links.candidate_for(token, _keys(), "preferences")
    candidate = wiring.candidates().get(candidate_id)
    if candidate is None:
        raise NotFound("Nothing is stored for this link any more (the data was erased).", field="token")
    return candidate


# ---------------------------------------------------------------- preferences
@app.get("/p/<token>")  # the short link in texts: the same page, the same signature (nudges.links)
@app.get("/preferences/<token>")
def show(token: str) -> Response:
    notice = app.current_event.get_query_string_value("done", "") or ""
    if notice == "erased":
        links.candidate_for(token, _keys(), "preferences")
        return _html(200, pages.message_page("Erased", "Everything stored about you is erased. No more nudges."))
    candidate = _candidate(token)
    refused = wiring.preferences().refusals(candidate)
    domain = config.inbox_domain()
    view = pages.PreferencesView(
        candidate=candidate,
        action=f"/preferences/{token}",
        email_suppression=refused.get("email"),
        sms_opted_out="sms" in refused,
        calendars=wiring.calendar_service().connections(candidate.candidate_id),
        connect_urls=links.candidate_links(_base(), _keys()[0], candidate.candidate_id),
        forwarding_address=f"{candidate.ics_inbox_token}@{domain}" if domain else None,
        notice=notice,
    )
    return _html(200, pages.preferences(view))


def _same_site() -> bool:
    """A form of this origin's own page: no Origin (an old browser, a plain client), or Origin
    naming this host (or the public base URL's); and not a cross-site fetch."""
    headers = app.current_event.headers or {}
    lowered = {k.lower(): v for k, v in headers.items()}
    if lowered.get("sec-fetch-site") == "cross-site":
        return False
    origin = lowered.get("origin")
    if not origin or origin == "null":
        return True  # no origin to judge (or a privacy-stripped one, as the console allows)
    netloc = urllib.parse.urlsplit(origin).netloc
    allowed = {lowered.get("host", ""), urllib.parse.urlsplit(_base()).netloc}
    return netloc in allowed


@app.post("/preferences/<token>")
def change(token: str) -> Response:
    if not _same_site():
        return _html(403, pages.message_page("Refused", "This form can only be sent from its own page."))
    candidate = _candidate(token)
    form = urllib.parse.parse_qs(raw_body(app.current_event).decode("utf-8", "replace"), keep_blank_values=True)

    settings = settings_of(form, candidate)
    changes = None
    if settings is not None:
        from nudges.models.api import CandidateChanges  # pydantic only for the settings form, as in the operator API
        from nudges.models.parsing import parse

        changes = parse(CandidateChanges, settings)
    done = wiring.candidate_choices().apply(candidate, form, changes, clock.now())
    return Response(
        status_code=303, headers={**pages.HEADERS, "Location": f"/preferences/{token}?done={done}"}, body=""
    )


# ---------------------------------------------------------------- calendar connect
@app.get("/connect/<provider>/<token>")
def connect(provider: str, token: str) -> Response:
    candidate_id = links.candidate_for(token, _keys(), "connect")
    url = wiring.connect().consent_url(candidate_id, provider, _base(), clock.now())
    return Response(status_code=302, headers={**pages.HEADERS, "Location": url}, body="")


@app.get("/oauth/<provider>/callback")
def callback(provider: str) -> Response:
    query = dict(app.current_event.query_string_parameters or {})
    connection = wiring.connect().callback(provider, query, _base(), clock.now())
    preferences = links.link(_base(), _keys()[0], "preferences", connection.candidate_id, "preferences")
    who = f" ({connection.account_email})" if connection.account_email else ""
    body = pages.page(
        "Calendar connected",
        f"<h1>Your {pages.e(provider.title())} calendar is connected</h1>"
        f"<p>Interviews in it{pages.e(who)} are picked up as they are booked, moved or cancelled.</p>"
        f'<p><a href="{pages.e(preferences)}">Your preferences</a></p>',
    )
    return _html(200, body)


lambda_handler = api_handler(app)
