"""Turns a plan into stored nudges and schedules, and keeps them in step when things change.

Read once, decide purely, write once: the planner reads what a decision needs
(``booking_view``), the decision is a pure function (``nudges.domain.nudge_steps``), its plans and
withdrawals are written in one transaction (with the interview itself, for a booking), and
only then scheduled (``carried_out``): the sender never meets a schedule without its nudge, and a
retry that finds the record re-creates a schedule lost in a crash. Every step is safe to repeat.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from nudges import metrics
from nudges.adapters.scheduler import SEND_NOW_WINDOW, schedule_name
from nudges.domain.kinds import SIGN_UP_KIND, answer_to
from nudges.domain.nudge_steps import (
    BookingView,
    Plan,
    Steps,
    connect_steps,
    decide_booking,
    welcome_steps,
    withdraw_pending,
)
from nudges.observability import logger
from nudges.services.addresses import interviews_of

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.domain.nudge_steps import Withdrawal
    from nudges.domain.plan import NudgeTimings
    from nudges.domain.records import Application, OwnersRead, RoundNudges
    from nudges.services.ports import Applications, Interviews, Nudges, Scheduler


class NudgePlanner:
    def __init__(
        self,
        interviews: Interviews,
        applications: Applications,
        nudges: Nudges,
        scheduler: Scheduler,
        timings: NudgeTimings,
    ) -> None:
        self._interviews = interviews
        self._applications = applications
        self._nudges = nudges
        self._scheduler = scheduler
        self._timings = timings

    @property
    def timings(self) -> NudgeTimings:
        return self._timings

    # ------------------------------------------------------------------ read
    def booking_view(
        self, interview: Interview, candidate: Candidate | None, read: RoundNudges | None = None
    ) -> BookingView:
        """What ``decide_booking`` needs about ``interview`` as it will stand. ``read``: its round
        as the caller read it (the booking's lookup), used when it is this interview's and
        application's; else read here (one BatchGetItem). The candidate's interviews: one Query
        an address; other rounds of the application: their follow-ups in one BatchGetItem."""
        if read is None or (read.interview_id, read.application_id) != (
            interview.interview_id,
            interview.application_id,
        ):
            read = self._nudges.for_interview(interview.interview_id, interview.application_id)
        interviews: list[Interview] = []
        if candidate is not None:
            known = [i for i in interviews_of(self._interviews, candidate) if i.interview_id != interview.interview_id]
            interviews = [*known, interview]
        others = [
            i.interview_id
            for i in interviews
            if i.application_id == interview.application_id and i.interview_id != interview.interview_id
        ]
        return BookingView(
            interview=interview,
            candidate=candidate,
            nudges=read.nudges,
            application=read.application,
            application_nudges=read.application_nudges,
            interviews=interviews,
            follow_ups=self._nudges.follow_ups(others) if others else {},
        )

    def nudges_of(self, owner_ids: list[str], candidate_email: str) -> OwnersRead:
        """The nudges of several owners (interviews, applications), the candidate of the address
        and the expiry of every item read: one read (an outcome's)."""
        return self._nudges.for_owners(owner_ids, candidate_email)

    # ------------------------------------------------------------------ decide
    def decide(self, view: BookingView, now: datetime) -> Steps:
        """``decide_booking``'s steps, each plan named for its schedule."""
        return self.named(decide_booking(view, now, self._timings), now)

    @staticmethod
    def named(steps: Steps, now: datetime) -> Steps:
        """Each plan due beyond the send-now window with the name of its schedule."""
        plans = tuple(
            replace(p, nudge=replace(p.nudge, schedule_name=schedule_name(p.nudge)))
            if p.nudge.due_at is not None and p.nudge.due_at - now > SEND_NOW_WINDOW
            else p
            for p in steps.plans
        )
        return replace(steps, plans=plans)

    # ------------------------------------------------------------------ write, then schedule
    def carry_out(self, steps: Steps, now: datetime) -> None:
        """Write the steps (one transaction), then do what follows (``carried_out``)."""
        steps = self.named(steps, now)
        withdrawn = self._nudges.write(steps.plans, steps.withdrawals) if steps.plans or steps.withdrawals else ()
        self.carried_out(steps, withdrawn, now)

    def carried_out(self, steps: Steps, withdrawn: tuple[Withdrawal, ...], now: datetime) -> None:
        """What follows the steps' write: schedules made and deleted, nudges due queued again,
        an application given its interview, and the log and metrics of each."""
        for note in steps.notes:
            logger.info(note)
        if steps.attach is not None:
            self._applications.attach_interview(*steps.attach)
        for plan in steps.plans:
            self._scheduled(plan, now)
        for withdrawal in steps.withdrawals:
            nudge = withdrawal.nudge
            if withdrawal in withdrawn:
                logger.info(
                    "nudge withdrawn",
                    extra={
                        "owner_id": nudge.owner_id,
                        "kind": nudge.kind,
                        "status": withdrawal.status,
                        "reason": withdrawal.reason,
                    },
                )
                metrics.nudge_withdrawn(nudge.kind, withdrawal.status)
            self._scheduler.cancel(nudge.schedule_name)
        for name in steps.unscheduled:
            self._scheduler.cancel(name)  # deleting one already gone is a no-op
        for nudge in steps.requeued:
            self._scheduler.schedule(nudge, now)

    def _scheduled(self, plan: Plan, now: datetime) -> None:
        wanted, before = plan.nudge, plan.before
        if wanted.status == "skipped":
            if before is None:
                metrics.nudge_skipped(wanted.kind)
            return
        assert wanted.due_at is not None
        self._scheduler.schedule(wanted, now)
        if before is not None and before.schedule_name and before.schedule_name != wanted.schedule_name:
            self._scheduler.cancel(before.schedule_name)
        if before is None or before.due_at != wanted.due_at:
            logger.info(
                "nudge planned",
                extra={"owner_id": wanted.owner_id, "kind": wanted.kind, "due_at": wanted.due_at.isoformat()},
            )
            metrics.nudge_planned(wanted.kind)

    # ------------------------------------------------------------------ whole changes
    def sync_interview(self, interview: Interview, candidate: Candidate | None, now: datetime) -> None:
        """Bring the round's nudges in line with it as it is stored (a registration or an email
        change that finds it): read, decide, write, schedule."""
        self.carry_out(decide_booking(self.booking_view(interview, candidate), now, self._timings), now)

    def sync_connect(self, application: Application, candidate: Candidate, now: datetime) -> None:
        """Plan the application's connect nudge, once its interviews are known (an offer that
        matches no interview yet is kept: its first interview to arrive plans it)."""
        interviews = self._interviews.for_email(application.candidate_email)
        current = self._nudges.get(application.application_id, answer_to("offer"))
        self.carry_out(connect_steps(application, candidate, interviews, current, now, self._timings), now)

    def sync_welcome(self, candidate: Candidate, now: datetime) -> None:
        """Plan the welcome: once, owned by the candidate, like every nudge claimed by the sender
        (a registration retried finds it planned or sent, and sends nothing twice)."""
        current = self._nudges.get(candidate.candidate_id, SIGN_UP_KIND)
        self.carry_out(welcome_steps(candidate, current, now, self._timings), now)

    def connect_sent(self, application_id: str) -> bool:
        """Whether the application's connect nudge has gone (too late to take it back)."""
        connect = self._nudges.get(application_id, answer_to("offer"))
        return connect is not None and connect.status == "sent"

    def cancel_pending(self, owner_id: str, reason: str, now: datetime) -> None:
        """Withdraw every nudge of the owner still ahead."""
        self.carry_out(withdraw_pending(self._nudges.for_owner(owner_id), reason), now)
