"""Delivering a due nudge: re-read everything, then send once per channel.

At-least-once in, at-most-once out: the schedule or queue may deliver twice, but the nudge is
claimed with a conditional write before anything is sent, each channel is recorded as sent (with
a conditional write on that claim) right after its send, and a channel already sent is never
sent again, so a crash between two channels resends only what is missing.

Calls per delivery: one BatchGetItem (nudge, owner, candidate), one for the suppression and the
SMS opt-out, the claim, SNS's opt-out check (only when an SMS is about to go), then per channel
its send and its record on the nudge item (the last record also marks the nudge sent).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from nudges import metrics
from nudges.domain import messages
from nudges.domain.candidate import CHANNELS, phone_key
from nudges.domain.interview import everyone_met, normalise_email
from nudges.domain.plan import APPLICATION_KINDS, NUDGE_KINDS, SEND_GRACE, NudgeTimings, why_not_useful
from nudges.domain.rounds import application_rounds, ended_before, last_round, reply_to, round_people
from nudges.errors import InvalidInput, NotFound, SendInProgress
from nudges.observability import logger
from nudges.timefmt import parse_iso

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.domain.records import Application, NudgeRecord, SendClaim
    from nudges.services.ports import Applications, Candidates, EmailOut, Interviews, Nudges, Preferences, SmsOut

# Longer than one send takes; a claim older than this belongs to a delivery that died.
SEND_LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Delivery:
    owner_id: str
    kind: str
    due_at: datetime
    candidate_id: str


class MessageComposer:
    """What a nudge says right now, from what is stored right now."""

    def __init__(
        self,
        interviews: Interviews,
        applications: Applications,
        candidates: Candidates,
        unsubscribe_link: Callable[[str], str | None],
    ) -> None:
        self._interviews = interviews
        self._applications = applications
        self._candidates = candidates
        self.unsubscribe_link = unsubscribe_link

    def preview(self, interview_id: str, kind: str, channel: str) -> tuple[Candidate, messages.Message]:
        """What the interview's ``kind`` nudge would say now (the operator's preview, on ``channel``):
        InvalidInput for an unknown kind or channel, NotFound when there is nothing to address."""
        if kind not in NUDGE_KINDS:
            raise InvalidInput(f"kind: must be one of {', '.join(NUDGE_KINDS)}", field="kind")
        if channel not in CHANNELS:
            raise InvalidInput("channel: must be email or sms", field="channel")
        found = self._interviews.get(interview_id)
        if found is None:
            raise NotFound(f"no interview {interview_id}", field="interview_id")
        owner_id = found[0].application_id if kind in APPLICATION_KINDS else interview_id
        composed = self.compose(owner_id, kind, preview=True)
        if isinstance(composed, str):
            raise NotFound(composed, field="interview_id")
        return composed

    def compose(self, owner_id: str, kind: str, *, preview: bool = False) -> tuple[Candidate, messages.Message] | str:
        """The candidate and the message, or why there is nothing to send (the operator's preview)."""
        if kind in APPLICATION_KINDS:
            application = self._applications.get(owner_id)
            candidate = self._candidates.by_email(application.candidate_email) if application else None
            return self.message(kind, None, application, candidate, preview=preview)
        found = self._interviews.get(owner_id)
        candidate = self._candidates.by_email(found[0].candidate_email) if found else None
        return self.message(kind, found[0] if found else None, None, candidate, preview=preview)

    def message(
        self,
        kind: str,
        interview: Interview | None,
        application: Application | None,
        candidate: Candidate | None,
        *,
        preview: bool = False,
    ) -> tuple[Candidate, messages.Message] | str:
        """The message from the nudge's owner and candidate as read, or why there is none."""
        if kind in APPLICATION_KINDS:
            wanted = APPLICATION_KINDS[kind]
            if application is None or (application.outcome != wanted and not preview):
                return (
                    "the application has no offer" if wanted == "offer" else f"the application has no {wanted} outcome"
                )
            if candidate is None or candidate.email != normalise_email(application.candidate_email):
                return "the candidate is no longer registered"
            # Everyone met in the application, as the interviews say at send time.
            met = [
                i for i in self._interviews.for_email(candidate.email) if i.application_id == application.application_id
            ]
            link = self.unsubscribe_link(candidate.candidate_id)
            if kind == "connect":
                return candidate, messages.connect(
                    candidate, application.company, everyone_met(met), unsubscribe_url=link
                )
            last = last_round(met)
            if last is None:
                return "the application has no interview to reply about"
            return candidate, messages.rejection_reply(
                candidate, application.company, last, reply_to(last), unsubscribe_url=link
            )
        if interview is None or (interview.status == "cancelled" and not preview):
            return "the interview was cancelled"
        if candidate is None or candidate.email != normalise_email(interview.candidate_email):
            return "the candidate is no longer registered"
        link = self.unsubscribe_link(candidate.candidate_id)
        if kind == "follow_up":
            # Read again at send time (two rounds planned at once may both have planned one): only
            # the application's last round follows up, and only while no outcome has arrived.
            rounds = application_rounds(interview, self._interviews.for_email(candidate.email))
            last = last_round(rounds)
            if last is not None and last.interview_id != interview.interview_id:
                return "a later interview was booked: it plans its own follow-up"
            known = self._applications.get(interview.application_id)
            if known is not None and ended_before(known.outcome, known.outcome_at, interview) and not preview:
                return f"the application ended: {known.outcome}"
            return candidate, messages.follow_up(candidate, interview, reply_to(interview), unsubscribe_url=link)
        if kind == "research_prompt":
            # From round 2 on: who is new here, and whom the candidate met in an earlier round.
            people = round_people(interview, self._interviews.for_email(candidate.email))
            return candidate, messages.research_prompt(
                candidate, interview, unsubscribe_url=link, met_before=people.met_before
            )
        return candidate, messages.thank_you(candidate, interview, unsubscribe_url=link)


class SendService:
    def __init__(
        self,
        nudges: Nudges,
        preferences: Preferences,
        composer: MessageComposer,
        email: EmailOut,
        sms: SmsOut,
        timings: NudgeTimings | None = None,
    ) -> None:
        self._nudges = nudges
        self._preferences = preferences
        self._composer = composer
        self._email = email
        self._sms = sms
        self._timings = timings or NudgeTimings()

    def deliver(self, delivery: Delivery, now: datetime) -> str:
        """Send the nudge if it is still wanted; returns what happened, for the log."""
        view = self._nudges.delivery_view(delivery.owner_id, delivery.kind, delivery.candidate_id)
        nudge = view.nudge
        if nudge is None or nudge.status != "scheduled":
            return f"not sent: nudge is {nudge.status if nudge else 'gone'}"
        if nudge.due_at != delivery.due_at:
            return "not sent: the nudge was moved since this delivery was planned"
        composed = self._composer.message(nudge.kind, view.interview, view.application, view.candidate)
        if isinstance(composed, str):
            self._nudges.set_status(nudge, "skipped", composed)
            metrics.nudge_skipped(nudge.kind)
            return f"skipped: {composed}"
        candidate, message = composed
        allowed, refused = self._channels(candidate)
        # One claim for the nudge covers its channels; the item it returns says which of them a
        # delivery that crashed mid-way already sent, so only what is missing goes out.
        claim = self._nudges.claim_send(nudge, now, SEND_LEASE)
        if claim.state == "stale":
            return "not sent: the nudge was sent, withdrawn or moved meanwhile"
        if claim.state == "busy":
            raise SendInProgress(f"{nudge.owner_id} {nudge.kind} is being sent by another delivery")
        # Useful while sent: the plan checked this for the planned time; a late retry, a redrive
        # or a schedule that fired late is checked again for now.
        late = why_not_useful(nudge.kind, now, view.interview, self._timings, SEND_GRACE) if view.interview else None
        if late:
            # A channel a crashed delivery already sent stays sent; the rest is not worth sending.
            self._nudges.finish_claimed(nudge, claim, "sent" if claim.sent else "skipped", None if claim.sent else late)
            metrics.nudge_skipped(nudge.kind)
            logger.info("nudge no longer useful", extra={"owner_id": nudge.owner_id, "kind": nudge.kind})
            return f"skipped: {late}"
        if "sms" in allowed and "sms" not in claim.sent and self._sms.opted_out(candidate.phone or ""):
            # SNS's own opt-out list, asked only when an SMS is about to go.
            allowed.remove("sms")
            refused.append("sms: opted out by SMS")
        for reachable in candidate.reachable_channels():
            if reachable not in allowed:
                metrics.nudge_skipped(nudge.kind, reachable)
        to_send = [c for c in allowed if c not in claim.sent]
        for position, channel in enumerate(to_send):
            self._send(nudge, claim, channel, candidate, message, now, last=position == len(to_send) - 1)
        if not to_send:
            reason = "; ".join(refused) or "no channel to reach the candidate on"
            sent_before = [c for c in allowed if c in claim.sent]
            self._nudges.finish_claimed(
                nudge, claim, "sent" if sent_before else "skipped", None if sent_before else reason
            )
            if not sent_before:
                return f"skipped: {reason}"
        return f"sent on {', '.join(allowed)}" + (f" (not {'; '.join(refused)})" if refused else "")

    def _channels(self, candidate: Candidate) -> tuple[list[str], list[str]]:
        """The channels this candidate may be reached on now, and why the others may not (read
        before every send: suppression and opt-outs are honoured at send time; SNS's own
        opt-out list is asked after the claim, only when an SMS is about to go)."""
        reachable = candidate.reachable_channels()
        phone_hash = phone_key(candidate.phone) if "sms" in reachable and candidate.phone else None
        suppressed, sms_opted_out = self._preferences.refusals(
            candidate.email if "email" in reachable else None, phone_hash
        )
        allowed: list[str] = []
        refused: list[str] = []
        for channel in reachable:
            if channel == "email" and suppressed:
                refused.append(f"email: {suppressed}")
            elif channel == "sms" and sms_opted_out:
                refused.append("sms: opted out by SMS")
            else:
                allowed.append(channel)
        return allowed, refused

    def _send(
        self,
        nudge: NudgeRecord,
        claim: SendClaim,
        channel: str,
        candidate: Candidate,
        message: messages.Message,
        now: datetime,
        *,
        last: bool,
    ) -> None:
        try:
            if channel == "email":
                message_id = self._email.send(
                    candidate.email,
                    message.subject,
                    message.text,
                    message.html,
                    to_name=candidate.name,
                    unsubscribe_url=self._composer.unsubscribe_link(candidate.candidate_id),
                )
            else:
                assert candidate.phone is not None
                message_id = self._sms.send(candidate.phone, message.sms)
        except Exception:
            self._nudges.release_send(nudge, claim)
            raise
        self._nudges.record_send(nudge, claim, channel, message_id, now, time.time_ns(), last=last)
        metrics.nudge_sent(nudge.kind, channel)
        logger.info(
            "nudge sent",
            extra={"owner_id": nudge.owner_id, "kind": nudge.kind, "channel": channel, "message_id": message_id},
        )


def delivery_from(payload: dict[str, str]) -> Delivery:
    return Delivery(
        owner_id=payload["owner_id"],
        kind=payload["kind"],
        due_at=parse_iso(payload["due_at"]),
        candidate_id=payload["candidate_id"],
    )
