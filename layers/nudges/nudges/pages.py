"""The candidate's own pages (preferences, calendar connect), as plain HTML forms that work
without JavaScript. Every value is HTML-escaped; the answers carry the console's
Content-Security-Policy (no script at all, forms only to this origin, never framed), send no
Referer (the URL holds the candidate's token) and are never cached."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nudges import journey_pages
from nudges.domain.kinds import OPTIONAL_KINDS
from nudges.timefmt import parse_iso

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

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
    "interview_added": "The interview is added: its nudges are planned.",
    "interview_changed": "The interview is changed: its nudges moved with it.",
    "interview_cancelled": "The interview is cancelled: its nudges are withdrawn.",
    "consent_requested": "A text asking you to reply YES is on its way to your phone.",
}
NUDGE_LABELS = {
    "research_prompt": "Research prompt",
    "thank_you": "Thank-you reminder",
    "follow_up": "Follow-up draft",
    "connect": "Connect nudge",
    "rejection_reply": "Reply draft",
}
# A refused field on the settings form: which words (domain.page_words "fields") say why.
FIELD_WORDS = {"channels": "channels", "timezone": "timezone", "phone": "phone", "locale": "locale"}

_STYLE = (
    "body{font-family:sans-serif;max-width:38em;margin:2em auto;padding:0 1em;line-height:1.45}"
    "fieldset{margin:1em 0;border:1px solid #ccc}label{display:block;margin:.3em 0}"
    ".notice{background:#e8f5e9;padding:.5em 1em}.warn{background:#fff3e0;padding:.5em 1em}"
    "code{background:#f4f4f4;padding:.2em .4em;font-size:1.05em}"
)


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def page(title: str, body: str, locale: str | None = None) -> str:
    """Every candidate page: the one shared stylesheet and the operator's band (journey_pages)."""
    return journey_pages.page(title, body, locale)


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
    interviews: list[dict[str, Any]] | None = None  # upcoming, as the timeline has them
    add_interview_url: str | None = None
    edit_url: Callable[[str], str] | None = None  # interview id -> its edit page (added by hand)
    outcome_url: Callable[[str], str] | None = None  # application id -> its outcome page
    errors: Mapping[str, str] | None = None  # a refused settings form: field -> why
    values: Mapping[str, list[str]] | None = None  # ... and what the candidate typed


