"""The advisers' console (signed in through the stack's Cognito pool, AdviserPool).

GET  /console                       to the candidates, or to the sign-in page
GET  /console/sign-in, POST         the sign-in form (email, password), through the pool
POST /console/sign-in/answer        a new password (first sign-in) or an authenticator code
POST /console/sign-out              the session deleted, the person's tokens revoked (GlobalSignOut)
GET  /console/candidates            find (name, email, cohort) and filter (unreachable and why,
                                    awaiting consent, paused, bounced), paged
GET  /console/candidates/{id}       one candidate: profile, reachability and why, consents,
                                    calendars, interviews with each nudge per channel, messages
GET  /console/settings, POST        the adviser's own time zone

Every route but sign-in needs a session (a random id in an HttpOnly, Secure, SameSite=Lax cookie;
the tokens stay in the table) whose tokens verify now, and a role that route allows (checked here,
on the server, for every request). Every POST carries a CSRF token (the session's; before sign-in
a double-submit one) and comes from this origin. Nothing here needs JavaScript.
"""

from __future__ import annotations

import hmac
import secrets
import urllib.parse
from functools import wraps
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from nudges import clock, config, console_pages, pages, wiring
from nudges.adapters.adviser_pool import SignInRefused
from nudges.domain.advisers import EVERYONE
from nudges.errors import NotFound, NudgesError
from nudges.handlers import api_handler
from nudges.http import raw_body
from nudges.observability import logger
from nudges.services.console_auth import SESSION_SECONDS, Current, SignedIn, SignInRetry

if TYPE_CHECKING:
    from collections.abc import Callable

    from nudges.adapters.console_sessions import PendingSignIn

app = APIGatewayHttpResolver()

SESSION_COOKIE = "nudges_console"
PENDING_COOKIE = "nudges_console_signin"
FORM_COOKIE = "nudges_console_form"  # the sign-in form's double-submit CSRF token
COOKIE_PATH = "/console"
ZONES = [*sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))), "UTC"]


def _cookie(name: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        name, value, path=COOKIE_PATH, secure=True, http_only=True, max_age=max_age, same_site=SameSite.LAX_MODE
    )


def _cookies() -> dict[str, str]:
    jar: dict[str, str] = {}
    for raw in app.current_event.cookies or []:
        name, _, value = raw.partition("=")
        jar.setdefault(name.strip(), value.strip())
    return jar


def _html(status: int, body: str, cookies: list[Cookie] | None = None) -> Response:
    return Response(
        status_code=status, content_type=content_types.TEXT_HTML, body=body, headers=pages.HEADERS, cookies=cookies
    )


def _redirect(location: str, cookies: list[Cookie] | None = None) -> Response:
    return Response(status_code=303, headers={**pages.HEADERS, "Location": location}, body="", cookies=cookies)


def _form() -> dict[str, str]:
    fields = urllib.parse.parse_qs(raw_body(app.current_event).decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in fields.items()}


def _same_site() -> bool:
    """A form of this origin's own page (Origin names this host; never a cross-site fetch)."""
    headers = {k.lower(): v for k, v in (app.current_event.headers or {}).items()}
    if headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = headers.get("origin")
    if not origin or origin == "null":
        return True
    base = config.public_base_url(app.current_event.request_context.domain_name)
    return urllib.parse.urlsplit(origin).netloc in {headers.get("host", ""), urllib.parse.urlsplit(base).netloc}


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def _panels() -> str:
    import os

    return os.environ.get("LOCAL_PANELS_URL") or ""


def _zone(current: Current) -> str:
    return wiring.console_sessions().time_zone(current.adviser.sub) or "UTC"


def _refused_form(current: Current | None = None) -> Response:
    text = "This form has expired or did not come from this console: go back, reload the page and try again."
    return _html(
        403,
        console_pages.message_page(
            config.branding(),
            "Not sent",
            text,
            adviser=current.adviser if current else None,
            csrf=current.session.csrf if current else "",
        ),
    )


def signed_in(roles: frozenset[str] = EVERYONE) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """A console route: a verified session with one of ``roles`` (else the sign-in page or 403);
    a POST also its session's CSRF token and this origin."""

    def decorate(route: Callable[..., Response]) -> Callable[..., Response]:
        @wraps(route)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            current = wiring.console_auth().current(_cookies().get(SESSION_COOKIE, ""))
            if current is None:
                return _redirect(console_pages.SIGN_IN, [_cookie(SESSION_COOKIE, "", 0)])
            if not current.adviser.may(roles):
                logger.info("console route refused by role", extra={"adviser": current.adviser.sub})
                return _html(
                    403,
                    console_pages.message_page(
                        config.branding(),
                        "Not for your role",
                        "This page is for admins only.",
                        adviser=current.adviser,
                        csrf=current.session.csrf,
                    ),
                )
            if app.current_event.request_context.http.method == "POST":
                form = _form()
                if not _same_site() or not _same(form.get("csrf", ""), current.session.csrf):
                    return _refused_form(current)
                return route(current, form, *args, **kwargs)
            return route(current, *args, **kwargs)

        return wrapper

    return decorate


@app.exception_handler(NotFound)
def _not_found(exc: NotFound) -> Response:
    return _html(404, console_pages.message_page(config.branding(), "Not found", exc.message))


@app.exception_handler(NudgesError)
def _refused(exc: NudgesError) -> Response:
    if exc.status_code >= 500:
        raise exc
    return _html(exc.status_code, console_pages.message_page(config.branding(), "Refused", exc.message))


# ---------------------------------------------------------------- sign-in
@app.get("/console")
def home() -> Response:
    return _redirect(console_pages.CANDIDATES)


