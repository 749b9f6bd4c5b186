"""The console's reports (nudges.domain.reports, nudges.services.reports): the period an adviser
asks for, messages counted per kind and channel by status, outcomes per cohort and month, and the
unreachable list as the candidate list's own filter has it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from nudges.adapters import keys
from nudges.domain.candidate import Candidate
from nudges.domain.deliveries import SentMessage
from nudges.domain.interview import Interview
from nudges.domain.records import Application
from nudges.domain.reports import (
    STATUS_COLUMNS,
    WAITING,
    Period,
    PeriodError,
    default_period,
    message_rows,
    outcome_rows,
    parse_period,
)
from nudges.report_pages import MESSAGES_HEADER, message_cells, unreachable_cells
from nudges.services.adviser_views import AdviserViews
from nudges.services.reports import Reports
from tests.fakes.repositories import FakeApplications, FakeCandidates, FakeInterviews, FakePreferences

# 23:30 on 31 March in London (BST, UTC+1) is already 1 April in Tokyo and still 31 March in UTC.
NOW = datetime(2031, 3, 31, 22, 30, tzinfo=UTC)


def test_the_default_period_is_the_last_30_days_in_the_advisers_zone():
    london = default_period(NOW, "Europe/London")
    assert (london.first, london.last) == (date(2031, 3, 2), date(2031, 3, 31))
    tokyo = default_period(NOW, "Asia/Tokyo")
    assert (tokyo.first, tokyo.last) == (date(2031, 3, 3), date(2031, 4, 1))
    # Whole days in the zone: midnight to midnight, the end excluded.
    assert london.start == datetime(2031, 3, 2, 0, tzinfo=UTC)  # GMT until 30 March
    assert london.end == datetime(2031, 3, 31, 23, tzinfo=UTC)  # BST after
    assert london.holds(datetime(2031, 3, 31, 22, 59, 59, tzinfo=UTC))
    assert not london.holds(london.end)
    assert parse_period("", "", "Europe/London", NOW) == london


@pytest.mark.parametrize(
    ("first", "last", "field", "words"),
    [
        ("2031-02-30", "2031-03-01", "from", "not a date"),
        ("yesterday", "", "from", "not a date"),
        ("2031-03-01", "31/03/2031", "to", "not a date"),
        ("2031-03-10", "2031-03-09", "to", "before the From date"),
        ("2030-01-01", "2031-03-01", "to", "at most 366 days"),
    ],
)
def test_a_period_the_form_cannot_make_names_its_field(first, last, field, words):
    with pytest.raises(PeriodError) as refused:
        parse_period(first, last, "Europe/London", NOW)
    assert list(refused.value.errors) == [field]
    assert words in refused.value.errors[field]


def test_each_message_is_counted_once_under_its_furthest_status():
    sent = [
        SentMessage("research_prompt", "email", "delivered"),
        SentMessage("research_prompt", "email", "delivered"),
        SentMessage("research_prompt", "email", "bounced"),
        SentMessage("research_prompt", "email", "sent"),
        SentMessage("research_prompt", "sms", "failed"),
        SentMessage("thank_you", "whatsapp", "read"),
        SentMessage("thank_you", "email", "complained"),
        SentMessage("thank_you", "email", "delayed"),
    ]
    rows, totals = message_rows(Counter(sent))
    assert [(r.kind, r.channel) for r in rows] == [
        ("research_prompt", "email"),
        ("research_prompt", "sms"),
        ("thank_you", "email"),
        ("thank_you", "whatsapp"),
    ]
    email = rows[0]
    assert email.sent == 4
    assert email.counts == {
        "delivered": 2,
        "read": 0,
        "bounced": 1,
        "complained": 0,
        "failed": 0,
        "delayed": 0,
        "pending": 1,
    }
    assert rows[3].counts["read"] == 1 and rows[2].counts["complained"] == 1 and rows[2].counts["delayed"] == 1
    assert totals.sent == len(sent) == sum(totals.counts.values())
    # The CSV row is the page's row: kind, channel, sent, then each status column in order.
    assert message_cells(email) == ["research_prompt", "email", 4, 2, 0, 1, 0, 0, 0, 1]
    assert len(MESSAGES_HEADER) == 3 + len(STATUS_COLUMNS)
    assert message_cells(totals)[:3] == ["total", "", 8]
    assert message_rows(Counter()) == ([], message_rows(Counter())[1]) and message_rows(Counter())[1].sent == 0


def _application(n: int, outcome: str | None, at: datetime | None) -> Application:
    return Application(f"a_{n}", f"p{n}@example.org", "Acme", outcome=outcome, outcome_at=at)


def test_outcomes_are_counted_per_cohort_and_month_of_the_outcome_in_the_advisers_zone():
    period = Period(date(2031, 2, 1), date(2031, 3, 31), "Europe/London")
    applications = [
        ("SPRING", _application(1, "offer", datetime(2031, 2, 3, 9, tzinfo=UTC))),
        ("SPRING", _application(2, "rejected", datetime(2031, 2, 28, 23, 30, tzinfo=UTC))),  # still Feb in London
        ("SPRING", _application(3, "withdrawn", datetime(2031, 3, 30, 23, 30, tzinfo=UTC))),  # 00:30 BST, 31 Mar
        ("SPRING", _application(4, None, None)),
        ("SPRING", _application(5, None, None)),
        ("", _application(6, "offer", datetime(2031, 3, 2, tzinfo=UTC))),
        ("SPRING", _application(7, "offer", datetime(2031, 1, 31, 12, tzinfo=UTC))),  # before the period
        ("AUTUMN", _application(8, "offer", datetime(2031, 3, 31, 23, 30, tzinfo=UTC))),  # after it (1 Apr BST)
    ]
    rows = outcome_rows(applications, period)
    got = [(r.cohort, r.month, r.offers, r.rejections, r.withdrawals, r.waiting) for r in rows]
    assert got == [
        ("", "2031-03", 1, 0, 0, 0),
        ("SPRING", "2031-02", 1, 1, 0, 0),
        ("SPRING", "2031-03", 0, 0, 1, 0),
        ("SPRING", WAITING, 0, 0, 0, 2),
    ]


def test_message_months_name_every_shard_of_every_month_in_the_period():
    months = keys.message_months(datetime(2031, 11, 20, tzinfo=UTC), datetime(2032, 1, 5, tzinfo=UTC))
    assert len(months) == 3 * keys.SHARDS
    assert months[0] == "MESSAGES#2031-11#0" and months[-1] == f"MESSAGES#2032-01#{keys.SHARDS - 1}"
    sent = datetime(2031, 12, 1, 0, 30, tzinfo=UTC)
    assert keys.message_month(sent, "ses-1") in months
    # The month is the UTC month of sending, whatever zone the period was asked in.
    london_midnight = datetime(2031, 7, 1, 0, 30, tzinfo=UTC) - timedelta(hours=1)
    assert keys.message_month(london_midnight, "x").startswith("MESSAGES#2031-06#")


class _Log:
    def __init__(self, sent: list[tuple[datetime, SentMessage]]) -> None:
        self.sent = sent
        self.asked: list[tuple[datetime, datetime]] = []

    def sent_between(self, start: datetime, end: datetime) -> Counter[SentMessage]:
        self.asked.append((start, end))
        return Counter(m for at, m in self.sent if start <= at < end)


class _Directory:
    def __init__(self, people: list[Candidate]) -> None:
        self.people = people

    def page(self, cursor: str | None = None, size: int = 100, join_code: str | None = None):
        chosen = [p for p in self.people if join_code is None or p.join_code == join_code]
        start = int(cursor or 0)
        return chosen[start : start + size], (str(start + size) if start + size < len(chosen) else None)


def person(n: int, join_code: str | None = None, **extra) -> Candidate:
    return Candidate(
        candidate_id=f"c_{n}",
        email=f"p{n}@example.org",
        timezone="Europe/London",
        channels=extra.pop("channels", ("email",)),
        created_at=NOW,
        ics_inbox_token=f"t{n}",
        name=f"Person {n}",
        join_code=join_code,
        **extra,
    )


def _interview(n: int, email: str, company: str, status: str = "scheduled") -> Interview:
    start = datetime(2031, 3, 5, 14, tzinfo=UTC)
    return Interview(
        f"iv_{n}",
        "calcom",
        f"uid-{n}",
        email,
        company,
        "Engineer",
        start,
        start + timedelta(hours=1),
        (),
        status=status,
    )


def _reports(people: list[Candidate], sent=(), applications=(), interviews=()) -> tuple[Reports, FakePreferences, _Log]:
    preferences = FakePreferences()
    directory = _Directory(people)
    views = AdviserViews(directory, None, preferences, None, None, None)  # type: ignore[arg-type]
    store = FakeApplications()
    for application in applications:
        store.items[application.application_id] = application
    log = _Log(list(sent))
    booked = FakeInterviews(FakeCandidates())
    for interview in interviews:
        booked.items[interview.interview_id] = (interview, 1)
    return Reports(log, views, directory, store, booked), preferences, log


def test_the_report_reads_only_the_period_asked_for():
    inside = datetime(2031, 3, 15, 12, tzinfo=UTC)
    reports, _, log = _reports(
        [],
        sent=[
            (inside, SentMessage("welcome", "email", "delivered")),
            (datetime(2031, 3, 1, 23, 59, tzinfo=UTC), SentMessage("welcome", "email", "delivered")),
        ],
    )
    period = default_period(NOW, "Europe/London")
    rows, totals = reports.messages(period)
    assert totals.sent == 1 and rows[0].counts["delivered"] == 1
    assert log.asked == [(period.start, period.end)]


def test_unreachable_candidates_come_with_why_as_the_candidate_list_has_it():
    bounced = person(1)
    waiting = person(2, channels=("email", "sms"), phone="+447700900222")
    paused = person(3, paused=True, kinds_off=("follow_up",))
    fine = person(4)
    reports, preferences, _ = _reports([bounced, waiting, paused, fine])
    preferences.suppress_email(bounced.email, "bounced", NOW)
    found = reports.unreachable()
    reasons = {r.candidate.candidate_id: r.unreachable for r in found.rows}
    assert reasons == {
        "c_1": {"email": "bounced"},
        "c_2": {"sms": "awaiting_sms_consent"},
        "c_3": {"email": "paused"},
    }
    assert [r.candidate.candidate_id for r in reports.every_unreachable()] == ["c_1", "c_2", "c_3"]
    lines = [line for row in found.rows for line in unreachable_cells(row)]
    assert ["c_1", "Person 1", "p1@example.org", "", "email", "bounced", "email bounced", "", ""] in lines
    assert [
        "c_3",
        "Person 3",
        "p3@example.org",
        "",
        "email",
        "paused",
        "paused all nudges",
        "yes",
        "follow_up",
    ] in lines


def test_outcomes_walk_the_cohort_and_each_candidates_applications_and_interviews():
    people = [person(1, "SPRING"), person(2, "SPRING"), person(3, "AUTUMN"), person(4)]
    at = datetime(2031, 3, 10, 9, tzinfo=UTC)
    acme = _interview(1, "p1@example.org", "Acme")  # its application has an offer
    globex = _interview(2, "p2@example.org", "Globex")  # no outcome yet: still waiting
    cancelled = _interview(3, "p4@example.org", "Initech", status="cancelled")  # not waiting
    applications = [
        Application(acme.application_id, "p1@example.org", "Acme", outcome="offer", outcome_at=at),
        Application("a_2", "p2@example.org", "Acme", outcome="rejected", outcome_at=at),  # an ATS's, no interview
        Application("a_4", "p3@example.org", "Acme", outcome="withdrawn", outcome_at=at),
        Application("a_5", "p4@example.org", "Acme", outcome="offer", outcome_at=at),
    ]
    reports, _, _ = _reports(people, applications=applications, interviews=[acme, globex, cancelled])
    period = default_period(NOW, "Europe/London")
    every = [(r.cohort, r.month, r.offers, r.rejections, r.withdrawals, r.waiting) for r in reports.outcomes(period)]
    assert every == [
        ("", "2031-03", 1, 0, 0, 0),
        ("AUTUMN", "2031-03", 0, 0, 1, 0),
        ("SPRING", "2031-03", 1, 1, 0, 0),
        ("SPRING", WAITING, 0, 0, 0, 1),
    ]
    spring = [(r.cohort, r.month) for r in reports.outcomes(period, " SPRING ")]
    assert spring == [("SPRING", "2031-03"), ("SPRING", WAITING)]


def test_every_report_route_is_for_both_adviser_groups_and_needs_a_session():
    from nudges.domain.advisers import EVERYONE
    from tests.unit.test_console_routes import _console_routes, _roles

    reports = {
        (method, pattern.replace("^", "").replace("$", "")): func
        for method, pattern, func in _console_routes()
        if "/console/reports" in pattern
    }
    assert {path for _, path in reports} >= {
        "/console/reports",
        "/console/reports/messages.csv",
        "/console/reports/unreachable",
        "/console/reports/unreachable.csv",
        "/console/reports/outcomes",
        "/console/reports/outcomes.csv",
    }
    assert {method for method, _ in reports} == {"GET"}
    assert all(_roles(func) == EVERYONE for func in reports.values())
    assert frozenset({"admins", "advisers"}) == EVERYONE


def test_an_unreachable_page_with_none_yet_says_more_follow():
    from nudges.domain.messages import Branding
    from nudges.report_pages import unreachable_page
    from nudges.services.adviser_views import Found

    class _Adviser:
        email, is_admin, sub = "a@example.org", False, "sub"

    branding = Branding()
    more = unreachable_page(branding, _Adviser(), "csrf", Found([], "cursor-1", 500))  # type: ignore[arg-type]
    assert "No unreachable candidate among the 500 looked at here; more follow." in more
    assert 'rel="next"' in more
    done = unreachable_page(branding, _Adviser(), "csrf", Found([], None, 3))  # type: ignore[arg-type]
    assert "Every candidate is reachable" in done and 'rel="next"' not in done
