"""Which company an interview is with, as a message should write it.

From the best source the event has, in this order: what the provider names (Cal.com's team), a
title that names it ("Founder chat - Lumen Labs", "Interview - PM, Litware") when no address
says otherwise, then the hiring side's email domain (not free mail, not a machine's: see
nudges.domain.people).
A name is kept as its source writes it; a company known only by its domain is written as the
domain (``brightwaveenergy.com``), never as a word made from it ("Brightwaveenergy"); an old
stored label (``acme-robotics``, before domains were kept) is written as words.
With none, :data:`UNKNOWN_COMPANY` is stored and messages phrase around it ("your interview on
Thursday"), never "the company" as a name.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from nudges.domain.interview import FREE_MAIL_DOMAINS, UNKNOWN_COMPANY, company_from_email, company_key, normalise_email
from nudges.domain.people import is_machine

if TYPE_CHECKING:
    from collections.abc import Iterable

# Title parts are split at these (a colon is not one: "Technical interview: Robotics engineer").
_SEPARATORS = re.compile(r"\s+[-\u2013\u2014|@]\s+|\s+at\s+", re.IGNORECASE)
# A part with one of these words describes the meeting or the role, not the company.
_NOT_A_COMPANY = re.compile(
    r"\b(interviews?|chat|call|screen(ing)?|round|meeting|technical|onsite|on-site|panel|debrief|intro|"
    r"introduction|session|conversation|sync|discussion|between|with|and|catch[- ]?up|coffee|follow[- ]?up|"
    r"engineer(ing)?|developer|manager|designer|pm|lead|director|analyst|scientist|intern(ship)?|"
    r"consultant|architect|officer|head|vp|senior|junior|staff|principal|role|position|candidate|"
    r"stage|step|final|first|second|third|hr|recruiter|recruiting|hiring|zoom|teams|meet|google|webex|"
    r"phone|video|minutes?|mins?|hours?|online|remote|virtual|in[- ]person|invitation|invite|updated|"
    r"\w*gespr\w*|entretien|entrevista|colloquio|intervista|bewerbung\w*|sollicitatie\w*|"
    r"confirmed|cancell?ed|rescheduled|reminder|today|tomorrow|"
    r"mon(day)?|tue(s(day)?)?|wed(nesday)?|thu(rs(day)?)?|fri(day)?|sat(urday)?|sun(day)?|"
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|"
    r"nov(ember)?|dec(ember)?|\d+)\b",
    re.IGNORECASE,
)
_MAX_WORDS = 5


def _words(text: str) -> str:
    return " ".join(text.split())


def company_from_title(title: str, people: Iterable[str] = ()) -> str | None:
    """The company a title names ("Founder chat - Lumen Labs" -> "Lumen Labs"), or None.

    ``people``: names of those on the event; a part that is one of them is a person, not a
    company ("Interview - Jane Doe").
    """
    names = {_words(n).casefold() for n in people if n}
    names |= {n.split(" ")[0] for n in names}
    parts = _SEPARATORS.split(_words(title))
    if len(parts) < 2:
        return None
    for part in reversed(parts):
        part = part.rsplit(",", 1)[-1].strip(" .:;()[]\"'")  # "PM, Litware" -> "Litware"
        if (
            part
            and len(part.split()) <= _MAX_WORDS
            and len(part) <= 60
            and re.search(r"\w", part)
            and not _NOT_A_COMPANY.search(part)
            and part.casefold() not in names
        ):
            return part
    return None


def registrable_domain(email: str) -> str | None:
    """The organisation's domain of an address (``jane@eng.acme.co.uk`` -> ``acme.co.uk``,
    ``x@contoso.onmicrosoft.com`` -> ``contoso.onmicrosoft.com``), None for free mail."""
    domain = normalise_email(email).rpartition("@")[2].strip(".")
    label = company_from_email(email)
    if not domain or not label or domain in FREE_MAIL_DOMAINS:
        return None
    labels = domain.split(".")
    return ".".join(labels[labels.index(label) :]) if label in labels else domain


def hiring_domain(emails: Iterable[str]) -> str | None:
    """The domain of the first hiring-side address that tells one (not free mail, not a
    machine's: ``no-reply@zoom.us`` is Zoom's mailer, not the company)."""
    for email in emails:
        if email and not is_machine(email):
            domain = registrable_domain(email)
            if domain:
                return domain
    return None


def company_name(
    *, named: str | None = None, title: str | None = None, emails: Iterable[str] = (), people: Iterable[str] = ()
) -> str:
    """The company from the best source there is (see the module's docstring), or UNKNOWN_COMPANY.

    ``named``: what the provider itself names (Cal.com's team); ``emails``: the hiring side's
    addresses, organizer first; ``people``: the names on the event (not taken for a company).
    """
    if named and _words(named) and not _NOT_A_COMPANY.search(named):  # a team called "Engineering" is not one
        return _words(named)
    from_title = company_from_title(title or "", people)
    from_domain = hiring_domain(emails)
    # A title is free text in any language ("Vorstellungsgespräch - Backend Engineer"): it names
    # the company when no address does, or writes the one the domain names (lumenlabs.io ->
    # "Lumen Labs"); against a domain that says otherwise, the domain wins.
    if from_title and (from_domain is None or company_key(from_title) == company_key(from_domain)):
        return from_title
    return from_domain or UNKNOWN_COMPANY


def company_display(company: str | None) -> str | None:
    """How messages, the API, the CLI and the console write ``company``: as its source wrote it;
    a domain as the domain (``brightwaveenergy.com``), or as the words its hyphens split
    (``acme-robotics.com``: "Acme Robotics"); an old stored label or normalised key
    (``acme-robotics``) as words ("Acme Robotics"); None when unknown."""
    if not company or company == UNKNOWN_COMPANY:
        return None
    if re.fullmatch(r"[a-z0-9\-]+(\.[a-z0-9\-]+)+", company):
        # A hyphen splits the label into its words (acme-robotics.com: "Acme Robotics"); a
        # joined-up label is written as the domain, never as a made-up word ("Brightwaveenergy").
        label = company_from_email(f"x@{company}") or company
        return " ".join(w.capitalize() for w in label.split("-") if w) if "-" in label else company
    if re.fullmatch(r"[a-z0-9][a-z0-9\-_. ]*", company):
        return " ".join(word.capitalize() for word in re.split(r"[-_\s]+", company) if word)
    return company


# A part of a title that names the role has one of these ("Senior Backend Engineer").
_ROLE_WORDS = re.compile(
    r"\b(engineer|developer|programmer|manager|designer|analyst|scientist|lead|director|consultant|architect|"
    r"officer|head of|intern|associate|specialist|coordinator|administrator|accountant|researcher|"
    r"technician|advisor|adviser|executive|representative|strategist|editor|writer|nurse|teacher|"
    r"product owner|sre|devops|vp|cto|cfo|ceo|coo|partner|principal)\b",
    re.IGNORECASE,
)
# Words about the meeting, not the role: taken off a part before it is read as a role.
_MEETING_WORDS = re.compile(
    r"\b(technical|final|first|second|third|onsite|on-site|panel|video|phone|online|remote|virtual|"
    r"interviews?|chat|call|screen(ing)?|round|stage|meeting|conversation|invitation|invite|updated|"
    r"\d+(st|nd|rd|th)?|with|the|role|position|job)\b",
    re.IGNORECASE,
)
_ROLE_SEPARATORS = re.compile(r"\s+[-\u2013\u2014|@]\s+|:\s*|\s+at\s+|\s+for\s+|\s+with\s+|[()\[\]]", re.IGNORECASE)


def role_from_title(title: str | None, company: str | None = None) -> str | None:
    """The role a title names ("Senior Backend Engineer interview - Brightwave" -> "Senior
    Backend Engineer"), or None when it names none ("Panel interview")."""
    for part in _ROLE_SEPARATORS.split(_words(title or "")):
        if not part or not _ROLE_WORDS.search(part):
            continue
        if company and company_key(part) == company_key(company):
            continue
        role = _words(_MEETING_WORDS.sub(" ", part)).strip(" ,.;-")
        if role and _ROLE_WORDS.search(role) and len(role.split()) <= 6 and len(role) <= 60:
            return role
    return None
