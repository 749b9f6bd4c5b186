"""The console's reports as pure rules: a report period from an adviser's form, messages counted
per kind and channel by status, applications' outcomes counted per cohort and month.

A period is whole days in the adviser's time zone, ``first`` to ``last`` inclusive (default the
last 30 days: the 29 days before today and today, by the service's clock); it covers the instants
from midnight starting ``first`` up to (not including) midnight ending ``last``.

A message is counted once, under the furthest status its provider has reported (statuses only
move forward: ``domain.deliveries.RANK``): ``pending`` is one with no report yet (status
``sent``), so a row's statuses add up to what was sent. A WhatsApp message counted ``read`` was
delivered first, and an email counted ``complained`` was delivered before the recipient marked it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from nudges.domain.deliveries import SentMessage
    from nudges.domain.records import Application

DEFAULT_DAYS = 30
LONGEST_DAYS = 366  # a longer period is refused (a report reads one Query a month and shard)

# The report's status columns, in the order shown: each message under exactly one of them.
STATUS_COLUMNS = ("delivered", "read", "bounced", "complained", "failed", "delayed", "pending")
OUTCOME_COLUMNS = {"offer": "offers", "rejected": "rejections", "withdrawn": "withdrawals"}
NO_COHORT = ""  # candidates added without a join code
WAITING = ""  # the month of an application still waiting for its outcome


class PeriodError(ValueError):
    """A period the form cannot make: ``errors`` maps each field (``from``, ``to``) to why."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    zone: str

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), ZoneInfo(self.zone))

    @property
    def end(self) -> datetime:
        """Midnight after ``last`` (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), ZoneInfo(self.zone))

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def default_period(now: datetime, zone: str) -> Period:
    today = now.astimezone(ZoneInfo(zone)).date()
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today, zone)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_period(first: str, last: str, zone: str, now: datetime) -> Period:
    """The period an adviser asked for (``YYYY-MM-DD`` dates; either left empty takes the
    default's), or ``PeriodError`` naming the field that is wrong."""
    default = default_period(now, zone)
    errors: dict[str, str] = {}
    start = _day(first) if first.strip() else default.first
    end = _day(last) if last.strip() else default.last
    if start is None:
        errors["from"] = "From: not a date; write it as YYYY-MM-DD, for example 2031-03-01."
    if end is None:
        errors["to"] = "To: not a date; write it as YYYY-MM-DD, for example 2031-03-31."
    if start is not None and end is not None:
        if end < start:
            errors["to"] = "To: this date is before the From date; choose a later one."
        elif (end - start).days + 1 > LONGEST_DAYS:
            errors["to"] = f"To: a report covers at most {LONGEST_DAYS} days; choose a shorter period."
    if errors or start is None or end is None:
        raise PeriodError(errors)
    return Period(start, end, zone)


@dataclass(frozen=True)
class MessageRow:
    kind: str
    channel: str
    counts: dict[str, int] = field(default_factory=dict)  # STATUS_COLUMNS -> how many

    @property
    def sent(self) -> int:
        return sum(self.counts.values())


def status_column(status: str) -> str:
    return "pending" if status == "sent" else status


def message_rows(sent: Mapping[SentMessage, int]) -> tuple[list[MessageRow], MessageRow]:
    """From how many messages have each (kind, channel, status): one row per kind and channel
    that sent anything (kind, then channel), and the totals."""
    per: dict[tuple[str, str], Counter[str]] = {}
    for message, how_many in sent.items():
        per.setdefault((message.kind, message.channel), Counter())[status_column(message.status)] += how_many
    rows = [
        MessageRow(kind, channel, {c: counts.get(c, 0) for c in STATUS_COLUMNS})
        for (kind, channel), counts in sorted(per.items())
    ]
    totals = MessageRow("", "", {c: sum(r.counts[c] for r in rows) for c in STATUS_COLUMNS})
    return rows, totals


@dataclass(frozen=True)
class OutcomeRow:
    cohort: str  # a join code, or NO_COHORT
    month: str  # YYYY-MM of the outcome in the adviser's zone, or WAITING
    offers: int = 0
    rejections: int = 0
    withdrawals: int = 0
    waiting: int = 0


def outcome_rows(applications: Iterable[tuple[str, Application]], period: Period) -> list[OutcomeRow]:
    """Per cohort and month of the outcome (in the period), the offers, rejections and
    withdrawals; and per cohort the applications still waiting for an outcome now (month
    ``WAITING``). Each ``(cohort, application)`` counted once: the outcome it has now."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    zone = ZoneInfo(period.zone)
    for cohort, application in applications:
        if application.outcome is None:
            counts.setdefault((cohort, WAITING), Counter())["waiting"] += 1
            continue
        column = OUTCOME_COLUMNS.get(application.outcome)
        at = application.outcome_at
        if column is None or at is None or not period.holds(at):
            continue
        counts.setdefault((cohort, f"{at.astimezone(zone):%Y-%m}"), Counter())[column] += 1
    # Each cohort's months in order, its waiting row last.
    ordered = sorted(counts, key=lambda key: (key[0], key[1] == WAITING, key[1]))
    return [
        OutcomeRow(
            cohort,
            month,
            offers=counts[(cohort, month)]["offers"],
            rejections=counts[(cohort, month)]["rejections"],
            withdrawals=counts[(cohort, month)]["withdrawals"],
            waiting=counts[(cohort, month)]["waiting"],
        )
        for cohort, month in ordered
    ]
