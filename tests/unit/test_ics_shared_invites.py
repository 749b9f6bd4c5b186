"""An extra run on real invites from ../shared/fixtures/ics, as their senders produced them, when
that folder is beside this clone (it is not part of the repository: its source is AGPL-3.0
licensed). tests/unit/test_ics_invites.py reads the project's own invites, always."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nudges.domain.candidate import Candidate
from nudges.domain.interview import Person
from nudges.models.ics import invite_changes

FIXTURES = (Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "ics").resolve()
pytestmark = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason=f"no shared invites at {FIXTURES} (an extra run, only beside the shared folder)"
)
NOW = datetime(2015, 2, 1, tzinfo=UTC)
KARIM = Candidate(
    candidate_id="c_1",
    email="karim@nilas.com",
    timezone="Europe/Paris",
    channels=("email",),
    created_at=NOW,
    ics_inbox_token="inboxtoken000000",
    name="Karim Hamidou",
)

EXPECTED = {
    "invite_google_request.ics": (
        "booked",
        "Buffalo Buffalo",
        datetime(2015, 4, 1, 14, 0, tzinfo=UTC),
        datetime(2015, 4, 1, 15, 0, tzinfo=UTC),
        "unknown",
        (Person("Inbox Apptest", "inboxapptest.french@gmail.com"),),
        0,
    ),
    "invite_google_cancel.ics": (
        "cancelled",
        "Buffalo Buffalo",
        datetime(2015, 4, 1, 14, 0, tzinfo=UTC),
        datetime(2015, 4, 1, 15, 0, tzinfo=UTC),
        "unknown",
        (Person("Inbox Apptest", "inboxapptest.french@gmail.com"),),
        1,
    ),
    "invite_outlook_request.ics": (  # "Romance Standard Time" in February: UTC+1
        "booked",
        "Pommes",
        datetime(2015, 2, 20, 8, 30, tzinfo=UTC),
        datetime(2015, 2, 20, 9, 0, tzinfo=UTC),
        "inboxapp.onmicrosoft.com",
        (Person("Inbox Apptest2", "inbox.apptest2@inboxapp.onmicrosoft.com"),),
        4,
    ),
    "invite_outlook_request_2.ics": (  # in April: summer time, UTC+2; Karim invited at another address
        "booked",
        "Spot le chien",
        datetime(2015, 4, 1, 14, 0, tzinfo=UTC),
        datetime(2015, 4, 1, 14, 30, tzinfo=UTC),
        "example.com",
        (Person("Inbox Apptest2", "test2@example.com"), Person("", "test1@example.com")),
        0,
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"])
def test_each_fixture_reads_into_its_interview(name, line_end):
    data = (FIXTURES / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", line_end)
    [change] = invite_changes(data, KARIM, NOW)
    i = change.interview
    assert (change.action, i.title, i.start, i.end, i.company, i.interviewers, i.provider_version) == EXPECTED[name]
    assert (i.source, i.candidate_email) == ("ics", "karim@nilas.com")
    assert i.source_ref.startswith("c_1/")  # one interview per candidate and UID


def test_the_request_and_its_cancel_name_the_same_interview():
    [request] = invite_changes((FIXTURES / "invite_google_request.ics").read_bytes(), KARIM, NOW)
    [cancel] = invite_changes((FIXTURES / "invite_google_cancel.ics").read_bytes(), KARIM, NOW)
    assert request.interview.source_ref == cancel.interview.source_ref
