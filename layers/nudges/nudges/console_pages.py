"""The advisers' console as plain HTML: forms that work without JavaScript, every value escaped.

Pages take what the services read and the adviser's own time zone (times are shown there, as
the service's clock has them); they never read or decide anything themselves. Accessibility
(WCAG 2.2 AA, checked with axe-core in the browser tests): one ``h1`` and a ``main`` landmark
per page, a skip link, labelled fields with their errors beside them (``aria-describedby``),
table headers with scope, visible focus, colour contrast of at least 4.5:1. The answers carry the
candidate pages' headers (no script at all, forms only to this origin, never framed, no cache).
"""

from __future__ import annotations

import html
import urllib.parse
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from nudges.adapters.audit_log import AuditEntry
    from nudges.adapters.console_sessions import PendingSignIn
    from nudges.domain.advisers import Adviser
    from nudges.domain.messages import Branding
    from nudges.services.adviser_views import Found, Row

SIGN_IN = "/console/sign-in"
CANDIDATES = "/console/candidates"
SETTINGS = "/console/settings"
SIGN_OUT = "/console/sign-out"
AUDIT = "/console/audit"
AUDIT_CSV = "/console/audit.csv"
OUTCOME_LABELS = {"offer": "Offer", "rejected": "Rejected", "withdrawn": "Withdrawn"}
ACTION_LABELS = {"outcome": "Recorded an outcome", "consent_request": "Resent the consent request", "erase": "Erased"}
ACTION_LABELS |= {  # nudges.console_candidates
    "register": "Added a candidate",
    "update": "Edited a candidate",
    "interview_added": "Added an interview by hand",
    "interview_changed": "Moved an interview",
    "interview_cancelled": "Cancelled an interview",
}
ACTION_LABELS |= {  # managing advisers and join codes (console_advisers)
    "adviser_invite": "Invited an adviser",
    "adviser_invite_again": "Sent an invitation again",
    "adviser_role": "Changed a role",
    "adviser_disable": "Disabled an adviser",
    "adviser_enable": "Enabled an adviser",
    "adviser_remove": "Removed an adviser",
    "join_code_create": "Created a join code",
    "join_code_revoke": "Revoked a join code",
}

# Why a channel does not reach a candidate, in an adviser's words (the API's reason codes).
REASONS = {
    "not_chosen": "not chosen",
    "unsubscribed": "unsubscribed from email",
    "bounced": "email bounced",
    "complained": "marked an email as spam",
    "opted_out": "texted STOP",
    "awaiting_sms_consent": "has not replied YES to texts yet",
    "awaiting_whatsapp_consent": "no WhatsApp opt-in yet",
    "paused": "paused all nudges",
    "no_phone": "no phone number",
}
FILTER_LABELS = {
    "": "Everyone",
    "unreachable": "Unreachable",
    "awaiting_consent": "Awaiting consent (any channel)",
    "paused": "Paused",
    "bounced": "Email bounced or complained",
}
KIND_LABELS = {
    "welcome": "Welcome",
    "research_prompt": "Research prompt",
    "thank_you": "Thank-you",
    "follow_up": "Follow-up",
    "rejection_reply": "Rejection reply",
    "connect": "Connect",
    "sms_reply": "Reply to a text",
    "invite_receipt": "Invite received",
    "consent_request": "Consent request",
    "email_changed": "Email change notice (to the old address)",
}

