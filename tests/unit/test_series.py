"""Series as series: an invite's event reconciled against what is stored for its UID as a whole
(moved, overridden, EXDATE, cancelled whole and in part, out of order), with in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain.candidate import Candidate
from nudges.services.invites import InviteService
from tests.fakes.repositories import World

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)  # a Monday
EMAIL = "ada@example.org"
ADA = Candidate(
    candidate_id="c_ada",
    email=EMAIL,
    timezone="Europe/London",
    channels=("email",),
    created_at=NOW,
    ics_inbox_token="inbox-token-ada-0001",
    name="Ada Lovelace",
)


@pytest.fixture
def world() -> World:
    world = World()
    world.candidates.add(ADA)
    return world


@pytest.fixture
def invites(world) -> InviteService:
    return InviteService(world.candidates, world.bookings, mailbox=None, interviews=world.interviews)  # type: ignore[arg-type]


def calendar(*events: list[str], method: str = "REQUEST") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", f"METHOD:{method}"]
    for event in events:
        lines += event
    return "\r\n".join([*lines, "END:VCALENDAR", ""]).encode()


def vevent(*lines: str, sequence: int = 0, stamp: str = "20300301T090000Z") -> list[str]:
    return [
        "BEGIN:VEVENT",
        "UID:series-1@thunderbird",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{stamp}",
        "SUMMARY:Interview rounds with Acme",
        "ORGANIZER;CN=Jane Doe:mailto:jane@acme-robotics.com",
        f"ATTENDEE;CN=Ada Lovelace:mailto:{EMAIL}",
        *lines,
        "END:VEVENT",
    ]


WEEKLY = ("DTSTART:20300311T140000Z", "DTEND:20300311T150000Z", "RRULE:FREQ=WEEKLY;COUNT=3")


def booked(world: World) -> list[tuple[datetime, str]]:
    """(start, title) of every interview still scheduled, in order."""
    return sorted((i.start, i.title) for i, _ in world.interviews.items.values() if i.status == "scheduled")


def starts(world: World) -> list[datetime]:
    return [start for start, _ in booked(world)]


def test_a_series_books_each_occurrence(world, invites):
    invites.receive(ADA, calendar(vevent(*WEEKLY)), NOW)
    assert starts(world) == [datetime(2030, 3, d, 14, 0, tzinfo=UTC) for d in (11, 18, 25)]


def test_a_moved_series_leaves_only_the_new_occurrences_and_their_nudges(world, invites):
    invites.receive(ADA, calendar(vevent(*WEEKLY)), NOW)
    old = [i for i, _ in world.interviews.items.values()]
    moved = ("DTSTART:20300312T100000Z", "DTEND:20300312T110000Z", "RRULE:FREQ=WEEKLY;COUNT=3")
    invites.receive(ADA, calendar(vevent(*moved, sequence=1, stamp="20300302T090000Z")), NOW)
    assert starts(world) == [datetime(2030, 3, d, 10, 0, tzinfo=UTC) for d in (12, 19, 26)]
    for interview in old:
        nudges = world.nudges.for_owner(interview.interview_id)
        assert all(n.status in ("cancelled", "skipped") for n in nudges.values()), interview.start


def test_a_changed_rule_cancels_the_occurrences_it_dropped(world, invites):
    invites.receive(ADA, calendar(vevent(*WEEKLY)), NOW)
    fewer = ("DTSTART:20300311T140000Z", "DTEND:20300311T150000Z", "RRULE:FREQ=WEEKLY;COUNT=2")
    invites.receive(ADA, calendar(vevent(*fewer, sequence=1)), NOW)
    assert starts(world) == [datetime(2030, 3, d, 14, 0, tzinfo=UTC) for d in (11, 18)]


def test_an_exdate_cancels_its_occurrence(world, invites):
    invites.receive(ADA, calendar(vevent(*WEEKLY)), NOW)
    invites.receive(ADA, calendar(vevent(*WEEKLY, "EXDATE:20300318T140000Z", sequence=1)), NOW)
    assert starts(world) == [datetime(2030, 3, d, 14, 0, tzinfo=UTC) for d in (11, 25)]


def test_an_override_moves_its_occurrence_only(world, invites):
    invites.receive(ADA, calendar(vevent(*WEEKLY)), NOW)
    override = vevent(
        "RECURRENCE-ID:20300318T140000Z", "DTSTART:20300319T160000Z", "DTEND:20300319T170000Z", sequence=1
    )
    invites.receive(ADA, calendar(vevent(*WEEKLY, sequence=1), override), NOW)
    assert starts(world) == [
        datetime(2030, 3, 11, 14, 0, tzinfo=UTC),
        datetime(2030, 3, 19, 16, 0, tzinfo=UTC),
        datetime(2030, 3, 25, 14, 0, tzinfo=UTC),
    ]
    # an override sent alone (as Google sends one changed occurrence) touches only that one
    alone = vevent("RECURRENCE-ID:20300325T140000Z", "DTSTART:20300325T150000Z", "DTEND:20300325T160000Z", sequence=2)
    invites.receive(ADA, calendar(alone), NOW)
    assert starts(world)[-1] == datetime(2030, 3, 25, 15, 0, tzinfo=UTC) and len(starts(world)) == 3


def test_a_cancel_without_dtstart_cancels_the_whole_series(world, invites):
    invites.receive(ADA, calendar(vevent(*WEEKLY)), NOW)
    cancel = [line for line in vevent(sequence=1) if not line.startswith("DTSTART")]
    interviews, ignored = invites.receive_invite(ADA, calendar(cancel, method="CANCEL"), NOW)
    assert starts(world) == [] and ignored == []
    assert len(interviews) == 3 and {i.status for i in interviews} == {"cancelled"}
    # the cancelled ones keep their own times (nothing moved to "now")
    assert sorted(i.start for i in interviews)[0] == datetime(2030, 3, 11, 14, 0, tzinfo=UTC)


def test_a_cancel_naming_occurrences_cancels_only_those(world, invites):
    invites.receive(ADA, calendar(vevent(*WEEKLY)), NOW)
    one = vevent("RECURRENCE-ID:20300318T140000Z", "DTSTART:20300318T140000Z", "DTEND:20300318T150000Z", sequence=1)
    invites.receive(ADA, calendar(one, method="CANCEL"), NOW)
    assert starts(world) == [datetime(2030, 3, d, 14, 0, tzinfo=UTC) for d in (11, 25)]


def test_an_older_revision_arriving_late_changes_nothing_and_says_why(world, invites):
    moved = ("DTSTART:20300312T100000Z", "DTEND:20300312T110000Z", "RRULE:FREQ=WEEKLY;COUNT=3")
    invites.receive(ADA, calendar(vevent(*moved, sequence=2)), NOW)
    before = booked(world)
    interviews, ignored = invites.receive_invite(ADA, calendar(vevent(*WEEKLY, sequence=1)), NOW)
    assert interviews == [] and booked(world) == before
    assert ignored == [{"event": "series-1@thunderbird", "reason": ignored[0]["reason"]}]
    assert "older revision (SEQUENCE 1)" in ignored[0]["reason"] and "(SEQUENCE 2)" in ignored[0]["reason"]
    # same SEQUENCE, earlier DTSTAMP: older too
    _, ignored = invites.receive_invite(ADA, calendar(vevent(*WEEKLY, sequence=2, stamp="20300201T090000Z")), NOW)
    assert "older revision" in ignored[0]["reason"] and booked(world) == before


def test_a_cancel_overtaken_by_its_older_request_still_wins(world, invites):
    cancel = [line for line in vevent(sequence=1) if not line.startswith("DTSTART")]
    invites.receive(ADA, calendar(cancel, method="CANCEL"), NOW)
    _, ignored = invites.receive_invite(ADA, calendar(vevent(*WEEKLY, sequence=0)), NOW)
    assert starts(world) == [] and "older revision" in ignored[0]["reason"]


def test_a_one_off_become_a_series_and_a_series_become_a_one_off(world, invites):
    one_off = ("DTSTART:20300311T140000Z", "DTEND:20300311T150000Z")
    invites.receive(ADA, calendar(vevent(*one_off)), NOW)
    invites.receive(ADA, calendar(vevent(*WEEKLY, sequence=1)), NOW)
    assert len(starts(world)) == 3
    other = [line.replace("series-1@", "series-2@") for line in vevent(*WEEKLY)]
    invites.receive(ADA, calendar(other), NOW)
    single = vevent("DTSTART:20300401T090000Z", "DTEND:20300401T100000Z", sequence=1)
    invites.receive(ADA, calendar([line.replace("series-1@", "series-2@") for line in single]), NOW)
    assert starts(world).count(datetime(2030, 4, 1, 9, 0, tzinfo=UTC)) == 1 and len(starts(world)) == 4


def test_the_follow_up_follows_the_series_last_remaining_round(world, invites):
    invites.receive(ADA, calendar(vevent(*WEEKLY)), NOW)
    fewer = ("DTSTART:20300311T140000Z", "DTEND:20300311T150000Z", "RRULE:FREQ=WEEKLY;COUNT=2")
    invites.receive(ADA, calendar(vevent(*fewer, sequence=1)), NOW)
    follow_ups = {
        i.start: world.nudges.for_owner(i.interview_id).get("follow_up") for i, _ in world.interviews.items.values()
    }
    scheduled = [start for start, n in follow_ups.items() if n is not None and n.status == "scheduled"]
    assert scheduled == [datetime(2030, 3, 18, 14, 0, tzinfo=UTC)]
    assert all(
        n.due_at and n.due_at > NOW + timedelta(days=14) for n in follow_ups.values() if n and n.status == "scheduled"
    )
