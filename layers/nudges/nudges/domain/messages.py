"""What each nudge says, on each channel, in the candidate's locale. Pure: data in, text out.

The words live in ``nudges/templates/<locale>/``: ``<kind>.<part>.txt`` (``string.Template``
placeholders) and ``phrases.txt``, the small pieces they are built from. This module only
decides which pieces a situation needs (a :class:`Context`, read by the composer at send time)
and fits the SMS. The HTML part of an email is the same text, HTML-escaped as a whole (names
and titles come from webhooks and must never become markup), with links made clickable.

The rules it keeps:
- people are named as best known; someone known only by address is "your interviewer
  (priya.r@globex.com)" and greeted "Hello,"; contacts and machines never appear
  (nudges.domain.people);
- day words follow the send time in the candidate's zone ("today", "yesterday", "on Tuesday");
- "don't connect yet" is said once per message; person-level research points per person,
  organisation-level ones once;
- an unknown company is phrased around ("your interview"), never "the company" as a name;
- every SMS fits two segments (GSM-7 153 x 2, else UCS-2 67 x 2, with concatenation headers):
  names go first (dropped from the end, "and 2 others"; a name outside GSM-7 transliterated or,
  failing that, left out), then a shorter wording, then the date, then the company; the advice
  itself is never cut. An SMS to a candidate without email carries the essentials itself.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from nudges.domain.company_names import company_display, role_from_title
from nudges.domain.interview import Person as _Person
from nudges.domain.people import greeting_name

if TYPE_CHECKING:
    from datetime import timedelta, tzinfo

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview, Person
    from nudges.domain.plan import NudgeTimings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LOCALES = ("en-GB", "en-US")
DEFAULT_LOCALE = "en-GB"
KINDS = ("research_prompt", "thank_you", "connect", "follow_up", "rejection_reply")

# Two segments: past these a text is split into more parts, costs more, and may arrive out of
# order. A concatenated segment carries a 6-byte header: 153 GSM-7 septets or 67 UCS-2 characters.
GSM7_SEGMENT, UCS2_SEGMENT = 153, 67
SMS_SEGMENTS = 2
GSM7_LIMIT = GSM7_SEGMENT * SMS_SEGMENTS
UCS2_LIMIT = UCS2_SEGMENT * SMS_SEGMENTS
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€")
# Letters NFKD does not take apart.
_LATIN = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Œ": "OE", "œ": "oe", "þ": "th", "Þ": "Th"})
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


@dataclass(frozen=True)
class Context:
    """Everything a message says, as read at send time.

    ``interview``: the round it is about (the last one for follow_up and rejection_reply);
    ``interviewers``: that round's people, named as best known; ``met_before``: those of them
    met in an earlier round of the application; ``everyone``: everyone met in the application
    (connect); ``addressee``: whom a follow-up or a rejection reply goes to; ``company``: its
    display name, None when unknown; ``now``: the send time; ``sms_only``: email is not a channel
    the candidate can be reached on, so the SMS must carry the essentials.
    """

    candidate: Candidate
    now: datetime
    company: str | None = None
    interview: Interview | None = None
    interviewers: tuple[Person, ...] = ()
    met_before: tuple[Person, ...] = ()
    everyone: tuple[Person, ...] = ()
    addressee: Person | None = None
    addressee_is_contact: bool = False  # a team mailbox: named in the SMS, greeted "Hello,"
    recruiter: Person | None = None  # an agency's consultant who arranged it (nudges.domain.agencies)
    sms_only: bool = False
    unsubscribe_url: str | None = None
    branding: Branding = DEFAULT_BRANDING  # who it comes from: the footer names the operator


def footer_values(branding: Branding, unsubscribe_url: str) -> dict[str, str]:
    """The footer's placeholders: the operator, an optional support line and the unsubscribe link."""
    support = f" Questions? Write to {branding.support_email}." if branding.support_email else ""
    return {"operator_name": branding.operator_name, "support": support, "unsubscribe_url": unsubscribe_url}


