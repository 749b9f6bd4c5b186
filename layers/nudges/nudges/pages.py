"""The candidate's own pages (preferences, calendar connect), as plain HTML forms that work
without JavaScript. Every value is HTML-escaped; the answers carry the console's
Content-Security-Policy (no script at all, forms only to this origin, never framed), send a
Referer only to this origin (the URL holds the candidate's token; ``same-origin`` rather than
``no-referrer``, which makes browsers send ``Origin: null`` on the page's own posts) and are
never cached. A form post is judged by ``cross_site_post``.

Every page is in the candidate's language: its words are the catalogs' ``page.*`` entries, its
language the one a ``?lang=`` link of the language switcher asks for, else the candidate's
``locale``, else (a page reached without a token, or one whose token failed) the browser's
``Accept-Language``, else the stack's ``DefaultLocale`` (:func:`choose_locale`)."""

from __future__ import annotations

import html
import re
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nudges import config, page_frame
from nudges.domain.calendars import CALENDAR_PROVIDERS
from nudges.domain.catalog import catalog
from nudges.domain.channels import CHANNEL_SPECS, EMAIL
from nudges.domain.kinds import KIND_SPECS, OPTIONAL_KINDS
from nudges.domain.locales import LOCALES, canonical, negotiate, resolve
from nudges.domain.sms_keywords import YES_WORDS
from nudges.timefmt import parse_iso

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from nudges.adapters.calendar_connections import CalendarConnection
    from nudges.domain.candidate import Candidate

CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
# The signed token every form of a candidate page carries (``with_form_token``), asked for when a
# post comes with neither Origin nor Referer (docs/reliability.md "Cross-site posts").
FORM_TOKEN = "form_token"
_POST_FORM = re.compile(r'(<form\b[^>]*\bmethod="post"[^>]*>)', re.IGNORECASE)


def with_form_token(page_html: str, token: str) -> str:
    """``page_html`` with the form token hidden in every POST form it holds."""
    hidden = f'<input type="hidden" name="{FORM_TOKEN}" value="{e(token)}">'
    return _POST_FORM.sub(lambda m: m.group(1) + hidden, page_html)


