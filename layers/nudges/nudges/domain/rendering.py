"""Turning catalog entries into a message: placeholders, the words for times, days and lists,
SMS fitting, the HTML part and the footer (added here, once, to every email). Pure.

The words come from the catalogs (``nudges.domain.catalog``); the SMS encodings from
``nudges.domain.sms_encoding``. The HTML part of an email is the same text, HTML-escaped as a
whole (names and titles come from webhooks and must never become markup), links made clickable.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel.dates import format_time

from nudges.domain.catalog import catalog
from nudges.domain.people import first_name
from nudges.domain.sms_encoding import is_gsm7, sms_fits, transliterate

if TYPE_CHECKING:
    from datetime import datetime, time, tzinfo

    from nudges.domain.interview import Person

_URL = re.compile(r"https?://[^\s<]+")


@dataclass(frozen=True)
class Branding:
    """Who the messages come from (the template's SenderName, OperatorName and SupportEmail)."""

    sender_name: str = "Interview Nudges"
    operator_name: str = "Interview Nudges"
    support_email: str | None = None


DEFAULT_BRANDING = Branding()


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    sms: str


class Words:
    """The words of one locale: its catalog's entries filled in, and times, days and names said
    as that locale says them."""

    def __init__(self, locale: str) -> None:
        self.catalog = catalog(locale)
        self.locale = self.catalog.locale
        self.babel_locale = self.locale.replace("-", "_")

    def __call__(self, key: str, /, **values: object) -> str:
        """A phrase (``phrase.<key>``) with its placeholders filled."""
        return self.catalog.text(f"phrase.{key}", **values)

    def fill(self, kind: str, part: str, values: dict[str, str]) -> str:
        """The ``<kind>.<part>`` text with its placeholders filled."""
        return self.catalog.text(f"{kind}.{part}", **values)

    def lines(self, kind: str, part: str) -> list[str]:
        """The ``<kind>.<part>`` wordings, one a line (an SMS's, fullest first)."""
        return self.catalog.raw(f"{kind}.{part}").splitlines()

    # -- time
    def clock(self, local: datetime | time) -> str:
        """A time of day in the locale's pattern ("14:00", "2:00 PM")."""
        return format_time(local, self("clock_format"), locale=self.babel_locale)

    def clock_time(self, moment: time) -> str:
        """A time of day on its own ("21:00", "9 PM"), as the welcome says quiet hours."""
        key = "clock_format_on_the_hour" if moment.minute == 0 else "clock_format"
        return format_time(moment, self(key), locale=self.babel_locale)

    def date(self, local: datetime, short: bool = False) -> str:
        key = "date_short" if short else "date"
        return self(
            key, weekday=f"{local:%A}", wkd=f"{local:%a}", day=local.day, month=f"{local:%B}", mon=f"{local:%b}"
        )

    def at(self, moment: datetime, zone: tzinfo, *, with_zone: bool = True, short: bool = False) -> str:
        local = moment.astimezone(zone)
        date, clock = self.date(local, short), self.clock(local)
        return self("at_zone" if with_zone else "at", date=date, time=clock, zone=local.tzname())

    def day(self, moment: datetime, now: datetime, zone: tzinfo) -> str:
        """``moment``'s day as seen at ``now`` in ``zone``: today, yesterday, tomorrow, on Tuesday."""
        day, today = moment.astimezone(zone).date(), now.astimezone(zone).date()
        delta = (day - today).days
        if delta == 0:
            return self("today")
        if delta == -1:
            return self("yesterday")
        if delta == 1:
            return self("tomorrow")
        local = moment.astimezone(zone)
        if abs(delta) < 7:
            return self("on_weekday", weekday=f"{local:%A}")
        return self("on_date", day=local.day, month=f"{local:%B}")

    def when(self, moment: datetime, now: datetime, zone: tzinfo, *, short: bool = False) -> str:
        """When an interview is, seen from ``now``: "tomorrow, Thursday 3 December at 14:00 (GMT)",
        "on Thursday 10 December at 14:00 (GMT)"; short for an SMS: "tomorrow at 14:00"."""
        day = self.day(moment, now, zone)
        local = moment.astimezone(zone)
        if day in (self("today"), self("tomorrow")):
            if short:
                return self("at", date=day, time=self.clock(local))
            return self("day_at", day=day, at=self.at(moment, zone))
        return self("on_at", at=self.at(moment, zone, with_zone=not short, short=short))

    def hours(self, hours: float) -> str:
        return self.catalog.plural("phrase.hours", hours)

    # -- people
    def label(self, person: Person, *, short: bool = False) -> str:
        if person.name:
            return person.name
        return self("unnamed_short") if short else self("unnamed", email=person.email)

    def join(self, items: list[str]) -> str:
        """``items`` as a list in words: "A", "A and B", "A, B and C" (en-US: "A, B, and C")."""
        if len(items) < 2:
            return "".join(items)
        if len(items) == 2:
            return self("list_pair", first=items[0], second=items[1])
        rest = items[0]
        for item in items[1:-1]:
            rest = self("list_middle", rest=rest, next=item)
        return self("list_end", rest=rest, last=items[-1])

    def comma_list(self, items: list[str]) -> str:
        """``items`` joined with no final "and" (some names, before "and 2 others")."""
        rest = items[0] if items else ""
        for item in items[1:]:
            rest = self("list_middle", rest=rest, next=item)
        return rest

    def names(self, people: tuple[Person, ...] | list[Person]) -> str:
        return self.join([self.label(p) for p in people])

    def greeting(self, person: Person | None) -> str:
        name = first_name(person) if person else ""
        return self("greeting", first_name=name) if name else self("greeting_any")

    def hi(self, person: Person | None) -> str:
        name = first_name(person) if person else ""
        return self("hi", first_name=name) if name else self("hi_any")

    def few(self, people: tuple[Person, ...] | list[Person]) -> str:
        """At most two people by name ("Ana Costa and Ben Ode", "Ana Costa and 4 others")."""
        people = list(people)
        if len(people) <= 2:
            return self.names(people)
        rest = len(people) - 1
        others = self("and_one_other") if rest == 1 else self("and_others", count=rest)
        return self("names_and_more", names=self.label(people[0], short=True), others=others)

    def name_options(self, people: tuple[Person, ...]) -> list[str]:
        """Ways to name ``people`` in an SMS, longest first: everyone as written; a name outside
        GSM-7 transliterated, or left out ("and 1 other"); names dropped from the end ("and 2
        others"); then only a count."""
        if not people:
            return [self("one_interviewer")]
        written = [self.label(p, short=True) for p in people]
        options = [self.join(written)]
        kept: list[str] = []
        for label in written:
            gsm = label if is_gsm7(label) else transliterate(label)
            if gsm is not None:
                kept.append(gsm)
        left_out = len(written) - len(kept)
        for count in range(len(kept), 0, -1):
            others = left_out + len(kept) - count
            if others == 0:
                options.append(self.join(kept))
            else:
                rest = self("and_one_other") if others == 1 else self("and_others", count=others)
                options.append(self("names_and_more", names=self.comma_list(kept[:count]), others=rest))
        options.append(self("count_interviewers", count=len(people)) if len(people) > 1 else self("one_interviewer"))
        return list(dict.fromkeys(options))


def fit_sms(
    words: Words,
    kind: str,
    sms_only: bool,
    variants: list[dict[str, str]],
    name_options: list[dict[str, str]],
    part: str = "",
) -> str:
    """The first SMS that fits one segment, else two: for each of ``variants`` (with the company,
    then without), each wording of the entry (one a line, fullest first), each way of naming
    people (fullest first; a count only once no wording fits any names). Every wording carries
    the whole advice, so none is ever cut."""
    lines = words.lines(kind, ("sms_only" if sms_only else "sms") + part)
    named, counted = (name_options[:-1], name_options[-1:]) if len(name_options) > 1 else (name_options, [])
    text = ""
    for segments in (1, 2):
        for values in variants:
            for options in (named, counted):
                for line in lines:
                    for names in options:
                        text = line.format(**values, **names)
                        if sms_fits(text, segments):
                            return text
    return text  # the shortest there is; the message book's test proves it never comes to this


# ---------------------------------------------------------------------- email


_QUOTE = '<blockquote style="margin: 1em 0; padding-left: 1em; border-left: 3px solid #ccc">'


def _paragraphs(text: str) -> str:
    escaped = html.escape(text)
    paragraphs = "\n".join(
        f"<p>{p.strip().replace(chr(10), '<br>' + chr(10))}</p>" for p in escaped.split("\n\n") if p.strip()
    )
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', paragraphs)


def to_html(text: str, drafts: tuple[str, ...] = ()) -> str:
    """The text as HTML paragraphs, all of it escaped, links made clickable; each of ``drafts``
    (parts of ``text``) set apart as a quote, so the candidate sees what to copy."""
    out, rest = [], text
    for draft in drafts:
        before, found, rest = rest.partition(draft)
        if not found:
            return _paragraphs(text)
        out += [_paragraphs(before), f"{_QUOTE}\n{_paragraphs(draft)}\n</blockquote>"]
    out.append(_paragraphs(rest))
    return "\n".join(part for part in out if part)


def _page(*fragments: str) -> str:
    body = "\n".join(fragments)
    return f'<!doctype html>\n<html><body style="font-family: sans-serif; line-height: 1.4">\n{body}\n</body></html>\n'


def footer(words: Words, branding: Branding, unsubscribe_url: str) -> str:
    """The email footer: who sends it and why, an optional support line, the unsubscribe link."""
    support = (
        words.catalog.text("footer.support", support_email=branding.support_email) if branding.support_email else ""
    )
    return words.fill(
        "footer",
        "email",
        {"operator_name": branding.operator_name, "support": support, "unsubscribe_url": unsubscribe_url},
    )


def message(
    words: Words,
    subject: str,
    text: str,
    sms: str,
    *,
    drafts: tuple[str, ...] = (),
    unsubscribe_url: str | None = None,
    branding: Branding = DEFAULT_BRANDING,
) -> Message:
    """The message: the text (with the footer when there is an unsubscribe link), its HTML part
    (``drafts`` set apart), the subject and the SMS."""
    fragments = [to_html(text, drafts)]
    if unsubscribe_url:
        said = footer(words, branding, unsubscribe_url)
        text += "\n" + said
        fragments.append(to_html(said))
    return Message(subject=subject, text=text + "\n", html=_page(*fragments), sms=sms)
