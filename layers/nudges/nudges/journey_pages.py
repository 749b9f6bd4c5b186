"""The candidate's self-service pages, rendered: join, check your inbox, confirm, add or change an
interview, the outcome page, and the one error page every candidate page answers with.

Made for phones first: one small stylesheet (``STYLE``) shared by every candidate page (the
preferences and connect pages too, through ``nudges.pages``), readable without zoom, tap targets
of 44 px and more, the operator's name and colour (``OperatorName``, ``OperatorColour``) at the
top. WCAG 2.2 AA: every field has a label tied to it, an error is written beside its field,
announced (``role="alert"``) and tied to it (``aria-describedby``, ``aria-invalid``), focus is
always visible, text contrast is 4.5:1 or more. Plain HTML forms: nothing needs JavaScript.
Every value is HTML-escaped; every string comes from ``domain.page_words`` in the page's locale.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

from nudges import config
from nudges.domain.page_words import say, strings

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

DEFAULT_COLOUR = "#1a5fb4"  # 6.4:1 against white
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
LANGUAGES = (("en-GB", "English (UK)"), ("en-US", "English (US)"))
# A phone number typed without a +: the country it is read in (the default zone's, preselected).
COUNTRIES = (
    ("GB", "United Kingdom (+44)"),
    ("IE", "Ireland (+353)"),
    ("US", "United States (+1)"),
    ("CA", "Canada (+1)"),
    ("AU", "Australia (+61)"),
    ("NZ", "New Zealand (+64)"),
    ("IN", "India (+91)"),
    ("DE", "Germany (+49)"),
    ("FR", "France (+33)"),
    ("ES", "Spain (+34)"),
    ("IT", "Italy (+39)"),
    ("NL", "Netherlands (+31)"),
    ("PT", "Portugal (+351)"),
    ("BR", "Brazil (+55)"),
    ("JP", "Japan (+81)"),
    ("CN", "China (+86)"),
    ("SG", "Singapore (+65)"),
    ("ZA", "South Africa (+27)"),
)
_ZONE_COUNTRY = {
    "Europe/London": "GB",
    "Europe/Dublin": "IE",
    "America/New_York": "US",
    "America/Chicago": "US",
    "America/Denver": "US",
    "America/Los_Angeles": "US",
    "America/Toronto": "CA",
    "Australia/Sydney": "AU",
    "Pacific/Auckland": "NZ",
    "Asia/Kolkata": "IN",
    "Europe/Berlin": "DE",
    "Europe/Paris": "FR",
    "Europe/Madrid": "ES",
    "Europe/Rome": "IT",
    "Europe/Amsterdam": "NL",
    "Europe/Lisbon": "PT",
    "America/Sao_Paulo": "BR",
    "Asia/Tokyo": "JP",
    "Asia/Shanghai": "CN",
    "Asia/Singapore": "SG",
    "Africa/Johannesburg": "ZA",
}

STYLE = (
    ":root{--brand:%(colour)s;--ink:#1b1b1b;--muted:#4a4a4a;--line:#8a8a8a;--bad:#b00020;--ok:#1e6b34}"
    "*{box-sizing:border-box}"
    "body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);"
    "background:#fff}"
    "header.brand{background:var(--brand);color:#fff;padding:.75rem 1rem;font-weight:600}"
    "main{max-width:40rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}"
    "label,legend{display:block;font-weight:600;margin:.9rem 0 .3rem}"
    ".hint{color:var(--muted);font-size:.95rem;margin:.1rem 0 .4rem}"
    "input[type=text],input[type=email],input[type=tel],input[type=date],input[type=time],input[type=number],"
    "input[type=url],select{display:block;width:100%%;min-height:2.75rem;padding:.5rem .6rem;font:inherit;"
    "border:2px solid var(--line);border-radius:.3rem;background:#fff;color:var(--ink)}"
    "fieldset{border:0;padding:0;margin:1rem 0}"
    ".check{display:flex;gap:.6rem;align-items:flex-start;font-weight:400;margin:.5rem 0;min-height:2.75rem}"
    ".check input{width:1.5rem;height:1.5rem;margin:.1rem 0 0;flex:none}"
    "button,.button{display:inline-block;min-height:2.75rem;min-width:2.75rem;padding:.6rem 1.2rem;font:inherit;"
    "font-weight:600;border:0;border-radius:.3rem;background:var(--brand);color:#fff;text-decoration:none;"
    "cursor:pointer;margin:.75rem 0}"
    "button.secondary{background:#fff;color:var(--brand);border:2px solid var(--brand)}"
    "a{color:var(--brand)}a,button,input,select{outline-offset:2px}"
    ":focus-visible{outline:3px solid #000;box-shadow:0 0 0 5px #ffbf47}"
    ".error{color:var(--bad);font-weight:600;margin:.2rem 0}"
    "[aria-invalid=true]{border-color:var(--bad)!important}"
    ".summary{border:3px solid var(--bad);padding:.5rem 1rem;margin:1rem 0}"
    ".notice{border-left:6px solid var(--ok);background:#eef7f0;padding:.6rem 1rem}"
    ".warn{border-left:6px solid #8a5a00;background:#fff6e5;padding:.6rem 1rem}"
    ".visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
    "white-space:nowrap}"
    ".trap{display:none}"
    "ul.plain{list-style:none;padding:0}ul.plain li{border-top:1px solid #ddd;padding:.6rem 0}"
    "code{background:#f2f2f2;padding:.15rem .35rem;word-break:break-all}"
    "footer{max-width:40rem;margin:2rem auto 1rem;padding:0 1rem;color:var(--muted);font-size:.9rem}"
    "@media (min-width:48rem){body{font-size:1.125rem}}"
)


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def colour() -> str:
    value = os.environ.get("OPERATOR_COLOUR", "").strip()
    return value if _COLOUR.match(value) else DEFAULT_COLOUR


def stylesheet() -> str:
    return STYLE % {"colour": colour()}


def lang_of(locale: str | None) -> str:
    return (locale or "en-GB").split("-")[0]


def page(title: str, body: str, locale: str | None = None) -> str:
    """Every candidate page: the operator's band, the page, a footer naming who runs it."""
    brand = config.branding()
    footer = (
        say("common", "footer_support", locale, operator=brand.operator_name, support=brand.support_email)
        if brand.support_email
        else say("common", "footer", locale, operator=brand.operator_name)
    )
    return (
        f'<!doctype html>\n<html lang="{e(locale or "en-GB")}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} - {e(brand.operator_name)}</title><style>{stylesheet()}</style></head>\n<body>\n"
        f'<header class="brand">{e(brand.operator_name)}</header>\n<main id="main">\n{body}\n</main>\n'
        f"<footer>{e(footer)}</footer>\n</body></html>\n"
    )


