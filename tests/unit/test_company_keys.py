"""Company keys keep every script, and the applications stored before keep their ids."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudges.domain.interview import (
    UNKNOWN_COMPANY,
    application_id_for,
    company_from_email,
    company_key,
    normalise_company,
)


def old_company_key(company: str) -> str:
    """The rule every stored application id was made with (before Unicode-aware keys)."""
    name = company.strip()
    if "." in name and " " not in name and "@" not in name:
        name = company_from_email(f"x@{name}") or name
    return re.sub(r"[^0-9a-z]+", "", normalise_company(name)) or UNKNOWN_COMPANY


# Application ids as the service wrote them before this change (sha256 of email and old key).
# (Computed with the code of commit a4ad4e0.)
STORED = {
    ("ada@example.org", "Acme Robotics, Inc."): "ap_9ee47ee9698426db5b30cd8a",
    ("karim@nilas.com", "nilas"): "ap_930ceb8c78de9ee3b08f2b42",
    ("ada@example.org", "Globex Corporation"): "ap_7ffadd3d981b015e13a3d011",
    ("ada@example.org", "eng.acme.co.uk"): "ap_8c42f24a36f81fb3d4c83acc",
}


@pytest.mark.parametrize(("email", "company"), list(STORED))
def test_stored_applications_keep_their_ids(email, company):
    assert application_id_for(email, company) == STORED[(email, company)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=string.printable, max_size=40))
def test_an_ascii_name_keeps_the_key_and_so_the_application_id_it_had(name):
    assert company_key(name) == old_company_key(name)


@pytest.mark.parametrize(
    "name",
    ["Acme Robotics, Inc.", "acme-robotics", "acme-robotics.com", "eng.acme.co.uk", "Globex Corporation", "3M"],
)
def test_the_names_of_the_stories_keep_their_keys(name):
    assert company_key(name) == old_company_key(name)


def test_non_latin_names_are_companies_of_their_own():
    keys = {company_key(n) for n in ("Яндекс", "株式会社ソニー", "Müller GmbH", "Mller", "सिप्ला")}
    assert len(keys) == 5 and UNKNOWN_COMPANY not in keys
    assert company_key("Яндекс") == company_key("  ЯНДЕКС ") == company_key("Яндекс LLC")
    assert company_key("ｓｏｎｙ") == company_key("Sony")  # NFKC: full-width letters are the letters


def test_a_name_without_letters_or_digits_is_no_company_and_never_shared():
    assert company_key("!!!") == company_key("") == UNKNOWN_COMPANY
    one = application_id_for("ada@example.org", "!!!", "iv_1")
    other = application_id_for("ada@example.org", "unknown", "iv_2")
    assert one != other
    with pytest.raises(ValueError):
        application_id_for("ada@example.org", "!!!")
