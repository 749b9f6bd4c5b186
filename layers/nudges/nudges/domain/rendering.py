"""Turning catalog entries into a message: placeholders, the words for times, days and lists,
SMS fitting, the HTML part and the footer (added here, once, to every email). Pure.

The words come from the catalogs (``nudges.domain.catalog``); dates, times, zone names, lists
and plurals from CLDR (``nudges.domain.formatting``); how each locale names and greets people
from its record (``nudges.domain.locales``); the SMS encodings, and each locale's way of writing
a text in GSM-7 or UCS-2, from ``nudges.domain.sms_encoding``. The HTML part of an email is the same text, HTML-escaped as a
whole (names and titles come from webhooks and must never become markup), links made clickable.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from nudges.domain import formatting
from nudges.domain.catalog import catalog
from nudges.domain.locales import resolve
from nudges.domain.people import clean_name, greeting_name
from nudges.domain.sms_encoding import for_sms, is_gsm7, sms_fits, transliterate

if TYPE_CHECKING:
    from datetime import time, tzinfo

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
    kind: str = ""  # which nudge it is (a WhatsApp message goes as that kind's template)
    advice: str = ""  # the short text where it differs for a channel that never asks consent


class Words:
    """The words of one locale: its catalog's entries filled in, and times, days and names said
    as that locale says them."""

    def __init__(self, locale: str) -> None:
        self.catalog = catalog(locale)
        self.locale = self.catalog.locale
        self.record = resolve(self.locale)

    def __call__(self, key: str, /, **values: object) -> str:
        """A phrase (``phrase.<key>``) with its placeholders filled."""
        return self.catalog.text(f"phrase.{key}", **values)

    def fill(self, kind: str, part: str, values: dict[str, str]) -> str:
        """The ``<kind>.<part>`` text with its placeholders filled."""
        return self.catalog.text(f"{kind}.{part}", **values)

    def lines(self, kind: str, part: str) -> list[str]:
        """The ``<kind>.<part>`` wordings, one a line (an SMS's, fullest first)."""
        return self.catalog.raw(f"{kind}.{part}").splitlines()

    # -- time (CLDR, through nudges.domain.formatting)
    def clock(self, local: datetime) -> str:
        """A time of day in the locale's pattern ("14:00", "2:00 PM", "14 h 00")."""
        return formatting.time(local, local.tzinfo or UTC, self.locale)

    def clock_time(self, moment: time) -> str:
        """A time of day on its own ("21:00", "9 PM"), as the welcome says quiet hours."""
        return formatting.clock_time(moment, self.locale)

    def date(self, local: datetime, short: bool = False, *, numeric: bool = False) -> str:
        zone = local.tzinfo or UTC
        if numeric:
            return formatting.numeric_date(local, zone, self.locale)
        if short:
            return formatting.short_date(local, zone, self.locale)
        return formatting.date(local, zone, self.locale)

    def at(
        self, moment: datetime, zone: tzinfo, *, with_zone: bool = True, short: bool = False, numeric: bool = False
    ) -> str:
        """ "Thursday 17 December at 14:00 (Greenwich Mean Time)", "Donnerstag, 17. Dezember um 14:00
        (Mitteleuropäische Zeit)"; short and without the zone for an SMS ("Do., 17. Dez. um
        14:00"), the date in numbers for one pressed for room ("Do., 17.12. um 14:00")."""
        local = moment.astimezone(zone)
        text = formatting.at(self.date(local, short, numeric=numeric), self.clock(local), self.locale)
        return (
            formatting.with_zone(text, formatting.zone_name(moment, zone, self.locale), self.locale)
            if with_zone
            else text
        )

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
        if abs(delta) < 7:
            return self("on_weekday", weekday=formatting.weekday(moment, zone, self.locale))
        return self("on_date", date=formatting.day_month(moment, zone, self.locale))

    def when(self, moment: datetime, now: datetime, zone: tzinfo, *, short: bool = False, numeric: bool = False) -> str:
        """When an interview is, seen from ``now``: "tomorrow, Thursday 3 December at 14:00 (Greenwich
        Mean Time)", "on Thursday 10 December at 14:00 (...)"; short for an SMS: "tomorrow at 14:00",
        "on Thu 10 Dec at 14:00"; ``numeric``, the date in numbers: "on Thu 10/12 at 14:00"."""
        day = self.day(moment, now, zone)
        local = moment.astimezone(zone)
        if day in (self("today"), self("tomorrow")):
            if short:
                return formatting.at(day, self.clock(local), self.locale)
            return self("day_at", day=day, at=self.at(moment, zone))
        return self("on_at", at=self.at(moment, zone, with_zone=not short, short=short, numeric=numeric))

    def hours(self, hours: float) -> str:
        return self.catalog.plural("phrase.hours", hours)

    # -- people
    def label(self, person: Person, *, short: bool = False) -> str:
        """A person as the candidate is told about them: their name (with the locale's courtesy
        suffix, Japanese さん), else "your interviewer (address)"."""
        if person.name:
            return person.name + self.record.name_suffix
        return self("unnamed_short") if short else self("unnamed", email=person.email)

    def join(self, items: list[str]) -> str:
        """``items`` as a list in words, as CLDR writes one: "A and B", "A, B and C" (en-US: "A,
        B, and C"; German "A, B und C"; Japanese "A、B、C")."""
        return formatting.join(items, self.locale)

    def others(self, count: int) -> str:
        """Names left out: "2 others", "2 weitere Personen", "他2名" (CLDR's plural rules)."""
        return self.catalog.plural("phrase.others", count)

    def addressed(self, person: Person) -> str:
        """The name a greeting uses: the first name, or the full name where the locale greets so
        (German "Guten Tag Jane Doe," when the form of address is unknown; Japanese "Jane Doe様")."""
        name = greeting_name(person)  # "" for a role or group mailbox: then "Hello,"
        if name and self.record.address_by == "full":
            return clean_name(person.name)
        return name

    def names(self, people: tuple[Person, ...] | list[Person]) -> str:
        return self.join([self.label(p) for p in people])

    def greeting(self, person: Person | None) -> str:
        name = self.addressed(person) if person else ""
        return self("greeting", first_name=name) if name else self("greeting_any")

    def hi(self, person: Person | None) -> str:
        name = self.addressed(person) if person else ""
        return self("hi", first_name=name) if name else self("hi_any")

    def few(self, people: tuple[Person, ...] | list[Person]) -> str:
        """At most two people by name ("Ana Costa and Ben Ode", "Ana Costa and 4 others")."""
        people = list(people)
        if len(people) <= 2:
            return self.names(people)
        return self.join([self.label(people[0], short=True), self.others(len(people) - 1)])

    def name_options(self, people: tuple[Person, ...]) -> list[str]:
        """Ways to name ``people`` in an SMS, longest first: everyone as written; a name outside
        GSM-7 transliterated, or left out ("and 1 other"), as is someone without a name; names
        dropped from the end ("and 2 others"); then only a count."""
        if not people:
            return [self("one_interviewer")]
        written = [self.label(p, short=True) for p in people]
        # Someone known only by address is among the others, never listed as "your interviewer"
        # between two names ("José García, your interviewer and Wang Wei").
        options = [self.join(written)] if all(p.name for p in people) or len(people) == 1 else []
        kept: list[str] = []
        for label in (self.label(p, short=True) for p in people if p.name):
            # A UCS-2 locale's text is UCS-2 anyway: its names stay as written.
            gsm = label if is_gsm7(label) or self.record.sms == "ucs2" else transliterate(label)
            if gsm is not None:
                kept.append(gsm)
        left_out = len(written) - len(kept)
        for count in range(len(kept), 0, -1):
            others = left_out + len(kept) - count
            if others == 0:
                options.append(self.join(kept))
            else:
                options.append(self.join([*kept[:count], self.others(others)]))
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
    """The first SMS that fits one segment, else two. People by name before a count of them (the
    names are the advice: whom to research, thank or connect with); then the wordings that say
    when (a ``{when}``) and which interview it is, then those that say only when, then the rest,
    so the date goes only when no dated wording fits with the names; then each of ``variants``
    (with the company, then without; the date in words, then in numbers), each wording of the
    entry (one a line, fullest first), each way of naming people (fullest first). Every wording
    carries the whole advice, so none is ever cut."""
    lines = words.lines(kind, ("sms_only" if sms_only else "sms") + part)
    # Wordings that say when and which interview it is, then those that say only when, then the rest.
    rank = [("{when}" not in line, "{interview}" not in line.lower()) for line in lines]
    tiers = [[line for line, r in zip(lines, rank, strict=True) if r == tier] for tier in sorted(set(rank))]
    named, counted = (name_options[:-1], name_options[-1:]) if len(name_options) > 1 else (name_options, [])
    text = ""
    for segments in (1, 2):
        for options in (named, counted):
            for tier in tiers:
                for values in variants:
                    for line in tier:
                        for names in options:
                            text = for_sms(line.format(**values, **names), words.locale)
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
    return Message(subject=subject, text=text + "\n", html=_page(*fragments), sms=for_sms(sms, words.locale))
