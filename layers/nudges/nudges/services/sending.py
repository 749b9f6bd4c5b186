"""Delivering a due nudge: re-read everything, then send once per channel.

At-least-once in, at-most-once out: the schedule or queue may deliver twice, but the nudge is
claimed with a conditional write before anything is sent, each channel is recorded as sent (with
a conditional write on that claim) right after its send, and a channel already sent is never
sent again, so a crash between two channels resends only what is missing.

Calls per delivery: one BatchGetItem (nudge, owner, candidate), one Query of the candidate's
interviews (the application's rounds: who is new, the best-known names; a follow-up also reads
its application), one for the suppression and the SMS opt-out, the claim, SNS's opt-out check
(only when an SMS is about to go), then per channel its send and its record on the nudge item
(the last record also marks the nudge sent).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from nudges import metrics
from nudges.domain.channels import CHANNEL_SPECS
from nudges.domain.deliveries import LoggedMessage
from nudges.domain.kinds import KIND_SPECS
from nudges.domain.plan import SEND_GRACE, NudgeTimings, why_not_useful
from nudges.errors import SendInProgress
from nudges.observability import logger
from nudges.services.composing import _email_reaches
from nudges.timefmt import parse_iso

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain import messages
    from nudges.domain.candidate import Candidate
    from nudges.domain.records import NudgeRecord, SendClaim
    from nudges.services.composing import MessageComposer
    from nudges.services.ports import (
        ChannelSender,
        Messages,
        Nudges,
        Preferences,
    )

# Longer than one send takes; a claim older than this belongs to a delivery that died.
SEND_LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Delivery:
    owner_id: str
    kind: str
    due_at: datetime
    candidate_id: str


class SendService:
    def __init__(
        self,
        nudges: Nudges,
        preferences: Preferences,
        composer: MessageComposer,
        senders: dict[str, ChannelSender],
        timings: NudgeTimings | None = None,
        log: Messages | None = None,
    ) -> None:
        self._nudges = nudges
        self._preferences = preferences
        self._composer = composer
        self._senders = senders  # by channel name (services.channel_senders)
        self._timings = timings or NudgeTimings()
        self._log = log  # the message log (provider message ids and delivery status)

    def deliver(self, delivery: Delivery, now: datetime) -> str:
        """Send the nudge if it is still wanted; returns what happened, for the log."""
        view = self._nudges.delivery_view(delivery.owner_id, delivery.kind, delivery.candidate_id)
        nudge = view.nudge
        if nudge is None or nudge.status != "scheduled":
            return f"not sent: nudge is {nudge.status if nudge else 'gone'}"
        if nudge.due_at != delivery.due_at:
            return "not sent: the nudge was moved since this delivery was planned"
        # Read once (the view above, then what the message needs), decide purely, then write.
        inputs = self._composer.read(nudge.kind, view.interview, view.application, view.candidate)
        composed = inputs if isinstance(inputs, str) else self._composer.decide(inputs, now=now)
        if isinstance(composed, str):
            self._nudges.set_status(nudge, "skipped", composed)
            metrics.nudge_skipped(nudge.kind)
            return f"skipped: {composed}"
        candidate, message = composed
        allowed, refused = self._channels(candidate, nudge.kind)
        if _email_reaches(candidate.reachable_channels()) and not _email_reaches(allowed):
            # Email is suppressed (a bounce, a complaint): the short texts must not point to it.
            assert not isinstance(inputs, str)
            recomposed = self._composer.decide(inputs, now=now, sms_only=True)  # from what was read: no read
            if not isinstance(recomposed, str):
                message = recomposed[1]
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
        for name in [c for c in allowed if CHANNEL_SPECS[c].provider_opt_out and c not in claim.sent]:
            # The provider's own opt-out list (SNS's), asked only when a message is about to go.
            if self._senders[name].opted_out(candidate):
                allowed.remove(name)
                refused.append(f"{name}: {CHANNEL_SPECS[name].refused_as or CHANNEL_SPECS[name].opt_out_reason}")
        for reachable in candidate.reachable_channels():
            if reachable not in allowed:
                metrics.nudge_skipped(nudge.kind, reachable)
        to_send = [c for c in allowed if c not in claim.sent]
        # Each chosen channel not sent, with why (shown per channel in the timeline).
        skipped = {}
        for entry in refused:
            name, why = entry.split(": ", 1)
            spec = CHANNEL_SPECS[name]
            # The API's reason codes (reachability's): "opted out by SMS" is opted_out.
            skipped[name] = spec.opt_out_reason if why == spec.refused_as else why
        for position, channel in enumerate(to_send):
            self._send(
                nudge,
                claim,
                channel,
                candidate,
                message,
                now,
                last=position == len(to_send) - 1,
                candidate_expires_at=view.candidate_expires_at,
                skipped=skipped if position == 0 else None,
            )
        if not to_send:
            reason = "; ".join(refused) or "no channel to reach the candidate on"
            sent_before = [c for c in allowed if c in claim.sent]
            self._nudges.finish_claimed(
                nudge, claim, "sent" if sent_before else "skipped", None if sent_before else reason, skipped
            )
            if not sent_before:
                return f"skipped: {reason}"
        return f"sent on {', '.join(allowed)}" + (f" (not {'; '.join(refused)})" if refused else "")

    def _channels(self, candidate: Candidate, kind: str) -> tuple[list[str], list[str]]:
        """The channels this candidate may be reached on now, and why the others may not (read
        before every send: suppression and opt-outs are honoured at send time; a provider's own
        opt-out list is asked after the claim, only when a message is about to go)."""
        refusals = self._preferences.refusals(candidate)
        allowed: list[str] = []
        refused: list[str] = []
        for name in candidate.reachable_channels():
            spec = CHANNEL_SPECS[name]
            if name in refusals:
                refused.append(f"{name}: {spec.refused_as or refusals[name]}")
            elif (
                spec.needs_consent
                and not (KIND_SPECS[kind].before_consent and spec.asks_for_consent)
                and candidate.awaiting_consent(name)
            ):
                # Double opt-in: the welcome asks for a YES; nothing else goes before it.
                refused.append(f"{name}: {spec.awaiting_consent}")
            else:
                allowed.append(name)
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
        candidate_expires_at: int | None = None,
        skipped: dict[str, str] | None = None,
    ) -> None:
        try:
            unsubscribe_url = self._composer.unsubscribe_link(candidate.candidate_id)
            message_id = self._senders[channel].send(candidate, replace(message, kind=nudge.kind), unsubscribe_url)
        except Exception:
            self._nudges.release_send(nudge, claim)
            raise
        if self._log is not None:
            # Logged before the nudge records the send: a message that went out is in the log even
            # when the record below fails (its retry sends again, and logs that message too).
            self._log.record(
                LoggedMessage(
                    candidate_id=candidate.candidate_id,
                    kind=nudge.kind,
                    channel=channel,
                    provider_message_id=message_id,
                    sent_at=now,
                    interview_id=nudge.interview_id,
                ),
                candidate_expires_at,  # read with the nudge: the record expires no earlier
            )
        self._nudges.record_send(nudge, claim, channel, message_id, now, time.time_ns(), last=last, skipped=skipped)
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
