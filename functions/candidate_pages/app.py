"""The candidate's own pages: preferences, and calendar connect by OAuth (public; each behind a
link signed for one candidate, like the unsubscribe link).

GET /preferences/{token}      the page (GET /p/{token}: the same, by the short link in texts): channels, pause, kinds, zone, language, email status,
                              forwarding address, calendars (with disconnect), erase
POST /preferences/{token}     one form's change, then 303 back to the page; nudges ahead re-planned
GET /connect/{provider}/{token}     302 to Google's or Microsoft's consent page (PKCE, single-use state)
GET /oauth/{provider}/callback      the code exchanged and the calendar connected, or a clear 4xx page

A form POSTed from another site is refused (pages.cross_site_post: Sec-Fetch-Site, an Origin
that is null or foreign, a foreign Referer; with neither header, the page's signed form token).
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from nudges import clock, config, journey_wiring, links, pages, self_service, wiring
from nudges.domain.page_words import say
from nudges.errors import InvalidInput, NotFound, NudgesError
from nudges.handlers import api_handler
from nudges.http import raw_body
from nudges.observability import logger
from nudges.services import email_change
from nudges.services.candidate_choices import settings_of

if TYPE_CHECKING:
    from nudges.domain.candidate import Candidate

app = APIGatewayHttpResolver()
# Join, verify, add or edit an interview, the outcome page (issue 28).
app.include_router(self_service.router)


def _html(status: int, body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.TEXT_HTML,
        body=body,
        headers={**pages.HEADERS, **(headers or {})},
    )


@app.exception_handler(NudgesError)
def _refused(exc: NudgesError) -> Response:
    """Every refusal on a candidate page is the one error page: plain words, no internals."""
    if exc.status_code >= 500 and exc.status_code != 503:
        raise exc
    logger.info("page refused", extra={"status": exc.status_code, "reason": exc.message[:200]})
    # A refusal that says why in words of its own (``reason``) is told by them, else by its field.
    return self_service.refused_page(exc.status_code, getattr(exc, "reason", None) or exc.field)


def _locale(candidate: Candidate | None = None) -> str:
    """The page's language: the switcher's ?lang=, the candidate's, the browser's, the default."""
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    return pages.choose_locale(
        event.get_query_string_value("lang", "") or "",
        candidate.locale if candidate else None,
        headers.get("accept-language"),
    )


def _base() -> str:
    return config.public_base_url(app.current_event.request_context.domain_name)


def _keys() -> list[str]:
    return wiring.unsubscribe_keys()


def _candidate(token: str) -> Candidate:
    candidate_id = links.candidate_for(token, _keys(), "preferences")
    candidate = wiring.candidates().get(candidate_id)
    if candidate is None:
        raise NotFound(pages.say(_locale(), "gone"), field="token")
    return candidate


# ---------------------------------------------------------------- preferences
@app.get("/p/<token>")  # the short link in texts: the same page, the same signature (nudges.links)
@app.get("/preferences/<token>")
def show(token: str) -> Response:
    notice = app.current_event.get_query_string_value("done", "") or ""
    if notice == "erased":
        links.candidate_for(token, _keys(), "preferences")
        locale = _locale()
        return _html(
            200, pages.message_page(pages.say(locale, "erased.title"), pages.say(locale, "erased.text"), locale)
        )
    return _html(200, _preferences_page(token, _candidate(token), notice))


def _preferences_page(
    token: str,
    candidate: Candidate,
    notice: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, list[str]] | None = None,
) -> str:
    now = clock.now()
    refused = wiring.preferences().refusals(candidate)
    domain = config.inbox_domain()
    base, key, candidate_id = _base(), _keys()[0], candidate.candidate_id
    own = links.candidate_links(base, key, candidate_id)
    configured = wiring.configured_providers()
    upcoming = [i for i in wiring.candidate_service().timeline(candidate_id, now) if i["status"] == "scheduled"]
    view = pages.PreferencesView(
        candidate=candidate,
        action=f"/preferences/{token}",
        refused=refused,
        calendars=wiring.calendar_service().connections(candidate_id),
        connect_urls={p: own[p] for p in configured},  # the registry's providers the operator set up
        forwarding_address=f"{candidate.ics_inbox_token}@{domain}" if domain else None,
        notice=notice,
        interviews=upcoming,
        add_interview_url=links.add_interview_link(base, key, candidate_id),
        edit_url=lambda interview_id: links.edit_interview_link(base, key, candidate_id, interview_id),
        outcome_url=lambda application_id: links.outcome_link(base, key, candidate_id, application_id),
        errors=errors,
        values=values,
        locale=_locale(candidate),
    )
    return pages.with_form_token(pages.preferences(view), _form_token(candidate.candidate_id))


def _form_token(candidate_id: str) -> str:
    return links.make_token(_keys()[0], "form", candidate_id)


def _cross_site(candidate_id: str, form: dict[str, list[str]]) -> str | None:
    """Why this post is refused as another site's (pages.cross_site_post), or None."""
    headers = app.current_event.headers or {}
    lowered = {k.lower(): v for k, v in headers.items()}
    sent = (form.get(pages.FORM_TOKEN) or [""])[0]
    try:
        token_valid = links.candidate_for(sent, _keys(), "form") == candidate_id
    except NotFound:
        token_valid = False
    own = {lowered.get("host", ""), urllib.parse.urlsplit(_base()).netloc}
    return pages.cross_site_post(headers, own, token_valid)


