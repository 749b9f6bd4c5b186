"""Who is who on an invite: agencies (two signals), attendance and the employer (nudges.domain.agencies)."""

from __future__ import annotations

import pytest

from nudges.domain.agencies import AGENCY_DOMAINS, cast, client_in_description, employer_in_title, is_agency_domain
from nudges.domain.company_names import company_display
from nudges.domain.interview import Person
from nudges.domain.people import Address

CONSULTANT = Address("sarah.mills@hays.com", "Sarah Mills", organizer=True)
BOUTIQUE = Address("tom@talentbridge.co.uk", "Tom Reid", organizer=True)  # an agency not on the list
ANA = Address("ana.costa@northwind.com", "Ana Costa")
BEN = Address("ben.ode@northwind.com", "Ben Ode")
ME = Address("ada@example.org", "Ada Lovelace")

# (addresses, title, description, the employer, the recruiter's email or None, the interviewers)
CASES = [
    # known agency + the title names the client: agency, though no client address is invited
    ([CONSULTANT, ME], "Senior Analyst at Northwind", None, "Northwind", "sarah.mills@hays.com", []),
    # known agency + the interviewers at another organisation
    ([CONSULTANT, ME, ANA, BEN], "Interview", None, "northwind.com", "sarah.mills@hays.com", ["Ana Costa", "Ben Ode"]),
    # all three
    (
        [CONSULTANT, ME, ANA],
        "Interview for Senior Analyst at Northwind",
        None,
        "Northwind",
        "sarah.mills@hays.com",
        ["Ana Costa"],
    ),
    # an agency not on the list: the other two signals agree
    (
        [BOUTIQUE, ME, ANA],
        "Data Engineer - interview at Northwind",
        None,
        "Northwind",
        "tom@talentbridge.co.uk",
        ["Ana Costa"],
    ),
    # known agency + the description names the client, no interviewer address: one signal only
    ([CONSULTANT, ME], "Interview", "Client: Northwind Traders", "hays.com", None, ["Sarah Mills"]),
    # known agency, but the agency's own staff interview (for a job at the agency): one signal
    (
        [CONSULTANT, ME, Address("raj@hays.com", "Raj Patel")],
        "Interview for Recruitment Consultant",
        None,
        "hays.com",
        None,
        ["Sarah Mills", "Raj Patel"],
    ),
    # an ordinary interview: the organizer is the company's
    (
        [Address("ana.costa@northwind.com", "Ana Costa", organizer=True), ME, BEN],
        "Interview",
        None,
        "northwind.com",
        None,
        ["Ana Costa", "Ben Ode"],
    ),
    # the title names the employer, the organizer works there: no agency
    (
        [Address("ana.costa@northwind.com", "Ana Costa", organizer=True), ME],
        "Analyst at Northwind",
        None,
        "Northwind",
        None,
        ["Ana Costa"],
    ),
    # a boutique agency with the client's interviewers, the title naming nobody: one signal
    ([BOUTIQUE, ME, ANA], "Interview", None, "talentbridge.co.uk", None, ["Tom Reid", "Ana Costa"]),
]


@pytest.mark.parametrize(("addresses", "title", "description", "company", "recruiter", "interviewers"), CASES)
def test_an_agency_needs_two_signals_and_then_the_client_is_the_employer(
    addresses, title, description, company, recruiter, interviewers
):
    who = cast(addresses, title=title, description=description, own_addresses=["ada@example.org"])
    assert who.company == company
    assert (who.recruiter.email if who.recruiter else None) == recruiter
    assert [p.name for p in who.interviewers] == interviewers


def test_the_agency_role_mailbox_is_a_contact_and_the_consultant_attending_is_the_recruiter():
    who = cast(
        [
            Address("recruitment@hays.com", "Hays Recruitment", organizer=True),
            ME,
            Address("sarah.mills@hays.com", "Sarah Mills"),
            ANA,
        ],
        title="Senior Analyst at Northwind",
        own_addresses=["ada@example.org"],
    )
    assert who.recruiter == Person("Sarah Mills", "sarah.mills@hays.com")
    assert who.interviewers == (Person("Ana Costa", "ana.costa@northwind.com"),)
    assert who.contacts == (Person("Hays Recruitment", "recruitment@hays.com"),)


