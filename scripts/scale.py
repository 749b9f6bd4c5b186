"""make scale: a synthetic month replayed through the real planner, no AWS -> docs/scale.md.

Bookings over realistic zones and local hours, reschedules and cancellations at realistic rates,
each planned by ``nudges.domain.plan`` exactly as the service plans it (the quiet hours and their
spread included). What the planner decides becomes the EventBridge Scheduler calls the service
makes (one one-time schedule per nudge; a move is an UpdateSchedule, a cancellation or a later
round's take-over of the follow-up a DeleteSchedule; a nudge due at once goes by SQS, no schedule)
and the deliveries Scheduler makes. Counted per second and per minute over the second of two
simulated months (the first fills the pipeline), then scaled from the sample to each volume:
every count here is a sum over independent bookings, so its expectation scales linearly.

    .venv/bin/python scripts/scale.py [--volumes 10000,1000000,10000000] [--sample 20000] [--out docs/scale.md]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "nudges"))

from nudges.adapters.keys import SHARDS  # noqa: E402
from nudges.domain.interview import Interview, Person  # noqa: E402
from nudges.domain.plan import NudgeTimings, plan_follow_up, plan_interview_nudges  # noqa: E402

# Where candidates are, as a European/American/Asian operator mix (weights sum to 1).
ZONES = [
    ("Europe/London", 0.22),
    ("Europe/Berlin", 0.18),
    ("Europe/Paris", 0.08),
    ("America/New_York", 0.17),
    ("America/Chicago", 0.06),
    ("America/Los_Angeles", 0.08),
    ("America/Sao_Paulo", 0.06),
    ("Asia/Kolkata", 0.06),
    ("Asia/Singapore", 0.05),
    ("Asia/Tokyo", 0.04),
]
RESCHEDULE_RATE = 0.15  # moved once, to a later day
CANCEL_RATE = 0.08
LATER_ROUND_RATE = 0.35  # a second round follows, and takes the follow-up over
OUTCOME_RATE = 0.45  # an outcome arrives, withdrawing the follow-up if still pending
CANDIDATE_PER_INTERVIEWS = 0.6  # registrations per interview (people have several)
CALENDAR_CONNECT_RATE = 0.3  # of candidates, a watched calendar renewed every 3 days

# Default quotas (us-east-1; docs.aws.amazon.com scheduler-quotas, the conservative figures).
QUOTA_SCHEDULES = 10_000_000
QUOTA_CREATE_TPS = 1_000
QUOTA_DELETE_TPS = 1_000
QUOTA_UPDATE_TPS = 1_000
QUOTA_INVOCATIONS_TPS = 1_000
PARTITION_WCU = 1_000  # writes per second one DynamoDB partition (and a GSI key) takes

# Prices (us-east-1): Scheduler $1.00 per million invocations after 14 million free a month;
# the rest per 1,000 interviews as docs/performance.md measured it.
SCHEDULER_PER_MILLION = 1.00
SCHEDULER_FREE = 14_000_000
INFRA_PER_THOUSAND = 0.1124 - 0.0030  # performance.md's infrastructure less its Scheduler line
SES_PER_THOUSAND = 0.40
SMS_PER_THOUSAND = 35.32

DAY = timedelta(days=1)
TIMINGS = NudgeTimings()


@dataclass
class Tally:
    creates: Counter[int]  # per second of the measured month
    deletes: Counter[int]
    updates: Counter[int]
    fires: Counter[int]
    released: Counter[int]  # held by the quiet hours, released with the spread
    released_unspread: Counter[int]  # the same, all at the end of the quiet hours
    follow_ups: Counter[int]  # at 10:00 local on a weekday
    registrations: Counter[int]
    renewals: Counter[int]
    pending_delta: Counter[int]  # +1 at create, -1 at fire or delete (whole run, per second)


def _pick_zone(rng: random.Random) -> ZoneInfo:
    r, acc = rng.random(), 0.0
    for name, weight in ZONES:
        acc += weight
        if r <= acc:
            return ZoneInfo(name)
    return ZoneInfo(ZONES[-1][0])


def _working_moment(rng: random.Random, day: datetime, zone: ZoneInfo, start: time, end: time) -> datetime:
    """A moment on ``day`` (local) between ``start`` and ``end``, weekdays only (moved to Monday)."""
    local = day.astimezone(zone).date()
    while local.weekday() >= 5:
        local += DAY
    minutes = rng.randint(start.hour * 60 + start.minute, end.hour * 60 + end.minute)
    return datetime.combine(local, time(minutes // 60, minutes % 60), tzinfo=zone).astimezone(UTC)


def _interview(n: int, start: datetime, minutes: int) -> Interview:
    return Interview(
        interview_id=f"iv{n}",
        source="scale",
        source_ref=str(n),
        candidate_email=f"c{n}@example.org",
        company="Acme",
        title="Interview",
        start=start,
        end=start + timedelta(minutes=minutes),
        interviewers=(Person("Jane Doe", "jane@acme.example"),),
    )


def simulate(sample: int, seed: int = 7) -> tuple[Tally, datetime, int]:
    """``sample`` interviews a month for two months; counts of the second month, per second."""
    rng = random.Random(seed)
    origin = datetime(2027, 3, 1, tzinfo=UTC)
    month_start, month_end = origin + 30 * DAY, origin + 60 * DAY
    t = Tally(*(Counter() for _ in range(10)))

    def sec(moment: datetime) -> int:
        return int((moment - origin).total_seconds())

    def measured(moment: datetime) -> bool:
        return month_start <= moment < month_end

    def create(at: datetime, due: datetime) -> None:
        if measured(at):
            t.creates[sec(at)] += 1
        t.pending_delta[sec(at)] += 1
        t.pending_delta[sec(due)] -= 1

    def delete(at: datetime, due: datetime) -> None:
        if measured(at):
            t.deletes[sec(at)] += 1
        t.pending_delta[sec(at)] -= 1
        t.pending_delta[sec(due)] += 1  # it will not fire after all

    def fire(kind: str, due: datetime, unspread: datetime) -> None:
        if measured(due):
            t.fires[sec(due)] += 1
            if kind == "follow_up":
                t.follow_ups[sec(due)] += 1
            elif due != unspread:
                t.released[sec(due)] += 1
        if measured(unspread) and due != unspread:
            t.released_unspread[sec(unspread)] += 1

    no_spread = NudgeTimings(quiet_spread=timedelta(0))
    for n in range(2 * sample):
        zone = _pick_zone(rng)
        key = f"candidate-{n}"
        day = origin + DAY * rng.uniform(0, 60)
        start = _working_moment(rng, day, zone, time(9, 0), time(17, 30))
        lead = timedelta(days=min(21.0, rng.expovariate(1 / 6)) + 0.1)
        # People book from morning to late at night; an evening booking for the next days has
        # its research prompt due at once, held by the quiet hours until the morning.
        booked = _working_moment(rng, start - lead, zone, time(7, 0), time(23, 59))
        booked = min(booked, start - timedelta(hours=2))
        if rng.random() < CANDIDATE_PER_INTERVIEWS:
            if measured(booked):
                t.registrations[sec(booked)] += 1
            if rng.random() < CALENDAR_CONNECT_RATE:
                renew = booked + timedelta(days=3)
                while renew < month_end:
                    if measured(renew):
                        # The renewal sweep runs every 6 hours and renews every watch due in it.
                        sweep = renew.replace(hour=renew.hour // 6 * 6, minute=0, second=0)
                        t.renewals[sec(sweep)] += 1
                    renew += timedelta(days=3)
        interview = _interview(n, start, rng.choice((30, 45, 60)))

        def planned(
            iv: Interview, now: datetime, spread: bool = True, zone: ZoneInfo = zone, key: str = key
        ) -> dict[str, datetime]:
            timings = TIMINGS if spread else no_spread
            plans = list(plan_interview_nudges(iv, zone, now, timings, key if spread else ""))
            plans.append(plan_follow_up(iv.end, zone, now, timings, key if spread else ""))
            return {p.kind: p.due_at for p in plans if p.status == "scheduled" and p.due_at is not None}

        def schedule_all(iv: Interview, now: datetime) -> dict[str, datetime]:
            plans = planned(iv, now)
            for due in plans.values():
                if due > now + timedelta(minutes=1):  # due at once: SQS, not Scheduler
                    create(now, due)
            return plans

        plans = schedule_all(interview, booked)
        unspread = planned(interview, booked, spread=False)
        # A move: every pending schedule updated to the new times (UpdateSchedule each).
        if rng.random() < RESCHEDULE_RATE:
            moved_at = booked + (start - booked) * rng.uniform(0.2, 0.9)
            new_start = _working_moment(rng, start + DAY * rng.randint(1, 7), zone, time(9, 0), time(17, 30))
            moved = _interview(n, new_start, int((interview.end - interview.start).total_seconds() // 60))
            new_plans = planned(moved, moved_at)
            for kind, due in plans.items():
                if due <= moved_at:
                    continue
                if kind not in new_plans:
                    delete(moved_at, due)
                    continue
                if measured(moved_at):
                    t.updates[sec(moved_at)] += 1
                t.pending_delta[sec(due)] += 1
                t.pending_delta[sec(new_plans[kind])] -= 1
            interview, start, plans = moved, new_start, new_plans
            unspread = planned(moved, moved_at, spread=False)
        if rng.random() < CANCEL_RATE:
            cancelled_at = booked + (start - booked) * rng.uniform(0.1, 0.9)
            for due in plans.values():
                if due > cancelled_at:
                    delete(cancelled_at, due)
            continue
        follow_up = plans.get("follow_up")
        if follow_up is not None and rng.random() < LATER_ROUND_RATE:
            # The next round is booked a few days after this one: it takes the follow-up over.
            taken = interview.end + DAY * rng.uniform(0.5, 3)
            if follow_up > taken:
                delete(taken, follow_up)
                plans.pop("follow_up")
        elif follow_up is not None and rng.random() < OUTCOME_RATE:
            heard = interview.end + DAY * rng.uniform(1, 10)
            if follow_up > heard:
                delete(heard, follow_up)
                plans.pop("follow_up")
        for kind, due in plans.items():
            fire(kind, due, unspread.get(kind, due))
    return t, month_start, sample


def _peak_per_second(counts: Counter[int]) -> float:
    return float(max(counts.values(), default=0))


def _peak_per_minute(counts: Counter[int]) -> float:
    minutes: Counter[int] = Counter()
    for s, c in counts.items():
        minutes[s // 60] += c
    return float(max(minutes.values(), default=0))


def _peak_pending(delta: Counter[int], month_start: datetime) -> float:
    origin = month_start - 30 * DAY
    start_s, end_s = (
        int((month_start - origin).total_seconds()),
        int((month_start - origin).total_seconds()) + 30 * 86400,
    )
    level, peak = 0, 0
    for s in sorted(delta):
        level += delta[s]
        if start_s <= s < end_s:
            peak = max(peak, level)
    return float(peak)


def report(volumes: list[int], sample: int) -> str:
    tally, month_start, n = simulate(sample)
    rows = []
    for volume in volumes:
        f = volume / n
        # Per-second peaks of a sample understate a larger volume's (more arrivals per second):
        # scale the per-minute peak down to a second as the floor, the sampled second as the roof.
        creates_s = max(_peak_per_minute(tally.creates) * f / 60, _peak_per_second(tally.creates))
        deletes_s = max(_peak_per_minute(tally.deletes) * f / 60, _peak_per_second(tally.deletes))
        updates_s = max(_peak_per_minute(tally.updates) * f / 60, _peak_per_second(tally.updates))
        fires_min = _peak_per_minute(tally.fires) * f
        released_s = _peak_per_minute(tally.released) * f / 60
        released_s_unspread = _peak_per_second(tally.released_unspread) * f
        follow_ups_s = _peak_per_second(tally.follow_ups) * f  # all at 10:00:00 local
        pending = _peak_pending(tally.pending_delta, month_start) * f
        # Per shard of the GSI key (keys.SHARDS of them): what one partition takes.
        registrations_s = (
            max(_peak_per_minute(tally.registrations) * f / 60, _peak_per_second(tally.registrations)) / SHARDS
        )
        # The sweep renews every watch due in its 6 hours; at one minute's work per sweep:
        renewals_burst = _peak_per_second(tally.renewals) * f / 60 / SHARDS
        invocations = sum(tally.fires.values()) * f
        scheduler_usd = max(0.0, invocations - SCHEDULER_FREE) / 1e6 * SCHEDULER_PER_MILLION
        infra_usd = volume / 1000 * INFRA_PER_THOUSAND + scheduler_usd
        messages_usd = volume / 1000 * (SES_PER_THOUSAND + SMS_PER_THOUSAND)
        rows.append(
            {
                "volume": volume,
                "pending": pending,
                "creates_s": creates_s,
                "updates_s": updates_s,
                "deletes_s": deletes_s,
                "fires_min": fires_min,
                "released_s": released_s,
                "released_s_unspread": released_s_unspread,
                "follow_ups_s": follow_ups_s,
                "registrations_s": registrations_s,
                "renewals_burst": renewals_burst,
                "infra_usd": infra_usd,
                "messages_usd": messages_usd,
            }
        )
    return _markdown(rows, sample)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:,.1f}"


def _mark(value: float, quota: float) -> str:
    return f"{_fmt(value)} {'✗' if value > quota else '✓'}"


def _markdown(rows: list[dict[str, float]], sample: int) -> str:
    out = [
        "| interviews a month | pending schedules at the peak (10M) | CreateSchedule /s (1,000) | UpdateSchedule /s (1,000) "
        "| DeleteSchedule /s (1,000) | deliveries in the busiest minute | quiet-hours releases /s, spread (1,000) "
        "| the same without the spread | follow-ups in the 10:00 second (1,000) | `CANDIDATES` writes /s a shard (1,000 WCU) "
        "| `CALENDAR_WATCH` writes /s a shard, a sweep in a minute (1,000 WCU) | infrastructure USD a month | SES + SMS USD a month |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| {int(r['volume']):,} | {_mark(r['pending'], QUOTA_SCHEDULES)} | {_mark(r['creates_s'], QUOTA_CREATE_TPS)} "
            f"| {_mark(r['updates_s'], QUOTA_UPDATE_TPS)} | {_mark(r['deletes_s'], QUOTA_DELETE_TPS)} | {_fmt(r['fires_min'])} "
            f"| {_mark(r['released_s'], QUOTA_INVOCATIONS_TPS)} | {_mark(r['released_s_unspread'], QUOTA_INVOCATIONS_TPS)} "
            f"| {_mark(r['follow_ups_s'], QUOTA_INVOCATIONS_TPS)} | {_mark(r['registrations_s'], PARTITION_WCU)} "
            f"| {_mark(r['renewals_burst'], PARTITION_WCU)} | {r['infra_usd']:,.2f} | {r['messages_usd']:,.2f} |"
        )
    out.append("")
    out.append(
        f"Sampled from {sample:,} simulated interviews a month (two months, the second measured), scaled to each volume. "
        "✗: over AWS's default quota."
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volumes", default="10000,1000000,10000000")
    parser.add_argument("--sample", type=int, default=20000)
    parser.add_argument("--out", help="write the table into this Markdown file, between its scale markers")
    args = parser.parse_args(argv)
    volumes = [int(v) for v in args.volumes.split(",")]
    table = report(volumes, min(args.sample, max(volumes)))
    print(table)
    if args.out:
        path = Path(args.out)
        text = path.read_text()
        begin, end = "<!-- scale:begin -->", "<!-- scale:end -->"
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        path.write_text(f"{head}{begin}\n{table}\n{end}{tail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
