"""The candidate's self-service routes (public pages; plain HTML forms), included in the
candidate pages function:

GET|POST /join/{join_code}                          sign up for a cohort (double opt-in: a link is mailed)
GET|POST /join/verify/{token}                       the mailed link: one confirm button, then registered
GET|POST /email/verify/{token}                      a new email's mailed link: one confirm button, then changed
GET|POST /interviews/new/{token}                    add an interview by hand (``?subject=`` prefills it)
GET|POST /interviews/{interview_id}/edit/{token}    change or cancel one added by hand
GET|POST /outcome/{token}                           "How did it go at {company}?" for one application

A refused form shows the form again (400) with each message beside its field and the input
kept; anything else refused is the one error page (``page_frame.error_page``).
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from nudges import clock, config, journey_pages, journey_wiring, links, page_frame, pages, wiring
from nudges.domain import channels
from nudges.errors import InvalidInput, NotFound, PayloadTooLarge
from nudges.http import raw_body
from nudges.models.forms import MAX_FORM_BYTES, FieldErrors, hand_interview, signup
from nudges.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview

router = Router()
JOIN_CHANNELS = channels.JOIN_CHANNELS  # the registry's (nudges.domain.channels)
LOCALES = tuple(code for code, _ in page_frame.LANGUAGES)


def html(status: int, body: str) -> Response:
    return Response(status_code=status, content_type=content_types.TEXT_HTML, body=body, headers=dict(pages.HEADERS))


def _see_other(location: str) -> Response:
    return Response(status_code=303, headers={**pages.HEADERS, "Location": location}, body="")


def _event() -> APIGatewayProxyEventV2:
    return cast("APIGatewayProxyEventV2", router.current_event)


def _base() -> str:
    return config.public_base_url(_event().request_context.domain_name)


def _keys() -> list[str]:
    return wiring.unsubscribe_keys()


def _form() -> dict[str, list[str]]:
    raw = raw_body(_event())
    if len(raw) > MAX_FORM_BYTES:
        raise PayloadTooLarge(f"the form is {len(raw)} bytes; the limit is {MAX_FORM_BYTES}")
    return urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)


def _same_site() -> bool:
    """The one cross-site rule (pages.cross_site_post): a cross-site fetch, an ``Origin`` that is
    ``null`` or another host's, a ``Referer`` naming another host are refused. These pages' URLs
    are themselves signed (a join code, a candidate's token), so a post with neither header is
    taken as the form token's case of the preferences page."""
    headers = {k.lower(): v for k, v in (router.current_event.headers or {}).items()}
    own = {headers.get("host", ""), urllib.parse.urlsplit(_base()).netloc}
    return pages.cross_site_post(headers, own, form_token_valid=True) is None


def _refuse_cross_site(locale: str | None = None) -> Response | None:
    return None if _same_site() else html(403, page_frame.error_page(403, locale))


def _browser_locale() -> str:
    """A page reached without a token follows Accept-Language, else the stack's DefaultLocale."""
    headers = {k.lower(): v for k, v in (router.current_event.headers or {}).items()}
    return pages.choose_locale(None, None, headers.get("accept-language"))


def _candidate(token: str, purpose: links.Purpose) -> Candidate:
    candidate_id = links.candidate_for(token, _keys(), purpose)
    candidate = wiring.candidates().get(candidate_id)
    if candidate is None:
        raise NotFound("nothing is stored for this link any more", field="token")
    return candidate


def _preferences(candidate: Candidate) -> str:
    return links.link(_base(), _keys()[0], "preferences", candidate.candidate_id, "preferences")


# ---------------------------------------------------------------- join
def _join_view(code: str, label: str, state: page_frame.FormState) -> str:
    view = journey_pages.JoinView(f"/join/{code}", label, JOIN_CHANNELS, state)
    return journey_pages.join(view)


@router.get("/join/<code>")
def join_page(code: str) -> Response:
    found = journey_wiring.signup().active_code(code)
    return html(200, _join_view(code, found.label, page_frame.FormState(locale=_browser_locale())))


@router.post("/join/<code>")
def join_post(code: str) -> Response:
    if (refused := _refuse_cross_site()) is not None:
        return refused
    found = journey_wiring.signup().active_code(code)
    form = _form()
    locale = (form.get("locale") or [""])[0] or _browser_locale()
    locale = locale if locale in LOCALES else "en-GB"
    try:
        read = signup(form, JOIN_CHANNELS, LOCALES)
    except FieldErrors as refused_fields:
        state = page_frame.FormState(form, refused_fields.errors, locale)
        return html(400, _join_view(code, found.label, state))
    email = (form.get("email") or [""])[0].strip()
    if read.honeypot:
        logger.info("join form with its honeypot filled: nothing sent", extra={"join_code": code})
        return html(200, journey_pages.join_sent(email, locale))
    texts = {channel: journey_pages.consent_text(channel, locale) for channel in read.consent}
    journey_wiring.signup().start(code, read.registration, texts, _base(), clock.now())
    return html(200, journey_pages.join_sent(str(read.registration["email"]), locale))


@router.get("/join/verify/<token>")
def verify_page(token: str) -> Response:
    pending = journey_wiring.signup().pending(token, clock.now())
    return html(200, journey_pages.verify(f"/join/verify/{token}", pending.email, pending.locale))


@router.post("/join/verify/<token>")
def verify_post(token: str) -> Response:
    if (refused := _refuse_cross_site()) is not None:
        return refused
    confirmed = journey_wiring.signup().confirm(token, _base(), clock.now())
    candidate = confirmed.candidate
    link = _preferences(candidate) if confirmed.new else None
    return html(200, journey_pages.verified(confirmed.new, link, candidate.locale))


# ---------------------------------------------------------------- a new email address
@router.get("/email/verify/<token>")
def email_verify_page(token: str) -> Response:
    pending = journey_wiring.email_changes().pending(token, clock.now())
    return html(200, journey_pages.email_verify(f"/email/verify/{token}", pending.email, pending.locale))


@router.post("/email/verify/<token>")
def email_verify_post(token: str) -> Response:
    if (refused := _refuse_cross_site()) is not None:
        return refused
    changed = journey_wiring.email_changes().confirm(token, clock.now())
    return html(200, journey_pages.email_verified(changed.email, _preferences(changed), changed.locale))


# ---------------------------------------------------------------- interviews by hand
def _interview_state(interview: Interview, locale: str) -> page_frame.FormState:
    local = interview.start.astimezone(interview.start.tzinfo)
    minutes = int((interview.end - interview.start).total_seconds() // 60)
    values: dict[str, list[str]] = {
        "company": [interview.company],
        "role": [interview.title if interview.title != interview.company else ""],
        "date": [local.date().isoformat()],
        "time": [local.strftime("%H:%M")],
        "duration": [str(minutes)],
        "timezone": [str(getattr(local.tzinfo, "key", "") or "UTC")],
        "interviewer_name": [p.name for p in interview.interviewers],
        "interviewer_email": [p.email for p in interview.interviewers],
        "location": [interview.location or ""],
    }
    return page_frame.FormState(values, {}, locale)


@router.get("/interviews/new/<token>")
def new_interview_page(token: str) -> Response:
    candidate = _candidate(token, "interviews")
    subject = (router.current_event.get_query_string_value("subject", "") or "").strip()[:200]
    values = {"timezone": [candidate.timezone], "duration": ["60"], **({"role": [subject]} if subject else {})}
    state = page_frame.FormState(values, {}, candidate.locale)
    view = journey_pages.InterviewView(f"/interviews/new/{token}", _preferences(candidate), state)
    return html(200, journey_pages.interview_form(view))


def _new_interview(form: dict[str, list[str]], candidate: Candidate) -> object:
    from nudges.models.api import NewInterview  # pydantic where a form becomes the API's body
    from nudges.models.parsing import parse

    read = hand_interview(form, clock.now())
    return parse(NewInterview, read.body())


@router.post("/interviews/new/<token>")
def new_interview_post(token: str) -> Response:
    candidate = _candidate(token, "interviews")
    if (refused := _refuse_cross_site(candidate.locale)) is not None:
        return refused
    form = _form()
    try:
        new = _new_interview(form, candidate)
    except FieldErrors as refused_fields:
        state = page_frame.FormState(form, refused_fields.errors, candidate.locale)
        view = journey_pages.InterviewView(f"/interviews/new/{token}", _preferences(candidate), state)
        return html(400, journey_pages.interview_form(view))
    journey_wiring.hand_interviews().add(candidate, new, clock.now())  # type: ignore[arg-type]
    return _see_other(f"{_preferences(candidate)}?done=interview_added")


def _edit_view(token: str, interview: Interview, state: page_frame.FormState) -> journey_pages.InterviewView:
    action = f"/interviews/{interview.interview_id}/edit/{token}"
    return journey_pages.InterviewView(
        action,
        "",
        state,
        editing=True,
        read_only_source=None if interview.source == "hand" else interview.source,
        cancelled=interview.status == "cancelled",
        cancel_action=action,
    )


@router.get("/interviews/<interview_id>/edit/<token>")
def edit_interview_page(interview_id: str, token: str) -> Response:
    candidate = _candidate(token, "interviews")
    interview = journey_wiring.hand_interviews().owned(candidate, interview_id)
    view = _edit_view(token, interview, _interview_state(interview, candidate.locale))
    view = journey_pages.InterviewView(**{**view.__dict__, "back": _preferences(candidate)})
    return html(200, journey_pages.interview_form(view))


@router.post("/interviews/<interview_id>/edit/<token>")
def edit_interview_post(interview_id: str, token: str) -> Response:
    candidate = _candidate(token, "interviews")
    if (refused := _refuse_cross_site(candidate.locale)) is not None:
        return refused
    form = _form()
    service = journey_wiring.hand_interviews()
    if (form.get("cancel") or [""])[0] == "on":
        service.cancel(candidate, interview_id, clock.now())
        return _see_other(f"{_preferences(candidate)}?done=interview_cancelled")
    try:
        new = _new_interview(form, candidate)
    except FieldErrors as refused_fields:
        interview = service.owned(candidate, interview_id)
        state = page_frame.FormState(form, refused_fields.errors, candidate.locale)
        view = _edit_view(token, interview, state)
        view = journey_pages.InterviewView(**{**view.__dict__, "back": _preferences(candidate)})
        return html(400, journey_pages.interview_form(view))
    service.edit(candidate, interview_id, new, clock.now())  # type: ignore[arg-type]
    return _see_other(f"{_preferences(candidate)}?done=interview_changed")


# ---------------------------------------------------------------- the outcome page
@router.get("/outcome/<token>")
def outcome_page(token: str) -> Response:
    candidate_id, application_id = links.outcome_for(token, _keys())
    candidate = _candidate_by_id(candidate_id)
    about = journey_wiring.candidate_outcomes().about(candidate, application_id)
    state = page_frame.FormState({}, {}, candidate.locale)
    recorded = about.outcome if about.source == "candidate" else None
    return html(200, journey_pages.outcome_form(f"/outcome/{token}", about.company, state, recorded))


def _candidate_by_id(candidate_id: str) -> Candidate:
    candidate = wiring.candidates().get(candidate_id)
    if candidate is None:
        raise NotFound("nothing is stored for this link any more", field="token")
    return candidate


@router.post("/outcome/<token>")
def outcome_post(token: str) -> Response:
    candidate_id, application_id = links.outcome_for(token, _keys())
    candidate = _candidate_by_id(candidate_id)
    if (refused := _refuse_cross_site(candidate.locale)) is not None:
        return refused
    form = _form()
    choice = (form.get("outcome") or [""])[0]
    service = journey_wiring.candidate_outcomes()
    about = service.about(candidate, application_id)
    if choice not in journey_pages.OUTCOME_CHOICES:
        state = page_frame.FormState(form, {"outcome": "outcome"}, candidate.locale)
        return html(400, journey_pages.outcome_form(f"/outcome/{token}", about.company, state))
    told = service.report(candidate, application_id, choice, clock.now())
    return html(
        200, journey_pages.outcome_done(about.company, choice, told.standing, candidate.locale, _preferences(candidate))
    )


def refused_page(status: int, field: str | None = None) -> Response:
    """The one error page, for the function's exception handler: the refusal said in the page's
    language by the field it names (``page.refusal.<field>``, else ``page.fields.<field>``), else
    the status's own words. A service's message (English, for the API and the logs) is not shown."""
    locale = _browser_locale()
    return html(status, page_frame.error_page(status, locale, page_frame.refusal_words(field, locale)))


__all__ = ["InvalidInput", "refused_page", "router"]