# ---------------------------------------------------------------- errors: one renderer for all
_INTERNALS = re.compile(
    r"arn:aws|\b\d{12}\b|(?:^|\s)(?:/[\w.-]+){2,}|\w:\\|Traceback|\.py\b|docs/|secret", re.IGNORECASE
)


def safe_detail(message: str) -> str | None:
    """A refusal's own words when they are plain (a field's message); None when they name an
    internal (an ARN, an account id, a path, a file, a secret, a trace)."""
    return None if not message or _INTERNALS.search(message) else message


def error_page(status: int, locale: str | None = None, detail: str | None = None) -> str:
    """The page for any refusal or fault on a candidate page: a title and plain words, never an
    internal. ``detail`` (a 400's or 409's message about a field) is shown only when plain."""
    known = strings("errors", locale)
    title = known.get(f"title.{status}") or known["title.400" if status < 500 else "title.500"]
    text = known.get(f"text.{status}")
    shown = safe_detail(detail or "") if status in (400, 403, 409, 429) else None
    paragraph = shown or text or (known["text.500"] if status >= 500 else "")
    return page(title, f"<h1>{e(title)}</h1>" + (f"<p>{e(paragraph)}</p>" if paragraph else ""), locale)


# ---------------------------------------------------------------- form pieces
@dataclass
class FormState:
    """A form as shown: its values (the candidate's input, kept on a refusal) and field errors."""

    values: Mapping[str, list[str]] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)  # field -> page_words "fields" key
    locale: str | None = None

    def value(self, name: str, default: str = "", index: int = 0) -> str:
        given = self.values.get(name)
        return given[index] if given and len(given) > index else default

    def chosen(self, name: str) -> list[str]:
        return list(self.values.get(name, []))

    def error(self, name: str) -> str | None:
        key = self.errors.get(name)
        return say("fields", key, self.locale, n=200) if key else None