def _check(name: str, value: str, checked: bool, label: str, *, disabled: bool = False, note: str = "") -> str:
    attrs = (" checked" if checked else "") + (" disabled" if disabled else "")
    extra = f" <small>{e(note)}</small>" if note else ""
    return (
        f'<label class="check"><input type="checkbox" name="{e(name)}" value="{e(value)}" data-testid="{e(name)}-{e(value)}"'
        f"{attrs}><span>{e(label)}{extra}</span></label>"
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
    values = view.values or {}
    errors = view.errors or {}
    chosen = values.get("channels", list(c.channels)) if view.values is not None else list(c.channels)
    channels = [
        _check("channels", "email", "email" in chosen, "Email", note=f"to {c.email}"),
        _check("channels", "sms", "sms" in chosen, "Text messages", note=sms_note),
    ]
    if errors:
        parts.append(
            '<div class="summary" role="alert"><p>Nothing was changed: please check the fields marked below.</p></div>'
        )
    state = journey_pages.FormState({"phone": [c.phone or ""], "timezone": [c.timezone], **values}, {}, c.locale)

    def error(name: str) -> str:
        why = errors.get(name)
        return f'<p class="error" id="{name}-error" role="alert">{e(why)}</p>' if why else ""

    def zone_select() -> str:
        chosen_zone = state.value("timezone", c.timezone)
        options = "".join(
            f'<option value="{e(v)}"{" selected" if v == chosen_zone else ""}>{e(t)}</option>'
            for v, t in journey_pages.zone_options()
        )
        invalid = ' aria-invalid="true" aria-describedby="timezone-error"' if errors.get("timezone") else ""
        return f'<label for="timezone">Time zone</label>{error("timezone")}<select name="timezone" id="timezone"{invalid}>{options}</select>'

    phone_invalid = (
        ' aria-invalid="true" aria-describedby="phone-hint phone-error"'
        if errors.get("phone")
        else ' aria-describedby="phone-hint"'
    )
    phone_field = (
        '<label for="phone">Mobile number</label>'
        '<p class="hint" id="phone-hint">For text messages. A new number is asked to reply YES before any nudge is texted.</p>'
        + error("phone")
        + f'<input type="tel" name="phone" id="phone" value="{e(state.value("phone"))}" autocomplete="tel"{phone_invalid}>'
        + journey_pages.select(
            state,
            "country",
            "Country of the number (for a number without +)",
            journey_pages.COUNTRIES,
            journey_pages.country_for(c.timezone),
        )
    )
    kinds = [
        _check("kinds_off", kind, kind in c.kinds_off, f"Don't send: {KIND_LABELS[kind]}") for kind in OPTIONAL_KINDS
    ]
    locales = "".join(
        f'<option value="{v}"{" selected" if c.locale == v else ""}>{label}</option>'
        for v, label in (("en-GB", "English (UK)"), ("en-US", "English (US)"))
    )
    parts.append(
        f'<form method="post" action="{action}" id="settings">'
        f"<fieldset><legend>How to reach you</legend>{error('channels')}{''.join(channels)}{phone_field}</fieldset>"
        "<fieldset><legend>Pause</legend>"
        + _check("paused", "on", c.paused, "Pause all nudges (the welcome aside, nothing is sent while paused)")
        + "</fieldset>"
        f"<fieldset><legend>Which nudges</legend>{''.join(kinds)}</fieldset>"
        "<fieldset><legend>Time and language</legend>"
        + zone_select()
        + f'<label for="locale">Language</label>{error("locale")}<select name="locale" id="locale">{locales}</select></fieldset>'
        '<button type="submit" id="save">Save</button></form>'
    )
    parts.append(_interviews(view))
    if "sms" in c.channels and c.phone and c.awaiting_sms_consent and not view.sms_opted_out:
        parts.append(
            "<h2>Texts</h2><p>Texts start once you reply YES to our text. Lost it?</p>"
            f'<form method="post" action="{action}"><input type="hidden" name="ask_consent" value="on">'
            '<button type="submit" id="ask-consent">Text me again</button></form>'
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
    names = {"google": "Google Calendar", "microsoft": "Microsoft Outlook"}
    offered = [
        f'<a href="{e(url)}" id="connect-{e(p)}">{e(names.get(p, p))}</a>'
        for p, url in view.connect_urls.items()
        if url
    ]
    if offered:  # only the providers whose OAuth client the operator has set up
        parts.append(f"<p>Connect: {' · '.join(offered)}</p>")
    parts.append(
        "<h2>Erase me</h2><p>Erases everything stored about you and stops every nudge. It cannot be undone.</p>"
        f'<form method="post" action="{action}"><input type="hidden" name="erase" value="on">'
        '<label>Type <strong>erase</strong> to confirm: <input type="text" name="confirm" id="confirm" autocomplete="off"></label>'
        '<button type="submit" id="erase">Erase my data</button></form>'
    )
    return page("Your Interview Nudges", "\n".join(parts))


def _interviews(view: PreferencesView) -> str:
    """Upcoming interviews with their nudges; edit or cancel for those added by hand; the
    outcome page of each application; the add-an-interview link."""
    zone = view.candidate.zone
    rows = []
    seen_applications: set[str] = set()
    for interview in view.interviews or []:
        start = journey_pages.when(_parse(interview["start"]).astimezone(zone))
        company = interview.get("company") or ""
        nudges = "".join(
            f"<li>{e(NUDGE_LABELS.get(n['kind'], n['kind']))}: {e(_nudge_status(n, zone))}</li>"
            for n in interview["nudges"]
            if n["kind"] in NUDGE_LABELS
        )
        actions = []
        if interview.get("source") == "hand" and view.edit_url and interview["status"] == "scheduled":
            actions.append(f'<a href="{e(view.edit_url(interview["interview_id"]))}">Change or cancel</a>')
        application = interview.get("application_id")
        if application and view.outcome_url and application not in seen_applications:
            seen_applications.add(application)
            actions.append(f'<a href="{e(view.outcome_url(application))}">Tell us how it went</a>')
        rows.append(
            f'<li data-interview="{e(interview["interview_id"])}"><strong>{e(interview["title"])}</strong>'
            f"{' at ' + e(company) if company and company != interview['title'] else ''}, {e(start)}"
            f"<ul>{nudges}</ul>{' · '.join(actions)}</li>"
        )
    listing = f'<ul class="plain">{"".join(rows)}</ul>' if rows else "<p>No interviews ahead.</p>"
    add = (
        f'<p><a class="button" href="{e(view.add_interview_url)}" id="add-interview">Add an interview</a></p>'
        if view.add_interview_url
        else ""
    )
    return f"<h2>Your interviews</h2>{listing}{add}"


def _parse(value: str) -> Any:
    return parse_iso(value)


def _nudge_status(nudge: dict[str, Any], zone: Any) -> str:
    due = journey_pages.when(_parse(nudge["due_at"]).astimezone(zone)) if nudge.get("due_at") else ""
    status = nudge["status"]
    if status == "scheduled":
        return f"planned for {due}" if due else "planned"
    if status == "sent":
        return "sent"
    return f"{status}" + (f" ({nudge['reason']})" if nudge.get("reason") else "")