def test_the_agency_list_is_small_and_matches_subdomains():
    assert 20 <= len(AGENCY_DOMAINS) <= 60
    assert is_agency_domain("sarah@uk.hays.com") and is_agency_domain("x@michaelpage.co.uk")
    assert not is_agency_domain("x@northwind.com")


@pytest.mark.parametrize(
    ("title", "employer"),
    [
        ("Senior Analyst at Northwind", "Northwind"),
        ("Interview for Northwind - Senior Analyst", "Northwind"),
        ("Senior Backend Engineer @ Brightwave Energy (video)", "Brightwave Energy"),
        ("Interview for Senior Analyst role", None),
        ("Interview at 10am", None),
        ("Chat with Jane Doe", None),
        ("interview for data engineer", None),
    ],
)
def test_the_employer_a_title_names(title, employer):
    assert employer_in_title(title) == employer


def test_the_client_a_description_names():
    assert client_in_description("Hi Ada,\nClient: Northwind Traders\nLocation: London") == "Northwind Traders"
    assert client_in_description("See you then") is None


# (the addresses, organizer_listed (Google; Cal.com never lists one: test_calcom_attendance.py), the interviewers, the contacts)
ATTENDANCE = [
    # Google: an organizer absent from the attendees is a coordinator
    (
        [Address("coord@northwind.com", "Cleo Ward", organizer=True), ME, ANA],
        True,
        ["Ana Costa"],
        ["Cleo Ward"],
    ),
    # Google: the organizer attends, listed among the attendees
    (
        [
            Address("coord@northwind.com", "Cleo Ward", organizer=True),
            ME,
            ANA,
            Address("coord@northwind.com", "Cleo Ward"),
        ],
        True,
        ["Cleo Ward", "Ana Costa"],
        [],
    ),
    # Exchange/Graph: the organizer is never listed, and still counts
    ([Address("coord@northwind.com", "Cleo Ward", organizer=True), ME, ANA], False, ["Cleo Ward", "Ana Costa"], []),
    # declined and non-participant attendees are contacts
    (
        [
            ANA,
            Address("ben.ode@northwind.com", "Ben Ode", declined=True),
            Address("fyi@northwind.com", "Fay Yu", non_participant=True),
        ],
        False,
        ["Ana Costa"],
        ["Ben Ode", "Fay Yu"],
    ),
    # a group attendee is a contact
    ([ANA, Address("panel@northwind.com", "Interview Panel", group=True)], False, ["Ana Costa"], ["Interview Panel"]),
]


@pytest.mark.parametrize(("addresses", "listed", "interviewers", "contacts"), ATTENDANCE)
def test_attendance_decides_who_is_an_interviewer(addresses, listed, interviewers, contacts):
    who = cast(addresses, title="Interview", own_addresses=["ada@example.org"], organizer_listed=listed)
    assert [p.name for p in who.interviewers] == interviewers
    assert [p.name for p in who.contacts] == contacts


def test_the_candidate_is_never_an_interviewer_under_any_address_or_spelling():
    who = cast(
        [
            Address("ana.costa@northwind.com", "Ana Costa", organizer=True),
            Address("ada.l@gmail.com", "LOVELACE, Ada"),  # forwarded from, another spelling
            Address("ada@work.example", "A Lovelace"),  # a connected calendar's address
        ],
        title="Interview",
        own_addresses=["ada@example.org", "ada@work.example"],
        own_names=["Ada Lovelace"],
    )
    assert [p.email for p in who.interviewers] == ["ana.costa@northwind.com"]


@pytest.mark.parametrize(
    ("addresses", "title", "named", "shown"),
    [
        ([Address("x@brightwaveenergy.com", "Xu Li", organizer=True)], "Interview", None, "brightwaveenergy.com"),
        (
            [Address("x@brightwaveenergy.com", "Xu Li", organizer=True)],
            "Interview - Brightwave Energy",
            None,
            "Brightwave Energy",
        ),
        ([Address("x@lumenlabs.io", "Xu Li", organizer=True)], "Chat", "Lumen Labs", "Lumen Labs"),
        ([Address("x@eng.acme.co.uk", "Xu Li", organizer=True)], "Interview", None, "acme.co.uk"),
        ([Address("xu.li@gmail.com", "Xu Li", organizer=True)], "Interview", None, None),
    ],
)
def test_company_display_names(addresses, title, named, shown):
    assert company_display(cast(addresses, title=title, named=named).company) == shown
