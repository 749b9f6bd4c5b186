"""What each nudge says, on each channel, in the candidate's locale. Pure: data in, text out.

The words live in ``nudges/templates/<locale>/<kind>.<part>.txt`` (``string.Template``
placeholders); this module only supplies the values. The HTML part of an email is the same text
with every value, and the template itself, HTML-escaped: names and titles come from webhooks and
must never become markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from nudges.domain.interview import Person, company_display_name

if TYPE_CHECKING:
    from datetime import timedelta

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.domain.plan import NudgeTimings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LOCALES = ("en-GB", "en-US")
DEFAULT_LOCALE = "en-GB"

# Two segments: past these a text is split into more parts, costs more, and may arrive out of order.
GSM7_LIMIT = 306
UCS2_LIMIT = 134
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€")
_URL = re.compile(r"https?://[^\s<]+")


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    sms: str


def sms_limit(text: str) -> int:
    """Characters that fit two segments: GSM-7 when every character is in it, else UCS-2."""
    return GSM7_LIMIT if all(c in _GSM7 or c in _GSM7_EXTENDED for c in text) else UCS2_LIMIT


def sms_length(text: str) -> int:
    """Length in GSM-7 septets (extended characters take two) or UCS-2 characters."""
    return sum(2 if c in _GSM7_EXTENDED else 1 for c in text) if sms_limit(text) == GSM7_LIMIT else len(text)


@cache
def _template(locale: str, kind: str, part: str) -> str:
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    return (TEMPLATES / locale / f"{kind}.{part}.txt").read_text(encoding="utf-8").rstrip("\n")


def _fill(locale: str, kind: str, part: str, values: dict[str, str]) -> str:
    return Template(_template(locale, kind, part)).substitute(values)


def _html(locale: str, kind: str, values: dict[str, str]) -> str:
    """The email template as HTML paragraphs, template and values escaped, links made clickable."""
    escaped = {k: html.escape(v) for k, v in values.items()}
    body = Template(html.escape(_template(locale, kind, "email"), quote=False)).substitute(escaped)
    paragraphs = "\n".join(
        f"<p>{p.strip().replace(chr(10), '<br>' + chr(10))}</p>" for p in body.split("\n\n") if p.strip()
    )
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', paragraphs)


def _page(*fragments: str) -> str:
    body = "\n".join(fragments)
    return f'<!doctype html>\n<html><body style="font-family: sans-serif; line-height: 1.4">\n{body}\n</body></html>\n'


def local_time(moment: datetime, candidate: Candidate) -> str:
    local = moment.astimezone(candidate.zone)
    if candidate.locale == "en-US":
        clock = local.strftime("%I:%M %p").lstrip("0")
        return f"{local:%A}, {local:%B} {local.day}, {clock} ({local.tzname()})"
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M} ({local.tzname()})"


def _names(people: tuple[Person, ...] | list[Person]) -> str:
    names = [p.display_name for p in people]
    if not names:
        return "your interviewers"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _first_names(people: tuple[Person, ...] | list[Person]) -> list[Person]:
    return [Person(p.display_name.split(" ")[0], p.email) for p in people]


def _sms(candidate: Candidate, kind: str, values: dict[str, str], people: tuple[Person, ...]) -> str:
    """The SMS with everyone's full name if it fits two segments, else first names, else a count."""
    options = [_names(people), _names(_first_names(people))]
    options.append(f"your {len(people)} interviewers" if len(people) > 1 else "your interviewer")
    for names in options:
        text = _fill(candidate.locale, kind, "sms", {**values, "names": names})
        if sms_length(text) <= sms_limit(text):
            return text
    return text[: sms_limit(text) - 1] + "…"


def _message(
    candidate: Candidate, kind: str, values: dict[str, str], people: tuple[Person, ...], unsubscribe_url: str | None
) -> Message:
    values = {**values, "first_name": candidate.first_name, "names": _names(people)}
    text, fragments = _fill(candidate.locale, kind, "email", values), [_html(candidate.locale, kind, values)]
    if unsubscribe_url:
        footer = {"unsubscribe_url": unsubscribe_url}
        text += "\n" + _fill(candidate.locale, "footer", "email", footer)
        fragments.append(_html(candidate.locale, "footer", footer))
    return Message(
        subject=_fill(candidate.locale, kind, "subject", values),
        text=text + "\n",
        html=_page(*fragments),
        sms=_sms(candidate, kind, values, people),
    )


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"  - {line}" for line in lines)


