"""The advisers' console (signed in through the stack's Cognito pool, AdviserPool).

GET  /console                       to the candidates, or to the sign-in page
GET  /console/sign-in, POST         the sign-in form (email, password), through the pool
POST /console/sign-in/answer        a new password (first sign-in) or an authenticator code
POST /console/sign-out              the session deleted, the person's tokens revoked (GlobalSignOut)
GET  /console/candidates            find (name, email, cohort) and filter (unreachable and why,
                                    awaiting consent, paused, bounced), paged
GET  /console/candidates/{id}       one candidate: profile, reachability and why, consents,
                                    calendars, interviews with each nudge per channel, messages
POST /console/candidates/{id}/outcome          record an application's outcome (as the API does)
POST /console/candidates/{id}/consent-request  resend the "reply YES" request (an adviser's click)
POST /console/candidates/{id}/erase            erase, with ERASE typed to confirm
GET  /console/audit, /console/audit.csv        the audit log of adviser actions (admins only)
GET  /console/settings, POST        the adviser's own time zone
GET  /console/reports/...           reports and their CSVs (nudges.console_reports)

Every route but sign-in needs a session (a random id in an HttpOnly, Secure, SameSite=Lax cookie;
the tokens stay in the table) whose tokens verify now, and a role that route allows (checked here,
on the server, for every request). Every POST carries a CSRF token (the session's; before sign-in
a double-submit one) and comes from this origin. Nothing here needs JavaScript.
"""

from __future__ import annotations

import secrets
import urllib.parse
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from nudges import (
    clock,
    config,
    console_advisers,
    console_candidate_page,
    console_candidates,
    console_pages,
    console_reports,
    console_wiring,
)
from nudges.adapters.adviser_pool import SignInRefused
from nudges.console_web import (
    FORM_COOKIE,
    PENDING_COOKIE,
    SESSION_COOKIE,
    ZONES,
    cookie,
    cookies,
    csv_response,
    form,
    html,
    panels,
    redirect,
    refused_form,
    same,
    same_site,
    signed_in,
    zone,
)
from nudges.domain.advisers import ADMINS_ONLY
from nudges.errors import InvalidInput, NotFound, NudgesError
from nudges.handlers import api_handler
from nudges.services.console_auth import SESSION_SECONDS, Current, SignedIn, SignInRetry

if TYPE_CHECKING:
    from nudges.adapters.console_sessions import PendingSignIn

app = APIGatewayHttpResolver()


@app.exception_handler(NotFound)
def _not_found(exc: NotFound) -> Response:
    return html(404, console_pages.message_page(config.branding(), "Not found", exc.message))


@app.exception_handler(NudgesError)
def _refused(exc: NudgesError) -> Response:
    if exc.status_code >= 500:
        raise exc
    return html(exc.status_code, console_pages.message_page(config.branding(), "Refused", exc.message))


# ---------------------------------------------------------------- sign-in
@app.get("/console")
def home() -> Response:
    return redirect(console_pages.CANDIDATES)


@app.get("/console/sign-in")
def sign_inform() -> Response:
    if console_wiring.console_auth().current(cookies().get(SESSION_COOKIE, "")) is not None:
        return redirect(console_pages.CANDIDATES)
    notice = "You are signed out." if app.current_event.get_query_string_value("out", "") else ""
    token = secrets.token_urlsafe(32)
    return html(
        200, console_pages.sign_in_page(config.branding(), token, notice=notice), [cookie(FORM_COOKIE, token, 3600)]
    )


def _signed_in_now(step: SignedIn | PendingSignIn) -> Response:
    if isinstance(step, SignedIn):
        return redirect(
            console_pages.CANDIDATES,
            [cookie(SESSION_COOKIE, step.session.session_id, SESSION_SECONDS), cookie(PENDING_COOKIE, "", 0)],
        )
    return html(
        200,
        console_pages.challenge_page(config.branding(), step),
        [cookie(PENDING_COOKIE, step.pending_id, 300)],
    )


