"""What to do to a candidate's nudges when something changes: pure, from what was read to steps.

The planner (``services/planning.py``) reads once what a decision needs, asks these functions
what to plan and what to withdraw, writes the answer in one transaction, then schedules. Nothing
here reads or writes: plain data in (the interview as it will stand, the nudges as read), plain
data out (``Steps``). Every answer is safe to carry out twice: a retried webhook that finds the
work done gets steps that change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from nudges.domain.channels import opt_outs
from nudges.domain.kinds import LAST_ROUND_KIND, answer_to, answering, replaced_on
from nudges.domain.plan import (
    PlannedNudge,
    plan_connect_nudge,
    plan_follow_up,
    plan_interview_nudges,
    plan_rejection_reply,
    plan_welcome,
)
from nudges.domain.records import NudgeRecord
from nudges.domain.rounds import ended_before, last_round

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.domain.plan import NudgeTimings
    from nudges.domain.records import Application

# Why an earlier round's follow-up was withdrawn (a round after it plans its own).
LATER_ROUND = "a later interview was booked: it plans its own follow-up"
CANCELLED = "the interview was cancelled"
HAS_OFFER = "the application already has an offer"


@dataclass(frozen=True)
class Plan:
    """Write this nudge's plan (scheduled, or skipped ahead of time), then schedule it."""

    nudge: NudgeRecord
    expires_after: datetime
    before: NudgeRecord | None  # as read: None when it is new


@dataclass(frozen=True)
class Withdrawal:
    """Move a nudge that was read as scheduled to ``status`` (the write is conditional on it
    still being scheduled) and delete its schedule."""

    nudge: NudgeRecord
    status: Literal["cancelled", "skipped"]
    reason: str


@dataclass(frozen=True)
class Steps:
    plans: tuple[Plan, ...] = ()
    withdrawals: tuple[Withdrawal, ...] = ()
    # Due and not yet sent: on its way to the sender, unless the attempt that recorded it failed
    # before it reached the queue. Queued (again): the sender sends once.
    requeued: tuple[NudgeRecord, ...] = ()
    # Schedules of nudges withdrawn before, deleted again: a racing plan may have re-created one.
    unscheduled: tuple[str, ...] = ()
    # An application that had no interview to name gets this one (an offer known before it).
    attach: tuple[str, str] | None = None  # (application id, interview id)
    # Said to the log, not done: an outcome kept until an interview arrives.
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __add__(self, other: Steps) -> Steps:
        """Both, each nudge touched once: what ``self`` does to a nudge stands."""
        taken = {(p.nudge.owner_id, p.nudge.kind) for p in self.plans}
        taken |= {(w.nudge.owner_id, w.nudge.kind) for w in self.withdrawals}
        taken |= {(n.owner_id, n.kind) for n in self.requeued}
        return Steps(
            self.plans + tuple(p for p in other.plans if (p.nudge.owner_id, p.nudge.kind) not in taken),
            self.withdrawals + tuple(w for w in other.withdrawals if (w.nudge.owner_id, w.nudge.kind) not in taken),
            self.requeued + tuple(n for n in other.requeued if (n.owner_id, n.kind) not in taken),
            tuple(dict.fromkeys(self.unscheduled + other.unscheduled)),
            self.attach or other.attach,
            self.notes + other.notes,
        )

    @property
    def writes(self) -> bool:
        return bool(self.plans or self.withdrawals or self.attach)


@dataclass(frozen=True)
class Target:
    """Where a nudge's plan is written: its owner (an interview, an application, the candidate),
    the interview it is about ("" for the welcome) and how long it is kept at least."""

    owner_id: str
    interview_id: str
    expires_after: datetime


def closed_by(application: Application, interview: Interview) -> bool:
    """Whether a rejection or withdrawal ended the process this round belongs to (an offer is
    handled on its own: it closes every round)."""
    return application.outcome in ("rejected", "withdrawn") and ended_before(
        application.outcome, application.outcome_at, interview
    )


def as_wanted(planned: PlannedNudge, candidate: Candidate) -> PlannedNudge:
    """Skipped ahead of time when the candidate paused or turned the kind off (their preferences
    page); planned again as usual when they change their mind, while it is still ahead."""
    if planned.status != "scheduled" or candidate.wants(planned.kind):
        return planned
    reason = "paused by the candidate" if candidate.paused else "turned off by the candidate"
    return PlannedNudge(planned.kind, "skipped", reason=reason)


def step(
    planned: PlannedNudge, current: NudgeRecord | None, target: Target, candidate: Candidate, now: datetime
) -> Steps:
    """One nudge brought in line with its plan."""
    if current is not None and current.status in ("sent", "cancelled"):
        return Steps()  # final: sent once, or withdrawn on purpose (an outcome, a cancellation)
    if current is not None and current.status == "scheduled" and current.due_at and current.due_at <= now:
        return Steps(requeued=(replace(current, candidate_id=candidate.candidate_id),))
    if planned.status == "skipped":
        if current is not None and current.status != "skipped":
            return Steps(withdrawals=(Withdrawal(current, "skipped", planned.reason or "no longer due"),))
        skipped = _record(planned, target, candidate, "skipped")
        return Steps(plans=(Plan(replace(skipped, reason=planned.reason), target.expires_after, current),))
    assert planned.due_at is not None
    wanted = replace(
        _record(planned, target, candidate, "scheduled"), due_at=planned.due_at, opt_outs=opt_outs(candidate)
    )
    return Steps(plans=(Plan(wanted, target.expires_after, current),))