def research_prompt(
    candidate: Candidate,
    interview: Interview,
    unsubscribe_url: str | None = None,
    met_before: tuple[Person, ...] = (),
) -> Message:
    """``met_before``: this round's interviewers the candidate met in an earlier round."""
    known = {p.email for p in met_before}
    new = [p for p in interview.interviewers if p.email not in known]
    lines = [p.display_name for p in new] or ([] if met_before else ["your interviewers"])
    lines += [f"{p.display_name} (met before: recall what you discussed)" for p in met_before]
    values = {
        "company": company_display_name(interview.company),
        "title": interview.title,
        "when": local_time(interview.start, candidate),
        "interviewers": _bullets(lines),
    }
    return _message(candidate, "research_prompt", values, interview.interviewers, unsubscribe_url)


def thank_you(candidate: Candidate, interview: Interview, unsubscribe_url: str | None = None) -> Message:
    people = interview.interviewers
    values = {
        "company": company_display_name(interview.company),
        "title": interview.title,
        "interviewer_emails": ", ".join(p.email for p in people) or "[interviewer email]",
        "greeting": _names(_first_names(people)) if people else "all",
        "sign_off": candidate.name or "[your name]",
    }
    return _message(candidate, "thank_you", values, people, unsubscribe_url)


def linkedin_search_url(person: Person, company: str) -> str:
    return "https://www.linkedin.com/search/results/people/?keywords=" + quote_plus(f"{person.display_name} {company}")


def connect(
    candidate: Candidate, company_key: str, people: tuple[Person, ...], unsubscribe_url: str | None = None
) -> Message:
    company = company_display_name(company_key)
    entries = []
    for person in people:
        note = _fill(
            candidate.locale, "connect", "note", {"first_name": person.display_name.split(" ")[0], "company": company}
        )
        entries.append(
            f"  - {person.display_name}\n"
            f"    Find them: {linkedin_search_url(person, company)}\n"
            f'    Suggested note: "{note}"'
        )
    values = {"company": company, "people": "\n".join(entries) or "  - everyone you met"}
    return _message(candidate, "connect", values, people, unsubscribe_url)


@dataclass(frozen=True)
class WelcomeLinks:
    """The candidate's own links: calendar connect (per provider) and preferences, each signed for
    them; the address their invites are forwarded to (None without an inbox domain)."""

    google: str
    microsoft: str
    preferences: str
    forwarding_address: str | None = None


def _hours(delay: timedelta) -> str:
    hours = delay.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def _clock_time(moment: time, locale: str) -> str:
    if locale == "en-US":
        return datetime.combine(date(2000, 1, 1), moment).strftime("%I:%M %p").lstrip("0").replace(":00 ", " ")
    return moment.strftime("%H:%M")


def welcome(
    candidate: Candidate, links: WelcomeLinks, timings: NudgeTimings, unsubscribe_url: str | None = None
) -> Message:
    """What the service will do and when, where to forward invites, the connect and preferences
    links; by SMS, without consent on record, the request to reply YES."""
    locale = candidate.locale
    forwarding = (
        _fill(locale, "welcome", "forwarding", {"address": links.forwarding_address})
        if links.forwarding_address
        else ""
    )
    values = {
        "first_name": candidate.first_name,
        "research_lead": _hours(timings.research_lead),
        "thank_you_delay": _hours(timings.thank_you_delay),
        "quiet_start": _clock_time(timings.quiet_start, locale),
        "quiet_end": _clock_time(timings.quiet_end, locale),
        "timezone": candidate.timezone,
        "google_url": links.google,
        "microsoft_url": links.microsoft,
        "preferences_url": links.preferences,
    }
    text = _fill(locale, "welcome", "email", {**values, "forwarding": forwarding})
    fragments = [_html(locale, "welcome", {**values, "forwarding": forwarding})]
    if unsubscribe_url:
        footer = {"unsubscribe_url": unsubscribe_url}
        text += "\n" + _fill(locale, "footer", "email", footer)
        fragments.append(_html(locale, "footer", footer))
    sms_kind = "welcome_consent" if candidate.awaiting_sms_consent else "welcome"
    return Message(
        subject=_fill(locale, "welcome", "subject", values),
        text=text + "\n",
        html=_page(*fragments),
        sms=_fill(locale, sms_kind, "sms", values),
    )