def is_gsm7(text: str) -> bool:
    return all(c in _GSM7 or c in _GSM7_EXTENDED for c in text)


def sms_limit(text: str) -> int:
    """Characters that fit two segments: GSM-7 when every character is in it, else UCS-2."""
    return GSM7_LIMIT if is_gsm7(text) else UCS2_LIMIT


def sms_length(text: str) -> int:
    """Length in GSM-7 septets (extended characters take two) or UCS-2 code units."""
    if is_gsm7(text):
        return sum(2 if c in _GSM7_EXTENDED else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def sms_fits(text: str, segments: int = SMS_SEGMENTS) -> bool:
    """Whether ``text`` fits ``segments`` segments (one: 160 GSM-7 or 70 UCS-2 characters)."""
    if segments == 1:
        return sms_length(text) <= (160 if is_gsm7(text) else 70)
    return sms_length(text) <= sms_limit(text)


def sms_segments(text: str) -> int:
    """How many segments ``text`` is sent as (what the text costs)."""
    length = sms_length(text)
    single, part = (160, GSM7_SEGMENT) if is_gsm7(text) else (70, UCS2_SEGMENT)
    return 1 if length <= single else -(-length // part)


def transliterate(name: str) -> str | None:
    """``name`` in GSM-7 letters ("Zoë Łukasiewicz" -> "Zoe Lukasiewicz"), or None if it has
    letters that have no Latin form here (王伟)."""
    out = []
    for char in name.translate(_LATIN):
        if char in _GSM7:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if not base or not is_gsm7(base):
            return None
        out.append(base)
    return "".join(out)


# ---------------------------------------------------------------------- words


@cache
def _template(locale: str, kind: str, part: str) -> str:
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    return (TEMPLATES / locale / f"{kind}.{part}.txt").read_text(encoding="utf-8").rstrip("\n")


@cache
def _phrases(locale: str) -> dict[str, str]:
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    phrases = {}
    for line in (TEMPLATES / locale / "phrases.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition(" = ")
            phrases[key.strip()] = value
    return phrases


class _Words:
    """The words of one locale."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE
        self.us = self.locale == "en-US"

    def __call__(self, key: str, **values: object) -> str:
        return Template(_phrases(self.locale)[key]).substitute({k: str(v) for k, v in values.items()})

    def fill(self, kind: str, part: str, values: dict[str, str]) -> str:
        return Template(_template(self.locale, kind, part)).substitute(values)

    def lines(self, kind: str, part: str) -> list[str]:
        return _template(self.locale, kind, part).splitlines()

    # -- time
    def clock(self, local: datetime) -> str:
        return local.strftime("%I:%M %p").lstrip("0") if self.us else f"{local:%H:%M}"

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
            return self("at", date=day, time=self.clock(local)) if short else f"{day}, {self.at(moment, zone)}"
        return self("on_at", at=self.at(moment, zone, with_zone=not short, short=short))

    # -- people
    def label(self, person: Person, *, short: bool = False) -> str:
        if person.name:
            return person.name
        return self("unnamed_short") if short else self("unnamed", email=person.email)

    def join(self, items: list[str]) -> str:
        if not items:
            return ""
        if len(items) == 1:
            return items[0]
        serial = self("list_comma") if len(items) > 2 and self.us else ""
        return ", ".join(items[:-1]) + f"{serial} {self('and')} " + items[-1]

    def names(self, people: tuple[Person, ...] | list[Person]) -> str:
        return self.join([self.label(p) for p in people])

    def greeting(self, person: Person | None) -> str:
        name = greeting_name(person)
        return self("greeting", first_name=name) if name else self("greeting_any")

    def hi(self, person: Person | None) -> str:
        name = greeting_name(person)
        return self("hi", first_name=name) if name else self("hi_any")

    def few(self, people: tuple[Person, ...] | list[Person]) -> str:
        """At most two people by name ("Ana Costa and Ben Ode", "Ana Costa and 4 others")."""
        people = list(people)
        if len(people) <= 2:
            return self.names(people)
        rest = len(people) - 1
        return f"{self.label(people[0], short=True)} " + (
            self("and_one_other") if rest == 1 else self("and_others", count=rest)
        )


# ---------------------------------------------------------------------- SMS fitting


def _name_options(words: _Words, people: tuple[Person, ...]) -> list[str]:
    """Ways to name ``people`` in an SMS, longest first: everyone as written; a name outside
    GSM-7 transliterated, or left out ("and 1 other"); names dropped from the end ("and 2
    others"); then only a count."""
    if not people:
        return [words("one_interviewer")]
    written = [words.label(p, short=True) for p in people]
    options = [words.join(written)]
    kept: list[str] = []
    for label in written:
        gsm = label if is_gsm7(label) else transliterate(label)
        if gsm is not None:
            kept.append(gsm)
    left_out = len(written) - len(kept)
    for count in range(len(kept), 0, -1):
        others = left_out + len(kept) - count
        if others == 0:
            options.append(words.join(kept))
        else:
            rest = words("and_one_other") if others == 1 else words("and_others", count=others)
            options.append(", ".join(kept[:count]) + " " + rest)
    options.append(words("count_interviewers", count=len(people)) if len(people) > 1 else words("one_interviewer"))
    return list(dict.fromkeys(options))


def _fit_sms(
    words: _Words,
    kind: str,
    sms_only: bool,
    variants: list[dict[str, str]],
    name_options: list[dict[str, str]],
    part: str = "",
) -> str:
    """The first SMS that fits two segments: for each of ``variants`` (with the company, then
    without), each wording of the template (one a line, fullest first), each way of naming people
    (fullest first). Every line of the template carries the whole advice, so none is ever cut."""
    lines = words.lines(kind, ("sms_only" if sms_only else "sms") + part)
    text = ""
    # One segment if any wording fits it (a second costs as much again), fullest first; else two.
    # A count of people ("your 3 interviewers") only once no wording fits any of their names.
    named, counted = (name_options[:-1], name_options[-1:]) if len(name_options) > 1 else (name_options, [])
    for segments in (1, SMS_SEGMENTS):
        for values in variants:
            for options in (named, counted):
                for line in lines:
                    for names in options:
                        text = Template(line).substitute({**values, **names})
                        if sms_fits(text, segments):
                            return text
    return text  # the shortest there is; the message book's test proves it never comes to this


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _interview_phrases(words: _Words, company: str | None) -> list[dict[str, str]]:
    """How to say the interview: with the company ("your Acme interview"), then without ("your
    interview"), for an SMS that must lose the company to fit."""
    options = []
    if company and "." in company and " " not in company:
        options.append(words("interview_with_domain", company=company))  # "your interview with globex.com"
    elif company:
        options.append(words("interview_with", company=company))
    options.append(words("interview_any"))
    return [{"interview": o, "Interview": _capital(o)} for o in options]


# ---------------------------------------------------------------------- assembling


_QUOTE = '<blockquote style="margin: 1em 0; padding-left: 1em; border-left: 3px solid #ccc">'


def _paragraphs(text: str) -> str:
    escaped = html.escape(text)
    paragraphs = "\n".join(
        f"<p>{p.strip().replace(chr(10), '<br>' + chr(10))}</p>" for p in escaped.split("\n\n") if p.strip()
    )
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', paragraphs)


def _html(text: str, drafts: tuple[str, ...] = ()) -> str:
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


def _message(words: _Words, ctx: Context, subject: str, text: str, sms: str, drafts: tuple[str, ...] = ()) -> Message:
    fragments = [_html(text, drafts)]
    if ctx.unsubscribe_url:
        footer = words.fill("footer", "email", footer_values(ctx.branding, ctx.unsubscribe_url))
        text += "\n" + footer
        fragments.append(_html(footer))
    return Message(subject=subject, text=text + "\n", html=_page(*fragments), sms=sms)


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"  - {line}" for line in lines)


def _candidate_hi(words: _Words, candidate: Candidate) -> str:
    name = greeting_name(_Person(candidate.name or "", ""))
    return words("hi_candidate", first_name=name) if name else words("hi_candidate_any")


def _sign_off(words: _Words, candidate: Candidate) -> str:
    return candidate.name or words("sign_off_any")


def _role(words: _Words, company: str | None, interview: Interview | None = None) -> str:
    """ "about the Senior Analyst role at Northwind", "about the role at Northwind", "about the role"."""
    role = role_from_title(interview.title, company) if interview else None
    if role:
        return words("role_named_at", role=role, company=company) if company else words("role_named", role=role)
    return words("role_at", company=company) if company else words("role_any")


def _recruiter_line(words: _Words, recruiter: Person | None) -> str:
    if recruiter is None:
        return ""
    return words("recruiter_line", name=recruiter.name) if recruiter.name else words("recruiter_line_any")


# ---------------------------------------------------------------------- the kinds


def research_prompt(ctx: Context) -> Message:
    words, candidate, interview = _Words(ctx.candidate.locale), ctx.candidate, ctx.interview
    assert interview is not None
    zone, company = candidate.zone, ctx.company
    met = [p for p in ctx.interviewers if p in ctx.met_before]
    new = [p for p in ctx.interviewers if p not in ctx.met_before]
    [with_company, *_] = _interview_phrases(words, company)
    recruiter = _recruiter_line(words, ctx.recruiter)
    variants = [
        {**phrase, "when": words.when(interview.start, ctx.now, zone, short=True)}
        for phrase in _interview_phrases(words, company)
    ]
    if met and not new:
        # Everyone met before: what to prepare for meeting them again, not the first-meeting checklist.
        text = words.fill(
            "research_prompt",
            "again",
            {
                "hi": _candidate_hi(words, candidate),
                **with_company,
                "title": interview.title,
                "when": words.when(interview.start, ctx.now, zone),
                "names": words.names(met),
                "recruiter": f"\n\n{recruiter}" if recruiter else "",
            },
        )
        subject = words.fill("research_prompt", "subject_again", {**with_company, "names": words.few(met)})
        name_options = [{"names": n} for n in _name_options(words, tuple(met))]
        sms = _fit_sms(words, "research_prompt", ctx.sms_only, variants, name_options, "_again")
        return _message(words, ctx, subject, text, sms)
    sections = [("new", new), ("met", met)] if met else [("people", new)]
    people = "\n\n".join(
        words.fill("research_prompt", part, {"people": _bullets([words.label(p) for p in group])})
        for part, group in sections
    )
    if not ctx.interviewers:
        nobody = (
            words("nobody_named_recruiter", name=ctx.recruiter.name)
            if ctx.recruiter is not None and ctx.recruiter.name
            else words("nobody_named")
        )
        people = words.fill("research_prompt", "people", {"people": _bullets([nobody])})
    if recruiter:
        people += f"\n\n{recruiter}"
    text = words.fill(
        "research_prompt",
        "email",
        {
            "hi": _candidate_hi(words, candidate),
            **with_company,
            "title": interview.title,
            "when": words.when(interview.start, ctx.now, zone),
            "people_section": people,
            "look_into": words("look_into_one", name=words.label(new[0])) if len(new) == 1 else words("look_into_each"),
            "about": words("about", company=company) if company else words("about_any"),
        },
    )
    subject_names = words.few(new) if new else words("one_interviewer")
    subject = words.fill("research_prompt", "subject", {**with_company, "names": subject_names})
    # The SMS names the new people (and, from round 2, whom to recall); dropped from the end first.
    new_options = _name_options(words, tuple(new))
    if met:
        # Whom to recall goes first (to the names alone, never a count), then the new names.
        met_options = _name_options(words, tuple(met))
        recall = met_options[:-1] if len(met) > 1 else met_options
        name_options = [{"who": words("research_who_round", new=new_options[0], met=m)} for m in recall]
        name_options += [{"who": words("research_who", names=n)} for n in new_options]
    elif not new and ctx.recruiter is not None and ctx.recruiter.name:
        # Nobody named yet: the recruiter who arranged it knows whom the candidate will meet.
        recruiter_name = ctx.recruiter.name if is_gsm7(ctx.recruiter.name) else transliterate(ctx.recruiter.name)
        asks = [words("research_who_ask", name=recruiter_name)] if recruiter_name else []
        name_options = [{"who": w} for w in [*asks, words("research_who", names=new_options[0])]]
    else:
        name_options = [{"who": words("research_who", names=n)} for n in new_options]
    sms = _fit_sms(words, "research_prompt", ctx.sms_only, variants, name_options)
    return _message(words, ctx, subject, text, sms)


def _specific(words: _Words, person: Person) -> str:
    name = greeting_name(person)
    return words("specific", first_name=name) if name else words("specific_any")


def _recruiter_draft(words: _Words, ctx: Context, day: str, interviewers: tuple[Person, ...]) -> str:
    """The consultant's own thank-you: for arranging it, a line of interest, and (when the
    candidate has no interviewer's address) a request to pass the thanks on."""
    recruiter = ctx.recruiter
    assert recruiter is not None and ctx.interview is not None
    role = role_from_title(ctx.interview.title, ctx.company)
    pass_on = "" if interviewers else "\n" + words("pass_on") + "\n"
    interest = words("recruiter_interest_role", role=role) if role else words("recruiter_interest")
    went = words("recruiter_went")
    return words.fill(
        "thank_you",
        "recruiter",
        {
            "to": recruiter.email,
            "subject": words("recruiter_subject"),
            "greeting": words.greeting(recruiter),
            "with_company": words("with_company", company=ctx.company) if ctx.company else "",
            "day": day,
            "went": went,
            "interest": interest,
            "pass_on": pass_on,
            "sign_off": _sign_off(words, ctx.candidate),
        },
    ).replace("  ", " ")


def thank_you(ctx: Context) -> Message:
    words, candidate, interview = _Words(ctx.candidate.locale), ctx.candidate, ctx.interview
    assert interview is not None
    zone, company = candidate.zone, ctx.company
    day = words.day(interview.end, ctx.now, zone)
    people = ctx.interviewers or ()
    role = role_from_title(interview.title, company)
    draft_subject = words("draft_subject_role", role=role) if role else words("draft_subject_any")
    drafts, headed = [], []  # each draft, and as the email shows it (numbered when there are several)
    # With a recruiter and no interviewer's address, the recruiter's draft asks to pass the thanks on.
    addressees: tuple[Person | None, ...] = people or (() if ctx.recruiter else (None,))
    count = len(addressees) + (1 if ctx.recruiter else 0)
    for n, person in enumerate(addressees, 1):
        again = person is not None and person in ctx.met_before
        draft = words.fill(
            "thank_you",
            "draft",
            {
                "to": person.email if person else words("unnamed_short"),
                "subject": draft_subject,
                "greeting": words.greeting(person),
                "thanks": words("thanks_again" if again else "thanks_first"),
                "day": day,
                "role": _role(words, company, interview),
                "specific": _specific(words, person) if person else words("specific_any"),
                "fit": words("fit"),
                "sign_off": _sign_off(words, candidate),
            },
        )
        drafts.append(draft)
        headed.append(f"--- {words('draft_heading', n=n, count=count)}\n{draft}" if count > 1 else draft)
    if ctx.recruiter is not None:
        draft = _recruiter_draft(words, ctx, day, people)
        drafts.append(draft)
        heading = words("recruiter_heading")
        headed.append(f"--- {heading}\n{draft}" if count > 1 else draft)
    [with_company, *_] = _interview_phrases(words, company)
    subject_drafts = words("subject_drafts_one") if count == 1 else words("subject_drafts_many", count=count)
    subject = words.fill("thank_you", "subject", {**with_company, "drafts": subject_drafts})
    one = count == 1
    named = people[0] if people else ctx.recruiter
    if one and named is not None and not people:
        to_whom = words("to_recruiter", name=words.label(named))
    elif one and named is not None:
        to_whom = words("to_one", name=words.label(named))
    else:
        to_whom = words("to_each")
    text = words.fill(
        "thank_you",
        "email",
        {
            "hi": _candidate_hi(words, candidate),
            **with_company,
            "day": day,
            "to_whom": to_whom,
            "below": words("below_one") if one else words("below_each"),
            "drafts": "\n\n".join(headed),
        },
    )
    in_email = words("drafts_one") if one else words("drafts_many", count=count)
    plural = {
        "each": "" if one else words("each"),
        "they_discussed": words("discussed_" + ("one" if one else "each")),
        "send_today": "" if day == words("today") else words("send_today"),  # not "today ... today"
    }
    variants = [{**phrase, "day": day, "drafts": in_email, **plural} for phrase in _interview_phrases(words, company)]
    thanked = tuple(people) + ((ctx.recruiter,) if ctx.recruiter else ())
    name_options = [{"names": n} for n in _name_options(words, thanked)]
    sms = _fit_sms(words, "thank_you", ctx.sms_only, variants, name_options)
    return _message(words, ctx, subject, text, sms, tuple(drafts))


def linkedin_search_url(person: Person, company: str | None) -> str:
    """A LinkedIn people search for ``person`` at ``company``; a company known only by its domain
    is left out (nobody's profile says "globex.com")."""
    named = company if company and not ("." in company and " " not in company) else None
    keywords = f"{person.name} {named}" if named else person.name
    return "https://www.linkedin.com/search/results/people/?keywords=" + quote_plus(keywords)


def connect(ctx: Context) -> Message:
    words, candidate, company = _Words(ctx.candidate.locale), ctx.candidate, ctx.company
    entries = []
    at_company = words("at_company", company=company) if company else ""
    for person in ctx.everyone:
        note = words.fill("connect", "note", {"greeting": words.hi(person), "at_company": at_company})
        find = words("find", url=linkedin_search_url(person, company)) if person.name else words("find_any")
        entries.append(f"  - {words.label(person)}\n    {find}\n    " + words("suggested", note=note))
    congratulations = words("congratulations", company=company) if company else words("congratulations_any")
    offer_from = words("offer_from", company=company) if company else words("offer_from_any")
    text = words.fill(
        "connect",
        "email",
        {
            "hi": _candidate_hi(words, candidate),
            "congratulations": congratulations,
            "people": "\n".join(entries) or _bullets([words("nobody_named")]),
        },
    )
    subject = words.fill("connect", "subject", {"offer_from": offer_from})
    variants = [{"congratulations": congratulations}]
    if company:
        variants.append({"congratulations": words("congratulations_any")})
    name_options = [{"names": n} for n in _name_options(words, ctx.everyone)]
    sms = _fit_sms(words, "connect", ctx.sms_only, variants, name_options)
    return _message(words, ctx, subject, text, sms)


@dataclass(frozen=True)
class WelcomeLinks:
    """The candidate's own links: calendar connect (per provider) and preferences, each signed for
    them; the address their invites are forwarded to (None without an inbox domain)."""

    google: str
    microsoft: str
    preferences: str
    forwarding_address: str | None = None
    preferences_short: str | None = None  # the same page by its short path, for texts


def _hours(delay: timedelta) -> str:
    hours = delay.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def _clock_time(moment: time, locale: str) -> str:
    if locale == "en-US":
        return datetime.combine(date(2000, 1, 1), moment).strftime("%I:%M %p").lstrip("0").replace(":00 ", " ")
    return moment.strftime("%H:%M")


def welcome(
    candidate: Candidate,
    links: WelcomeLinks,
    timings: NudgeTimings,
    unsubscribe_url: str | None = None,
    branding: Branding = DEFAULT_BRANDING,
) -> Message:
    """What the service will do and when, where to forward invites, the connect and preferences
    links; by SMS, without consent on record, the request to reply YES."""
    locale = candidate.locale
    forwarding = (
        _Words(locale).fill("welcome", "forwarding", {"address": links.forwarding_address}) + "\n"
        if links.forwarding_address
        else ""
    )
    values = {
        "first_name": candidate.first_name,
        "research_lead": _hours(timings.research_lead),
        "thank_you_delay": _hours(timings.thank_you_delay),
        "follow_up_days": str(timings.follow_up_days),
        "quiet_start": _clock_time(timings.quiet_start, locale),
        "quiet_end": _clock_time(timings.quiet_end, locale),
        "timezone": candidate.timezone,
        "google_url": links.google,
        "microsoft_url": links.microsoft,
        "preferences_url": links.preferences,
        "sender_name": branding.sender_name,
    }
    sms_values = {**values, "preferences_url": links.preferences_short or links.preferences}
    text = _Words(locale).fill("welcome", "email", {**values, "forwarding": forwarding})
    fragments = [_html(text)]
    if unsubscribe_url:
        footer_text = _Words(locale).fill("footer", "email", footer_values(branding, unsubscribe_url))
        text += "\n" + footer_text
        fragments.append(_html(footer_text))
    sms_kind = "welcome_consent" if candidate.awaiting_sms_consent else "welcome"
    return Message(
        subject=_Words(locale).fill("welcome", "subject", values),
        text=text + "\n",
        html=_page(*fragments),
        sms=_Words(locale).fill(sms_kind, "sms", sms_values),
    )


def sms_yes_reply(locale: str, branding: Branding = DEFAULT_BRANDING) -> str:
    """The answer to a YES by SMS."""
    return _Words(locale).fill("sms_yes", "sms", {"sender_name": branding.sender_name})


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
    what = f'"{receipt.title}" with {company_display(receipt.company) or receipt.company}, {local_time(receipt.start, candidate)}'
    if receipt.cancelled:
        return f"Cancelled: {what}. Its nudges are withdrawn."
    if receipt.research_at is not None:
        return f"Got it: {what}; research prompt on {local_time(receipt.research_at, candidate)}."
    if receipt.research_skipped:
        return f"Got it: {what}; no research prompt ({receipt.research_skipped})."
    return f"Got it: {what}."


def invite_receipt(
    candidate: Candidate,
    receipts: list[InviteReceipt],
    problems: list[str],
    unsubscribe_url: str | None = None,
    branding: Branding = DEFAULT_BRANDING,
) -> Message:
    """The short answer to a forwarded invite: what was read from it, or what was wrong with it."""
    locale = candidate.locale
    lines = [_receipt_line(r, candidate) for r in receipts]
    lines += [f"Not used: {problem}" for problem in problems]
    words = _Words(locale)
    # What to do now follows from what happened: never "nothing more" beside "not used".
    closing = words("receipt_done") if not problems else words("receipt_some" if receipts else "receipt_none")
    values = {"first_name": candidate.first_name, "lines": "\n\n".join(lines), "closing": closing}
    if receipts:
        first = receipts[0]
        summary = f"{company_display(first.company) or first.company}, {local_time(first.start, candidate)}"
        subject = _Words(locale).fill("invite_receipt", "subject", {"summary": summary})
    else:
        subject = _Words(locale).fill("invite_problem", "subject", {})
    text = _Words(locale).fill("invite_receipt", "email", values)
    fragments = [_html(text)]
    if unsubscribe_url:
        footer_text = _Words(locale).fill("footer", "email", footer_values(branding, unsubscribe_url))
        text += "\n" + footer_text
        fragments.append(_html(footer_text))
    return Message(subject=subject, text=text + "\n", html=_page(*fragments), sms="")


def _day(moment: datetime, candidate: Candidate) -> str:
    local = moment.astimezone(candidate.zone)
    if candidate.locale == "en-US":
        return f"{local:%A}, {local:%B} {local.day}"
    return f"{local:%A} {local.day} {local:%B}"


def _addressed_draft(
    words: _Words, ctx: Context, kind: str, values: dict[str, str]
) -> tuple[str, list[dict[str, str]]]:
    person = ctx.addressee
    draft = words.fill(
        kind,
        "draft",
        {
            "to": person.email if person else words("unnamed_short"),
            "greeting": words.greeting(None if ctx.addressee_is_contact else person),
            "sign_off": _sign_off(words, ctx.candidate),
            **values,
        },
    )
    if person is None:
        options = [words("one_interviewer")]
    elif ctx.addressee_is_contact:
        # A team mailbox is named by its name or its address, never "your interviewer".
        written = person.name or person.email
        gsm = transliterate(written)
        options = [written, *([gsm] if gsm else []), words("your_contact")]
    else:
        options = _name_options(words, (person,))
    return draft, [{"names": n} for n in dict.fromkeys(options)]


def follow_up(ctx: Context) -> Message:
    words, candidate, interview, company = _Words(ctx.candidate.locale), ctx.candidate, ctx.interview, ctx.company
    assert interview is not None
    zone = candidate.zone
    day = words.day(interview.end, ctx.now, zone)
    days = max(1, (ctx.now.astimezone(zone).date() - interview.end.astimezone(zone).date()).days)
    draft, name_options = _addressed_draft(
        words, ctx, "follow_up", {"day": day, "role": _role(words, company, interview)}
    )
    [with_company, *_] = _interview_phrases(words, company)
    text = words.fill(
        "follow_up",
        "email",
        {"hi": _candidate_hi(words, candidate), **with_company, "days": str(days), "day": day, "draft": draft},
    )
    subject = words.fill("follow_up", "subject", with_company)
    variants = [{**phrase, "day": day} for phrase in _interview_phrases(words, company)]
    sms = _fit_sms(words, "follow_up", ctx.sms_only, variants, name_options)
    return _message(words, ctx, subject, text, sms, (draft,))


def rejection_reply(ctx: Context) -> Message:
    words, candidate, company = _Words(ctx.candidate.locale), ctx.candidate, ctx.company
    organisation = words("org", company=company) if company else words("org_any")
    draft, name_options = _addressed_draft(words, ctx, "rejection_reply", {"org": organisation})
    application = words("application", company=company) if company else words("application_any")
    text = words.fill(
        "rejection_reply", "email", {"hi": _candidate_hi(words, candidate), "application": application, "draft": draft}
    )
    subject = words.fill(
        "rejection_reply", "subject", {"to_company": words("to_company", company=company) if company else ""}
    )
    variants = [{"application": application}]
    if company:
        variants.append({"application": words("application_any")})
    sms = _fit_sms(words, "rejection_reply", ctx.sms_only, variants, name_options)
    return _message(words, ctx, subject, text, sms, (draft,))


COMPOSE = {
    "research_prompt": research_prompt,
    "thank_you": thank_you,
    "connect": connect,
    "follow_up": follow_up,
    "rejection_reply": rejection_reply,
}


def compose(kind: str, ctx: Context) -> Message:
    return COMPOSE[kind](ctx)


def local_time(moment: datetime, candidate: Candidate) -> str:
    """``moment`` in the candidate's zone and locale: "Thursday 3 December at 14:00 (GMT)"."""
    return _Words(candidate.locale).at(moment, candidate.zone)
