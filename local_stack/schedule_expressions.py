"""EventBridge Scheduler schedule expressions: ``at()``, ``rate()`` and ``cron()``.

Each parsed expression answers one question: the latest occurrence in ``(since, now]``
(``since`` is ignored by ``at()``, which has exactly one occurrence), or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ExpressionError(ValueError):
    """The expression or its time zone is not something Scheduler would accept."""


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ExpressionError(f"unknown time zone {name!r}") from exc


@dataclass(frozen=True)
class At:
    when: datetime  # aware

    recurring = False

    def latest(self, since: datetime | None, now: datetime) -> datetime | None:
        return self.when if self.when <= now else None


@dataclass(frozen=True)
class Rate:
    period: timedelta

    recurring = True

    def latest(self, since: datetime | None, now: datetime) -> datetime | None:
        if since is None or now - since < self.period:
            return None
        return since + self.period * ((now - since) // self.period)


_MONTHS = {
    m: i for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)
}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}


def _field(text: str, lo: int, hi: int, names: dict[str, int] | None = None) -> set[int] | None:
    """Expand one cron field to its values; None means unrestricted (``*`` or ``?``)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", ""):
            start, end = lo, hi
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = hi if "/" in text else start
        if not (lo <= start <= hi and lo <= end <= hi):
            raise ExpressionError(f"cron field value out of range: {text!r}")
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    text = text.upper()
    if names and text in names:
        return names[text]
    if not text.isdigit():
        raise ExpressionError(f"unsupported cron value {text!r} (L, W and # are not emulated)")
    return int(text)


@dataclass(frozen=True)
class Cron:
    minutes: set[int] | None
    hours: set[int] | None
    days: set[int] | None
    months: set[int] | None
    weekdays: set[int] | None  # 1 = Sunday, as in AWS cron
    years: set[int] | None
    tz: ZoneInfo

    recurring = True

    def _day_matches(self, d: date) -> bool:
        if self.months is not None and d.month not in self.months:
            return False
        if self.years is not None and d.year not in self.years:
            return False
        if self.days is not None and d.day not in self.days:
            return False
        aws_weekday = (d.isoweekday() % 7) + 1
        return self.weekdays is None or aws_weekday in self.weekdays

    def latest(self, since: datetime | None, now: datetime) -> datetime | None:
        if since is None:
            return None
        day = now.astimezone(self.tz).date()
        first = since.astimezone(self.tz).date()
        hours = sorted(self.hours if self.hours is not None else range(24), reverse=True)
        minutes = sorted(self.minutes if self.minutes is not None else range(60), reverse=True)
        while day >= first:
            if self._day_matches(day):
                for h in hours:
                    for m in minutes:
                        t = datetime(day.year, day.month, day.day, h, m, tzinfo=self.tz).astimezone(UTC)
                        if since < t <= now:
                            return t
                        if t <= since:
                            break
            day -= timedelta(days=1)
        return None


_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def parse(expression: str, timezone: str | None = None) -> At | Rate | Cron:
    tz = zone(timezone)
    text = expression.strip()
    m = re.fullmatch(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)", text)
    if m:
        return At(datetime.fromisoformat(m.group(1)).replace(tzinfo=tz).astimezone(UTC))
    m = re.fullmatch(r"rate\((\d+)\s+(\w+)\)", text)
    if m:
        unit = m.group(2).lower()
        if unit not in _RATE_UNITS or int(m.group(1)) <= 0:
            raise ExpressionError(f"bad rate expression {expression!r}")
        return Rate(timedelta(seconds=int(m.group(1)) * _RATE_UNITS[unit]))
    m = re.fullmatch(r"cron\((.+)\)", text)
    if m:
        fields = m.group(1).split()
        if len(fields) != 6:
            raise ExpressionError(f"cron needs 6 fields: {expression!r}")
        return Cron(
            minutes=_field(fields[0], 0, 59),
            hours=_field(fields[1], 0, 23),
            days=_field(fields[2], 1, 31),
            months=_field(fields[3], 1, 12, _MONTHS),
            weekdays=_field(fields[4], 1, 7, _DAYS),
            years=_field(fields[5], 1970, 2199),
            tz=tz,
        )
    raise ExpressionError(f"unsupported schedule expression {expression!r}")