@app.post("/console/sign-in")
def sign_in() -> Response:
    fields = form()
    if not same_site() or not same(fields.get("csrf", ""), cookies().get(FORM_COOKIE, "")):
        return refused_form()
    email = fields.get("email", "")
    try:
        step = console_wiring.console_auth().sign_in(email, fields.get("password", ""))
    except SignInRefused as refused:
        token = secrets.token_urlsafe(32)
        page = console_pages.sign_in_page(config.branding(), token, email=email, error=refused.message)
        return html(400, page, [cookie(FORM_COOKIE, token, 3600)])
    return _signed_in_now(step)


@app.post("/console/sign-in/answer")
def answer() -> Response:
    fields = form()
    auth = console_wiring.console_auth()
    pending = auth.pending(cookies().get(PENDING_COOKIE, ""))
    if pending is None:
        token = secrets.token_urlsafe(32)
        page = console_pages.sign_in_page(config.branding(), token, error="The sign-in took too long: start again.")
        return html(400, page, [cookie(FORM_COOKIE, token, 3600), cookie(PENDING_COOKIE, "", 0)])
    if not same_site() or not same(fields.get("csrf", ""), pending.csrf):
        return refused_form()
    if pending.challenge_name == "NEW_PASSWORD_REQUIRED":
        if fields.get("new_password", "") != fields.get("confirm", ""):
            page = console_pages.challenge_page(config.branding(), pending, error="The two passwords are not the same.")
            return html(400, page)
        responses = {"NEW_PASSWORD": fields.get("new_password", "")}
    else:
        responses = {"SOFTWARE_TOKEN_MFA_CODE": fields.get("code", "").strip()}
    try:
        step = auth.answer(pending, responses)
    except SignInRetry as retry:
        page = console_pages.challenge_page(config.branding(), retry.pending, error=retry.message)
        return html(400, page, [cookie(PENDING_COOKIE, retry.pending.pending_id, 300)])
    except SignInRefused as refused:
        token = secrets.token_urlsafe(32)
        page = console_pages.sign_in_page(config.branding(), token, error=refused.message)
        return html(400, page, [cookie(FORM_COOKIE, token, 3600), cookie(PENDING_COOKIE, "", 0)])
    return _signed_in_now(step)


@app.post("/console/sign-out")
@signed_in()
def sign_out(current: Current, form: dict[str, str]) -> Response:
    console_wiring.console_auth().sign_out(current)
    return redirect(f"{console_pages.SIGN_IN}?out=1", [cookie(SESSION_COOKIE, "", 0)])


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
    found = console_wiring.adviser_views().find(query, filter_, cohort.strip(), cursor)
    page = console_pages.candidates_page(
        config.branding(),
        current.adviser,
        current.session.csrf,
        found,
        query=query,
        filter_=filter_,
        cohort=cohort,
        zone=zone(current),
        panels_url=panels(),
        notice="Candidate erased." if app.current_event.get_query_string_value("erased", "") else "",
    )
    return html(200, page)


NOTICES = {
    "offer": "Outcome recorded: offer.",
    "rejected": "Outcome recorded: rejected. The rejection reply is planned.",
    "withdrawn": "Outcome recorded: withdrawn.",
    "asked": "Consent request sent again.",
    "not-asked": "Consent request not sent: no number, consent already on record, or texts refused.",
    "added": "Candidate added. The welcome is on its way.",
    "edited": "Changes saved.",
    "unchanged": "Nothing was different: nothing changed.",
    "interview_added": "Interview added. Its nudges are planned.",
    "interview_moved": "Interview moved. Its nudges moved with it.",
    "interview_cancelled": "Interview cancelled. Its nudges still ahead will not be sent.",
}


def _candidate_page(
    current: Current, candidate_id: str, status: int = 200, notice: str = "", errors: dict[str, str] | None = None
) -> Response:
    detail = console_wiring.adviser_views().detail(candidate_id, clock.now())
    page = console_candidate_page.candidate_page(
        config.branding(),
        current.adviser,
        current.session.csrf,
        detail,
        zone=zone(current),
        panels_url=panels(),
        notice=notice,
        errors=errors,
    )
    return html(status, page)


