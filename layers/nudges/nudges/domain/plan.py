"""When each nudge is due: a pure function of the interview, the candidate's zone and now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from nudges.domain.interview import Interview

NudgeKind = Literal["research_prompt", "thank_you", "connect", "welcome"]
NUDGE_KINDS: tuple[NudgeKind, ...] = ("research_prompt", "thank_you", "connect", "welcome")
NudgeStatus = Literal["scheduled", "sent", "cancelled", "skipped"]

# A thank-you that could not go out on time is still worth sending within a day.
THANK_YOU_GRACE = timedelta(hours=24)


@dataclass(frozen=True)
class NudgeTimings:
    research_lead: timedelta = timedelta(hours=48)
    research_min_lead: timedelta = timedelta(hours=1)
    thank_you_delay: timedelta = timedelta(hours=1)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)


@dataclass(frozen=True)
class PlannedNudge:
    kind: NudgeKind
    status: Literal["scheduled", "skipped"]
    due_at: datetime | None = None
    reason: str | None = None


def in_quiet_hours(moment: datetime, zone: ZoneInfo, timings: NudgeTimings) -> bool:
    local = moment.astimezone(zone).time()
    start, end = timings.quiet_start, timings.quiet_end
    if start == end:
        return False
    if start > end:  # the usual case: the quiet spans midnight
        return local >= start or local < end
    return start <= local < end


def deliverable_at(due: datetime, zone: ZoneInfo, timings: NudgeTimings) -> datetime:
    """``due`` itself, or the end of the quiet hours it falls in (wall time in the candidate's zone,
    so 08:00 stays 08:00 on both sides of a DST change)."""
    if not in_quiet_hours(due, zone, timings):
        return due
    local = due.astimezone(zone)
    wake = datetime.combine(local.date(), timings.quiet_end, tzinfo=zone)
    if wake <= local:
        wake = datetime.combine(local.date() + timedelta(days=1), timings.quiet_end, tzinfo=zone)
    return wake.astimezone(UTC)


def plan_interview_nudges(
    interview: Interview, zone: ZoneInfo, now: datetime, timings: NudgeTimings
) -> tuple[PlannedNudge, PlannedNudge]:
    return (
        _research_prompt(interview, zone, now, timings),
        _thank_you(interview, zone, now, timings),
    )


def _research_prompt(interview: Interview, zone: ZoneInfo, now: datetime, timings: NudgeTimings) -> PlannedNudge:
    kind: NudgeKind = "research_prompt"
    due = interview.start - timings.research_lead
    if due < now:
        if interview.start - now <= timings.research_min_lead:
            return PlannedNudge(kind, "skipped", reason="booked too close to the start to research")
        due = now
    due = deliverable_at(due, zone, timings)
    if due >= interview.start:
        return PlannedNudge(kind, "skipped", reason="quiet hours last until the interview starts")
    return PlannedNudge(kind, "scheduled", due.astimezone(UTC))


def _thank_you(interview: Interview, zone: ZoneInfo, now: datetime, timings: NudgeTimings) -> PlannedNudge:
    kind: NudgeKind = "thank_you"
    due = interview.end + timings.thank_you_delay
    if due < now:
        if now - interview.end > THANK_YOU_GRACE:
            return PlannedNudge(kind, "skipped", reason="the interview ended over a day ago")
        due = now
    return PlannedNudge(kind, "scheduled", deliverable_at(due, zone, timings).astimezone(UTC))


def plan_connect_nudge(
    zone: ZoneInfo, now: datetime, timings: NudgeTimings, not_before: datetime | None = None
) -> PlannedNudge:
    """An offer is news to act on at once, quiet hours permitting; but not before the last
    interview of the application has ended (``not_before``): one connects with people met."""
    due = max(now, not_before) if not_before else now
    return PlannedNudge("connect", "scheduled", deliverable_at(due, zone, timings).astimezone(UTC))


def plan_welcome(zone: ZoneInfo, now: datetime, timings: NudgeTimings) -> PlannedNudge:
    """The welcome goes at registration, quiet hours permitting (a night-time sign-up hears at 08:00)."""
    return PlannedNudge("welcome", "scheduled", deliverable_at(now, zone, timings).astimezone(UTC))