def _record(
    planned: PlannedNudge, target: Target, candidate: Candidate, status: Literal["scheduled", "skipped"]
) -> NudgeRecord:
    return NudgeRecord(target.owner_id, planned.kind, status, target.interview_id, candidate_id=candidate.candidate_id)


def withdraw_pending(
    found: dict[str, NudgeRecord],
    reason: str,
    *,
    reasons: dict[str, str] | None = None,
    keep: frozenset[str] | set[str] = frozenset(),
) -> Steps:
    """Every nudge of one owner (``found``, by kind, as read) still ahead withdrawn (``reasons``:
    a reason of its own per kind; ``keep``: kinds left as they are)."""
    withdrawals: list[Withdrawal] = []
    unscheduled: list[str] = []
    for nudge in found.values():
        if nudge.kind in keep:
            continue
        if nudge.status == "scheduled":
            withdrawals.append(Withdrawal(nudge, "cancelled", (reasons or {}).get(nudge.kind, reason)))
        elif nudge.status == "cancelled" and nudge.schedule_name:
            unscheduled.append(nudge.schedule_name)
    return Steps(withdrawals=tuple(withdrawals), unscheduled=tuple(unscheduled))


def follow_up_steps(
    application_id: str,
    interviews: list[Interview],
    follow_ups: dict[str, NudgeRecord],
    application: Application | None,
    candidate: Candidate,
    now: datetime,
    timings: NudgeTimings,
) -> Steps:
    """The application's follow-up belongs to its last round (by end): planned there, and
    withdrawn from every earlier round (a later interview plans its own). An application with
    an outcome gets none (the outcome withdrew it). ``interviews``: the candidate's;
    ``follow_ups``: each round's follow-up as read, by interview id."""
    rounds = [i for i in interviews if i.application_id == application_id]
    last = last_round(rounds)
    steps = Steps()
    for other in rounds:
        earlier = follow_ups.get(other.interview_id)
        if other is last or earlier is None or earlier.status != "scheduled":
            continue
        reason = LATER_ROUND if other.status != "cancelled" else CANCELLED
        steps += Steps(withdrawals=(Withdrawal(earlier, "cancelled", reason),))
    if last is None:
        return steps
    if application is not None and (application.outcome == "offer" or closed_by(application, last)):
        return steps
    current = follow_ups.get(last.interview_id)
    if current is not None and current.status == "cancelled" and current.reason == LATER_ROUND:
        current = None  # the later round it gave way to was cancelled: this one is last again
    planned = as_wanted(plan_follow_up(last.end, candidate.zone, now, timings, candidate.candidate_id), candidate)
    target = Target(last.interview_id, last.interview_id, planned.due_at or last.end)
    return steps + step(planned, current, target, candidate, now)


def rounds_of(application: Application, interviews: list[Interview]) -> list[Interview]:
    """The application's interviews that are not cancelled, earliest first."""
    return sorted(
        (i for i in interviews if i.application_id == application.application_id and i.status != "cancelled"),
        key=lambda i: i.start,
    )


def connect_steps(
    application: Application,
    candidate: Candidate,
    interviews: list[Interview],
    current: NudgeRecord | None,
    now: datetime,
    timings: NudgeTimings,
) -> Steps:
    """The application's connect nudge, once its interviews are known (an offer that matches no
    interview yet is kept as it is: the first interview of the application to arrive plans it).
    ``current``: the connect nudge as read."""
    rounds = rounds_of(application, interviews)
    if not rounds:
        return Steps(notes=("offer kept until an interview arrives",))
    attach = None
    interview_id = application.interview_id
    if interview_id is None:
        interview_id = rounds[0].interview_id
        attach = (application.application_id, interview_id)
    last_end = max(i.end for i in rounds)
    planned = as_wanted(
        plan_connect_nudge(candidate.zone, now, timings, not_before=last_end, spread_key=candidate.candidate_id),
        candidate,
    )
    target = Target(application.application_id, interview_id, max(now, last_end))
    return Steps(attach=attach) + step(planned, current, target, candidate, now)


def rejection_reply_steps(
    application: Application,
    candidate: Candidate,
    interviews: list[Interview],
    current: NudgeRecord | None,
    now: datetime,
    timings: NudgeTimings,
) -> Steps:
    """The application's rejection reply (owned by the application, like connect), addressed
    about its last round; kept, like an offer, until an interview arrives."""
    rounds = rounds_of(application, interviews)
    if not rounds:
        return Steps(notes=("rejection kept until an interview arrives",))
    interview_id = application.interview_id or rounds[-1].interview_id
    if current is not None and current.status == "scheduled" and current.due_at and current.due_at > now:
        planned = PlannedNudge(answer_to("rejected"), "scheduled", current.due_at)  # planned already: keep its time
    else:
        planned = plan_rejection_reply(candidate.zone, now, timings, candidate.candidate_id)
    target = Target(application.application_id, interview_id, now)
    return step(as_wanted(planned, candidate), current, target, candidate, now)


