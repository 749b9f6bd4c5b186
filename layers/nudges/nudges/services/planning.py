"""Turns a plan into stored nudges and schedules, and keeps them in step when things change.

Every step is safe to repeat: a retried webhook or a second delivery finds the work done and
does nothing, and a step that crashed half-way is finished by the retry.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from nudges import metrics
from nudges.adapters.scheduler import SEND_NOW_WINDOW, schedule_name
from nudges.domain.plan import PlannedNudge, plan_connect_nudge, plan_interview_nudges, plan_welcome
from nudges.domain.records import NudgeRecord
from nudges.observability import logger

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.domain.plan import NudgeTimings
    from nudges.domain.records import Application
    from nudges.services.ports import Applications, Interviews, Nudges, Scheduler


def _as_wanted(planned: PlannedNudge, candidate: Candidate) -> PlannedNudge:
    """Skipped ahead of time when the candidate paused or turned the kind off (their preferences
    page); planned again as usual when they change their mind, while it is still ahead."""
    if planned.status != "scheduled" or candidate.wants(planned.kind):
        return planned
    reason = "paused by the candidate" if candidate.paused else "turned off by the candidate"
    return PlannedNudge(planned.kind, "skipped", reason=reason)


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

    def sync_interview(self, interview: Interview, candidate: Candidate | None, now: datetime) -> None:
        if interview.status == "cancelled":
            self.cancel_pending(interview.interview_id, "the interview was cancelled")
            return
        if candidate is None:
            # Kept for a registration that may follow; nobody is messaged meanwhile.
            return
        application = self._applications.get(interview.application_id)
        if application is not None and application.outcome == "offer":
            # The offer came first: no "don't connect yet" for this round; the connect nudge
            # now names its interviewers too, once it has ended.
            self.cancel_pending(interview.interview_id, "the application already has an offer")
            self.sync_connect(application, candidate, now)
            return
        current = self._nudges.for_owner(interview.interview_id)
        for planned in plan_interview_nudges(interview, candidate.zone, now, self._timings):
            planned = _as_wanted(planned, candidate)
            self._apply(
                interview.interview_id,
                interview.interview_id,
                candidate,
                planned,
                current.get(planned.kind),
                now,
                interview.end,
            )

    def sync_connect(
        self, application: Application, candidate: Candidate, now: datetime, interviews: list[Interview] | None = None
    ) -> None:
        """Plan the application's connect nudge, once its interviews are known.

        An offer that matches no interview yet is kept as it is; the first interview of the
        application to arrive brings it here again (``sync_interview``). ``interviews``: the
        candidate's interviews when the caller has just read them (saves a Query).
        """
        if interviews is None:
            interviews = self._interviews.for_email(application.candidate_email)
        rounds = sorted(
            (i for i in interviews if i.application_id == application.application_id and i.status != "cancelled"),
            key=lambda i: i.start,
        )
        if not rounds:
            logger.info("offer kept until an interview arrives", extra={"application_id": application.application_id})
            return
        interview_id = application.interview_id
        if interview_id is None:
            interview_id = rounds[0].interview_id
            self._applications.attach_interview(application.application_id, interview_id)
        current = self._nudges.get(application.application_id, "connect")
        last_end = max(i.end for i in rounds)
        planned = _as_wanted(plan_connect_nudge(candidate.zone, now, self._timings, not_before=last_end), candidate)
        self._apply(application.application_id, interview_id, candidate, planned, current, now, max(now, last_end))

    def sync_welcome(self, candidate: Candidate, now: datetime) -> None:
        """Plan the welcome: once, owned by the candidate, like every nudge claimed by the sender
        (a registration retried finds it planned or sent, and sends nothing twice)."""
        current = self._nudges.get(candidate.candidate_id, "welcome")
        planned = plan_welcome(candidate.zone, now, self._timings)
        self._apply(candidate.candidate_id, "", candidate, planned, current, now, now)

    def cancel_pending(self, owner_id: str, reason: str) -> None:
        for nudge in self._nudges.for_owner(owner_id).values():
            if nudge.status == "scheduled":
                self._cancel(nudge, "cancelled", reason)
            elif nudge.status == "cancelled" and nudge.schedule_name:
                # A racing plan may have re-created the schedule after it was withdrawn: a
                # withdrawn nudge keeps no schedule (deleting one already gone is a no-op).
                self._scheduler.cancel(nudge.schedule_name)

    def _cancel(self, nudge: NudgeRecord, status: str, reason: str) -> None:
        if self._nudges.set_status(nudge, status, reason):  # type: ignore[arg-type]
            logger.info(
                "nudge withdrawn",
                extra={"owner_id": nudge.owner_id, "kind": nudge.kind, "status": status, "reason": reason},
            )
            metrics.nudge_withdrawn(nudge.kind, status)
        self._scheduler.cancel(nudge.schedule_name)

    def _apply(
        self,
        owner_id: str,
        interview_id: str,
        candidate: Candidate,
        planned: PlannedNudge,
        current: NudgeRecord | None,
        now: datetime,
        expires_after: datetime,
    ) -> None:
        if current is not None and current.status in ("sent", "cancelled"):
            return  # final: sent once, or withdrawn on purpose (an outcome, a cancellation)
        if current is not None and current.status == "scheduled" and current.due_at and current.due_at <= now:
            # Due and not yet sent: on its way to the sender, unless the attempt that recorded it
            # failed before it reached the queue. Queue it (again): the sender sends once.
            self._scheduler.schedule(replace(current, candidate_id=candidate.candidate_id), now)
            return
        if planned.status == "skipped":
            if current is None or current.status == "skipped":
                self._nudges.put(
                    NudgeRecord(
                        owner_id,
                        planned.kind,
                        "skipped",
                        interview_id,
                        reason=planned.reason,
                        candidate_id=candidate.candidate_id,
                    ),
                    expires_after=expires_after,
                )
                if current is None:
                    metrics.nudge_skipped(planned.kind)
            else:
                self._cancel(current, "skipped", planned.reason or "no longer due")
            return
        assert planned.due_at is not None
        wanted = NudgeRecord(
            owner_id,
            planned.kind,
            "scheduled",
            interview_id,
            due_at=planned.due_at,
            candidate_id=candidate.candidate_id,
        )
        if planned.due_at - now > SEND_NOW_WINDOW:
            wanted = replace(wanted, schedule_name=schedule_name(wanted))
        # Record first, then schedule: the sender never meets a schedule without its nudge,
        # and a retry that finds the record re-creates a schedule lost in a crash.
        self._nudges.put(wanted, expires_after=expires_after)
        self._scheduler.schedule(wanted, now)
        if current is not None and current.schedule_name and current.schedule_name != wanted.schedule_name:
            self._scheduler.cancel(current.schedule_name)
        if current is None or current.due_at != wanted.due_at:
            logger.info(
                "nudge planned",
                extra={"owner_id": owner_id, "kind": planned.kind, "due_at": planned.due_at.isoformat()},
            )
            metrics.nudge_planned(planned.kind)
