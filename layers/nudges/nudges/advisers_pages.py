"""The console's pages for managing advisers (admins only) and join codes (everyone), plain HTML
on the console's layout (``console_pages.layout``): forms that work without JavaScript, every
value escaped, each error beside its field, a confirmation page before anything is removed.
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

from nudges.console_pages import _described, _error, csrf_field, e, layout, when

if TYPE_CHECKING:
    from nudges.adapters.adviser_accounts import Account
    from nudges.adapters.join_codes import JoinCode
    from nudges.domain.advisers import Adviser
    from nudges.domain.messages import Branding
    from nudges.services.join_code_actions import CodeListing

ADVISERS = "/console/advisers"
JOIN_CODES = "/console/join-codes"
ROLE_LABELS = {"admins": "Admin", "advisers": "Adviser"}
STATUS_WORDS = {
    "FORCE_CHANGE_PASSWORD": "Invited: has not signed in yet",
    "CONFIRMED": "Signed in before",
    "RESET_REQUIRED": "Must reset their password",
    "EXTERNAL_PROVIDER": "Signs in through your identity provider",
}
ADVISER_NOTICES = {
    "invited": "Invitation mailed.",
    "invited-again": "Invitation mailed again, with a new temporary password.",
    "invited-just-now": "The invitation was just sent; nothing was sent again. Wait a minute to send another.",
    "role": "Role changed; they were signed out and sign in again with it.",
    "disabled": "Account disabled and signed out everywhere.",
    "enabled": "Account enabled.",
    "removed": "Account removed and signed out everywhere.",
}
# What these pages add to the console's style: small forms in a row, labels only screen readers see.
STYLE = (
    "<style>.inline{display:inline-block;margin:0 .4rem .3rem 0}.actions{display:flex;flex-wrap:wrap;gap:.3rem;"
    "align-items:center}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}"
    "input.link{width:100%;min-width:16rem;font:13px ui-monospace,monospace}</style>"
)
CODE_NOTICES = {"created": "Join code created: share its link with the cohort.", "revoked": "Join code revoked."}


def user_path(account: Account, action: str = "") -> str:
    return f"{ADVISERS}/{urllib.parse.quote(account.username, safe='')}" + (f"/{action}" if action else "")


def code_path(code: str, action: str = "") -> str:
    return f"{JOIN_CODES}/{urllib.parse.quote(code, safe='')}" + (f"/{action}" if action else "")


def _notice(text: str) -> str:
    return f'<p class="notice" id="notice" role="status">{e(text)}</p>' if text else ""


def _role_options(chosen: str) -> str:
    none = '<option value="" selected>No role (cannot sign in)</option>' if chosen not in ROLE_LABELS else ""
    return none + "".join(
        f'<option value="{r}"{" selected" if r == chosen else ""}>{e(label)}</option>'
        for r, label in ROLE_LABELS.items()
    )


def _button_form(action: str, csrf: str, label: str, described: str = "") -> str:
    return (
        f'<form method="post" action="{e(action)}" class="inline">{csrf_field(csrf)}'
        f'<button type="submit"{described}>{e(label)}</button></form>'
    )


def _account_row(n: int, account: Account, csrf: str, zone: str, error: str, me: bool) -> str:
    row = f"a{n}"
    described = _described(row, error)
    role = (
        f'<form method="post" action="{e(user_path(account, "role"))}" class="inline">{csrf_field(csrf)}'
        f'<label class="sr" for="{row}-role">Role of {e(account.email)}</label>'
        f'<select id="{row}-role" name="role"{described}>{_role_options(account.role)}</select> '
        '<button type="submit">Change</button></form>'
    )
    if account.enabled:
        toggle = _button_form(user_path(account, "disable"), csrf, "Disable", described)
    else:
        toggle = _button_form(user_path(account, "enable"), csrf, "Enable", described)
    actions = [toggle]
    if account.status == "FORCE_CHANGE_PASSWORD" and account.enabled:
        actions.append(_button_form(user_path(account, "invitation"), csrf, "Send the invitation again"))
    actions.append(f'<a href="{e(user_path(account, "remove"))}">Remove…</a>')
    enabled = '<span class="badge ok">enabled</span>' if account.enabled else '<span class="badge bad">disabled</span>'
    return (
        f'<tr data-email="{e(account.email)}" data-role="{e(account.role)}" '
        f'data-enabled="{"yes" if account.enabled else "no"}" data-status="{e(account.status)}">'
        f"<td>{e(account.email)}{' <span class=muted>(you)</span>' if me else ''}</td>"
        f"<td>{role}</td><td>{enabled}</td>"
        f"<td>{e(STATUS_WORDS.get(account.status, account.status))}</td>"
        f"<td>{when(account.created_at, zone)}</td>"
        f'<td><div class="actions">{"".join(actions)}</div>{_error(row, error)}</td></tr>'
    )


def advisers_page(
    branding: Branding,
    adviser: Adviser,
    csrf: str,
    accounts: list[Account],
    *,
    zone: str,
    panels_url: str = "",
    notice: str = "",
    errors: dict[str, str] | None = None,
    email: str = "",
    role: str = "advisers",
) -> str:
    """``errors``: ``email`` and ``role`` (the invite form's fields), or an account's username (its row)."""
    errors = errors or {}
    rows = "".join(
        _account_row(n, a, csrf, zone, errors.get(a.username, ""), a.sub == adviser.sub) for n, a in enumerate(accounts)
    )
    table = (
        '<table id="advisers"><thead><tr><th scope="col">Email</th><th scope="col">Role</th>'
        '<th scope="col">Account</th><th scope="col">Status</th><th scope="col">Created</th>'
        f'<th scope="col">Actions</th></tr></thead><tbody>{rows}</tbody></table>'
    )
    invite = (
        '<section class="narrow" aria-labelledby="invite"><h2 id="invite">Invite an adviser</h2>'
        f'<form method="post" action="{ADVISERS}" id="invite-form">{csrf_field(csrf)}'
        '<label for="email">Email address</label>'
        f'<input id="email" name="email" type="email" required value="{e(email)}"{_described("email", errors.get("email", ""))}>'
        f"{_error('email', errors.get('email', ''))}"
        '<label for="role">Role</label>'
        f'<select id="role" name="role"{_described("role", errors.get("role", ""))}>{_role_options(role)}</select>'
        f"{_error('role', errors.get('role', ''))}"
        '<p class="muted">They get a mail with a temporary password (good for 7 days) and the sign-in '
        "address; they choose their own password when they first sign in. Admins also manage advisers.</p>"
        '<p><button type="submit">Invite</button></p></form></section>'
    )
    body = (
        STYLE
        + "<h1>Advisers</h1>"
        + _notice(notice)
        + invite
        + f'<section aria-labelledby="people"><h2 id="people">Everyone who can sign in</h2>{table}</section>'
    )
    return layout("Advisers", body, branding, adviser=adviser, csrf=csrf, current=ADVISERS, panels_url=panels_url)


def remove_page(branding: Branding, adviser: Adviser, csrf: str, account: Account, *, error: str = "") -> str:
    body = (
        f'<section class="narrow"><h1>Remove {e(account.email)}?</h1>'
        "<p>Their account is deleted from the console's user pool and they are signed out everywhere. "
        "The audit log keeps what they did. To let them back in, invite them again.</p>"
        f'<form method="post" action="{e(user_path(account, "remove"))}">{csrf_field(csrf)}'
        f'<p><button type="submit" id="remove"{_described("remove", error)}>Remove this account</button> '
        f'<a href="{ADVISERS}">Keep it</a></p>{_error("remove", error)}</form></section>'
    )
    return layout("Remove an adviser", body, branding, adviser=adviser, csrf=csrf, current=ADVISERS)


def join_codes_page(
    branding: Branding,
    adviser: Adviser,
    csrf: str,
    listings: list[CodeListing],
    base_url: str,
    *,
    zone: str,
    panels_url: str = "",
    notice: str = "",
    label: str = "",
    error: str = "",
) -> str:
    rows = "".join(
        f'<tr data-code="{e(x.code.join_code)}" data-joined="{x.joined}" '
        f'data-active="{"yes" if x.code.active else "no"}">'
        f'<td class="id">{e(x.code.join_code)}</td><td>{e(x.code.label)}</td>'
        f'<td><input class="link" readonly aria-label="Join link of {e(x.code.label)}" '
        f'value="{e(f"{base_url}/join/{x.code.join_code}")}"></td>'
        f'<td><a href="/console/candidates?cohort={e(urllib.parse.quote(x.code.join_code))}">{x.joined}</a></td>'
        f"<td>{when(x.code.created_at, zone)}</td>"
        + (
            f'<td><span class="badge ok">active</span> <a href="{e(code_path(x.code.join_code, "revoke"))}">Revoke…</a></td>'
            if x.code.active
            else f'<td><span class="badge muted">revoked</span> {when(x.code.revoked_at, zone)}</td>'
        )
        + "</tr>"
        for x in listings
    )
    table = (
        '<table id="join-codes"><thead><tr><th scope="col">Code</th><th scope="col">Cohort</th>'
        '<th scope="col">Sign-up link (copy it)</th><th scope="col">Joined</th><th scope="col">Created</th>'
        f'<th scope="col">State</th></tr></thead><tbody>{rows}</tbody></table>'
        if rows
        else '<p class="muted">No join codes yet.</p>'
    )
    body = (
        STYLE
        + "<h1>Join codes</h1>"
        + _notice(notice)
        + "<p>Each code is a sign-up page for one cohort (a careers fair, a course, an intake): candidates "
        "who sign up there, and confirm by mail, are registered with the code as their cohort.</p>"
        + '<section class="narrow" aria-labelledby="new-code"><h2 id="new-code">New join code</h2>'
        f'<form method="post" action="{JOIN_CODES}" id="code-form">{csrf_field(csrf)}'
        '<label for="label">Cohort name</label>'
        f'<input id="label" name="label" required maxlength="200" value="{e(label)}"{_described("label", error)}>'
        f"{_error('label', error)}"
        '<p><button type="submit">Create</button></p></form></section>'
        + f'<section aria-labelledby="codes"><h2 id="codes">Every join code</h2>{table}</section>'
    )
    return layout("Join codes", body, branding, adviser=adviser, csrf=csrf, current=JOIN_CODES, panels_url=panels_url)


def revoke_page(branding: Branding, adviser: Adviser, csrf: str, code: JoinCode, joined: int) -> str:
    body = (
        f'<section class="narrow"><h1>Revoke the join code {e(code.join_code)}?</h1>'
        f"<p>Cohort: {e(code.label)}. Its sign-up page stops working at once. The {joined} "
        f"{'candidate who joined with it stays' if joined == 1 else 'candidates who joined with it stay'} registered.</p>"
        f'<form method="post" action="{e(code_path(code.join_code, "revoke"))}">{csrf_field(csrf)}'
        f'<p><button type="submit" id="revoke">Revoke this code</button> <a href="{JOIN_CODES}">Keep it</a></p>'
        "</form></section>"
    )
    return layout("Revoke a join code", body, branding, adviser=adviser, csrf=csrf, current=JOIN_CODES)