def _described(fid: str, hint: str | None, error: str | None) -> tuple[str, str]:
    """(attributes tying the field to its hint and error, the hint and error paragraphs)."""
    ids, parts = [], []
    if hint:
        ids.append(f"{fid}-hint")
        parts.append(f'<p class="hint" id="{fid}-hint">{e(hint)}</p>')
    if error:
        ids.append(f"{fid}-error")
        parts.append(f'<p class="error" id="{fid}-error" role="alert">{e(error)}</p>')
    attrs = (f' aria-describedby="{" ".join(ids)}"' if ids else "") + (' aria-invalid="true"' if error else "")
    return attrs, "".join(parts)


def text_input(
    state: FormState,
    name: str,
    label: str,
    *,
    kind: str = "text",
    fid: str | None = None,
    index: int = 0,
    hint: str | None = None,
    required: bool = False,
    autocomplete: str | None = None,
    extra: str = "",
    default: str = "",
) -> str:
    fid = fid or name
    error = state.error(fid)
    attrs, notes = _described(fid, hint, error)
    auto = f' autocomplete="{autocomplete}"' if autocomplete else ""
    req = " required" if required else ""
    value = state.value(name, default, index)
    return (
        f'<label for="{fid}">{e(label)}</label>{notes}'
        f'<input type="{kind}" id="{fid}" name="{name}" value="{e(value)}"{attrs}{auto}{req}{extra}>'
    )


def select(
    state: FormState,
    name: str,
    label: str,
    options: Iterable[tuple[str, str]],
    selected: str,
    *,
    hint: str | None = None,
    autocomplete: str | None = None,
) -> str:
    error = state.error(name)
    attrs, notes = _described(name, hint, error)
    chosen = state.value(name, selected)
    auto = f' autocomplete="{autocomplete}"' if autocomplete else ""
    rows = "".join(
        f'<option value="{e(v)}"{" selected" if v == chosen else ""}>{e(text)}</option>' for v, text in options
    )
    return (
        f'<label for="{name}">{e(label)}</label>{notes}<select id="{name}" name="{name}"{attrs}{auto}>{rows}</select>'
    )


def checkbox(name: str, value: str, label: str, checked: bool, fid: str | None = None) -> str:
    fid = fid or f"{name}-{value}"
    return (
        f'<label class="check" for="{fid}"><input type="checkbox" id="{fid}" name="{name}" value="{e(value)}"'
        f"{' checked' if checked else ''}><span>{e(label)}</span></label>"
    )


def summary(state: FormState) -> str:
    if not state.errors:
        return ""
    return f'<div class="summary" role="alert"><p>{e(say("common", "fix_below", state.locale))}</p></div>'


def zone_options() -> list[tuple[str, str]]:
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/")))
    return [(z, z.replace("_", " ")) for z in zones]


def default_zone() -> str:
    zone = os.environ.get("DEFAULT_TIMEZONE", "").strip() or "Europe/London"
    return zone if zone in available_timezones() else "Europe/London"


def country_for(zone: str) -> str:
    return _ZONE_COUNTRY.get(zone, "GB")


# ---------------------------------------------------------------- join
@dataclass(frozen=True)
class JoinView:
    action: str
    label: str
    channels: tuple[str, ...]
    state: FormState


def consent_text(channel: str, locale: str | None = None) -> str:
    """The exact words of a consent box, as shown and as kept as evidence."""
    return say("join", f"consent.{channel}", locale, operator=config.branding().operator_name)


