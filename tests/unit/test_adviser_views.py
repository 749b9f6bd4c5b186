"""Finding candidates for the console (nudges.services.adviser_views): filters and paging."""

from __future__ import annotations

from datetime import UTC, datetime

from nudges.domain.candidate import Candidate
from nudges.services.adviser_views import PAGE_SIZE, AdviserViews, Row, matches

WHEN = datetime(2031, 3, 3, 9, tzinfo=UTC)


def person(n: int, **extra) -> Candidate:
    return Candidate(
        candidate_id=f"c_{n}",
        email=f"person{n}@example.org",
        timezone="Europe/London",
        channels=("email", "sms"),
        created_at=WHEN,
        ics_inbox_token=f"t{n}",
        phone="+447700900111",
        name=f"Person {n}",
        **extra,
    )


def test_each_filter_keeps_what_it_says():
    waiting = Row(person(1), {"email": None, "sms": "awaiting_sms_consent"})
    bounced = Row(person(2), {"email": "bounced", "sms": None})
    paused = Row(person(3, paused=True), {"email": "paused", "sms": "paused"})
    fine = Row(person(4), {"email": None, "sms": None})
    email_only = Row(person(5), {"email": None, "sms": "not_chosen"})
    # Every channel that waits for an opt-in counts, each by its own reason (the registry's).
    on_whatsapp = Row(person(6), {"email": None, "sms": "not_chosen", "whatsapp": "awaiting_whatsapp_consent"})
    everyone = [waiting, bounced, paused, fine, email_only, on_whatsapp]
    kept = {
        f: [r.candidate.candidate_id for r in everyone if matches(r, "", f, "")]
        for f in ("unreachable", "awaiting_consent", "paused", "bounced", "")
    }
    assert kept["unreachable"] == ["c_1", "c_2", "c_3", "c_6"]  # a channel not chosen is not "unreachable"
    assert kept["awaiting_consent"] == ["c_1", "c_6"]
    assert kept["paused"] == ["c_3"]
    assert kept["bounced"] == ["c_2"]
    assert len(kept[""]) == 6
    assert matches(fine, "PERSON 4", "", "") and matches(fine, "person4@", "", "")
    assert not matches(fine, "person 5", "", "")


class _Directory:
    def __init__(self, people: list[Candidate]) -> None:
        self.people = people
        self.reads = 0

    def page(self, cursor: str | None = None, size: int = 100):
        self.reads += 1
        start = int(cursor or 0)
        chunk = self.people[start : start + size]
        return chunk, (str(start + size) if start + size < len(self.people) else None)


class _Preferences:
    def refusals(self, candidate):
        return {"email": "bounced"} if candidate.email.startswith("person1") else {}


def test_a_filter_reads_on_until_a_page_is_full_and_hands_back_a_cursor():
    # 120 people, those whose address starts with person1 bounced (person1, person10-19, person100-119)
    directory = _Directory([person(n) for n in range(120)])
    views = AdviserViews(directory, None, _Preferences(), None, None, None)  # type: ignore[arg-type]
    found = views.find(filter_="bounced")
    assert [r.candidate.email.startswith("person1") for r in found.rows] == [True] * len(found.rows)
    assert len(found.rows) == PAGE_SIZE and found.next_cursor is not None
    rest = views.find(filter_="bounced", cursor=found.next_cursor)
    assert len(found.rows) + len(rest.rows) == 31 and rest.next_cursor is None
    assert not {r.candidate.candidate_id for r in found.rows} & {r.candidate.candidate_id for r in rest.rows}