def sms_yes_reply(locale: str) -> str:
    """The answer to a YES by SMS."""
    return _template(locale, "sms_yes", "sms")


@dataclass(frozen=True)
class InviteReceipt:
    """One interview read from a forwarded invite, and when its research prompt comes (or why not)."""

    company: str
    title: str
    start: datetime
    cancelled: bool = False
    research_at: datetime | None = None
    research_skipped: str | None = None


def _receipt_line(receipt: InviteReceipt, candidate: Candidate) -> str:
    what = f'"{receipt.title}" with {company_display_name(receipt.company)}, {local_time(receipt.start, candidate)}'
    if receipt.cancelled:
        return f"Cancelled: {what}. Its nudges are withdrawn."
    if receipt.research_at is not None:
        return f"Got it: {what}; research prompt on {local_time(receipt.research_at, candidate)}."
    if receipt.research_skipped:
        return f"Got it: {what}; no research prompt ({receipt.research_skipped})."
    return f"Got it: {what}."


def invite_receipt(
    candidate: Candidate, receipts: list[InviteReceipt], problems: list[str], unsubscribe_url: str | None = None
) -> Message:
    """The short answer to a forwarded invite: what was read from it, or what was wrong with it."""
    locale = candidate.locale
    lines = [_receipt_line(r, candidate) for r in receipts]
    lines += [f"Not used: {problem}" for problem in problems]
    values = {"first_name": candidate.first_name, "lines": "\n\n".join(lines)}
    if receipts:
        first = receipts[0]
        summary = f"{company_display_name(first.company)}, {local_time(first.start, candidate)}"
        subject = _fill(locale, "invite_receipt", "subject", {"summary": summary})
    else:
        subject = _fill(locale, "invite_problem", "subject", {})
    text, fragments = _fill(locale, "invite_receipt", "email", values), [_html(locale, "invite_receipt", values)]
    if unsubscribe_url:
        footer = {"unsubscribe_url": unsubscribe_url}
        text += "\n" + _fill(locale, "footer", "email", footer)
        fragments.append(_html(locale, "footer", footer))
    return Message(subject=subject, text=text + "\n", html=_page(*fragments), sms="")


def _day(moment: datetime, candidate: Candidate) -> str:
    local = moment.astimezone(candidate.zone)
    if candidate.locale == "en-US":
        return f"{local:%A}, {local:%B} {local.day}"
    return f"{local:%A} {local.day} {local:%B}"


def _reply_values(candidate: Candidate, interview: Interview, company: str, recipient: Person | None) -> dict[str, str]:
    first = recipient.display_name.split(" ")[0] if recipient and recipient.name else ""
    return {
        "company": company,
        "title": interview.title,
        "interview_day": _day(interview.start, candidate),
        "recipient_email": recipient.email if recipient else "[their email]",
        "recipient_name": recipient.display_name if recipient and recipient.name else "the person who arranged it",
        "greeting": f"Dear {first}," if first else "Hello,",
        "sign_off": candidate.name or "[your name]",
    }


def follow_up(
    candidate: Candidate, interview: Interview, recipient: Person | None, unsubscribe_url: str | None = None
) -> Message:
    """After a silence: a polite draft to ``recipient`` asking about next steps."""
    values = _reply_values(candidate, interview, company_display_name(interview.company), recipient)
    people = (recipient,) if recipient else ()
    return _message(candidate, "follow_up", values, people, unsubscribe_url)


def rejection_reply(
    candidate: Candidate,
    company_key: str,
    interview: Interview,
    recipient: Person | None,
    unsubscribe_url: str | None = None,
) -> Message:
    """After a rejection: a gracious draft (thanks, feedback, future roles) to ``recipient``."""
    values = _reply_values(candidate, interview, company_display_name(company_key), recipient)
    people = (recipient,) if recipient else ()
    return _message(candidate, "rejection_reply", values, people, unsubscribe_url)
