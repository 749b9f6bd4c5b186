"""Who is a person: the one place that decides whom a candidate researches, thanks and connects with.

Every provider lists addresses on an event: the organizer, attendees, hosts. Only some of them
are people the candidate met:

- **interviewers**: people. Researched, greeted, drafted to, suggested as connections.
- **contacts**: role and group mailboxes (``recruiting@``, ``talent@``, ``careers@``, ``hr@``...,
  or a display name such as "Globex Recruiting"). Never researched, greeted or suggested; a
  contact is whom a follow-up goes to, and its domain still tells the company.
- **machines**: senders that are neither (``no-reply@zoom.us``, ``no-reply@cal.com``,
  ``calendar-notification@google.com``, ``noreply@...``, Teams' and Webex's notifiers, Google's
  group and import calendars). Nobody to write to, and their domain says nothing about who is
  hiring.
- **rooms and resources** (iCalendar ``CUTYPE=ROOM|RESOURCE``, Google ``resource: true`` or
  ``resource.calendar.google.com``, Graph ``type: resource``): dropped.

Names: a display name that is an address, or just its local part (``priya.r``), is no name.
The best-known name per address is kept across an application (:func:`best_names`), so José
stays José and 王伟 stays 王伟 in a later round whose invite only carries the address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from nudges.domain.interview import Person, normalise_email, person_key

if TYPE_CHECKING:
    from collections.abc import Iterable

    from nudges.domain.interview import Interview

Role = Literal["interviewer", "contact", "machine", "resource"]

# Local parts (or their first word) that name a role, not a person.
ROLE_WORDS = frozenset(
    {
        "recruiting",
        "recruiter",
        "recruiters",
        "recruitment",
        "recruit",
        "talent",
        "talentacquisition",
        "careers",
        "career",
        "jobs",
        "job",
        "hr",
        "people",
        "peopleops",
        "hiring",
        "team",
        "info",
        "calendar",
        "scheduling",
        "scheduler",
        "schedule",
        "interviews",
        "interview",
        "interviewing",
        "hello",
        "contact",
        "office",
        "admin",
        "staffing",
    }
)
# Words that mark a role wherever they sit in a local part ("globex-recruiting@", "eng.hiring@").
STRONG_ROLE_WORDS = frozenset(
    {"recruiting", "recruiter", "recruiters", "recruitment", "talent", "careers", "hiring", "interviews", "scheduling"}
)
# Senders that are machines wherever they send from.
MACHINE_LOCAL_PARTS = frozenset(
    {
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
        "notifications",
        "notification",
        "notify",
        "calendar-notification",
        "calendar-notifications",
        "calendar-server",
        "mailer-daemon",
        "postmaster",
        "bounce",
        "bounces",
        "messenger",  # Webex's meeting mail
        "invites",
        "meetings",
    }
)
# Hosts whose every address is a calendar service's: Google's group, import and resource
# calendars; Teams' and Webex's notification hosts.
MACHINE_HOSTS = (
    "calendar.google.com",
    "teams.mail.microsoft",
    "email.teams.microsoft.com",
)
RESOURCE_HOSTS = ("resource.calendar.google.com",)
# A display name ending in one of these is a team, not a person ("Globex Recruiting").
_ROLE_NAME = re.compile(
    r"\b(recruiting|recruitment|recruiters?|talent( acquisition)?|careers|hiring( team)?|hr|"
    r"people (ops|team)|team|scheduling|interviews?|no-?reply)\s*$",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[.\-_+0-9]+")


@dataclass(frozen=True)
class Address:
    """An address as a provider listed it, with what the provider says it is."""

    email: str
    name: str = ""
    resource: bool = False  # the provider marks it a room or resource (CUTYPE, resource, type)
    group: bool = False  # the provider marks it a group (iCalendar CUTYPE=GROUP)


def _host_is(domain: str, hosts: Iterable[str]) -> bool:
    return any(domain == h or domain.endswith("." + h) for h in hosts)


def role_of(address: Address) -> Role:
    """What the owner of ``address`` is to the candidate."""
    email = normalise_email(address.email)
    if not email:
        # Known only by name (an interviewer added by hand): a person, unless the name says a team.
        return "contact" if not address.name.strip() or _ROLE_NAME.search(address.name.strip()) else "interviewer"
    local, _, domain = email.rpartition("@")
    if address.resource or _host_is(domain, RESOURCE_HOSTS):
        return "resource"
    if local in MACHINE_LOCAL_PARTS or local.startswith(("noreply", "no-reply", "donotreply", "do-not-reply")):
        return "machine"
    if _host_is(domain, MACHINE_HOSTS):
        return "machine"
    words = [w for w in _WORDS.split(local) if w]
    if address.group or not words:
        return "contact"
    if words[0] in ROLE_WORDS or "".join(words) in ROLE_WORDS or any(w in STRONG_ROLE_WORDS for w in words):
        return "contact"
    if _ROLE_NAME.search(address.name.strip()):
        return "contact"
    return "interviewer"


def is_machine(email: str) -> bool:
    """A calendar service's or no-reply sender: neither a person nor the company."""
    return role_of(Address(email)) in ("machine", "resource")