@app.get("/console/candidates/<candidate_id>")
@signed_in()
def candidate(current: Current, candidate_id: str) -> Response:
    done = app.current_event.get_query_string_value("done", "") or ""
    return _candidate_page(current, candidate_id, notice=NOTICES.get(done, ""))


def _acted(candidate_id: str, done: str) -> Response:
    return redirect(f"{console_pages.CANDIDATES}/{urllib.parse.quote(candidate_id)}?done={done}")


@app.post("/console/candidates/<candidate_id>/outcome")
@signed_in()
def record_outcome(current: Current, form: dict[str, str], candidate_id: str) -> Response:
    interview_id = form.get("interview_id", "")
    try:
        outcome = console_wiring.adviser_actions().record_outcome(
            current.adviser, candidate_id, interview_id, form.get("outcome", ""), clock.now()
        )
    except InvalidInput as bad:
        return _candidate_page(
            current, candidate_id, 400, errors={"outcome": bad.message, "interview_id": interview_id}
        )
    return _acted(candidate_id, outcome)


@app.post("/console/candidates/<candidate_id>/consent-request")
@signed_in()
def resend_consent(current: Current, form: dict[str, str], candidate_id: str) -> Response:
    sent = console_wiring.adviser_actions().resend_consent(current.adviser, candidate_id, clock.now())
    return _acted(candidate_id, "asked" if sent else "not-asked")


@app.post("/console/candidates/<candidate_id>/erase")
@signed_in()
def erase(current: Current, form: dict[str, str], candidate_id: str) -> Response:
    try:
        console_wiring.adviser_actions().erase(current.adviser, candidate_id, form.get("confirm", ""), clock.now())
    except InvalidInput as bad:
        return _candidate_page(current, candidate_id, 400, errors={"confirm": bad.message})
    return redirect(f"{console_pages.CANDIDATES}?erased=1")


# ---------------------------------------------------------------- audit log (admins)
@app.get("/console/audit")
@signed_in(ADMINS_ONLY)
def audit(current: Current) -> Response:
    entries = console_wiring.audit_log().recent()
    page = console_pages.audit_page(
        config.branding(), current.adviser, current.session.csrf, entries, zone=zone(current), panels_url=panels()
    )
    return html(200, page)


@app.get("/console/audit.csv")
@signed_in(ADMINS_ONLY)
def audit_csv(current: Current) -> Response:
    header = [
        "at",
        "adviser_email",
        "adviser_sub",
        "action",
        "detail",
        "candidate_id",
        "candidate_email",
        "interview_id",
    ]
    rows = (
        [
            x.at.isoformat(),
            x.adviser_email,
            x.adviser_sub,
            x.action,
            x.detail,
            x.candidate_id,
            x.subject,
            x.interview_id,
        ]
        for x in console_wiring.audit_log().recent()
    )
    return csv_response("audit.csv", header, rows)


# ---------------------------------------------------------------- settings
@app.get("/console/settings")
@signed_in()
def settings(current: Current) -> Response:
    saved = bool(app.current_event.get_query_string_value("saved", ""))
    page = console_pages.settings_page(
        config.branding(), current.adviser, current.session.csrf, zone(current), ZONES, saved=saved
    )
    return html(200, page)


@app.post("/console/settings")
@signed_in()
def change_settings(current: Current, form: dict[str, str]) -> Response:
    chosen = form.get("timezone", "")
    if chosen not in ZONES:
        page = console_pages.settings_page(
            config.branding(),
            current.adviser,
            current.session.csrf,
            zone(current),
            ZONES,
            saved=False,
            error="timezone: choose a time zone from the list",
        )
        return html(400, page)
    console_wiring.console_sessions().set_time_zone(current.adviser.sub, chosen)
    return redirect(f"{console_pages.SETTINGS}?saved=1")


# The console's other parts: each a Router in a layer module of its own, included here (one line each).
app.include_router(console_advisers.router)
app.include_router(console_candidates.router)  # add, import, edit, interviews by hand
app.include_router(console_reports.router)

lambda_handler = api_handler(app)