STYLE = """
:root{--ink:#1b1f29;--muted:#4a5262;--line:#d5d9e0;--brand:#1d3a6e;--bg:#f5f6f8;--ok:#0b5d3b;--warn:#7a3d00;--bad:#9b1c1c}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--ink);background:var(--bg)}
a{color:var(--brand)}a:focus,button:focus,input:focus,select:focus{outline:3px solid #f2a900;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.4rem .8rem;z-index:2}
header{background:var(--brand);color:#fff;padding:.7rem 1.5rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header a{color:#fff}header .brand{font-weight:700;font-size:1.1rem;margin-right:auto}
header nav ul{list-style:none;display:flex;gap:1rem;margin:0;padding:0}
header nav a[aria-current=page]{text-decoration-thickness:3px}
header form{margin:0}header button{background:transparent;color:#fff;border:1px solid #fff}
main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem 3rem}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
h1{font-size:1.6rem;margin:.6rem 0}h2{font-size:1.2rem;margin:.2rem 0 .6rem}h3{font-size:1.05rem;margin:.8rem 0 .3rem}
label{display:block;font-weight:600;margin:.6rem 0 .2rem}
input,select{font:inherit;padding:.4rem .5rem;border:1px solid #6b7280;border-radius:4px;max-width:100%}
button{font:inherit;padding:.4rem .9rem;border:1px solid var(--brand);border-radius:4px;background:var(--brand);color:#fff;cursor:pointer}
.error{color:var(--bad);font-weight:600;margin:.2rem 0}.notice{background:#e6f4ea;border-left:4px solid var(--ok);padding:.5rem .8rem}
.muted{color:var(--muted)}.id{font:13px ui-monospace,monospace}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}
.badge{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.85rem;border:1px solid currentColor}
.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}
.search{display:flex;flex-wrap:wrap;gap:.8rem;align-items:flex-end}.search label{margin:0 0 .2rem}
.pager{margin-top:1rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0}
.narrow{max-width:28rem}
"""
STATUS_CLASS = {
    "sent": "ok",
    "delivered": "ok",
    "read": "ok",
    "completed": "ok",
    "scheduled": "muted",
    "skipped": "warn",
    "cancelled": "muted",
    "delayed": "warn",
    "bounced": "bad",
    "complained": "bad",
    "failed": "bad",
}


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def when(value: str | datetime | None, zone: str) -> str:
    """'Tue 4 Mar 2031, 09:00 GMT' in the adviser's zone."""
    if not value:
        return "—"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        return "—"
    local = moment.astimezone(ZoneInfo(zone))
    return e(f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}")


def badge(status: str) -> str:
    return f'<span class="badge {STATUS_CLASS.get(status, "muted")}">{e(status)}</span>'


def reason(code: str | None) -> str:
    return e(REASONS.get(code or "", code or ""))


def csrf_field(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{e(token)}">'


def layout(
    title: str,
    body: str,
    branding: Branding,
    *,
    adviser: Adviser | None = None,
    csrf: str = "",
    current: str = "",
    panels_url: str = "",
) -> str:
    nav = ""
    if adviser is not None:
        links = [(CANDIDATES, "Candidates"), (SETTINGS, "Settings")]
        links += [("/console/join-codes", "Join codes"), *[("/console/advisers", "Advisers")] * adviser.is_admin]
        links.insert(1, ("/console/reports", "Reports"))
        if adviser.is_admin:
            links.append((AUDIT, "Audit log"))
        if panels_url:
            links.append((panels_url, "Clock and outbox (local stack)"))
        items = "".join(
            f'<li><a href="{e(href)}"{" aria-current=page" if href == current else ""}>{e(label)}</a></li>'
            for href, label in links
        )
        role = "admin" if adviser.is_admin else "adviser"
        nav = (
            f'<nav aria-label="Console"><ul>{items}</ul></nav>'
            f"<span>{e(adviser.email)} ({role})</span>"
            f'<form method="post" action="{SIGN_OUT}">{csrf_field(csrf)}<button type="submit">Sign out</button></form>'
        )
    operator = branding.operator_name or "Interview Nudges"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} — {e(operator)} advisers' console</title><style>{STYLE}</style></head>\n"
        '<body><a class="skip" href="#main">Skip to the content</a>'
        f'<header><span class="brand">{e(operator)} · advisers\' console</span>{nav}</header>'
        f'<main id="main">{body}</main></body></html>\n'
    )


def _error(field_id: str, message: str) -> str:
    return f'<p class="error" id="{field_id}-error">{e(message)}</p>' if message else ""


