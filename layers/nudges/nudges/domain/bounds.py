"""The sizes and dates an interview may have, whatever a provider sends.

A provider's payload can say anything its format allows: a booking in year 9999, a 600 KB title,
9,000 attendees. Every source's model checks its own fields against these bounds (so the 400
names the field as the provider spells it), and ``bounded_interview`` holds every interview to
them once more before it is stored, so nothing reaches the planner's date arithmetic or a
DynamoDB item over its 400 KB.

- dates: from 1970-01-01 to 100 years after now;
- texts that only describe (titles, names, the company's name): cut at a limit, with a mark;
- texts that identify (a booking's reference, an email address): refused beyond their limit;
- interviewers: at most ``MAX_PEOPLE``; an invite beyond that is refused;
- names and titles: plain text (``plain``): no control characters (a NUL, an escape) and no
  bidirectional overrides (U+202E turns "exe.pdf" around), whitespace runs made one space.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from nudges.errors import InvalidInput

if TYPE_CHECKING:
    from nudges.domain.interview import Interview, Person

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
HORIZON = timedelta(days=100 * 365)
MAX_TITLE = 300
MAX_NAME = 200  # a person's or a company's name
MAX_EMAIL = 254  # RFC 5321's path limit
MAX_REF = 1024  # a provider's identity of a booking (a UID, a URI)
MAX_PEOPLE = 100  # attendees of one invite, hosts of one booking
MARK = "…"
# C0 and C1 controls (tabs and line ends become spaces below), the bidirectional embeddings,
# overrides and isolates, the Arabic letter mark, and the zero-width no-break space (BOM).
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def plain(text: str) -> str:
    """``text`` as words to show: controls and bidi overrides removed, whitespace runs one space."""
    return " ".join(_NOT_TEXT.sub("", text).split())


def latest(now: datetime) -> datetime:
    return now + HORIZON


def check_instant(moment: datetime, now: datetime, field: str) -> datetime:
    """``moment`` if it lies between 1970 and 100 years from ``now``; else 400 naming ``field``."""
    if not EARLIEST <= moment <= latest(now):
        raise InvalidInput(
            f"{field}: {moment.isoformat()} is outside the dates an interview can have "
            f"({EARLIEST.year} to {HORIZON.days // 365} years from now)",
            field=field,
        )
    return moment


def clip(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with a mark at the end when it was longer."""
    return text if len(text) <= limit else text[: limit - len(MARK)].rstrip() + MARK


def check_identity(value: str, limit: int, field: str) -> str:
    if len(value) > limit:
        raise InvalidInput(f"{field}: {len(value)} characters; at most {limit}", field=field)
    return value


def check_people(count: int, field: str) -> None:
    if count > MAX_PEOPLE:
        raise InvalidInput(f"{field}: {count} people; at most {MAX_PEOPLE} are read", field=field)


def _person(person: Person) -> Person:
    check_identity(person.email, MAX_EMAIL, "interviewers.email")
    return replace(person, name=clip(plain(person.name), MAX_NAME))


def bounded_interview(interview: Interview, now: datetime) -> Interview:
    """``interview`` within the bounds: descriptions cut, anything else out of bounds refused."""
    check_instant(interview.start, now, "start")
    check_instant(interview.end, now, "end")
    check_identity(interview.source_ref, MAX_REF, "source_ref")
    check_identity(interview.candidate_email, MAX_EMAIL, "candidate_email")
    check_people(len(interview.interviewers), "interviewers")
    return replace(
        interview,
        title=clip(plain(interview.title), MAX_TITLE) or "Interview",
        company=clip(plain(interview.company), MAX_NAME),
        candidate_name=clip(plain(interview.candidate_name), MAX_NAME) or None if interview.candidate_name else None,
        interviewers=tuple(_person(p) for p in interview.interviewers),
        recruiter=_person(interview.recruiter) if interview.recruiter else None,
        contacts=tuple(_person(p) for p in interview.contacts),
    )
