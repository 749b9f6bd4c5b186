"""The candidate's self-service pages, rendered: join, check your inbox, confirm, add or change an
interview, the outcome page. Their frame (the stylesheet, the operator's band, the one error page
every candidate page answers with, the form pieces) is ``nudges.page_frame``. Plain HTML forms:
nothing needs JavaScript; every string comes from ``domain.page_words`` in the page's locale.
"""

from __future__ import annotations

from dataclasses import dataclass

from nudges import config
from nudges.domain.calendars import CALENDAR_PROVIDERS
from nudges.domain.page_words import say, strings
from nudges.page_frame import (
    LANGUAGES,
    FormState,
    checkbox,
    countries,
    country_for,
    default_zone,
    e,
    page,
    select,
    summary,
    text_input,
    zone_options,
)


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
        + select(s, "country", w["country"], countries(s.locale), country_for(zone))
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


def source_name(source: str, locale: str | None) -> str:
    """Where a booking came from, as the candidate knows it: a calendar provider's label (the
    registry's), else the catalog's ``page.interview.source.<source>``, else "another service"."""
    if source in CALENDAR_PROVIDERS:
        return CALENDAR_PROVIDERS[source].label
    known = strings("interview", locale)
    return known.get(f"source.{source}") or known["source.other"]


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
        source = source_name(view.read_only_source, s.locale)
        notes = f'<p class="warn">{e(say("interview", "read_only", s.locale, source=source))}</p>'
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