def real_name(name: str | None, email: str) -> str:
    """``name`` if it is one: not an address, not the address's local part (``priya.r``)."""
    text = " ".join((name or "").split()).strip().strip('"').strip()
    if not text or "@" in text:
        return ""
    local = normalise_email(email).partition("@")[0]
    flat = lambda s: re.sub(r"[\s.\-_+]+", "", s.casefold())  # noqa: E731
    # "priya.r", "wang wei": written as the address is (a name in capitals, "Bob", is a name)
    if text == text.casefold() and flat(text) == flat(local):
        return ""
    return text


@dataclass(frozen=True)
class People:
    interviewers: tuple[Person, ...]
    contacts: tuple[Person, ...]


def sort_people(addresses: Iterable[Address], exclude: Iterable[str] = ()) -> People:
    """The interviewers and the contacts among ``addresses`` (each once, in order), without
    ``exclude`` (the candidate's own addresses), machines, rooms and resources. A person whose
    address was unreadable (an empty ``email``) is kept by name, judged by the name alone."""
    skip = {normalise_email(e) for e in exclude}
    interviewers: dict[str, Person] = {}
    contacts: dict[str, Person] = {}
    for address in addresses:
        email = normalise_email(address.email)
        person = Person(real_name(address.name, email), email)
        key = person_key(person)
        if ("@" not in email and not person.name) or email in skip or key in interviewers or key in contacts:
            continue
        role = role_of(address)
        if role == "interviewer":
            interviewers[key] = person
        elif role == "contact":
            contacts[key] = person
    return People(tuple(interviewers.values()), tuple(contacts.values()))


def _better(known: str, told: str) -> bool:
    """Whether ``told`` is a better name than ``known``: any name beats none, a fuller one
    (more words, the known one in it) beats a shorter one."""
    if not told:
        return False
    if not known:
        return True
    return len(told.split()) > len(known.split()) and known.casefold().split()[0] in told.casefold()


def best_names(interviews: Iterable[Interview]) -> dict[str, str]:
    """The best-known name of every address met in ``interviews`` (interviewers and contacts)."""
    names: dict[str, str] = {}
    for interview in sorted(interviews, key=lambda i: i.start):
        for person in (*interview.interviewers, *interview.contacts):
            key = person_key(person)
            told = real_name(person.name, person.email)
            if _better(names.get(key, ""), told):
                names[key] = told
            names.setdefault(key, "")
    return names


def named(people: Iterable[Person], names: dict[str, str]) -> tuple[Person, ...]:
    """``people`` with the best-known name for each (``names`` from :func:`best_names` over the
    whole application, this round included), and no name that is only an address."""
    out = []
    for person in people:
        email = normalise_email(person.email)
        out.append(Person(names.get(person_key(person)) or real_name(person.name, email), email))
    return tuple(out)


def first_name(person: Person) -> str:
    """How to greet ``person``: the first word of their name, or "" (then "Hello,")."""
    return person.name.split(" ")[0] if person.name else ""
