"""The console's advisers (admins only) and join codes (everyone), included by the console
function's ``app.py``:

GET  /console/advisers                          everyone who can sign in; the invite form
POST /console/advisers                          invite (email, role): the invitation mailed through SES
POST /console/advisers/{username}/role          change their role (admins | advisers)
POST /console/advisers/{username}/disable       disable, and sign them out everywhere
POST /console/advisers/{username}/enable        enable again
POST /console/advisers/{username}/invitation    mail the invitation again (a new temporary password;
                                                once a minute: a double click mails once)
GET  /console/advisers/{username}/remove, POST  confirm, then remove (and sign them out everywhere)
GET  /console/join-codes, POST                  every join code with how many joined; make one (label)
GET  /console/join-codes/{code}/revoke, POST    confirm, then revoke

Every route through ``console_web.signed_in`` (the session, its role, a POST's CSRF token and
origin); an adviser (group ``advisers``) gets 403 on every ``/console/advisers`` route.
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler.api_gateway import Router

from nudges import advisers_pages, clock, config, console_pages, console_wiring
from nudges.console_web import event, html, panels, query, redirect, signed_in, zone
from nudges.domain.advisers import ADMINS_ONLY
from nudges.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.event_handler import Response

    from nudges.adapters.adviser_accounts import Account
    from nudges.services.adviser_accounts import AdviserAccountService
    from nudges.services.console_auth import Current
    from nudges.services.join_code_actions import CodeListing

router = Router()


def _base() -> str:
    return config.public_base_url(event().request_context.domain_name)


def _name(raw: str) -> str:
    return urllib.parse.unquote(raw)


# ---------------------------------------------------------------- advisers (admins only)
def _advisers_page(
    current: Current, status: int = 200, errors: dict[str, str] | None = None, email: str = "", role: str = "advisers"
) -> Response:
    page = advisers_pages.advisers_page(
        config.branding(),
        current.adviser,
        current.session.csrf,
        console_wiring.adviser_accounts().all(),
        zone=zone(current),
        panels_url=panels(),
        notice=advisers_pages.ADVISER_NOTICES.get(query("done"), "") if status == 200 else "",
        errors=errors,
        email=email,
        role=role,
    )
    return html(status, page)


def _done(what: str) -> Response:
    return redirect(f"{advisers_pages.ADVISERS}?done={what}")


@router.get("/console/advisers")
@signed_in(ADMINS_ONLY)
def advisers(current: Current) -> Response:
    return _advisers_page(current)


@router.post("/console/advisers")
@signed_in(ADMINS_ONLY)
def invite(current: Current, form: dict[str, str]) -> Response:
    email, role = form.get("email", ""), form.get("role", "")
    try:
        console_wiring.adviser_accounts().invite(current.adviser, email, role, _base() + console_pages.SIGN_IN, clock.now())
    except InvalidInput as bad:
        return _advisers_page(current, 400, {bad.field or "email": bad.message}, email, role)
    return _done("invited")


def _row_action(
    current: Current, username: str, done: str, act: Callable[[AdviserAccountService, str], object]
) -> Response:
    """One action on one account; a refusal is said in that account's row."""
    name = _name(username)
    try:
        act(console_wiring.adviser_accounts(), name)
    except InvalidInput as bad:
        return _advisers_page(current, 400, {name: bad.message})
    return _done(done)


@router.post("/console/advisers/<username>/role")
@signed_in(ADMINS_ONLY)
def change_role(current: Current, form: dict[str, str], username: str) -> Response:
    role = form.get("role", "")
    return _row_action(current, username, "role", lambda s, name: s.set_role(current.adviser, name, role, clock.now()))


@router.post("/console/advisers/<username>/disable")
@signed_in(ADMINS_ONLY)
def disable(current: Current, form: dict[str, str], username: str) -> Response:
    return _row_action(
        current, username, "disabled", lambda s, name: s.set_enabled(current.adviser, name, False, clock.now())
    )


@router.post("/console/advisers/<username>/enable")
@signed_in(ADMINS_ONLY)
def enable(current: Current, form: dict[str, str], username: str) -> Response:
    return _row_action(
        current, username, "enabled", lambda s, name: s.set_enabled(current.adviser, name, True, clock.now())
    )


@router.post("/console/advisers/<username>/invitation")
@signed_in(ADMINS_ONLY)
def invite_again(current: Current, form: dict[str, str], username: str) -> Response:
    name, url = _name(username), _base() + console_pages.SIGN_IN
    try:
        sent = console_wiring.adviser_accounts().invite_again(current.adviser, name, url, clock.now())
    except InvalidInput as bad:
        return _advisers_page(current, 400, {name: bad.message})
    # A second click moments after the first (a double click) sent nothing: the page says so.
    return _done("invited-again" if sent else "invited-just-now")


def _account(username: str) -> Account:
    return console_wiring.adviser_accounts().account(_name(username))  # NotFound: the 404 page


@router.get("/console/advisers/<username>/remove")
@signed_in(ADMINS_ONLY)
def remove_form(current: Current, username: str) -> Response:
    page = advisers_pages.remove_page(config.branding(), current.adviser, current.session.csrf, _account(username))
    return html(200, page)


@router.post("/console/advisers/<username>/remove")
@signed_in(ADMINS_ONLY)
def remove(current: Current, form: dict[str, str], username: str) -> Response:
    account = _account(username)
    try:
        console_wiring.adviser_accounts().remove(current.adviser, account.username, clock.now())
    except InvalidInput as bad:
        page = advisers_pages.remove_page(
            config.branding(), current.adviser, current.session.csrf, account, error=bad.message
        )
        return html(400, page)
    return _done("removed")


# ---------------------------------------------------------------- join codes (everyone)
def _codes_page(current: Current, status: int = 200, label: str = "", error: str = "") -> Response:
    page = advisers_pages.join_codes_page(
        config.branding(),
        current.adviser,
        current.session.csrf,
        console_wiring.join_code_actions().listing(),
        _base(),
        zone=zone(current),
        panels_url=panels(),
        notice=advisers_pages.CODE_NOTICES.get(query("done"), "") if status == 200 else "",
        label=label,
        error=error,
    )
    return html(status, page)


@router.get("/console/join-codes")
@signed_in()
def join_codes(current: Current) -> Response:
    return _codes_page(current)


@router.post("/console/join-codes")
@signed_in()
def create_join_code(current: Current, form: dict[str, str]) -> Response:
    label = form.get("label", "")
    try:
        console_wiring.join_code_actions().create(current.adviser, label, clock.now())
    except InvalidInput as bad:
        return _codes_page(current, 400, label, bad.message)
    return redirect(f"{advisers_pages.JOIN_CODES}?done=created")


def _listing(code: str) -> CodeListing:
    found = next((x for x in console_wiring.join_code_actions().listing() if x.code.join_code == code), None)
    if found is None:
        raise NotFound(f"no join code {code}", field="join_code")
    return found


@router.get("/console/join-codes/<code>/revoke")
@signed_in()
def revoke_form(current: Current, code: str) -> Response:
    found = _listing(_name(code))
    page = advisers_pages.revoke_page(
        config.branding(), current.adviser, current.session.csrf, found.code, found.joined
    )
    return html(200, page)


@router.post("/console/join-codes/<code>/revoke")
@signed_in()
def revoke(current: Current, form: dict[str, str], code: str) -> Response:
    console_wiring.join_code_actions().revoke(current.adviser, _name(code), clock.now())
    return redirect(f"{advisers_pages.JOIN_CODES}?done=revoked")
