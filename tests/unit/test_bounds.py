"""The bounds every interview is held to, and DynamoDB's item size checked before a write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudges.adapters.dynamo import MAX_ITEM_BYTES, DynamoTable, ItemTooLarge, item_size
from nudges.domain.bounds import MARK, MAX_NAME, MAX_TITLE, bounded_interview, check_instant
from nudges.domain.interview import Interview, Person
from nudges.errors import InvalidInput

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def interview(**changes) -> Interview:
    start = NOW + timedelta(days=2)
    values = {
        "interview_id": "",
        "source": "calcom",
        "source_ref": "uid-1",
        "candidate_email": "ada@example.org",
        "company": "acme",
        "title": "Interview",
        "start": start,
        "end": start + timedelta(hours=1),
        "interviewers": (Person("Jane Doe", "jane@acme.example"),),
    }
    return Interview(**{**values, **changes})


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1969, 12, 31, 23, 59, tzinfo=UTC),
        NOW + timedelta(days=100 * 365 + 1),
        datetime(9999, 12, 31, tzinfo=UTC),
    ],
)
def test_dates_outside_1970_to_100_years_ahead_are_refused_naming_the_field(moment):
    with pytest.raises(InvalidInput) as refused:
        check_instant(moment, NOW, "startTime")
    assert refused.value.field == "startTime" and refused.value.message.startswith("startTime: ")


def test_descriptions_are_cut_with_a_mark_and_identities_refused():
    cut = bounded_interview(
        interview(title="t" * 600_000, interviewers=(Person("n" * 5000, "jane@acme.example"),)), NOW
    )
    assert len(cut.title) == MAX_TITLE and cut.title.endswith(MARK)
    assert len(cut.interviewers[0].name) == MAX_NAME
    with pytest.raises(InvalidInput) as refused:
        bounded_interview(interview(source_ref="r" * 5000), NOW)
    assert refused.value.field == "source_ref"
    people = tuple(Person(f"P{n}", f"p{n}@acme.example") for n in range(101))
    with pytest.raises(InvalidInput, match="at most 100"):
        bounded_interview(interview(interviewers=people), NOW)


class _NoWrites:
    def __getattr__(self, name):
        raise AssertionError(f"{name} called: the item should have been refused before any write")


def test_an_item_over_400_kb_is_refused_before_the_write():
    table = DynamoTable(_NoWrites(), "t")
    small = table._item({"PK": "A", "SK": "B", "title": "x" * 1000, "n": 3, "people": [{"name": "Jane"}]})
    assert item_size(small) < 2000
    with pytest.raises(ItemTooLarge) as refused:
        table._item({"PK": "A", "SK": "B", "notes": ["y" * 1000] * 500})
    assert refused.value.status_code == 400 and str(MAX_ITEM_BYTES) in refused.value.message