def welcome_steps(candidate: Candidate, current: NudgeRecord | None, now: datetime, timings: NudgeTimings) -> Steps:
    """The welcome: once, owned by the candidate (a registration retried finds it planned or sent)."""
    planned = plan_welcome(candidate.zone, now, timings, candidate.candidate_id)
    return step(planned, current, Target(candidate.candidate_id, "", now), candidate, now)


@dataclass(frozen=True)
class BookingView:
    """What a booking's decision needs, read once (``NudgePlanner.booking_view``)."""

    interview: Interview  # as it will stand after this change
    candidate: Candidate | None  # None: kept for a registration that may follow
    nudges: dict[str, NudgeRecord]  # the interview's own, by kind
    application: Application | None  # the interview's application, if recorded
    application_nudges: dict[str, NudgeRecord]  # the application's own (connect, rejection reply)
    interviews: list[Interview]  # the candidate's, every address, this one as it will stand
    follow_ups: dict[str, NudgeRecord]  # each other round's follow-up, by interview id


def decide_booking(view: BookingView, now: datetime, timings: NudgeTimings) -> Steps:
    """The round's nudges (and its application's follow-up, connect or rejection reply) brought
    in line with the interview as it will stand."""
    interview, candidate, application = view.interview, view.candidate, view.application
    own_follow_up = view.nudges.get(LAST_ROUND_KIND)
    follow_ups = {**view.follow_ups, **({interview.interview_id: own_follow_up} if own_follow_up else {})}
    if interview.status == "cancelled":
        steps = withdraw_pending(view.nudges, CANCELLED)
        if candidate is not None:
            # The round before it, if any, is the application's last again: it follows up.
            steps += follow_up_steps(
                interview.application_id, view.interviews, follow_ups, application, candidate, now, timings
            )
        return steps
    if candidate is None:
        return Steps()  # kept for a registration that may follow; nobody is messaged meanwhile
    if application is not None and application.outcome == "offer":
        # The offer came first: no "don't connect yet" for this round; the connect nudge now
        # names its interviewers too, once it has ended.
        return withdraw_pending(view.nudges, HAS_OFFER) + connect_steps(
            application, candidate, view.interviews, view.application_nudges.get(answer_to("offer")), now, timings
        )
    if application is not None and closed_by(application, interview):
        # A rejection or a withdrawal told before this round was known (an ATS that is quicker
        # than the calendar): the round belongs to the ended process.
        steps = withdraw_pending(view.nudges, f"the application ended: {application.outcome}")
        if application.outcome == "rejected":
            steps += rejection_reply_steps(
                application,
                candidate,
                view.interviews,
                view.application_nudges.get(answer_to("rejected")),
                now,
                timings,
            )
        return steps
    steps = Steps()
    for planned in plan_interview_nudges(interview, candidate.zone, now, timings, candidate.candidate_id):
        target = Target(interview.interview_id, interview.interview_id, interview.end)
        steps += step(as_wanted(planned, candidate), view.nudges.get(planned.kind), target, candidate, now)
    return steps + follow_up_steps(
        interview.application_id, view.interviews, follow_ups, application, candidate, now, timings
    )


def decide_outcome(
    application: Application,
    rounds: list[Interview],
    nudges: dict[str, dict[str, NudgeRecord]],
    candidate: Candidate | None,
    now: datetime,
    timings: NudgeTimings,
) -> Steps:
    """An application's outcome (``application.outcome``) on its rounds' nudges and its own
    (``nudges``: by owner and kind, as read): any outcome withdraws what is still ahead (the
    follow-up too: there is nothing left to chase); an offer plans the connect nudge, a
    rejection the reply (in place of a thank-you not yet sent); a withdrawal is the candidate's
    own word and needs no reply."""
    outcome = application.outcome
    ended = f"the application ended: {outcome}"
    # Each kind's outcome rule (nudges.domain.kinds): what the outcome plans, and what that replaces.
    replaced = replaced_on(outcome) or None
    answers = answering(outcome)
    steps = Steps()
    for sibling in rounds:
        steps += withdraw_pending(nudges.get(sibling.interview_id, {}), ended, reasons=replaced)
    own = nudges.get(application.application_id, {})
    # The application's own nudges still ahead but its answer's (a rejection reply after an offer:
    # the news changed; a connect from an offer taken back; any of them on a withdrawal).
    steps += withdraw_pending(own, ended, keep=set(answers))
    plan_answer = ANSWER_STEPS.get(outcome or "")
    if plan_answer is not None and candidate is not None:
        for name in answers:
            steps += plan_answer(application, candidate, rounds, own.get(name), now, timings)
    return steps


# How each outcome's answer is planned (the kind itself: ``kinds.answering``).
ANSWER_STEPS = {"offer": connect_steps, "rejected": rejection_reply_steps}
