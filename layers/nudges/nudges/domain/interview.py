"""Interviews, the people met in them, and the application they belong to."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from datetime import tzinfo

InterviewStatus = Literal["scheduled", "cancelled"]

# Organizers on these domains are people, not companies: the domain says nothing
# about who is hiring.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "yandex.ru",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
        "qq.com",
        "163.com",
    }
)
UNKNOWN_COMPANY = "unknown"
# Hosted tenants: the label before these names the organisation.
_TENANT_DOMAINS = {"onmicrosoft.com"}
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "ltd", "plc"}
_COMPANY_SUFFIXES = re.compile(
    r"[\s,]+(inc|incorporated|ltd|limited|llc|plc|gmbh|corp|corporation|co|company|sa|ag|bv)\.?$"
)


# An all-day or multi-day event with a title like these is an interview (an assessment centre, a
# "superday"): it is taken to start at the candidate's working morning (WORKDAY_START local).
INTERVIEW_LIKE = re.compile(
    r"\b(interview\w*|assessment|assessment[- ]cent(re|er)|superday|super day|onsite|on-site|"
    r"selection day|recruitment day|hiring day|final round|panel|case study|trial day|"
    r"vorstellungsgespr\w*|entretien|entrevista|colloquio|sollicitatie\w*)\b",
    re.IGNORECASE,
)
WORKDAY_START = time(9, 0)
WORKDAY_END = time(17, 0)


def is_interview_like(title: str | None) -> bool:
    return bool(INTERVIEW_LIKE.search(title or ""))


def all_day_span(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """An all-day event from ``first`` to ``last`` (both days included), as an interview: from
    the working morning of the first day to the end of the working day on the last."""
    start = datetime.combine(first, WORKDAY_START, tzinfo=zone)
    end = datetime.combine(max(first, last), WORKDAY_END, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    @property
    def display_name(self) -> str:
        """The name, or the address itself: a local part (``priya.r``) is no name."""
        return self.name or self.email


def normalise_email(email: str) -> str:
    return email.strip().lower()


def person_key(person: Person) -> str:
    """Who a person is across rounds: their address, or, for someone known only by name (an
    interviewer added by hand without an email), their name."""
    return normalise_email(person.email) or "name:" + " ".join(person.name.split()).casefold()


def normalise_company(name: str) -> str:
    """A company key: lower case, no legal suffix, single spaces ("Acme, Inc." == "acme")."""
    key = re.sub(r"\s+", " ", name.strip().lower())
    while True:
        shorter = _COMPANY_SUFFIXES.sub("", key).strip(" ,.")
        if shorter == key:
            return key or UNKNOWN_COMPANY
        key = shorter


def company_from_email(email: str) -> str | None:
    """The hiring company told by an organizer's address, or None for free-mail senders.

    ``jane@eng.acme.co.uk`` -> ``acme``: the registrable name, not the mail host.
    """
    domain = normalise_email(email).rpartition("@")[2]
    if not domain or domain in FREE_MAIL_DOMAINS:
        return None
    labels = domain.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _TENANT_DOMAINS:
        return labels[-3]  # contoso.onmicrosoft.com: the tenant is the company
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def interview_id_for(source: str, source_ref: str) -> str:
    """Stable id from the provider's own identity, so a retried webhook finds the same interview."""
    return f"iv_{_digest(source, source_ref)}"


def company_key(company: str) -> str:
    """The company as applications are matched: a domain (``acme-robotics.com``) by its
    registrable name, then NFKC, casefolded, only the letters, marks and digits of any script
    left, so "Acme Robotics, Inc.", "acme-robotics" and ``acme-robotics.com`` are one company,
    and "Яндекс" and "株式会社ソニー" are companies of their own. A name with nothing of the kind
    left ("!!!", "") is ``unknown``: no company, never matched (``application_id_for``).

    For names in ASCII this is exactly the key of old (``[0-9a-z]`` kept), so the applications
    stored before keep their ids; a test holds it to that."""
    name = unicodedata.normalize("NFKC", company).strip()
    if "." in name and " " not in name and "@" not in name:
        name = company_from_email(f"x@{name}") or name
    name = normalise_company(name.casefold())
    key = "".join(ch for ch in name if unicodedata.category(ch)[0] in "LMN")
    return key or UNKNOWN_COMPANY


def application_id_for(candidate_email: str, company: str, interview_id: str | None = None) -> str:
    """One application per candidate and company: every round with them shares it. An interview
    with no known company is an application of its own (``interview_id``): "unknown" is no
    company, and two such interviews have nothing to say they are the same process."""
    key = company_key(company)
    if key == UNKNOWN_COMPANY:
        if not interview_id:
            raise ValueError("an application without a company needs its interview's id")
        return f"ap_{_digest(normalise_email(candidate_email), UNKNOWN_COMPANY, interview_id)}"
    return f"ap_{_digest(normalise_email(candidate_email), key)}"


@dataclass(frozen=True)
class Interview:
    interview_id: str
    source: str
    source_ref: str
    candidate_email: str
    company: str
    title: str
    start: datetime
    end: datetime
    interviewers: tuple[Person, ...]
    status: InterviewStatus = "scheduled"
    location: str | None = None  # where (an address or a video link), when the candidate said
    candidate_name: str | None = None
    # When the provider said this (its event time): an older word never overrides a newer one.
    updated_at: datetime | None = None
    source_refs: tuple[str, ...] = field(default=())
    # The provider's own revision number (an iCalendar SEQUENCE), when it keeps one: where both
    # sides have one, it decides which word is newer, before updated_at does.
    provider_version: int | None = None
    # Role and group mailboxes on the invite (recruiting@...): not interviewers, but whom a
    # follow-up goes to. nudges.domain.people decides who is which.
    contacts: tuple[Person, ...] = field(default=())
    # An agency's consultant who arranged the interview (nudges.domain.agencies): not an
    # interviewer; asked about the process, thanked with a draft of their own, followed up with.
    recruiter: Person | None = None

    @property
    def application_id(self) -> str:
        own = self.interview_id or interview_id_for(self.source, self.source_ref)
        return application_id_for(self.candidate_email, self.company, own)

    def status_at(self, now: datetime) -> str:
        if self.status == "scheduled" and self.end <= now:
            return "completed"
        return self.status


def everyone_met(interviews: list[Interview]) -> tuple[Person, ...]:
    """Each interviewer once (by email), in the order the candidate first met them."""
    seen: dict[str, Person] = {}
    for interview in sorted(interviews, key=lambda i: i.start):
        if interview.status == "cancelled":
            continue
        for person in interview.interviewers:
            seen.setdefault(person_key(person), person)
    return tuple(seen.values())
