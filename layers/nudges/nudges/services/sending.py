"""Delivering a due nudge: re-read everything, then send once per channel.

At-least-once in, at-most-once out: the schedule or queue may deliver twice, but each
(nudge, channel) is claimed with a conditional write before it is sent, and a channel already
sent is never sent again, so a crash between two channels resends only what is missing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from nudges import metrics
from nudges.domain import messages
from nudges.domain.candidate import phone_key
from nudges.domain.interview import everyone_met
from nudges.errors import SendInProgress
from nudges.observability import logger
from nudges.timefmt import parse_iso

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.adapters.email import EmailSender
    from nudges.adapters.sms import SmsSender
    from nudges.adapters.store import NudgeRecord, NudgeStore
    from nudges.domain.candidate import Candidate

# Longer than one send takes; a claim older than this belongs to a delivery that died.
SEND_LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Delivery:
    owner_id: str
    kind: str
    due_at: datetime


class MessageComposer:
    """What a nudge says right now, from what is stored right now."""

    def __init__(self, store: NudgeStore, unsubscribe_link: Callable[[str], str | None]) -> None:
        self._store = store
        self.unsubscribe_link = unsubscribe_link

    def compose(self, owner_id: str, kind: str, *, preview: bool = False) -> tuple[Candidate, messages.Message] | str:
        """The candidate and the message, or why there is nothing to send."""
        if kind == "connect":
            application = self._store.get_application(owner_id)
            if application is None or (application.outcome != "offer" and not preview):
                return "the application has no offer"
            candidate = self._store.candidate_by_email(application.candidate_email)
            if candidate is None:
                return "the candidate is no longer registered"
            met = [i for i in self._store.interviews_for_email(candidate.email) if i.application_id == owner_id]
            link = self.unsubscribe_link(candidate.candidate_id)
            return candidate, messages.connect(candidate, application.company, everyone_met(met), unsubscribe_url=link)
        found = self._store.get_interview(owner_id)
        if found is None or (found[0].status == "cancelled" and not preview):
            return "the interview was cancelled"
        interview = found[0]
        candidate = self._store.candidate_by_email(interview.candidate_email)
        if candidate is None:
            return "the candidate is no longer registered"
        compose = messages.research_prompt if kind == "research_prompt" else messages.thank_you
        return candidate, compose(candidate, interview, unsubscribe_url=self.unsubscribe_link(candidate.candidate_id))


class SendService:
    def __init__(self, store: NudgeStore, composer: MessageComposer, email: EmailSender, sms: SmsSender) -> None:
        self._store = store
        self._composer = composer
        self._email = email
        self._sms = sms

    def deliver(self, delivery: Delivery, now: datetime) -> str:
        """Send the nudge if it is still wanted; returns what happened, for the log."""
        nudge = self._store.get_nudge(delivery.owner_id, delivery.kind)
        if nudge is None or nudge.status != "scheduled":
            return f"not sent: nudge is {nudge.status if nudge else 'gone'}"
        if nudge.due_at != delivery.due_at:
            return "not sent: the nudge was moved since this delivery was planned"
        composed = self._composer.compose(nudge.owner_id, nudge.kind)
        if isinstance(composed, str):
            self._store.set_nudge_status(nudge, "skipped", composed)
            metrics.nudge_skipped(nudge.kind)
            return f"skipped: {composed}"
        candidate, message = composed
        sent, refused = [], []
        for channel in candidate.reachable_channels():
            if reason := self._refusal(channel, candidate):
                refused.append(f"{channel}: {reason}")
                metrics.nudge_skipped(nudge.kind, channel)
                continue
            self._send_once(nudge, channel, candidate, message, now)
            sent.append(channel)
        if not sent:
            reason = "; ".join(refused) or "no channel to reach the candidate on"
            self._store.set_nudge_status(nudge, "skipped", reason)
            return f"skipped: {reason}"
        self._store.set_nudge_status(nudge, "sent")
        return f"sent on {', '.join(sent)}" + (f" (not {'; '.join(refused)})" if refused else "")

    def _refusal(self, channel: str, candidate: Candidate) -> str | None:
        """Why this channel may not be used for this candidate now (checked before every send)."""
        if channel == "email":
            return self._store.email_suppression(candidate.email)
        assert candidate.phone is not None
        if self._store.sms_opted_out(phone_key(candidate.phone)) or self._sms.opted_out(candidate.phone):
            return "opted out by SMS"
        return None

    def _send_once(
        self, nudge: NudgeRecord, channel: str, candidate: Candidate, message: messages.Message, now: datetime
    ) -> None:
        claim = self._store.claim_send(nudge, channel, now, SEND_LEASE)
        if claim == "already_sent":
            return
        if claim == "busy":
            raise SendInProgress(f"{nudge.owner_id} {nudge.kind} {channel} is being sent by another delivery")
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
            self._store.release_send(nudge, channel)
            raise
        self._store.complete_send(nudge, channel, message_id, now, time.time_ns())
        metrics.nudge_sent(nudge.kind, channel)
        logger.info(
            "nudge sent",
            extra={"owner_id": nudge.owner_id, "kind": nudge.kind, "channel": channel, "message_id": message_id},
        )


def delivery_from(payload: dict[str, str]) -> Delivery:
    return Delivery(owner_id=payload["owner_id"], kind=payload["kind"], due_at=parse_iso(payload["due_at"]))
