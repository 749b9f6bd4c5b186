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

How a name is written and greeted: nudges.domain.person_names.

Attendance (:class:`Address`): an attendee who declined, one marked ``ROLE=NON-PARTICIPANT``, and
an organizer missing from the attendees where the source lists attending organizers among them
(Google, Cal.com: ``organizer_listed=True``) is a contact, not an interviewer. Exchange and Graph
leave an attending organizer out of the attendees, so there the organizer still counts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from nudges.domain.interview import Person, normalise_email, person_key
from nudges.domain.person_names import clean_name, greeting_of

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
        "panel",
        "committee",
        "group",
        "dl",
        "everyone",
        "all",
    }
)
# Words that mark a role wherever they sit in a local part ("globex-recruiting@", "eng.hiring@").
STRONG_ROLE_WORDS = frozenset(
    {
        "recruiting",
        "recruiter",
        "recruiters",
        "recruitment",
        "talent",
        "careers",
        "hiring",
        "interviews",
        "interviewers",
        "scheduling",
        "panel",
    }
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
    r"people (ops|team)|team|scheduling|interviews?|interviewers|panel|committee|no-?reply)\s*$",
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
    declined: bool = False  # PARTSTAT=DECLINED, responseStatus declined
    non_participant: bool = False  # ROLE=NON-PARTICIPANT: copied for information, not attending
    organizer: bool = False  # the event's organizer


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
    text = clean_name(text)
    if not text:
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


def attends(address: Address, addresses: Iterable[Address], *, organizer_listed: bool = False) -> bool:
    """Whether ``address`` takes part: not declined, not a non-participant, and (where the source
    lists an attending organizer among the attendees, ``organizer_listed``) an organizer only if
    it is listed there too."""
    if address.declined or address.non_participant:
        return False
    if address.organizer and organizer_listed:
        email = normalise_email(address.email)
        return any(normalise_email(a.email) == email and not a.organizer for a in addresses)
    return True


def sort_people(addresses: Iterable[Address], exclude: Iterable[str] = (), *, organizer_listed: bool = False) -> People:
    """The interviewers and the contacts among ``addresses`` (each once, in order), without
    ``exclude`` (the candidate's own addresses), machines, rooms and resources. A person who does
    not attend (:func:`attends`) is a contact. A person whose address was unreadable (an empty
    ``email``) is kept by name, judged by the name alone."""
    listed = list(addresses)
    skip = {normalise_email(e) for e in exclude}
    interviewers: dict[str, Person] = {}
    contacts: dict[str, Person] = {}
    for address in listed:
        email = normalise_email(address.email)
        person = Person(real_name(address.name, email), email)
        key = person_key(person)
        if ("@" not in email and not person.name) or email in skip or key in interviewers or key in contacts:
            continue
        role = role_of(address)
        # Every listing of the same address (a person known only by name is listed once).
        entries = [a for a in listed if normalise_email(a.email) == email] if email else [address]
        if role == "interviewer":
            # An organizer listed again as an attendee: the attendee's entry says whether they come.
            mine = [a for a in entries if not a.organizer] or entries
            if not all(attends(a, listed, organizer_listed=organizer_listed) for a in mine) or not any(
                attends(a, listed, organizer_listed=organizer_listed) for a in entries
            ):
                role = "contact"
        name = next((real_name(a.name, email) for a in entries if a.name), "") or person.name
        person = Person(name, email)
        if role == "interviewer":
            interviewers[key] = person
        elif role == "contact":
            contacts[key] = person
    return People(tuple(interviewers.values()), tuple(contacts.values()))


def is_own(address: Address, own_addresses: Iterable[str], own_names: Iterable[str]) -> bool:
    """Whether ``address`` is the candidate's: one of ``own_addresses`` (registered, forwarded
    from, connected), or, for a non-organizer, a name that is the candidate's written another way
    (case, accents, word order, "Last, First")."""
    if normalise_email(address.email) in {normalise_email(a) for a in own_addresses}:
        return True
    told = name_key(address.name)
    return bool(told) and not address.organizer and any(told == name_key(n) for n in own_names if n)


def name_key(name: str) -> str:
    """A name as names are matched: cleaned, accents and case gone, words in order ("Okafor,
    Chidi" == "chidi okafor" == "CHIDI OKAFOR")."""
    cleaned = clean_name(name)
    flat = "".join(c for c in unicodedata.normalize("NFKD", cleaned) if not unicodedata.combining(c)).casefold()
    return " ".join(sorted(re.findall(r"\w+", flat)))


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


def greeting_name(person: Person | None) -> str:
    """How to greet ``person`` ("Dear {name},"): the given name when it is clear, else the full
    name, "" for nobody or a role or group mailbox (then "Hello,"). The one rule every message,
    draft and note greets by."""
    if person is None or not person.name:
        return ""
    if person.email and role_of(Address(person.email, person.name)) != "interviewer":
        return ""
    return greeting_of(person.name)


def first_name(person: Person) -> str:
    """How to greet ``person``: :func:`greeting_name` (kept under its old name)."""
    return greeting_name(person)
