"""The candidate's own pages (preferences, calendar connect), as plain HTML forms that work
without JavaScript. Every value is HTML-escaped; the answers carry the console's
Content-Security-Policy (no script at all, forms only to this origin, never framed), send no
Referer (the URL holds the candidate's token) and are never cached."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nudges.domain.kinds import OPTIONAL_KINDS

if TYPE_CHECKING:
    from nudges.adapters.calendar_connections import CalendarConnection
    from nudges.domain.candidate import Candidate

CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
KIND_LABELS = {
    "research_prompt": "Research prompt before each interview",
    "thank_you": "Thank-you reminder after each interview",
    "connect": "Connect nudge when an offer arrives",
    "follow_up": "Follow-up draft when nothing is heard back",
    "rejection_reply": "Reply draft after a rejection",
}
NOTICES = {
    "saved": "Your choices are saved.",
    "resubscribed": "Emails are back on.",
    "disconnected": "The calendar is disconnected.",
    "connected": "Your calendar is connected.",
}

_STYLE = (
    "body{font-family:sans-serif;max-width:38em;margin:2em auto;padding:0 1em;line-height:1.45}"
    "fieldset{margin:1em 0;border:1px solid #ccc}label{display:block;margin:.3em 0}"
    ".notice{background:#e8f5e9;padding:.5em 1em}.warn{background:#fff3e0;padding:.5em 1em}"
    "code{background:#f4f4f4;padding:.2em .4em;font-size:1.05em}"
)


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def message_page(title: str, text: str) -> str:
    return page(title, f"<h1>{e(title)}</h1><p>{e(text)}</p>")


@dataclass(frozen=True)
class PreferencesView:
    """What the preferences page shows, read when it is asked for."""

    candidate: Candidate
    action: str  # the form's own path (/preferences/<token>)
    email_suppression: str | None  # why email is off at our end (unsubscribed, bounced, complained)
    sms_opted_out: bool
    calendars: list[CalendarConnection]
    connect_urls: dict[str, str]
    forwarding_address: str | None
    notice: str = ""


def _check(name: str, value: str, checked: bool, label: str, *, disabled: bool = False, note: str = "") -> str:
    attrs = (" checked" if checked else "") + (" disabled" if disabled else "")
    extra = f" <small>{e(note)}</small>" if note else ""
    return (
        f'<label><input type="checkbox" name="{e(name)}" value="{e(value)}" data-testid="{e(name)}-{e(value)}"'
        f"{attrs}> {e(label)}{extra}</label>"
    )


def preferences(view: PreferencesView) -> str:
    c = view.candidate
    action = e(view.action)
    parts = [f"<h1>Your Interview Nudges</h1><p>For {e(c.name or c.email)}</p>"]
    if view.notice in NOTICES:
        parts.append(f'<p class="notice" role="status">{e(NOTICES[view.notice])}</p>')
    sms_note = ""
    if not c.phone:
        sms_note = "(no phone number registered)"
    elif view.sms_opted_out:
        sms_note = "(you replied STOP; reply START to turn texts back on)"
    elif c.awaiting_sms_consent:
        sms_note = "(reply YES to our text to start getting texts)"
    channels = [
        _check("channels", "email", "email" in c.channels, "Email", note=f"to {c.email}"),
        _check("channels", "sms", "sms" in c.channels, "Text messages", disabled=not c.phone, note=sms_note),
    ]
    kinds = [
        _check("kinds_off", kind, kind in c.kinds_off, f"Don't send: {KIND_LABELS[kind]}") for kind in OPTIONAL_KINDS
    ]
    locales = "".join(
        f'<option value="{v}"{" selected" if c.locale == v else ""}>{label}</option>'
        for v, label in (("en-GB", "English (UK)"), ("en-US", "English (US)"))
    )
    parts.append(
        f'<form method="post" action="{action}" id="settings">'
        f"<fieldset><legend>How to reach you</legend>{''.join(channels)}</fieldset>"
        "<fieldset><legend>Pause</legend>"
        + _check("paused", "on", c.paused, "Pause all nudges (the welcome aside, nothing is sent while paused)")
        + "</fieldset>"
        f"<fieldset><legend>Which nudges</legend>{''.join(kinds)}</fieldset>"
        "<fieldset><legend>Time and language</legend>"
        f'<label>Time zone (IANA, like Europe/London) <input name="timezone" id="timezone" value="{e(c.timezone)}"'
        ' required maxlength="64"></label>'
        f'<label>Language <select name="locale" id="locale">{locales}</select></label></fieldset>'
        '<button type="submit" id="save">Save</button></form>'
    )
    if view.email_suppression == "unsubscribed":
        parts.append(
            '<h2>Email</h2><p class="warn">You unsubscribed from our emails.</p>'
            f'<form method="post" action="{action}"><input type="hidden" name="resubscribe_email" value="on">'
            '<button type="submit" id="resubscribe">Email me again</button></form>'
        )
    elif view.email_suppression:
        parts.append(
            f'<h2>Email</h2><p class="warn">Email to {e(c.email)} is off because it {e(view.email_suppression)}; '
            "ask the service's operator to look into it.</p>"
        )
    parts.append("<h2>Forward your invitations</h2>")
    if view.forwarding_address:
        parts.append(
            "<p>Forward interview invitations (with their calendar file) to:</p>"
            f'<p><code id="forwarding">{e(view.forwarding_address)}</code></p>'
        )
    else:
        parts.append("<p>This service has no forwarding address set up.</p>")
    parts.append("<h2>Calendars</h2>")
    if view.calendars:
        rows = []
        for cal in view.calendars:
            value = f"{cal.provider}:{cal.calendar_id}"
            who = f" ({cal.account_email})" if cal.account_email else ""
            rows.append(
                f'<li data-calendar="{e(value)}">{e(cal.provider.title())} {e(cal.calendar_id)}{e(who)} '
                f'<form method="post" action="{action}" style="display:inline">'
                f'<input type="hidden" name="disconnect" value="{e(value)}">'
                f'<button type="submit" data-testid="disconnect-{e(value)}">Disconnect</button></form></li>'
            )
        parts.append(f"<ul>{''.join(rows)}</ul>")
    else:
        parts.append("<p>No calendar connected.</p>")
    parts.append(
        f'<p>Connect: <a href="{e(view.connect_urls["google"])}" id="connect-google">Google Calendar</a> · '
        f'<a href="{e(view.connect_urls["microsoft"])}" id="connect-microsoft">Microsoft Outlook</a></p>'
    )
    parts.append(
        "<h2>Erase me</h2><p>Erases everything stored about you and stops every nudge. It cannot be undone.</p>"
        f'<form method="post" action="{action}"><input type="hidden" name="erase" value="on">'
        '<label>Type <strong>erase</strong> to confirm: <input name="confirm" id="confirm" autocomplete="off"></label>'
        '<button type="submit" id="erase">Erase my data</button></form>'
    )
    return page("Your Interview Nudges", "\n".join(parts))
