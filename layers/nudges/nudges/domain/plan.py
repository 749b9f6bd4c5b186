"""When each nudge is due: a pure function of the interview, the candidate's zone and now."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

from nudges.domain.kinds import APPLICATION_KINDS as APPLICATION_KINDS
from nudges.domain.kinds import INTERVIEW_NUDGE_KINDS as INTERVIEW_NUDGE_KINDS
from nudges.domain.kinds import NUDGE_KINDS as NUDGE_KINDS
from nudges.domain.kinds import NudgeKind as NudgeKind  # noqa: TC001 (models.views reads it at runtime)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from nudges.domain.interview import Interview

NudgeStatus = Literal["scheduled", "sent", "cancelled", "skipped"]

# A thank-you is worth sending until two days after the end; later it reads as an afterthought.
THANK_YOU_WINDOW = timedelta(hours=48)
# A follow-up planned late (a re-plan, a calendar that synced past interviews) still goes out
# within this long after its moment; past that, nobody follows up on a conversation that old.
FOLLOW_UP_GRACE = timedelta(days=3)
SATURDAY = 5
# At send time a nudge is a little later than planned (Scheduler, the queue, a retry): this much
# lateness never turns a nudge planned inside its window into one skipped as too late.
SEND_GRACE = timedelta(minutes=10)


@dataclass(frozen=True)
class NudgeTimings:
    research_lead: timedelta = timedelta(hours=48)
    research_min_lead: timedelta = timedelta(hours=1)
    thank_you_delay: timedelta = timedelta(hours=1)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    follow_up_days: int = 7
    follow_up_at: time = time(10, 0)  # local time, on a weekday
    # FollowUpUsefulDays: how long past its time (``follow_up_days`` after the last round ended)
    # a follow-up still goes; later, it is skipped.
    follow_up_useful: timedelta = timedelta(days=14)
    # Nudges held by the quiet hours leave within this long after they end, spread (see
    # ``quiet_release``) so that a whole zone's held nudges do not all fire in the same second.
    quiet_spread: timedelta = timedelta(minutes=30)


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


def deliverable_at(due: datetime, zone: ZoneInfo, timings: NudgeTimings, spread_key: str = "") -> datetime:
    """``due`` itself, or a moment shortly after the end of the quiet hours it falls in (wall time
    in the candidate's zone, so 08:00 stays 08:00 on both sides of a DST change), spread by
    ``quiet_release`` when a ``spread_key`` (the candidate's id) is given."""
    if not in_quiet_hours(due, zone, timings):
        return due
    local = due.astimezone(zone)
    wake = datetime.combine(local.date(), timings.quiet_end, tzinfo=zone)
    if wake <= local:
        wake = datetime.combine(local.date() + timedelta(days=1), timings.quiet_end, tzinfo=zone)
    return quiet_release(local, wake, zone, timings, spread_key).astimezone(UTC)


def _quiet_length(timings: NudgeTimings) -> timedelta:
    start = timedelta(hours=timings.quiet_start.hour, minutes=timings.quiet_start.minute)
    end = timedelta(hours=timings.quiet_end.hour, minutes=timings.quiet_end.minute)
    return (end - start) % timedelta(days=1) or timedelta(days=1)


def quiet_release(due: datetime, wake: datetime, zone: ZoneInfo, timings: NudgeTimings, spread_key: str) -> datetime:
    """When a nudge held from ``due`` until ``wake`` (the end of the quiet hours) is released.

    Deterministic, so a re-plan or a retry lands on the same moment, and computed here at planning
    rather than left to Scheduler's FlexibleTimeWindow, which may reorder one person's nudges:
    - the minute after ``wake`` comes from a hash of the candidate and the day, so a zone's held
      nudges spread evenly over ``quiet_spread`` (one candidate's all share it);
    - the second within that minute follows how far into the night the nudge fell due, so one
      candidate's held nudges keep the order they were due in;
    - it never lands in the quiet hours (an operator's quiet hours that end shortly before they
      begin again get the bare ``wake``).
    """
    minutes = int(timings.quiet_spread.total_seconds() // 60)
    if not spread_key or minutes <= 0:
        return wake
    digest = hashlib.sha256(f"{spread_key}|{wake.date().isoformat()}".encode()).digest()
    minute = int.from_bytes(digest[:8], "big") % minutes
    quiet = _quiet_length(timings)
    waited = wake.replace(tzinfo=None) - due.astimezone(zone).replace(tzinfo=None)  # wall time, as the night is
    into_night = min(max(1 - waited / quiet, 0.0), 1.0)
    released = wake + timedelta(minutes=minute, seconds=int(59 * into_night))
    return wake if in_quiet_hours(released, zone, timings) else released


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} h"


def why_not_useful(
    kind: str, send_at: datetime, interview: Interview, timings: NudgeTimings, grace: timedelta = timedelta(0)
) -> str | None:
    """Why a nudge arriving at ``send_at`` would no longer help the candidate, or None.

    Asked twice: when planning (of the time after the quiet-hours shift) and again by the
    sender right before it sends (a late retry, a redrive, a schedule that fired late). The
    sender allows ``grace`` (SEND_GRACE): a nudge planned right at the edge of its window, and
    delivered the usual seconds late, still goes.
    """
    if kind == "research_prompt":
        lead = interview.start - send_at
        if lead <= timedelta(0) or lead + grace < timings.research_min_lead:
            return (
                f"too late to help: it would arrive less than {_hours(timings.research_min_lead)} "
                "before the interview starts"
            )
    elif kind == "thank_you" and send_at - interview.end > THANK_YOU_WINDOW + grace:
        return f"too late to help: it would arrive more than {_hours(THANK_YOU_WINDOW)} after the interview ended"
    elif kind == "follow_up":
        its_time = interview.end + timedelta(days=timings.follow_up_days)
        if send_at - its_time > timings.follow_up_useful + grace:
            days = timings.follow_up_useful.total_seconds() / 86400
            return f"too late to help: it would arrive more than {days:g} days after the time to follow up"
    return None


def plan_interview_nudges(
    interview: Interview, zone: ZoneInfo, now: datetime, timings: NudgeTimings, spread_key: str = ""
) -> tuple[PlannedNudge, PlannedNudge]:
    return (
        _useful(interview, "research_prompt", interview.start - timings.research_lead, zone, now, timings, spread_key),
        _useful(interview, "thank_you", interview.end + timings.thank_you_delay, zone, now, timings, spread_key),
    )


def _useful(
    interview: Interview,
    kind: NudgeKind,
    due: datetime,
    zone: ZoneInfo,
    now: datetime,
    timings: NudgeTimings,
    spread_key: str = "",
) -> PlannedNudge:
    """At ``due`` (at once if that has passed), after the quiet hours; skipped when it would then
    no longer help."""
    due = deliverable_at(max(due, now), zone, timings, spread_key)
    reason = why_not_useful(kind, due, interview, timings)
    if reason:
        return PlannedNudge(kind, "skipped", reason=reason)
    return PlannedNudge(kind, "scheduled", due.astimezone(UTC))


def _weekday_at(moment: datetime, zone: ZoneInfo, at: time) -> datetime:
    """``moment``'s local day at ``at`` (that day if not yet past, else the next), moved off the
    weekend to Monday."""
    local = moment.astimezone(zone)
    slot = datetime.combine(local.date(), at, tzinfo=zone)
    if slot < local:
        slot = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    while slot.weekday() >= SATURDAY:
        slot = datetime.combine(slot.date() + timedelta(days=1), at, tzinfo=zone)
    return slot


def plan_follow_up(
    last_end: datetime, zone: ZoneInfo, now: datetime, timings: NudgeTimings, spread_key: str = ""
) -> PlannedNudge:
    """``follow_up_days`` after the application's last interview ended, at ``follow_up_at`` local
    time on a weekday (a Saturday or Sunday moves to Monday). Planned late, it goes at the next
    such slot, unless its moment passed more than FOLLOW_UP_GRACE ago."""
    kind: NudgeKind = "follow_up"
    local_end = last_end.astimezone(zone)
    day = local_end.date() + timedelta(days=timings.follow_up_days)
    due = _weekday_at(datetime.combine(day, time(0, 0), tzinfo=zone), zone, timings.follow_up_at)
    if due < now:
        if now - due > FOLLOW_UP_GRACE:
            return PlannedNudge(kind, "skipped", reason="the moment to follow up passed while nothing was planned")
        due = _weekday_at(now, zone, timings.follow_up_at)
    # 10:00 is outside the usual quiet hours; an operator's own quiet hours still hold.
    return PlannedNudge(kind, "scheduled", deliverable_at(due, zone, timings, spread_key).astimezone(UTC))


def plan_connect_nudge(
    zone: ZoneInfo, now: datetime, timings: NudgeTimings, not_before: datetime | None = None, spread_key: str = ""
) -> PlannedNudge:
    """An offer is news to act on at once, quiet hours permitting; but not before the last
    interview of the application has ended (``not_before``): one connects with people met."""
    due = max(now, not_before) if not_before else now
    return PlannedNudge("connect", "scheduled", deliverable_at(due, zone, timings, spread_key).astimezone(UTC))


def plan_welcome(zone: ZoneInfo, now: datetime, timings: NudgeTimings, spread_key: str = "") -> PlannedNudge:
    """The welcome goes at registration, quiet hours permitting (a night-time sign-up hears at 08:00)."""
    return PlannedNudge("welcome", "scheduled", deliverable_at(now, zone, timings, spread_key).astimezone(UTC))


def plan_rejection_reply(zone: ZoneInfo, now: datetime, timings: NudgeTimings, spread_key: str = "") -> PlannedNudge:
    """A gracious reply soon after the news (within a day or two is the advice), quiet hours
    permitting."""
    return PlannedNudge("rejection_reply", "scheduled", deliverable_at(now, zone, timings, spread_key).astimezone(UTC))