def join(view: JoinView) -> str:
    s = view.state
    w = strings("join", s.locale)
    zone = default_zone()
    chosen = s.chosen("channels") or (["email"] if not s.values else [])
    channel_boxes = "".join(checkbox("channels", c, w[f"channel.{c}"], c in chosen) for c in view.channels)
    channels_error = s.error("channels")
    consent = "".join(
        checkbox(f"consent_{c}", "on", consent_text(c, s.locale), s.value(f"consent_{c}") == "on")
        for c in view.channels
        if c != "email"
    )
    body = (
        f"<h1>{e(w['title'])}</h1>"
        f"<p>{e(say('join', 'intro', s.locale, operator=config.branding().operator_name))}</p>"
        f'<p class="notice">{e(say("join", "cohort", s.locale, label=view.label))}</p>'
        + summary(s)
        + f'<form method="post" action="{e(view.action)}" novalidate>'
        + text_input(s, "name", w["name"], autocomplete="name")
        + text_input(s, "email", w["email"], kind="email", hint=w["email_hint"], required=True, autocomplete="email")
        + '<fieldset><legend id="channels-legend">'
        + e(w["channels"])
        + "</legend>"
        + (f'<p class="error" id="channels-error" role="alert">{e(channels_error)}</p>' if channels_error else "")
        + channel_boxes
        + "</fieldset>"
        + text_input(s, "phone", w["phone"], kind="tel", hint=w["phone_hint"], autocomplete="tel")
        + select(s, "country", w["country"], COUNTRIES, country_for(zone))
        + (f"<fieldset><legend>{e(w['consent_hint'])}</legend>{consent}</fieldset>" if consent else "")
        + select(s, "timezone", w["timezone"], zone_options(), zone, hint=w["timezone_hint"])
        + select(s, "locale", w["locale"], LANGUAGES, s.locale or "en-GB")
        + f'<div class="trap" aria-hidden="true"><label for="website">{e(w["honeypot"])}</label>'
        '<input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>'
        f'<button type="submit" id="submit">{e(w["submit"])}</button></form>'
    )
    return page(w["title"], body, s.locale)


def join_sent(email: str, locale: str | None) -> str:
    w = strings("join_sent", locale)
    return page(
        w["title"],
        f'<h1>{e(w["title"])}</h1><p role="status">{e(say("join_sent", "text", locale, email=email))}</p>',
        locale,
    )


def verify(action: str, email: str, locale: str | None) -> str:
    w = strings("verify", locale)
    return page(
        w["title"],
        f"<h1>{e(w['title'])}</h1><p>{e(say('verify', 'text', locale, email=email))}</p>"
        f'<form method="post" action="{e(action)}"><button type="submit" id="confirm">{e(w["submit"])}</button></form>',
        locale,
    )


def verified(new: bool, preferences_url: str | None, locale: str | None) -> str:
    w = strings("verified", locale)
    link = f'<p><a class="button" href="{e(preferences_url)}">{e(w["preferences"])}</a></p>' if preferences_url else ""
    return page(
        w["title"], f'<h1>{e(w["title"])}</h1><p role="status">{e(w["text" if new else "known"])}</p>{link}', locale
    )


def email_verify(action: str, email: str, locale: str | None) -> str:
    """The link mailed to a candidate's new address: one confirm button (a GET changes nothing)."""
    w = strings("email_verify", locale)
    return page(
        w["title"],
        f"<h1>{e(w['title'])}</h1><p>{e(say('email_verify', 'text', locale, email=email))}</p>"
        f'<form method="post" action="{e(action)}"><button type="submit" id="confirm">{e(w["submit"])}</button></form>',
        locale,
    )


def email_verified(email: str, preferences_url: str, locale: str | None) -> str:
    w = strings("email_verified", locale)
    return page(
        w["title"],
        f'<h1>{e(w["title"])}</h1><p role="status">{e(say("email_verified", "text", locale, email=email))}</p>'
        f'<p><a class="button" href="{e(preferences_url)}">{e(w["preferences"])}</a></p>',
        locale,
    )


# ---------------------------------------------------------------- add or change an interview
@dataclass(frozen=True)
class InterviewView:
    action: str
    back: str
    state: FormState
    editing: bool = False
    read_only_source: str | None = None  # a calendar's or provider's booking: shown, not changed
    cancelled: bool = False
    cancel_action: str | None = None


