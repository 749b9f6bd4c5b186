"""The candidate pages' frame, shared by every candidate page (journey_pages, and the
preferences and connect pages through ``nudges.pages``): the one stylesheet (``STYLE``) and the
operator's band, the one error page, and the form pieces (labelled fields, errors beside them,
the zone and country choices).

Made for phones first: readable without zoom, tap targets of 44 px and more, the operator's name
and colour (``OperatorName``, ``OperatorColour``) at the top. WCAG 2.2 AA: every field has a
label tied to it, an error is written beside its field, announced (``role="alert"``) and tied to
it (``aria-describedby``, ``aria-invalid``), focus is always visible, text contrast is 4.5:1 or
more. Every value is HTML-escaped; every string comes from ``domain.page_words``.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

from babel import Locale as CldrLocale
from babel import dates

from nudges import config
from nudges.domain.locales import LOCALES, resolve
from nudges.domain.page_words import say, strings

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

DEFAULT_COLOUR = "#1a5fb4"  # 6.4:1 against white
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Each language in its own name (the registry's, nudges.domain.locales).
LANGUAGES = tuple((x.code, x.name) for x in LOCALES)
# A phone number typed without a +: the country it is read in (the default zone's, preselected),
# by its ISO code and calling code; its name is CLDR's in the page's language (``countries``).
CALLING_CODES = (
    ("GB", 44),
    ("IE", 353),
    ("US", 1),
    ("CA", 1),
    ("AU", 61),
    ("NZ", 64),
    ("IN", 91),
    ("DE", 49),
    ("FR", 33),
    ("ES", 34),
    ("IT", 39),
    ("NL", 31),
    ("PT", 351),
    ("BR", 55),
    ("JP", 81),
    ("CN", 86),
    ("SG", 65),
    ("ZA", 27),
)


@cache
def countries(locale: str | None = None) -> tuple[tuple[str, str], ...]:
    """The countries a number is read in, each named in ``locale`` (CLDR): "Deutschland (+49)"."""
    names = CldrLocale.parse(resolve(locale or "en-GB").babel).territories
    return tuple((c, f"{names.get(c, c)} (+{code})") for c, code in CALLING_CODES)


COUNTRIES = countries("en-GB")  # the console's (English by design)
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


def refusal_words(field: str | None, locale: str | None) -> str | None:
    """Why a candidate page's form was refused, in the page's language, by the field the refusal
    names (``page.refusal.<field>``, then ``page.fields.<field>``); None: the status says it."""
    name = (field or "").split(".")[0]
    refusals, fields = strings("refusal", locale), strings("fields", locale)
    if name in refusals:
        return say("refusal", name, locale, word=say("erase", "word", locale))
    return say("fields", name, locale, n=200) if name in fields else None


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


def when(moment: datetime, locale: str | None = None) -> str:
    """A moment as a candidate page shows it, in CLDR's words and order for ``locale``:
    "Tue 8 Apr 2036, 14:00", "Di., 8. Apr. 2036, 14:00", "2036年4月8日(火) 14:00"."""
    cldr = CldrLocale.parse(resolve(locale or "en-GB").babel)
    day = dates.format_skeleton("yMMMEd", moment, locale=cldr)
    clock = dates.format_time(moment, "short", locale=cldr)
    return str(cldr.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock)