@app.get("/console/sign-in")
def sign_in_form() -> Response:
    if wiring.console_auth().current(_cookies().get(SESSION_COOKIE, "")) is not None:
        return _redirect(console_pages.CANDIDATES)
    notice = "You are signed out." if app.current_event.get_query_string_value("out", "") else ""
    token = secrets.token_urlsafe(32)
    return _html(
        200, console_pages.sign_in_page(config.branding(), token, notice=notice), [_cookie(FORM_COOKIE, token, 3600)]
    )


def _signed_in_now(step: SignedIn | PendingSignIn) -> Response:
    if isinstance(step, SignedIn):
        return _redirect(
            console_pages.CANDIDATES,
            [_cookie(SESSION_COOKIE, step.session.session_id, SESSION_SECONDS), _cookie(PENDING_COOKIE, "", 0)],
        )
    return _html(
        200,
        console_pages.challenge_page(config.branding(), step),
        [_cookie(PENDING_COOKIE, step.pending_id, 300)],
    )


@app.post("/console/sign-in")
def sign_in() -> Response:
    form = _form()
    if not _same_site() or not _same(form.get("csrf", ""), _cookies().get(FORM_COOKIE, "")):
        return _refused_form()
    email = form.get("email", "")
    try:
        step = wiring.console_auth().sign_in(email, form.get("password", ""))
    except SignInRefused as refused:
        token = secrets.token_urlsafe(32)
        page = console_pages.sign_in_page(config.branding(), token, email=email, error=refused.message)
        return _html(400, page, [_cookie(FORM_COOKIE, token, 3600)])
    return _signed_in_now(step)


@app.post("/console/sign-in/answer")
def answer() -> Response:
    form = _form()
    auth = wiring.console_auth()
    pending = auth.pending(_cookies().get(PENDING_COOKIE, ""))
    if pending is None:
        token = secrets.token_urlsafe(32)
        page = console_pages.sign_in_page(config.branding(), token, error="The sign-in took too long: start again.")
        return _html(400, page, [_cookie(FORM_COOKIE, token, 3600), _cookie(PENDING_COOKIE, "", 0)])
    if not _same_site() or not _same(form.get("csrf", ""), pending.csrf):
        return _refused_form()
    if pending.challenge_name == "NEW_PASSWORD_REQUIRED":
        if form.get("new_password", "") != form.get("confirm", ""):
            page = console_pages.challenge_page(config.branding(), pending, error="The two passwords are not the same.")
            return _html(400, page)
        responses = {"NEW_PASSWORD": form.get("new_password", "")}
    else:
        responses = {"SOFTWARE_TOKEN_MFA_CODE": form.get("code", "").strip()}
    try:
        step = auth.answer(pending, responses)
    except SignInRetry as retry:
        page = console_pages.challenge_page(config.branding(), retry.pending, error=retry.message)
        return _html(400, page, [_cookie(PENDING_COOKIE, retry.pending.pending_id, 300)])
    except SignInRefused as refused:
        token = secrets.token_urlsafe(32)
        page = console_pages.sign_in_page(config.branding(), token, error=refused.message)
        return _html(400, page, [_cookie(FORM_COOKIE, token, 3600), _cookie(PENDING_COOKIE, "", 0)])
    return _signed_in_now(step)


@app.post("/console/sign-out")
@signed_in()
def sign_out(current: Current, form: dict[str, str]) -> Response:
    wiring.console_auth().sign_out(current)
    return _redirect(f"{console_pages.SIGN_IN}?out=1", [_cookie(SESSION_COOKIE, "", 0)])


# ---------------------------------------------------------------- candidates
@app.get("/console/candidates")
@signed_in()
def candidates(current: Current) -> Response:
    query = app.current_event.get_query_string_value("q", "") or ""
    filter_ = app.current_event.get_query_string_value("filter", "") or ""
    cohort = app.current_event.get_query_string_value("cohort", "") or ""
    cursor = app.current_event.get_query_string_value("cursor", "") or None
    if filter_ not in console_pages.FILTER_LABELS:
        filter_ = ""
    found = wiring.adviser_views().find(query, filter_, cohort.strip(), cursor)
    page = console_pages.candidates_page(
        config.branding(),
        current.adviser,
        current.session.csrf,
        found,
        query=query,
        filter_=filter_,
        cohort=cohort,
        zone=_zone(current),
        panels_url=_panels(),
    )
    return _html(200, page)


@app.get("/console/candidates/<candidate_id>")
@signed_in()
def candidate(current: Current, candidate_id: str) -> Response:
    detail = wiring.adviser_views().detail(candidate_id, clock.now())
    page = console_pages.candidate_page(
        config.branding(), current.adviser, current.session.csrf, detail, zone=_zone(current), panels_url=_panels()
    )
    return _html(200, page)


# ---------------------------------------------------------------- settings
@app.get("/console/settings")
@signed_in()
def settings(current: Current) -> Response:
    saved = bool(app.current_event.get_query_string_value("saved", ""))
    page = console_pages.settings_page(
        config.branding(), current.adviser, current.session.csrf, _zone(current), ZONES, saved=saved
    )
    return _html(200, page)


@app.post("/console/settings")
@signed_in()
def change_settings(current: Current, form: dict[str, str]) -> Response:
    zone = form.get("timezone", "")
    if zone not in ZONES:
        page = console_pages.settings_page(
            config.branding(),
            current.adviser,
            current.session.csrf,
            _zone(current),
            ZONES,
            saved=False,
            error="timezone: choose a time zone from the list",
        )
        return _html(400, page)
    wiring.console_sessions().set_time_zone(current.adviser.sub, zone)
    return _redirect(f"{console_pages.SETTINGS}?saved=1")


lambda_handler = api_handler(app)
