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

from nudges import config
from nudges.domain.catalog import catalog
from nudges.domain.kinds import OPTIONAL_KINDS
from nudges.domain.locales import LOCALES, canonical, negotiate

if TYPE_CHECKING:
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


NOTICES = ("saved", "resubscribed", "disconnected", "connected")


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
    return (
        f'<!doctype html>\n<html lang="{e(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def message_page(title: str, text: str, locale: str = "en-GB") -> str:
    return page(title, f"<h1>{e(title)}</h1><p>{e(text)}</p>", locale)


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
    locale: str = ""  # the page's language (choose_locale); empty: the candidate's


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
    if view.notice in NOTICES:
        parts.append(f'<p class="notice" role="status">{t("notice." + view.notice)}</p>')
    sms_note = ""
    if not c.phone:
        sms_note = say(locale, "sms.no_phone")
    elif view.sms_opted_out:
        sms_note = say(locale, "sms.opted_out")
    elif c.awaiting_sms_consent:
        sms_note = say(locale, "sms.awaiting")
    channels = [
        _check(
            "channels",
            "email",
            "email" in c.channels,
            say(locale, "channel.email"),
            note=say(locale, "channel.email_to", email=c.email),
        ),
        _check("channels", "sms", "sms" in c.channels, say(locale, "channel.sms"), disabled=not c.phone, note=sms_note),
    ]
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
        f"<fieldset><legend>{t('legend.reach')}</legend>{''.join(channels)}</fieldset>"
        f"<fieldset><legend>{t('legend.pause')}</legend>"
        + _check("paused", "on", c.paused, say(locale, "pause.label"))
        + "</fieldset>"
        f"<fieldset><legend>{t('legend.kinds')}</legend>{''.join(kinds)}</fieldset>"
        f"<fieldset><legend>{t('legend.time_language')}</legend>"
        f'<label>{t("timezone.label")} <input name="timezone" id="timezone" value="{e(c.timezone)}"'
        ' required maxlength="64"></label>'
        f'<label>{t("language.label")} <select name="locale" id="locale">{languages(c.locale)}</select></label>'
        f'<label>{t("draft_language.label")} <select name="draft_locale" id="draft_locale">'
        f"{languages(c.drafts_in)}</select></label></fieldset>"
        f'<button type="submit" id="save">{t("save")}</button></form>'
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
                f'<li data-calendar="{e(value)}">{e(cal.provider.title())} {e(cal.calendar_id)}{e(who)} '
                f'<form method="post" action="{action}" style="display:inline">'
                f'<input type="hidden" name="disconnect" value="{e(value)}">'
                f'<button type="submit" data-testid="disconnect-{e(value)}">{t("calendars.disconnect")}</button></form></li>'
            )
        parts.append(f"<ul>{''.join(rows)}</ul>")
    else:
        parts.append(f"<p>{t('calendars.none')}</p>")
    parts.append(
        f'<p>{t("calendars.connect")} <a href="{e(view.connect_urls["google"])}" id="connect-google">Google Calendar</a> · '
        f'<a href="{e(view.connect_urls["microsoft"])}" id="connect-microsoft">Microsoft Outlook</a></p>'
    )
    parts.append(
        f"<h2>{t('erase.heading')}</h2><p>{t('erase.text')}</p>"
        f'<form method="post" action="{action}"><input type="hidden" name="erase" value="on">'
        f"<label>{t('erase.confirm', word='{word}').format(word='<strong>erase</strong>')} "
        '<input name="confirm" id="confirm" autocomplete="off"></label>'
        f'<button type="submit" id="erase">{t("erase.button")}</button></form>'
    )
    return page(say(locale, "preferences.title"), "\n".join(parts), locale)