@app.post("/preferences/<token>")
def change(token: str) -> Response:
    candidate = _candidate(token)
    form = urllib.parse.parse_qs(raw_body(app.current_event).decode("utf-8", "replace"), keep_blank_values=True)
    refusal = _cross_site(candidate.candidate_id, form)
    if refusal:
        logger.info("cross-site form post refused", extra={"reason": refusal})
        locale = _locale(candidate)
        return _html(
            403,
            pages.message_page(pages.say(locale, "refused.other"), pages.say(locale, "refused.cross_site"), locale),
        )

    if "new_email" in form:
        return _change_email(token, candidate, form)
    try:
        settings = settings_of(form, candidate)
        changes = None
        if settings is not None:
            from nudges.models.api import (
                CandidateChanges,  # pydantic only for the settings form, as in the operator API
            )
            from nudges.models.parsing import parse

            changes = parse(CandidateChanges, settings)
        done = journey_wiring.candidate_choices().apply(candidate, form, changes, clock.now())
    except InvalidInput as refused:
        if "timezone" not in form:
            raise  # not the settings form: the one error page says why
        # The settings form again, the candidate's input kept, the message beside its field.
        field = (refused.field or "form").split(".")[0]
        words = pages.FIELD_WORDS.get(field)
        why = say("fields", words, candidate.locale) if words else say("errors", "title.400", candidate.locale)
        page = _preferences_page(token, candidate, errors={field: why}, values=form)
        return _html(400, page)
    return Response(
        status_code=303, headers={**pages.HEADERS, "Location": f"/preferences/{token}?done={done}"}, body=""
    )


def _change_email(token: str, candidate: Candidate, form: dict[str, list[str]]) -> Response:
    """The email form: a link to the new address (nothing changes before its click), or the page
    again with the message beside the field and the address as typed."""
    typed = (form.get("new_email") or [""])[0]
    try:
        journey_wiring.email_changes().request(candidate, typed, _base(), clock.now())
    except InvalidInput as refused:
        words = email_change.REFUSALS.get(refused.message, "email")
        why = say("fields", words, _locale(candidate))
        return _html(400, _preferences_page(token, candidate, errors={"email": why}, values=form))
    return Response(
        status_code=303, headers={**pages.HEADERS, "Location": f"/preferences/{token}?done=email_sent"}, body=""
    )


# ---------------------------------------------------------------- calendar connect
@app.get("/connect/<provider>/<token>")
def connect(provider: str, token: str) -> Response:
    candidate_id = links.candidate_for(token, _keys(), "connect")
    url = journey_wiring.connect().consent_url(candidate_id, provider, _base(), clock.now())
    return Response(status_code=302, headers={**pages.HEADERS, "Location": url}, body="")


@app.get("/oauth/<provider>/callback")
def callback(provider: str) -> Response:
    query = dict(app.current_event.query_string_parameters or {})
    connection = journey_wiring.connect().callback(provider, query, _base(), clock.now())
    preferences = links.link(_base(), _keys()[0], "preferences", connection.candidate_id, "preferences")
    who = f" ({connection.account_email})" if connection.account_email else ""
    locale = _locale(wiring.candidates().get(connection.candidate_id))
    body = pages.page(
        pages.say(locale, "connected.title"),
        f"<h1>{pages.e(pages.say(locale, 'connected.heading', provider=provider.title()))}</h1>"
        f"<p>{pages.e(pages.say(locale, 'connected.text', who=who))}</p>"
        f'<p><a href="{pages.e(preferences)}">{pages.e(pages.say(locale, "connected.preferences"))}</a></p>',
        locale,
    )
    return _html(200, body)


lambda_handler = api_handler(app)
