"""Turns a plan into stored nudges and schedules, and keeps them in step when things change.

Every step is safe to repeat: a retried webhook or a second delivery finds the work done and
does nothing, and a step that crashed half-way is finished by the retry.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from nudges import metrics
from nudges.adapters.scheduler import SEND_NOW_WINDOW, schedule_name
from nudges.domain.channels import opt_outs
from nudges.domain.plan import (
    PlannedNudge,
    plan_connect_nudge,
    plan_follow_up,
    plan_interview_nudges,
    plan_rejection_reply,
    plan_welcome,
)
from nudges.domain.records import Application, NudgeRecord
from nudges.domain.rounds import ended_before, last_round
from nudges.observability import logger
from nudges.services.addresses import interviews_of

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.domain.plan import NudgeTimings
    from nudges.services.ports import Applications, Interviews, Nudges, Scheduler


UNREAD = object()  # an argument the caller has not read
# Why an earlier round's follow-up was withdrawn (a round after it plans its own).
LATER_ROUND = "a later interview was booked: it plans its own follow-up"
CANCELLED = "the interview was cancelled"

# Plans held back to be written together (``Nudges.put_many``): the nudge, how long it is kept,
# and what follows its write (its schedule, the log line).
Writes = list[tuple[NudgeRecord, "datetime", "Callable[[], None]"]]


def closed_by(application: Application, interview: Interview) -> bool:
    """Whether a rejection or withdrawal ended the process this round belongs to (an offer is
    handled on its own: it closes every round)."""
    return application.outcome in ("rejected", "withdrawn") and ended_before(
        application.outcome, application.outcome_at, interview
    )


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

    def sync_interview(
        self, interview: Interview, candidate: Candidate | None, now: datetime, version: int | None = None
    ) -> bool | None:
        """Bring the round's nudges in line with it. ``version``: the interview's version the
        plan is made from; the plans are then written only while it is still that version
        (checked in the same write). True: written so; False: a newer version was written
        meanwhile and nothing was (plan again from it); None: no such check was made."""
        if interview.status == "cancelled":
            self.cancel_pending(interview.interview_id, CANCELLED)
            if candidate is not None:
                # The round before it, if any, is the application's last again: it follows up.
                self.sync_follow_up(interview.application_id, candidate, now)
            return None
        if candidate is None:
            # Kept for a registration that may follow; nobody is messaged meanwhile.
            return None
        current, application = self._nudges.for_interview(interview.interview_id, interview.application_id)
        if application is not None and application.outcome == "offer":
            # The offer came first: no "don't connect yet" for this round; the connect nudge
            # now names its interviewers too, once it has ended.
            self.cancel_pending(interview.interview_id, "the application already has an offer")
            self.sync_connect(application, candidate, now)
            return None
        if application is not None and closed_by(application, interview):
            # A rejection or a withdrawal told before this round was known (an ATS that is
            # quicker than the calendar): the round belongs to the ended process.
            self.cancel_pending(interview.interview_id, f"the application ended: {application.outcome}")
            if application.outcome == "rejected":
                self.sync_rejection_reply(application, candidate, now)
            return None
        # The round's plans (and the application's follow-up) are written in one transaction,
        # then scheduled: record first, then schedule, as for a single nudge.
        writes: Writes = []
        for planned in plan_interview_nudges(interview, candidate.zone, now, self._timings, candidate.candidate_id):
            planned = _as_wanted(planned, candidate)
            self._apply(
                interview.interview_id,
                interview.interview_id,
                candidate,
                planned,
                current.get(planned.kind),
                now,
                interview.end,
                writes,
            )
        # ``current`` is as read before this plan, which wrote no follow-up: still what is stored.
        self.sync_follow_up(
            interview.application_id,
            candidate,
            now,
            application=application,
            known={interview.interview_id: current},
            writes=writes,
        )
        return self._flush(writes, (interview.interview_id, version) if version is not None else None)

    def _flush(self, writes: Writes, while_version: tuple[str, int] | None = None) -> bool | None:
        """Write the held-back plans in one call, then do what follows each (its schedule);
        ``while_version``: only while the interview is at that version (``sync_interview``)."""
        if not writes:
            return None
        written = self._nudges.put_many(
            [(nudge, expires_after) for nudge, expires_after, _ in writes], while_version=while_version
        )
        if not written:
            return False
        for _, _, then in writes:
            then()
        return True if while_version is not None else None

    def sync_follow_up(
        self,
        application_id: str,
        candidate: Candidate,
        now: datetime,
        *,
        application: Application | object | None = UNREAD,
        interviews: list[Interview] | None = None,
        known: dict[str, dict[str, NudgeRecord]] | None = None,
        writes: Writes | None = None,
    ) -> None:
        """The application's follow-up belongs to its last round (by end): planned there, and
        withdrawn from every earlier round (a later interview plans its own). An application
        with an outcome gets none (the outcome withdrew it). ``application``: as the caller has
        just read it (None: there is none yet), to save a GetItem; ``known``: the nudges of rounds the
        caller has just read, by interview id (saves a GetItem each); ``writes``: where to hold
        the plan back for the caller to write with its own (``_flush``)."""
        if interviews is None:
            interviews = interviews_of(self._interviews, candidate)
        rounds = [i for i in interviews if i.application_id == application_id]
        last = last_round(rounds)
        for other in rounds:
            if other is last:
                continue
            earlier = self._follow_up(other.interview_id, known)
            if earlier is not None and earlier.status == "scheduled":
                self._cancel(earlier, "cancelled", LATER_ROUND if other.status != "cancelled" else CANCELLED)
        if last is None:
            return
        if application is UNREAD:
            application = self._applications.get(application_id)
        if isinstance(application, Application) and (application.outcome == "offer" or closed_by(application, last)):
            return
        current = self._follow_up(last.interview_id, known)
        if current is not None and current.status == "cancelled" and current.reason == LATER_ROUND:
            current = None  # the later round it gave way to was cancelled: this one is last again
        planned = _as_wanted(
            plan_follow_up(last.end, candidate.zone, now, self._timings, candidate.candidate_id), candidate
        )
        self._apply(
            last.interview_id, last.interview_id, candidate, planned, current, now, planned.due_at or last.end, writes
        )

    def _follow_up(self, interview_id: str, known: dict[str, dict[str, NudgeRecord]] | None) -> NudgeRecord | None:
        if known is not None and interview_id in known:
            return known[interview_id].get("follow_up")
        return self._nudges.get(interview_id, "follow_up")

    def sync_connect(
        self,
        application: Application,
        candidate: Candidate,
        now: datetime,
        interviews: list[Interview] | None = None,
        *,
        current: NudgeRecord | object | None = UNREAD,
    ) -> None:
        """Plan the application's connect nudge, once its interviews are known.

        An offer that matches no interview yet is kept as it is; the first interview of the
        application to arrive brings it here again (``sync_interview``). ``interviews``: the
        candidate's interviews when the caller has just read them (saves a Query); ``current``:
        the connect nudge as the caller has just read it (None: there is none; saves a GetItem).
        """
        rounds = self._rounds(application, interviews)
        if not rounds:
            logger.info("offer kept until an interview arrives", extra={"application_id": application.application_id})
            return
        interview_id = application.interview_id
        if interview_id is None:
            interview_id = rounds[0].interview_id
            self._applications.attach_interview(application.application_id, interview_id)
        if current is UNREAD:
            current = self._nudges.get(application.application_id, "connect")
        assert current is None or isinstance(current, NudgeRecord)
        last_end = max(i.end for i in rounds)
        planned = _as_wanted(
            plan_connect_nudge(
                candidate.zone, now, self._timings, not_before=last_end, spread_key=candidate.candidate_id
            ),
            candidate,
        )
        self._apply(application.application_id, interview_id, candidate, planned, current, now, max(now, last_end))

    def sync_welcome(self, candidate: Candidate, now: datetime) -> None:
        """Plan the welcome: once, owned by the candidate, like every nudge claimed by the sender
        (a registration retried finds it planned or sent, and sends nothing twice)."""
        current = self._nudges.get(candidate.candidate_id, "welcome")
        planned = plan_welcome(candidate.zone, now, self._timings, candidate.candidate_id)
        self._apply(candidate.candidate_id, "", candidate, planned, current, now, now)

    def connect_sent(self, application_id: str) -> bool:
        """Whether the application's connect nudge has gone (too late to take it back)."""
        connect = self._nudges.get(application_id, "connect")
        return connect is not None and connect.status == "sent"

    def sync_rejection_reply(
        self,
        application: Application,
        candidate: Candidate,
        now: datetime,
        interviews: list[Interview] | None = None,
        *,
        current: NudgeRecord | object | None = UNREAD,
    ) -> None:
        """Plan the application's rejection reply (owned by the application, like connect),
        addressed about its last round; kept, like an offer, until an interview arrives.
        ``current``: the reply as the caller has just read it (None: there is none; saves a GetItem)."""
        rounds = self._rounds(application, interviews)
        if not rounds:
            logger.info(
                "rejection kept until an interview arrives", extra={"application_id": application.application_id}
            )
            return
        interview_id = application.interview_id or rounds[-1].interview_id
        if current is UNREAD:
            current = self._nudges.get(application.application_id, "rejection_reply")
        assert current is None or isinstance(current, NudgeRecord)
        if current is not None and current.status == "scheduled" and current.due_at and current.due_at > now:
            planned = PlannedNudge("rejection_reply", "scheduled", current.due_at)  # planned already: keep its time
        else:
            planned = plan_rejection_reply(candidate.zone, now, self._timings, candidate.candidate_id)
        planned = _as_wanted(planned, candidate)
        self._apply(application.application_id, interview_id, candidate, planned, current, now, now)

    def _rounds(self, application: Application, interviews: list[Interview] | None) -> list[Interview]:
        """The application's interviews that are not cancelled, earliest first (``interviews``:
        the candidate's, when the caller has just read them; saves a Query)."""
        if interviews is None:
            interviews = self._interviews.for_email(application.candidate_email)
        return sorted(
            (i for i in interviews if i.application_id == application.application_id and i.status != "cancelled"),
            key=lambda i: i.start,
        )

    def nudges_of(
        self, owner_ids: list[str], candidate_email: str
    ) -> tuple[dict[str, dict[str, NudgeRecord]], Candidate | None]:
        """The nudges of several owners (interviews, applications) by owner and kind, for
        ``cancel_pending(..., found=...)``, and the candidate of the address: one read."""
        return self._nudges.for_owners(owner_ids, candidate_email)

    def cancel_pending(
        self,
        owner_id: str,
        reason: str,
        *,
        reasons: dict[str, str] | None = None,
        keep: set[str] | None = None,
        found: dict[str, NudgeRecord] | None = None,
    ) -> dict[str, NudgeRecord]:
        """Withdraw every nudge of the owner still ahead (``reasons``: a reason of its own per kind;
        ``keep``: kinds left as they are; ``found``: the owner's nudges as the caller has just read
        them, from ``nudges_of``). Returns the owner's nudges as read before."""
        if found is None:
            found = self._nudges.for_owner(owner_id)
        for nudge in found.values():
            if keep and nudge.kind in keep:
                continue
            if nudge.status == "scheduled":
                self._cancel(nudge, "cancelled", (reasons or {}).get(nudge.kind, reason))
            elif nudge.status == "cancelled" and nudge.schedule_name:
                # A racing plan may have re-created the schedule after it was withdrawn: a
                # withdrawn nudge keeps no schedule (deleting one already gone is a no-op).
                self._scheduler.cancel(nudge.schedule_name)
        return found

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
        writes: Writes | None = None,
    ) -> None:
        """Bring one nudge in line with its plan (``writes``: hold the plan's write back there
        rather than write it now)."""
        if current is not None and current.status in ("sent", "cancelled"):
            return  # final: sent once, or withdrawn on purpose (an outcome, a cancellation)
        if current is not None and current.status == "scheduled" and current.due_at and current.due_at <= now:
            # Due and not yet sent: on its way to the sender, unless the attempt that recorded it
            # failed before it reached the queue. Queue it (again): the sender sends once.
            self._scheduler.schedule(replace(current, candidate_id=candidate.candidate_id), now)
            return
        if planned.status == "skipped":
            if current is None or current.status == "skipped":
                skipped = NudgeRecord(
                    owner_id,
                    planned.kind,
                    "skipped",
                    interview_id,
                    reason=planned.reason,
                    candidate_id=candidate.candidate_id,
                )

                def counted() -> None:
                    if current is None:
                        metrics.nudge_skipped(planned.kind)

                self._write(skipped, expires_after, counted, writes)
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
            opt_outs=opt_outs(candidate),  # read with the profile when it is sent
        )
        if planned.due_at - now > SEND_NOW_WINDOW:
            wanted = replace(wanted, schedule_name=schedule_name(wanted))
        due_at = planned.due_at

        def schedule() -> None:
            self._scheduler.schedule(wanted, now)
            if current is not None and current.schedule_name and current.schedule_name != wanted.schedule_name:
                self._scheduler.cancel(current.schedule_name)
            if current is None or current.due_at != wanted.due_at:
                logger.info(
                    "nudge planned", extra={"owner_id": owner_id, "kind": planned.kind, "due_at": due_at.isoformat()}
                )
                metrics.nudge_planned(planned.kind)

        # Record first, then schedule: the sender never meets a schedule without its nudge,
        # and a retry that finds the record re-creates a schedule lost in a crash.
        self._write(wanted, expires_after, schedule, writes)

    def _write(
        self, nudge: NudgeRecord, expires_after: datetime, then: Callable[[], None], writes: Writes | None
    ) -> None:
        """Write the plan and then do what follows it, or hold both back in ``writes``."""
        if writes is not None:
            writes.append((nudge, expires_after, then))
            return
        self._nudges.put(nudge, expires_after=expires_after)
        then()