def interview_form(view: InterviewView) -> str:
    s = view.state
    w = strings("interview", s.locale)
    title = w["title_edit" if view.editing else "title_new"]
    disabled = " disabled" if view.read_only_source or view.cancelled else ""
    rows = max(2, len([n for n in s.chosen("interviewer_name") if n.strip()]) + 1)
    people = "".join(
        text_input(
            s,
            "interviewer_name",
            say("interview", "interviewer_name", s.locale, n=i + 1),
            fid=f"interviewer_name_{i + 1}",
            index=i,
            extra=disabled,
        )
        + text_input(
            s,
            "interviewer_email",
            say("interview", "interviewer_email", s.locale, n=i + 1),
            kind="email",
            fid=f"interviewer_email_{i + 1}",
            index=i,
            hint=say("common", "optional", s.locale),
            extra=disabled,
        )
        for i in range(min(rows, 8))
    )
    notes = ""
    if view.read_only_source:
        notes = f'<p class="warn">{e(say("interview", "read_only", s.locale, source=view.read_only_source))}</p>'
    elif view.cancelled:
        notes = f'<p class="warn">{e(w["cancelled"])}</p>'
    body = (
        f"<h1>{e(title)}</h1>"
        + ("" if view.editing else f"<p>{e(w['intro'])}</p>")
        + notes
        + summary(s)
        + f'<form method="post" action="{e(view.action)}" novalidate>'
        + text_input(s, "company", w["company"], required=True, autocomplete="organization", extra=disabled)
        + text_input(s, "role", w["role"], autocomplete="organization-title", extra=disabled)
        + text_input(s, "date", w["date"], kind="date", required=True, extra=disabled)
        + text_input(s, "time", w["time"], kind="time", required=True, extra=disabled)
        + text_input(s, "duration", w["duration"], kind="number", default="60", extra=' min="5" max="600"' + disabled)
        + select(s, "timezone", w["timezone"], zone_options(), s.value("timezone", default_zone()))
        + f'<fieldset><legend>{e(w["interviewers"])}</legend><p class="hint">{e(w["interviewers_hint"])}</p>{people}'
        "</fieldset>"
        + text_input(s, "location", w["location"], extra=disabled)
        + (
            ""
            if disabled
            else f'<button type="submit" id="submit">{e(w["submit_edit" if view.editing else "submit_new"])}</button>'
        )
        + "</form>"
    )
    if view.editing and view.cancel_action and not disabled:
        body += (
            f"<h2>{e(w['cancel_title'])}</h2><p>{e(w['cancel_text'])}</p>"
            f'<form method="post" action="{e(view.cancel_action)}"><input type="hidden" name="cancel" value="on">'
            f'<button type="submit" class="secondary" id="cancel">{e(w["cancel_submit"])}</button></form>'
        )
    body += f'<p><a href="{e(view.back)}">{e(w["back"])}</a></p>'
    return page(title, body, s.locale)


# ---------------------------------------------------------------- the outcome page
OUTCOME_CHOICES = ("offer", "rejected", "withdrawn", "waiting")


def outcome_form(action: str, company: str, state: FormState, recorded: str | None = None) -> str:
    w = strings("outcome", state.locale)
    title = say("outcome", "title", state.locale, company=company)
    error = state.error("outcome")
    radios = "".join(
        f'<label class="check" for="outcome-{c}"><input type="radio" id="outcome-{c}" name="outcome" value="{c}"'
        f"{' checked' if state.value('outcome') == c else ''}><span>{e(w[c])}</span></label>"
        for c in OUTCOME_CHOICES
    )
    note = (
        f'<p class="notice">{e(say("outcome", "recorded", state.locale, outcome=w[recorded]))}</p>' if recorded else ""
    )
    body = (
        f"<h1>{e(title)}</h1><p>{e(w['intro'])}</p>{note}"
        f'<form method="post" action="{e(action)}"><fieldset><legend>{e(title)}</legend>'
        + (f'<p class="error" id="outcome-error" role="alert">{e(error)}</p>' if error else "")
        + radios
        + f'</fieldset><button type="submit" id="submit">{e(w["submit"])}</button></form>'
    )
    return page(title, body, state.locale)


def outcome_done(company: str, outcome: str, standing: str | None, locale: str | None, back: str) -> str:
    """What comes next; ``standing``: an outcome the operator or an ATS recorded, which stands."""
    w = strings("outcome", locale)
    title = say("outcome", "title", locale, company=company)
    if standing:
        text = say("outcome", "already", locale, company=company, outcome=w.get(standing, standing))
    else:
        text = w[f"done.{outcome}"]
    return page(
        title,
        f'<h1>{e(title)}</h1><p role="status">{e(text)}</p>'
        f'<p><a href="{e(back)}">{e(strings("interview", locale)["back"])}</a></p>',
        locale,
    )


def when(moment: datetime) -> str:
    return moment.strftime("%a %d %b %Y, %H:%M")