def _described(field_id: str, message: str) -> str:
    return f' aria-describedby="{field_id}-error" aria-invalid="true"' if message else ""


def sign_in_page(branding: Branding, csrf: str, *, email: str = "", error: str = "", notice: str = "") -> str:
    body = (
        '<section class="narrow"><h1>Sign in</h1>'
        + (f'<p class="notice" role="status">{e(notice)}</p>' if notice else "")
        + f'<form method="post" action="{SIGN_IN}">{csrf_field(csrf)}'
        '<label for="email">Email address</label>'
        f'<input id="email" name="email" type="email" autocomplete="username" required value="{e(email)}"'
        f"{_described('email', error)}>"
        '<label for="password">Password</label>'
        f'<input id="password" name="password" type="password" autocomplete="current-password" required'
        f"{_described('email', error)}>"
        f"{_error('email', error)}"
        '<p><button type="submit">Sign in</button></p></form>'
        '<p class="muted">Forgotten your password, or no account yet? Ask an admin of this console.</p></section>'
    )
    return layout("Sign in", body, branding)


def challenge_page(branding: Branding, pending: PendingSignIn, *, error: str = "") -> str:
    action = f"{SIGN_IN}/answer"
    if pending.challenge_name == "NEW_PASSWORD_REQUIRED":
        fields = (
            "<h1>Choose your password</h1>"
            "<p>This is your first sign-in: choose a password of your own (at least 12 characters, "
            "with lower-case letters and numbers).</p>"
            '<label for="new_password">New password</label>'
            '<input id="new_password" name="new_password" type="password" autocomplete="new-password" required'
            f' minlength="12"{_described("new_password", error)}>'
            '<label for="confirm">The same password again</label>'
            '<input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="12">'
            f"{_error('new_password', error)}"
        )
    else:
        fields = (
            "<h1>Enter your code</h1><p>Open your authenticator app and enter the 6-digit code for this console.</p>"
            '<label for="code">Code</label>'
            '<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required'
            f"{_described('code', error)}>"
            f"{_error('code', error)}"
        )
    body = (
        f'<section class="narrow"><form method="post" action="{action}">{csrf_field(pending.csrf)}{fields}'
        '<p><button type="submit">Continue</button></p></form></section>'
    )
    return layout("Sign in", body, branding)


def message_page(branding: Branding, title: str, text: str, *, adviser: Adviser | None = None, csrf: str = "") -> str:
    body = f'<section><h1>{e(title)}</h1><p>{e(text)}</p><p><a href="{CANDIDATES}">Candidates</a></p></section>'
    return layout(title, body, branding, adviser=adviser, csrf=csrf)


def _reach_cell(row: Row) -> str:
    parts = []
    for channel in row.candidate.channels:
        why = row.reasons.get(channel)
        if why:
            parts.append(f'<span class="bad">{e(channel)}: {reason(why)}</span>')
        else:
            parts.append(f'<span class="ok">{e(channel)}: reachable</span>')
    return "<br>".join(parts)


