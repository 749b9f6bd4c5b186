"""Names as directories write them: how each is shown and greeted (nudges.domain.people)."""

from __future__ import annotations

import pytest

from nudges.domain.interview import Person
from nudges.domain.people import Address, greeting_name, is_own, real_name, role_of
from nudges.domain.person_names import clean_name

# (as the invite writes it, as a message shows it, how a greeting names them)
NAMES = [
    ("Chidi Okafor", "Chidi Okafor", "Chidi"),
    ("Okafor, Chidi", "Chidi Okafor", "Chidi"),
    ("OKAFOR, CHIDI", "Chidi Okafor", "Chidi"),
    ("Prof. Ines Duarte", "Prof. Ines Duarte", "Ines"),
    ("Dr Ines Duarte", "Dr Ines Duarte", "Ines"),
    ("Dr. Smith", "Dr. Smith", "Dr. Smith"),
    ("MARIA GARCIA", "Maria Garcia", "Maria"),
    ("John SMITH", "John Smith", "John"),
    ("Martin Luther King Jr.", "Martin Luther King Jr.", "Martin"),
    ("Ana Costa, PhD", "Ana Costa, PhD", "Ana"),
    ('Robert "Bob" Smith', 'Robert "Bob" Smith', "Bob"),
    ("Sam Lee (she/her)", "Sam Lee", "Sam"),
    ("Alex Kim | they/them", "Alex Kim", "Alex"),
    ("Priya Raman \U0001f680", "Priya Raman", "Priya"),
    ("\U0001f44b Tomás Ruiz \U0001f1ea\U0001f1f8", "Tomás Ruiz", "Tomás"),
    ("Madonna", "Madonna", "Madonna"),
    ("J. Smith", "J. Smith", "J. Smith"),
    ("Jean-Luc Picard", "Jean-Luc Picard", "Jean-Luc"),
    ("Ludwig van Beethoven", "Ludwig van Beethoven", "Ludwig"),
    # family name first: greeted by the full name, never by the family name alone
    ("Wang Wei", "Wang Wei", "Wang Wei"),
    ("WANG Wei", "Wang Wei", "Wang Wei"),
    ("Tanaka Hiroshi", "Tanaka Hiroshi", "Tanaka Hiroshi"),
    ("Nguyen Van An", "Nguyen Van An", "Nguyen Van An"),
    ("Lee Hsien Loong", "Lee Hsien Loong", "Lee Hsien Loong"),
    ("Tan Mei Ling", "Tan Mei Ling", "Tan Mei Ling"),
    ("王伟", "王伟", "王伟"),
    ("田中 博", "田中 博", "田中 博"),
    ("김민준", "김민준", "김민준"),
    # "Last, First" turns a family-first name round: the given name is then clear
    ("Tanaka, Hiroshi", "Hiroshi Tanaka", "Hiroshi"),
    ("David Lee", "David Lee", "David"),
]


@pytest.mark.parametrize(("written", "shown", "greeted"), NAMES)
def test_every_name_form_is_shown_and_greeted_as_a_careful_person_would(written: str, shown: str, greeted: str) -> None:
    assert clean_name(written) == shown
    assert real_name(written, "someone@northwind.com") == shown
    assert greeting_name(Person(written, "someone@northwind.com")) == greeted


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("Hiring Panel", "hiring-panel@northwind.com"),
        ("Northwind Recruiting", "ana@northwind.com"),
        ("", "talent@northwind.com"),
        ("Panel", "panel@northwind.com"),
    ],
)
def test_group_and_role_mailboxes_are_greeted_by_no_name(name: str, email: str) -> None:
    assert greeting_name(Person(name, email)) == ""


def test_a_group_attendee_is_a_contact() -> None:
    assert role_of(Address("panel@northwind.com", "Interview Panel", group=True)) == "contact"
    assert role_of(Address("hiring-panel@northwind.com", "Hiring Panel")) == "contact"


def test_nobody_and_no_name_are_greeted_by_no_name() -> None:
    assert greeting_name(None) == ""
    assert greeting_name(Person("", "x@northwind.com")) == ""


# (the attendee, the candidate's addresses, the candidate's name, is it the candidate)
ALIASES = [
    (Address("ada@example.org", "Ada Lovelace"), ["ada@example.org"], ["Ada Lovelace"], True),
    (Address("ADA@Example.org", ""), ["ada@example.org"], [], True),
    (Address("ada.work@lovelace.dev", "A. L."), ["ada@example.org", "ada.work@lovelace.dev"], ["Ada Lovelace"], True),
    (Address("al@gmail.com", "Lovelace, Ada"), ["ada@example.org"], ["Ada Lovelace"], True),
    (Address("al@gmail.com", "ADA LOVELACE"), ["ada@example.org"], ["Ada Lovelace"], True),
    (Address("al@gmail.com", "Adá Lovelace"), ["ada@example.org"], ["Ada Lovelace"], True),
    (Address("al@gmail.com", "Ada Lovelace", organizer=True), ["ada@example.org"], ["Ada Lovelace"], False),
    (Address("ada.byron@northwind.com", "Ada Byron"), ["ada@example.org"], ["Ada Lovelace"], False),
    (Address("wang.wei@gmail.com", "王伟"), ["ww@example.org"], ["Wang Wei", "王伟"], True),
]


@pytest.mark.parametrize(("address", "addresses", "names", "own"), ALIASES)
def test_the_candidate_is_known_by_every_address_and_spelling(
    address: Address, addresses: list[str], names: list[str], own: bool
) -> None:
    assert is_own(address, addresses, names) is own
