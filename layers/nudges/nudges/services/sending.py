"""Delivering a due nudge: re-read everything, then send once per channel.

At-least-once in, at-most-once out: the schedule or queue may deliver twice, but the nudge is
claimed with a conditional write before anything is sent, each channel is recorded as sent (with
a conditional write on that claim) right after its send, and a channel already sent is never
sent again, so a crash between two channels resends only what is missing.

Calls per delivery: the claim (one conditional UpdateItem, answering with the nudge), one
BatchGetItem (the owner, the candidate's profile and the opt-out records the nudge was planned
with; the refusals are read again only if the candidate's addresses changed since), one Query of
the candidate's interviews (the application's rounds: who is new, the best-known names; a
follow-up also reads its application), the provider's opt-out check (only when a text is about
to go), then per channel its send and one transaction: its record on the nudge item (the last
record also marks the nudge sent) and its message log record, at the key the message carried to
the provider (its delivery events update it by that key).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from nudges import metrics
from nudges.domain.channels import CHANNEL_SPECS
from nudges.domain.deliveries import LoggedMessage
from nudges.domain.kinds import KIND_SPECS
from nudges.domain.plan import SEND_GRACE, NudgeTimings, why_not_useful
from nudges.domain.records import NudgeRecord
from nudges.errors import SendInProgress
from nudges.observability import logger
from nudges.services.composing import _email_reaches
from nudges.timefmt import parse_iso

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain import messages
    from nudges.domain.candidate import Candidate
    from nudges.domain.records import SendClaim
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
        """Send the nudge if it is still wanted; returns what happened, for the log.

        Claim first (the claim answers with the nudge as it stands: no read of it before), then
        one read of what the message and the channels need (the owner, the profile, the opt-out
        records the nudge was planned with), decide purely, then send and record each channel."""
        expected = NudgeRecord(
            delivery.owner_id,
            delivery.kind,  # type: ignore[arg-type]
            "scheduled",
            "",
            due_at=delivery.due_at,
            candidate_id=delivery.candidate_id,
        )
        # One claim for the nudge covers its channels; the item it returns says which of them a
        # delivery that crashed mid-way already sent, so only what is missing goes out.
        claim = self._nudges.claim_send(expected, now, SEND_LEASE)
        if claim.state == "stale":
            found = claim.nudge
            if found is None or found.status != "scheduled":
                return f"not sent: nudge is {found.status if found else 'gone'}"
            return "not sent: the nudge was moved since this delivery was planned"
        if claim.state == "busy":
            raise SendInProgress(f"{delivery.owner_id} {delivery.kind} is being sent by another delivery")
        nudge = claim.nudge or expected
        try:
            return self._claimed(nudge, claim, delivery, now)
        except Exception:
            self._nudges.release_send(nudge, claim)  # the retry need not wait for the lease
            raise

    def _claimed(self, nudge: NudgeRecord, claim: SendClaim, delivery: Delivery, now: datetime) -> str:
        view = self._nudges.delivery_view(delivery.owner_id, delivery.kind, delivery.candidate_id, nudge.opt_outs)
        # Read once (the view above, then what the message needs), decide purely, then write.
        inputs = self._composer.read(nudge.kind, view.interview, view.application, view.candidate)
        composed = inputs if isinstance(inputs, str) else self._composer.decide(inputs, now=now)
        if isinstance(composed, str):
            # A channel a crashed delivery already sent stays sent.
            self._nudges.finish_claimed(
                nudge, claim, "sent" if claim.sent else "skipped", None if claim.sent else composed
            )
            metrics.nudge_skipped(nudge.kind)
            return f"skipped: {composed}"
        candidate, message = composed
        allowed, refused = self._channels(candidate, nudge.kind, view.refused)
        if _email_reaches(candidate.reachable_channels()) and not _email_reaches(allowed):
            # Email is suppressed (a bounce, a complaint): the short texts must not point to it.
            assert not isinstance(inputs, str)
            recomposed = self._composer.decide(inputs, now=now, sms_only=True)  # from what was read: no read
            if not isinstance(recomposed, str):
                message = recomposed[1]
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

    def _channels(
        self, candidate: Candidate, kind: str, refusals: dict[str, str] | None = None
    ) -> tuple[list[str], list[str]]:
        """The channels this candidate may be reached on now, and why the others may not (read
        at every send, with the profile or else here: suppression and opt-outs are honoured at
        send time; a provider's own opt-out list is asked only when a message is about to go)."""
        if refusals is None:
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
        order = time.time_ns()  # the send's order, and its log record's key (known before the send)
        ref = self._log.ref(candidate.candidate_id, now, order, channel) if self._log is not None else None
        try:
            unsubscribe_url = self._composer.unsubscribe_link(candidate.candidate_id)
            message_id = self._senders[channel].send(candidate, message, unsubscribe_url, ref)  # it carries its kind
        except Exception:
            self._nudges.release_send(nudge, claim)
            raise
        # The message log's record rides on the nudge's record of the send (one transaction); a
        # message that went out is in the log even when the record fails (its retry sends again,
        # and logs that message too).
        logged = (
            LoggedMessage(
                candidate_id=candidate.candidate_id,
                kind=nudge.kind,
                channel=channel,
                provider_message_id=message_id,
                sent_at=now,
                interview_id=nudge.interview_id,
            )
            if self._log is not None
            else None
        )
        self._nudges.record_send(
            nudge,
            claim,
            channel,
            message_id,
            now,
            order,
            last=last,
            skipped=skipped,
            logged=logged,
            log_expires_at=candidate_expires_at,  # read with the nudge: the record expires no earlier
        )
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
