"""An application's rounds: who is new, who was met before, the last round, whom a reply goes to."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from nudges.domain.interview import Interview, Person
from nudges.domain.rounds import application_rounds, ended_before, last_round, reply_to, round_people

JOSE = Person("José Álvarez", "jose@globex.com")
PRIYA = Person("", "priya.r@globex.com")
WANG = Person("王伟", "wang.wei@globex.com")
START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def round_(n: int, *people: Person, company: str = "globex", status: str = "scheduled") -> Interview:
    start = START + timedelta(days=7 * n)
    return Interview(
        interview_id=f"iv_{company}_{n}",
        source="calcom",
        source_ref=f"uid-{company}-{n}",
        candidate_email="ada@example.org",
        company=company,
        title=f"Round {n}",
        start=start,
        end=start + timedelta(hours=1),
        interviewers=people,
        status=status,  # type: ignore[arg-type]
    )


def test_round_two_says_who_is_new_and_whom_the_candidate_met_before():
    first, second = round_(1, JOSE, WANG), round_(2, replace(WANG, name=""), PRIYA)
    other_company = round_(0, PRIYA, company="initech")
    people = round_people(second, [first, second, other_company])
    assert people.new == (PRIYA,)
    assert [p.email for p in people.met_before] == ["wang.wei@globex.com"]
    assert people.is_later_round
    # the first round: everyone is new
    assert round_people(first, [first, second]) == round_people(first, [first])
    assert round_people(first, [first, second]).new == (JOSE, WANG)


def test_a_cancelled_round_is_no_earlier_meeting_and_the_last_round_is_the_last_to_end():
    first, second = round_(1, JOSE, status="cancelled"), round_(2, JOSE)
    assert round_people(second, [first, second]).met_before == ()
    assert [i.interview_id for i in application_rounds(second, [second, first])] == ["iv_globex_2"]
    third = round_(3, PRIYA)
    assert last_round([first, third, second]) == third
    assert last_round([replace(third, status="cancelled"), second]) == second
    assert last_round([first]) is None


def test_a_reply_goes_to_whoever_arranged_the_round_else_its_organizer():
    recruiter = Person("Globex Recruiting", "recruiting@globex.com")
    assert reply_to(round_(1, JOSE, WANG), arranged_by=recruiter) == recruiter
    assert reply_to(round_(1, JOSE, WANG)) == JOSE
    assert reply_to(round_(1)) is None


def test_an_outcome_ends_the_rounds_that_began_before_it():
    iv = round_(1, JOSE)
    assert not ended_before(None, None, iv)
    assert ended_before("rejected", iv.start + timedelta(hours=2), iv)
    assert ended_before("withdrawn", None, iv)
    assert not ended_before("rejected", iv.start - timedelta(days=30), iv)  # a new process after a no