def candidates_page(
    branding: Branding,
    adviser: Adviser,
    csrf: str,
    found: Found,
    *,
    query: str,
    filter_: str,
    cohort: str,
    zone: str,
    panels_url: str = "",
    notice: str = "",
) -> str:
    options = "".join(
        f'<option value="{e(k)}"{" selected" if k == filter_ else ""}>{e(v)}</option>' for k, v in FILTER_LABELS.items()
    )
    rows = []
    for row in found.rows:
        c = row.candidate
        rows.append(
            f'<tr data-candidate="{e(c.candidate_id)}"><td><a href="{CANDIDATES}/{e(c.candidate_id)}">'
            f"{e(c.name or c.email)}</a></td><td>{e(c.email)}</td><td>{_reach_cell(row)}</td>"
            f"<td>{'paused' if c.paused else ''}</td>"
            f"<td>{e(getattr(c, 'join_code', '') or '')}</td><td>{when(c.created_at, zone)}</td></tr>"
        )
    table = (
        '<table><caption class="muted">Newest registration first</caption><thead><tr>'
        '<th scope="col">Name</th><th scope="col">Email</th><th scope="col">Reachable</th>'
        '<th scope="col">Paused</th><th scope="col">Cohort</th><th scope="col">Registered</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p id="none">No candidate matches.</p>'
    )
    pager = ""
    if found.next_cursor:
        params = urllib.parse.urlencode({"q": query, "filter": filter_, "cohort": cohort, "cursor": found.next_cursor})
        pager = f'<p class="pager"><a href="{CANDIDATES}?{e(params)}" rel="next">More candidates</a></p>'
    body = (
        "<h1>Candidates</h1>"
        + (f'<p class="notice" role="status" id="notice">{e(notice)}</p>' if notice else "")
        + f'<p id="act"><a href="{CANDIDATES}/new">Add a candidate</a> · <a href="{CANDIDATES}/import">Import a CSV</a></p>'
        + f'<section><form method="get" action="{CANDIDATES}" class="search" role="search">'
        f'<div><label for="q">Name or email</label><input id="q" name="q" type="search" value="{e(query)}"></div>'
        f'<div><label for="filter">Show</label><select id="filter" name="filter">{options}</select></div>'
        f'<div><label for="cohort">Cohort (join code)</label><input id="cohort" name="cohort" value="{e(cohort)}"></div>'
        '<div><button type="submit">Find</button></div></form></section>'
        f'<section aria-labelledby="results"><h2 id="results">{len(found.rows)} shown</h2>{table}{pager}</section>'
    )
    return layout("Candidates", body, branding, adviser=adviser, csrf=csrf, current=CANDIDATES, panels_url=panels_url)


def settings_page(
    branding: Branding, adviser: Adviser, csrf: str, zone: str, zones: list[str], *, saved: bool, error: str = ""
) -> str:
    options = "".join(f'<option value="{e(z)}"{" selected" if z == zone else ""}>{e(z)}</option>' for z in zones)
    body = (
        "<h1>Settings</h1>"
        + ('<p class="notice" role="status">Saved.</p>' if saved else "")
        + f'<section class="narrow"><form method="post" action="{SETTINGS}">{csrf_field(csrf)}'
        '<label for="timezone">Your time zone (times in the console are shown in it)</label>'
        f'<select id="timezone" name="timezone"{_described("timezone", error)}>{options}</select>'
        f"{_error('timezone', error)}"
        '<p><button type="submit">Save</button></p></form></section>'
    )
    return layout("Settings", body, branding, adviser=adviser, csrf=csrf, current=SETTINGS)


def audit_page(
    branding: Branding, adviser: Adviser, csrf: str, entries: list[AuditEntry], *, zone: str, panels_url: str = ""
) -> str:
    rows = "".join(
        f'<tr data-action="{e(x.action)}" data-candidate="{e(x.candidate_id)}">'
        f'<td>{when(x.at, zone)}</td><td>{e(x.adviser_email)}<br><span class="id">{e(x.adviser_sub)}</span></td>'
        f"<td>{e(ACTION_LABELS.get(x.action, x.action))}: {e(x.detail)}</td>"
        f'<td><span class="id">{e(x.candidate_id)}</span><br>{e(x.subject) or '<span class="muted">—</span>'}</td>'
        f'<td class="id">{e(x.interview_id) or "—"}</td></tr>'
        for x in entries
    )
    table = (
        '<table id="audit"><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th>'
        f'<th scope="col">Candidate</th><th scope="col">Interview</th></tr></thead><tbody>{rows}</tbody></table>'
        if rows
        else '<p class="muted">No adviser actions yet.</p>'
    )
    body = (
        "<h1>Audit log</h1><p>Every adviser action, newest first. An erased candidate keeps only their id here."
        f' <a href="{AUDIT_CSV}">Download as CSV</a></p><section>{table}</section>'
    )
    return layout("Audit log", body, branding, adviser=adviser, csrf=csrf, current=AUDIT, panels_url=panels_url)
