"""Who is who on an invite: the interviewers, the contacts, the recruiter, and the employer.

Recruitment agencies arrange many of the interviews their candidates attend: the agency's
consultant organises (and often attends), the client's people interview, and the title names
the client ("Senior Analyst at Northwind"). An invite is agency-arranged when **two** of these
signals agree:

1. the organizer's organisation differs from the interviewers' (both on company domains);
2. the organizer's domain is a known recruitment agency (:data:`AGENCY_DOMAINS`, below);
3. the title names another employer with "at <X>" or "for <X>".

Then the employer is the client (the title's "at/for <X>", else the interviewers' domain, else
the description's "Client: <X>"), and the consultant is *your recruiter*: the person to ask
about the interviewers and the process, thanked with a draft of their own, never researched as an
interviewer; the follow-up and the rejection reply go to them. One signal alone is not enough:
an agency's own staff interview for jobs at the agency, and "Interview for Product Lead" names
no employer.

:func:`cast` is the one function every provider's reader calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nudges.domain.company_names import _NOT_A_COMPANY, company_name, registrable_domain
from nudges.domain.interview import UNKNOWN_COMPANY, Person, company_key, normalise_email
from nudges.domain.people import Address, is_own, role_of, sort_people

if TYPE_CHECKING:
    from collections.abc import Iterable

# Recruitment agencies whose consultants send invites from these domains (registrable domains;
# a subdomain matches). A small list of the large agencies and the staffing groups behind them,
# kept short on purpose: the other signals find the rest. Add one when a candidate's invite shows
# it; docs/how-it-works.md ("Agencies") says how the rule reads them.
AGENCY_DOMAINS = frozenset(
    {
        "hays.com",
        "hays.co.uk",
        "michaelpage.com",
        "michaelpage.co.uk",
        "pagegroup.com",
        "pagepersonnel.co.uk",
        "roberthalf.com",
        "roberthalf.co.uk",
        "randstad.com",
        "randstad.co.uk",
        "adecco.com",
        "adecco.co.uk",
        "reed.co.uk",
        "harveynash.com",
        "robertwalters.com",
        "robertwalters.co.uk",
        "hudson.com",
        "kforce.com",
        "teksystems.com",
        "manpower.com",
        "manpowergroup.com",
        "kellyservices.com",
        "kornferry.com",
        "morganmckinley.com",
        "harnham.com",
        "lafosse.com",
        "sthree.com",
        "computerfutures.com",
        "huxley.com",
        "frankgroup.com",
        "jeffersonfrank.com",
        "nigelfrank.com",
        "hydrogengroup.com",
        "lorienglobal.com",
        "spencerstuart.com",
        "heidrick.com",
        "insightglobal.com",
        "aerotek.com",
        "allegisgroup.com",
        "cielotalent.com",
        "talentsearchpeople.com",
        "orbisgroup.co.uk",
    }
)
# "... at Northwind", "Interview for Northwind - Senior Analyst", "Senior Analyst @ Northwind"
_AT_FOR = re.compile(r"(?:^|\s)(?:at|for|@)\s+(.+?)(?=\s+(?:at|for)\s+|\s+[-\u2013\u2014|:(]|[,;(]|$)", re.IGNORECASE)
_CLIENT_LINE = re.compile(
    r"(?:^|\n)\s*(?:client|hiring company|employer|on behalf of|company)\s*[:\-]\s*([^\n]{2,60})", re.IGNORECASE
)


@dataclass(frozen=True)
class Cast:
    """Everyone on an invite, as the messages treat them, and the employer."""

    interviewers: tuple[Person, ...]
    contacts: tuple[Person, ...]
    company: str
    recruiter: Person | None = None  # an agency's consultant: asked, thanked, followed up with


def is_agency_domain(email_or_domain: str) -> bool:
    domain = normalise_email(email_or_domain).rpartition("@")[2]
    return any(domain == d or domain.endswith("." + d) for d in AGENCY_DOMAINS)


def employer_in_title(title: str, people: Iterable[str] = ()) -> str | None:
    """The employer a title names with "at <X>" or "for <X>" ("Senior Analyst at Northwind"), or None."""
    names = {" ".join(n.split()).casefold() for n in people if n}
    found = None
    for match in _AT_FOR.finditer(" ".join((title or "").split())):
        part = match.group(1).strip(" .:;()[]\"'")
        if (
            part
            and len(part.split()) <= 5
            and re.search(r"\w", part)
            and not _NOT_A_COMPANY.search(part)
            and part.casefold() not in names
            and part.split()[0][:1].isupper()
        ):
            found = part
    return found


def client_in_description(description: str | None) -> str | None:
    """The employer a description names on a line of its own ("Client: Northwind Traders")."""
    match = _CLIENT_LINE.search(description or "")
    if not match:
        return None
    value = match.group(1).strip(" .:;\"'")
    return value if value and not _NOT_A_COMPANY.search(value) and len(value.split()) <= 5 else None


def _org(email: str) -> str | None:
    """The organisation an address is at (its company key), None for free mail and machines."""
    domain = registrable_domain(email)
    return company_key(domain) if domain and role_of(Address(email)) != "machine" else None


def cast(
    addresses: Iterable[Address],
    *,
    title: str | None,
    description: str | None = None,
    named: str | None = None,
    own_addresses: Iterable[str] = (),
    own_names: Iterable[str] = (),
    organizer_listed: bool = False,
) -> Cast:
    """Who is who on an event, and which company it is with (see the module's docstring).

    ``addresses``: the organizer (``organizer=True``) and the attendees, as the provider lists
    them; ``own_addresses``/``own_names``: the candidate's (never an interviewer, whatever the
    name); ``named``: the company the provider itself names (Cal.com's team);
    ``organizer_listed``: the source lists an attending organizer among the attendees.
    """
    listed = list(addresses)
    own_list = list(own_addresses)
    names_list = [n for n in own_names if n]
    mine = [a.email for a in listed if is_own(a, own_list, names_list)]
    people = sort_people(listed, exclude=mine, organizer_listed=organizer_listed)
    others = [a for a in listed if normalise_email(a.email) not in {normalise_email(m) for m in mine}]
    everyone_named = [a.name for a in listed] + names_list
    organizer = next((a for a in others if a.organizer), None)
    company = company_name(named=named, title=title, emails=[a.email for a in others], people=everyone_named)
    if organizer is None or role_of(organizer) == "machine":
        return Cast(people.interviewers, people.contacts, company)
    agency_org = _org(organizer.email)
    interviewer_orgs = [
        o
        for p in people.interviewers
        if normalise_email(p.email) != normalise_email(organizer.email) and (o := _org(p.email)) is not None
    ]
    in_title = employer_in_title(title or "", everyone_named)
    signals = [
        bool(agency_org and interviewer_orgs and all(o != agency_org for o in interviewer_orgs)),
        is_agency_domain(organizer.email),
        bool(in_title and agency_org and company_key(in_title) != agency_org),
    ]
    if sum(signals) < 2:
        return Cast(people.interviewers, people.contacts, company)
    # The agency's people: the organizer and anyone at its domain. The consultant is the organizer
    # when a person, else the first of its people who is.
    agency = [p for p in (*people.interviewers, *people.contacts) if _org(p.email) == agency_org]
    recruiter = next(
        (p for p in agency if role_of(Address(p.email, p.name)) == "interviewer"),
        None,
    )
    agency_emails = {normalise_email(p.email) for p in agency}
    interviewers = tuple(p for p in people.interviewers if normalise_email(p.email) not in agency_emails)
    contacts = tuple(p for p in people.contacts if normalise_email(p.email) not in agency_emails) + tuple(
        p for p in agency if p != recruiter
    )
    client_email = next((p.email for p in interviewers if _org(p.email) and _org(p.email) != agency_org), None)
    if in_title:
        client = in_title
    elif client_email:
        client = company_name(title=title, emails=[client_email], people=everyone_named)
    else:
        client = client_in_description(description) or named or UNKNOWN_COMPANY
    return Cast(interviewers, contacts, client, recruiter)
