"""An application's rounds: who is new in a round, who was met before, and whom a reply goes to.

Pure: the interviews of one application in, people out. The composer hands these to the words
(``domain/messages.py``); the planner decides which round owns the follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nudges.domain.interview import person_key

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.interview import Interview, Person


@dataclass(frozen=True)
class RoundPeople:
    """A round's interviewers split by whether the candidate met them in an earlier round of the
    application (research the new ones; recall what was discussed with the others)."""

    new: tuple[Person, ...]
    met_before: tuple[Person, ...]

    @property
    def is_later_round(self) -> bool:
        return bool(self.met_before)


def application_rounds(interview: Interview, interviews: list[Interview]) -> list[Interview]:
    """The rounds of ``interview``'s application that are not cancelled, earliest first (the
    interview itself included, cancelled or not)."""
    rounds = [
        i
        for i in interviews
        if i.application_id == interview.application_id
        and (i.status != "cancelled" or i.interview_id == interview.interview_id)
    ]
    if not any(i.interview_id == interview.interview_id for i in rounds):
        rounds.append(interview)
    return sorted(rounds, key=lambda i: (i.start, i.interview_id))


def round_people(interview: Interview, interviews: list[Interview]) -> RoundPeople:
    """Who in ``interview`` is new, and who was met in a round that started before it."""
    earlier = {
        person_key(p)
        for i in application_rounds(interview, interviews)
        if i.start < interview.start and i.interview_id != interview.interview_id
        for p in i.interviewers
    }
    new = tuple(p for p in interview.interviewers if person_key(p) not in earlier)
    met = tuple(p for p in interview.interviewers if person_key(p) in earlier)
    return RoundPeople(new, met)


def last_round(rounds: list[Interview]) -> Interview | None:
    """The round that ends last (the one an application's follow-up belongs to)."""
    live = [i for i in rounds if i.status != "cancelled"]
    return max(live, key=lambda i: (i.end, i.start, i.interview_id)) if live else None


def reply_to(interview: Interview, arranged_by: Person | None = None) -> Person | None:
    """Whom a follow-up or a rejection reply is addressed to: the contact who arranged the round
    (``arranged_by``: a recruiter or a role mailbox, when the booking names one), else the round's
    organizer, whom every provider lists first among its interviewers."""
    if arranged_by is not None:
        return arranged_by
    return interview.interviewers[0] if interview.interviewers else None


def ended_before(outcome: str | None, outcome_at: datetime | None, interview: Interview) -> bool:
    """Whether an application's outcome ended the process ``interview`` belongs to: any outcome
    for a round that began before it was told (a round starting later is a new process)."""
    if not outcome:
        return False
    return outcome_at is None or interview.start <= outcome_at