def cross_site_post(headers: dict[str, str], own_hosts: set[str], form_token_valid: bool) -> str | None:
    """Why a form post is refused as another site's, or None: a cross-site fetch, an ``Origin``
    that is ``null`` or names another host, a ``Referer`` naming another host; with neither
    header (a client that sends none), a missing or wrong form token. ``own_hosts``: this
    stack's host names (the request's Host, the public base URL's)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    own = {h.lower() for h in own_hosts if h}
    if lowered.get("sec-fetch-site") == "cross-site":
        return "Sec-Fetch-Site: cross-site"
    origin, referer = lowered.get("origin"), lowered.get("referer")
    if origin is not None and (
        origin.strip().lower() == "null" or urllib.parse.urlsplit(origin.strip()).netloc.lower() not in own
    ):
        return "Origin names another site"
    if referer is not None and urllib.parse.urlsplit(referer.strip()).netloc.lower() not in own:
        return "Referer names another site"
    if origin is None and referer is None and not form_token_valid:
        return "no Origin, no Referer and no valid form token"
    return None


_STYLE = (
    "body{font-family:sans-serif;max-width:38em;margin:2em auto;padding:0 1em;line-height:1.45}"
    "fieldset{margin:1em 0;border:1px solid #ccc}label{display:block;margin:.3em 0}"
    ".notice{background:#e8f5e9;padding:.5em 1em}.warn{background:#fff3e0;padding:.5em 1em}"
    "code{background:#f4f4f4;padding:.2em .4em;font-size:1.05em}"
)


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


# The notices a change shows on return (``?done=``), each the catalogs' ``page.notice.<name>``.
NOTICES = (
    "saved",
    "resubscribed",
    "disconnected",
    "connected",
    "consent_requested",
    "interview_added",
    "interview_changed",
    "interview_cancelled",
)
# A refused field on the settings form: which words (domain.page_words "fields") say why.
# The notices of a candidate's own change of email (the link sent; words in the catalogs).
EMAIL_NOTICES = ("email_sent",)
FIELD_WORDS = {"channels": "channels", "timezone": "timezone", "phone": "phone", "locale": "locale"}
# The nudges the interviews list names (``page.nudge.<kind>``): every kind but the candidate's own.
LISTED_KINDS = tuple(k for k, spec in KIND_SPECS.items() if spec.owner != "candidate")


def choose_locale(lang: str | None, candidate_locale: str | None, accept_language: str | None) -> str:
    """The language a page is shown in (see the module's docstring)."""
    return canonical(lang or "") or candidate_locale or negotiate(accept_language, config.default_locale())


def say(locale: str, key: str, /, **values: object) -> str:
    """A page's words: the ``page.*`` entry ``key`` in ``locale`` (not yet escaped)."""
    return catalog(locale).text(f"page.{key}", **values)


def switcher(path: str, current: str) -> str:
    """Links to the same page in every language, each named in its own (works without script)."""
    links = " · ".join(
        f'<a href="{e(path)}?lang={e(x.code)}" lang="{e(x.code)}" hreflang="{e(x.code)}"'
        + (' aria-current="true"><strong>' + e(x.name) + "</strong></a>" if x.code == current else f">{e(x.name)}</a>")
        for x in LOCALES
    )
    return f'<nav class="languages" aria-label="{e(say(current, "switcher"))}" id="languages">{links}</nav>'


def page(title: str, body: str, locale: str = "en-GB") -> str:
    """Every candidate page: the one shared stylesheet and the operator's band (page_frame)."""
    return page_frame.page(title, body, locale)


def message_page(title: str, text: str, locale: str = "en-GB") -> str:
    return page(title, f"<h1>{e(title)}</h1><p>{e(text)}</p>", locale)


@dataclass(frozen=True)
class PreferencesView:
    """What the preferences page shows, read when it is asked for."""

    candidate: Candidate
    action: str  # the form's own path (/preferences/<token>)
    refused: Mapping[str, str]  # the opt-out store's refusals per channel (Preferences.refusals)
    calendars: list[CalendarConnection]
    connect_urls: dict[str, str]
    forwarding_address: str | None
    notice: str = ""
    locale: str = ""  # the page's language (choose_locale); empty: the candidate's
    interviews: list[dict[str, Any]] | None = None  # upcoming, as the timeline has them
    add_interview_url: str | None = None
    edit_url: Callable[[str], str] | None = None  # interview id -> its edit page (added by hand)
    outcome_url: Callable[[str], str] | None = None  # application id -> its outcome page
    errors: Mapping[str, str] | None = None  # a refused settings form: field -> why
    values: Mapping[str, list[str]] | None = None  # ... and what the candidate typed

    @property
    def email_suppression(self) -> str | None:
        """Why email is off at our end (unsubscribed, bounced, complained), or None."""
        return self.refused.get(EMAIL.name)


def _check(name: str, value: str, checked: bool, label: str, *, disabled: bool = False, note: str = "") -> str:
    attrs = (" checked" if checked else "") + (" disabled" if disabled else "")
    extra = f" <small>{e(note)}</small>" if note else ""
    return (
        f'<label><input type="checkbox" name="{e(name)}" value="{e(value)}" data-testid="{e(name)}-{e(value)}"'
        f"{attrs}> {e(label)}{extra}</label>"
    )


def preferences(view: PreferencesView) -> str:
    c = view.candidate
    locale = view.locale or c.locale

    def t(key: str, **values: object) -> str:
        return e(say(locale, key, **values))

    action = e(view.action)
    parts = [
        switcher(view.action, locale),
        f"<h1>{t('preferences.title')}</h1><p>{t('preferences.for', who=c.name or c.email)}</p>",
    ]
    if view.notice in NOTICES or view.notice in EMAIL_NOTICES:
        parts.append(f'<p class="notice" role="status">{t("notice." + view.notice)}</p>')
    values = view.values or {}
    errors = view.errors or {}
    chosen = values.get("channels", list(c.channels)) if view.values is not None else list(c.channels)
    # A box per channel of the registry, its label and note the channel's own (domain.channels).
    channels = []
    for spec in CHANNEL_SPECS.values():
        note = spec.page_note_key(c, spec.name in view.refused)
        channels.append(
            _check(
                "channels",
                spec.name,
                spec.name in chosen,
                say(locale, spec.page_label),
                note=say(locale, note, email=c.email, phone=c.phone or "") if note else "",
            )
        )
    if errors:
        parts.append(f'<div class="summary" role="alert"><p>{t("preferences.nothing_changed")}</p></div>')
    state = page_frame.FormState({"phone": [c.phone or ""], "timezone": [c.timezone], **values}, {}, c.locale)

    def error(name: str) -> str:
        why = errors.get(name)
        return f'<p class="error" id="{name}-error" role="alert">{e(why)}</p>' if why else ""

    def zone_select() -> str:
        chosen_zone = state.value("timezone", c.timezone)
        options = "".join(
            f'<option value="{e(v)}"{" selected" if v == chosen_zone else ""}>{e(label)}</option>'
            for v, label in page_frame.zone_options()
        )
        invalid = ' aria-invalid="true" aria-describedby="timezone-error"' if errors.get("timezone") else ""
        return (
            f'<label for="timezone">{t("timezone.label")}</label>{error("timezone")}'
            f'<select name="timezone" id="timezone"{invalid}>{options}</select>'
        )

    phone_invalid = (
        ' aria-invalid="true" aria-describedby="phone-hint phone-error"'
        if errors.get("phone")
        else ' aria-describedby="phone-hint"'
    )
    phone_field = (
        f'<label for="phone">{t("preferences.phone_label")}</label>'
        f'<p class="hint" id="phone-hint">{t("preferences.phone_hint", yes=_yes_word(locale))}</p>'
        + error("phone")
        + f'<input type="tel" name="phone" id="phone" value="{e(state.value("phone"))}" autocomplete="tel"{phone_invalid}>'
        + page_frame.select(
            state,
            "country",
            say(locale, "preferences.country"),
            page_frame.countries(locale),
            page_frame.country_for(c.timezone),
        )
    )
    kinds = [
        _check("kinds_off", kind, kind in c.kinds_off, say(locale, "kind.dont_send", kind=say(locale, f"kind.{kind}")))
        for kind in OPTIONAL_KINDS
    ]

    def languages(chosen: str) -> str:
        # Each language in its own name.
        return "".join(
            f'<option value="{e(x.code)}" lang="{e(x.code)}"{" selected" if chosen == x.code else ""}>{e(x.name)}</option>'
            for x in LOCALES
        )

    parts.append(
        f'<form method="post" action="{action}" id="settings">'
        f"<fieldset><legend>{t('legend.reach')}</legend>{error('channels')}{''.join(channels)}{phone_field}</fieldset>"
        f"<fieldset><legend>{t('legend.pause')}</legend>"
        + _check("paused", "on", c.paused, say(locale, "pause.label"))
        + "</fieldset>"
        f"<fieldset><legend>{t('legend.kinds')}</legend>{''.join(kinds)}</fieldset>"
        f"<fieldset><legend>{t('legend.time_language')}</legend>"
        + zone_select()
        + f'<label for="locale">{t("language.label")}</label>{error("locale")}'
        f'<select name="locale" id="locale">{languages(c.locale)}</select>'
        f'<label for="draft_locale">{t("draft_language.label")}</label>'
        f'<select name="draft_locale" id="draft_locale">{languages(c.drafts_in)}</select></fieldset>'
        f'<button type="submit" id="save">{t("save")}</button></form>'
    )
    parts.append(_interviews(view))
    parts.append(email_form(view, locale))
    for spec in CHANNEL_SPECS.values():
        # The offer to ask for the opt-in again (services.consent_requests), where the channel asks.
        words = spec.page_ask_again
        waiting = spec.address(c) and spec.name not in view.refused and spec.waits_for_consent(c)
        if words and spec.name in c.channels and waiting:
            parts.append(
                f"<h2>{t(words + '.heading')}</h2><p>{t(words + '.text')}</p>"
                f'<form method="post" action="{action}"><input type="hidden" name="ask_consent" value="on">'
                f'<button type="submit" id="ask-consent">{t(words + ".button")}</button></form>'
            )
    if view.email_suppression == "unsubscribed":
        parts.append(
            f'<h2>{t("email.heading")}</h2><p class="warn">{t("email.unsubscribed")}</p>'
            f'<form method="post" action="{action}"><input type="hidden" name="resubscribe_email" value="on">'
            f'<button type="submit" id="resubscribe">{t("email.resubscribe")}</button></form>'
        )
    elif view.email_suppression:
        off = "email.off_complained" if view.email_suppression == "complained" else "email.off_bounced"
        parts.append(f'<h2>{t("email.heading")}</h2><p class="warn">{t(off, email=c.email)}</p>')
    parts.append(f"<h2>{t('forward.heading')}</h2>")
    if view.forwarding_address:
        parts.append(f'<p>{t("forward.text")}</p><p><code id="forwarding">{e(view.forwarding_address)}</code></p>')
    else:
        parts.append(f"<p>{t('forward.none')}</p>")
    parts.append(f"<h2>{t('calendars.heading')}</h2>")
    if view.calendars:
        rows = []
        for cal in view.calendars:
            value = f"{cal.provider}:{cal.calendar_id}"
            who = f" ({cal.account_email})" if cal.account_email else ""
            rows.append(
                f'<li data-calendar="{e(value)}">{e(_provider_label(cal.provider))} {e(cal.calendar_id)}{e(who)} '
                f'<form method="post" action="{action}" style="display:inline">'
                f'<input type="hidden" name="disconnect" value="{e(value)}">'
                f'<button type="submit" data-testid="disconnect-{e(value)}">{t("calendars.disconnect")}</button></form></li>'
            )
        parts.append(f"<ul>{''.join(rows)}</ul>")
    else:
        parts.append(f"<p>{t('calendars.none')}</p>")
    offered = [
        f'<a href="{e(url)}" id="connect-{e(p)}">{e(CALENDAR_PROVIDERS[p].label)}</a>'
        for p, url in view.connect_urls.items()
        if url
    ]
    if offered:  # only the providers whose OAuth client the operator has set up
        parts.append(f"<p>{t('calendars.connect')} {' · '.join(offered)}</p>")
    erase_word = f"<strong>{t('erase.word')}</strong>"
    parts.append(
        f"<h2>{t('erase.heading')}</h2><p>{t('erase.text')}</p>"
        f'<form method="post" action="{action}"><input type="hidden" name="erase" value="on">'
        f"<label>{t('erase.confirm', word='{word}').format(word=erase_word)} "
        '<input type="text" name="confirm" id="confirm" autocomplete="off"></label>'
        f'<button type="submit" id="erase">{t("erase.button")}</button></form>'
    )
    return page(say(locale, "preferences.title"), "\n".join(parts), locale)


def email_form(view: PreferencesView, locale: str) -> str:
    """The candidate's own change of address: a link goes to the new one first (nothing changes
    before its click). A refused address shows here again, the message beside the field."""
    c = view.candidate
    why = (view.errors or {}).get("email")
    typed = ((view.values or {}).get("new_email") or [""])[0]
    described = "email-hint email-error" if why else "email-hint"
    invalid = ' aria-invalid="true"' if why else ""
    error = f'<p class="error" id="email-error" role="alert">{e(why)}</p>' if why else ""
    return (
        f'<h2 id="email-heading">{e(say(locale, "email_form.heading"))}</h2>'
        f"<p>{e(say(locale, 'email_form.current', email=c.email))}</p>"
        f'<form method="post" action="{e(view.action)}" id="email-form">'
        f'<label for="new_email">{e(say(locale, "email_form.label"))}</label>'
        f'<p class="hint" id="email-hint">{e(say(locale, "email_form.hint"))}</p>{error}'
        f'<input type="email" name="new_email" id="new_email" value="{e(typed)}" autocomplete="email"'
        f' aria-describedby="{described}"{invalid}>'
        f'<button type="submit" id="change-email">{e(say(locale, "email_form.submit"))}</button></form>'
    )


def _interviews(view: PreferencesView) -> str:
    """Upcoming interviews with their nudges; edit or cancel for those added by hand; the
    outcome page of each application; the add-an-interview link."""
    zone = view.candidate.zone
    locale = view.locale or view.candidate.locale

    def t(key: str, **values: object) -> str:
        return e(say(locale, key, **values))

    rows = []
    seen_applications: set[str] = set()
    for interview in view.interviews or []:
        start = page_frame.when(_parse(interview["start"]).astimezone(zone), locale)
        company = interview.get("company") or ""
        nudges = "".join(
            "<li>"
            + t("preferences.nudge_line", kind=say(locale, "nudge." + n["kind"]), status=_nudge_status(n, zone, locale))
            + "</li>"
            for n in interview["nudges"]
            if n["kind"] in LISTED_KINDS
        )
        actions = []
        if interview.get("source") == "hand" and view.edit_url and interview["status"] == "scheduled":
            actions.append(
                f'<a href="{e(view.edit_url(interview["interview_id"]))}">{t("preferences.interview_change")}</a>'
            )
        application = interview.get("application_id")
        if application and view.outcome_url and application not in seen_applications:
            seen_applications.add(application)
            actions.append(f'<a href="{e(view.outcome_url(application))}">{t("preferences.interview_outcome")}</a>')
        title = e(interview["title"])
        strong = f"<strong>{title}</strong>"
        what = (
            t("preferences.interview_at", title="{title}", company=company).replace("{title}", strong)
            if company and company != interview["title"]
            else strong
        )
        line = t("preferences.interview_line", what="{what}", start=start).replace("{what}", what)
        rows.append(
            f'<li data-interview="{e(interview["interview_id"])}">{line}<ul>{nudges}</ul>{" · ".join(actions)}</li>'
        )
    listing = f'<ul class="plain">{"".join(rows)}</ul>' if rows else f"<p>{t('preferences.interviews_none')}</p>"
    add = (
        f'<p><a class="button" href="{e(view.add_interview_url)}" id="add-interview">'
        f"{t('preferences.interviews_add')}</a></p>"
        if view.add_interview_url
        else ""
    )
    return f"<h2>{t('preferences.interviews_heading')}</h2>{listing}{add}"


def _parse(value: str) -> Any:
    return parse_iso(value)


def _nudge_status(nudge: dict[str, Any], zone: Any, locale: str) -> str:
    """A nudge's state in the candidate's words (the reason kept for the console, in English)."""
    status = nudge["status"]
    if status == "scheduled" and nudge.get("due_at"):
        due = page_frame.when(_parse(nudge["due_at"]).astimezone(zone), locale)
        return say(locale, "preferences.status.scheduled_at", due=due)
    return say(locale, f"preferences.status.{status}")


def _yes_word(locale: str) -> str:
    """The word a text is answered with to agree, in ``locale`` (domain.sms_keywords)."""
    return (resolve(locale).yes or (max(YES_WORDS, key=len),))[0]


def _provider_label(provider: str) -> str:
    """A calendar provider by its registry label ("Google", "Microsoft"); the id if unknown."""
    spec = CALENDAR_PROVIDERS.get(provider)
    return spec.label if spec else provider
