"""In-memory fakes of the services' Protocols (``nudges.services.ports``): the repositories, the
scheduler and the senders, each keeping the promises its DynamoDB or AWS counterpart keeps
(conditional writes, versions, one claim per send), so a service test needs no AWS emulator.

``World`` builds them all and the services on top, wired as ``nudges.wiring`` wires them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from nudges.adapters.scheduler import SEND_NOW_WINDOW, schedule_name
from nudges.domain.channels import phone_key
from nudges.domain.interview import Interview, interview_id_for, normalise_email
from nudges.domain.plan import NudgeStatus, NudgeTimings
from nudges.domain.records import (
    Application,
    BookingLookup,
    DeliveryView,
    NudgeRecord,
    OwnersRead,
    RoundNudges,
    SendClaim,
    is_application,
)
from nudges.errors import ConcurrentUpdate, Conflict

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from nudges.domain.candidate import Candidate
    from nudges.domain.deliveries import LoggedMessage
    from nudges.domain.nudge_steps import Plan, Steps, Withdrawal


class FakeCandidates:
    def __init__(self) -> None:
        self.by_id: dict[str, Candidate] = {}

    def add(self, candidate: Candidate) -> None:
        if self.by_email(candidate.email) is not None:
            raise Conflict("a candidate with this email is already registered", field="email")
        self.by_id[candidate.candidate_id] = candidate

    def get(self, candidate_id: str) -> Candidate | None:
        return self.by_id.get(candidate_id)

    def by_email(self, email: str) -> Candidate | None:
        """By the current address or an alias, as the email pointers find them."""
        wanted = normalise_email(email)
        return next((c for c in self.by_id.values() if wanted in map(normalise_email, c.addresses)), None)

    def change_email(self, candidate: Candidate, new_email: str) -> Candidate:
        holder = self.by_email(new_email)
        if holder is not None and holder.candidate_id != candidate.candidate_id:
            raise Conflict("email: another candidate is registered with this address", field="email")
        if self.by_id[candidate.candidate_id].email != candidate.email:
            raise ConcurrentUpdate(candidate.candidate_id)
        changed = replace(self.by_id[candidate.candidate_id].with_email(normalise_email(new_email)))
        self.by_id[candidate.candidate_id] = changed
        return changed

    def by_inbox_token(self, token: str) -> Candidate | None:
        return next((c for c in self.by_id.values() if c.ics_inbox_token == token), None)

    def update(self, candidate: Candidate) -> None:
        self.by_id[candidate.candidate_id] = candidate


class FakeInterviews:
    def __init__(self, candidates: FakeCandidates) -> None:
        self.items: dict[str, tuple[Interview, int]] = {}
        self.links: dict[tuple[str, str], str] = {}
        self._candidates = candidates
        self._applications: FakeApplications | None = None  # set by World: owned_by lists their ids
        self._nudges: FakeNudges | None = None  # set by World: a save writes the plans with the interview

    def lookup(self, source: str, ref: str, candidate_email: str, application_id: str) -> BookingLookup:
        own_id = interview_id_for(source, ref)
        assert self._nudges is not None
        return BookingLookup(
            self.links.get((source, ref)),
            own_id,
            self.items.get(own_id),
            self._candidates.by_email(candidate_email),
            self._nudges.for_interview(own_id, application_id),
        )

    def get(self, interview_id: str) -> tuple[Interview, int] | None:
        return self.items.get(interview_id)

    def save(
        self,
        interview: Interview,
        read_version: int | None,
        extending: Any = None,
        *,
        changed: bool = True,
        steps: Steps | None = None,
        link: tuple[str, str] | None = None,
    ) -> tuple[Withdrawal, ...]:
        """One transaction: nothing written unless the interview is still ``read_version``."""
        found = self.items.get(interview.interview_id)
        if (found[1] if found else None) != read_version:
            raise ConcurrentUpdate(interview.interview_id)
        if changed:
            self.items[interview.interview_id] = (interview, (read_version or 0) + 1)
        if link is not None:
            self.links[link] = interview.interview_id
        assert self._nudges is not None
        return self._nudges.write(steps.plans, steps.withdrawals) if steps else ()

    def forget(self, interview_id: str) -> None:
        found = self.items.get(interview_id)
        if found and found[0].status == "cancelled":
            del self.items[interview_id]

    def for_source(self, source: str, ref: str) -> str | None:
        return self.links.get((source, ref))

    def link_source(self, source: str, ref: str, interview_id: str, expires_after: datetime) -> None:
        self.links[(source, ref)] = interview_id

    def for_email(self, email: str) -> list[Interview]:
        wanted = normalise_email(email)
        found = [i for i, _ in self.items.values() if normalise_email(i.candidate_email) == wanted]
        return sorted(found, key=lambda i: (i.start, i.interview_id))  # as GSI1SK sorts them

    def owned_by(self, email: str) -> tuple[list[Interview], list[str]]:
        applications = self._applications.for_email(email) if self._applications else []
        return self.for_email(email), [a.application_id for a in applications]


class FakeApplications:
    def __init__(self) -> None:
        self.items: dict[str, Application] = {}

    def get(self, application_id: str) -> Application | None:
        return self.items.get(application_id)

    def for_email(self, email: str) -> list[Application]:
        wanted = normalise_email(email)
        return [a for a in self.items.values() if normalise_email(a.candidate_email) == wanted]

    def record_outcome(self, application: Application, now: datetime) -> bool:
        known = self.items.get(application.application_id)
        if known is not None and known.outcome == application.outcome:
            return False
        self.items[application.application_id] = replace(
            application, candidate_email=normalise_email(application.candidate_email), outcome_at=now
        )
        return True

    def attach_interview(self, application_id: str, interview_id: str) -> None:
        known = self.items[application_id]
        if known.interview_id is None:
            self.items[application_id] = replace(known, interview_id=interview_id)


@dataclass
class _NudgeItem:
    record: NudgeRecord
    claim_token: str | None = None
    lease_until: datetime | None = None
    sends: dict[str, dict[str, Any]] = field(default_factory=dict)
    skips: dict[str, str] = field(default_factory=dict)


class FakeNudges:
    """The nudge ledger: plans, the sender's claims and sends, with DynamoDB's conditions."""

    def __init__(self, interviews: FakeInterviews, applications: FakeApplications, candidates: FakeCandidates) -> None:
        self.items: dict[tuple[str, str], _NudgeItem] = {}
        self._interviews = interviews
        self._applications = applications
        self._candidates = candidates

    def for_owner(self, owner_id: str) -> dict[str, NudgeRecord]:
        return {kind: item.record for (owner, kind), item in self.items.items() if owner == owner_id}

    def for_interview(self, interview_id: str, application_id: str) -> RoundNudges:
        return RoundNudges(
            interview_id,
            application_id,
            self.for_owner(interview_id),
            self._applications.get(application_id),
            self.for_owner(application_id),
        )

    def for_owners(self, owner_ids: list[str], candidate_email: str) -> OwnersRead:
        nudges = {owner_id: self.for_owner(owner_id) for owner_id in owner_ids}
        return OwnersRead(nudges, self._candidates.by_email(candidate_email), {})

    def follow_ups(self, interview_ids: list[str]) -> dict[str, NudgeRecord]:
        found = {i: self.get(i, "follow_up") for i in interview_ids}
        return {i: n for i, n in found.items() if n is not None}

    def get(self, owner_id: str, kind: str) -> NudgeRecord | None:
        item = self.items.get((owner_id, kind))
        return item.record if item else None

    def put(self, nudge: NudgeRecord, *, expires_after: datetime) -> None:
        item = self.items.get((nudge.owner_id, nudge.kind))
        if item is None:
            self.items[(nudge.owner_id, nudge.kind)] = _NudgeItem(nudge)
        else:
            item.record = nudge  # the claim and the sends survive a re-plan

    def write(self, plans: tuple[Plan, ...], withdrawals: tuple[Withdrawal, ...]) -> tuple[Withdrawal, ...]:
        """All at once; a withdrawal whose nudge is no longer scheduled is left out."""
        written = []
        for withdrawal in withdrawals:
            item = self.items.get((withdrawal.nudge.owner_id, withdrawal.nudge.kind))
            if item is not None and item.record.status == "scheduled":
                written.append(withdrawal)
        for plan in plans:
            self.put(plan.nudge, expires_after=plan.expires_after)
        for withdrawal in written:
            item = self.items[(withdrawal.nudge.owner_id, withdrawal.nudge.kind)]
            item.record = replace(item.record, status=withdrawal.status, reason=withdrawal.reason)
        return tuple(written)

    def delivery_view(
        self, owner_id: str, kind: str, candidate_id: str, opt_outs: tuple[tuple[str, str], ...] = ()
    ) -> DeliveryView:
        found = self._interviews.get(owner_id)
        return DeliveryView(
            nudge=self.get(owner_id, kind),
            interview=None if is_application(owner_id) or found is None else found[0],
            application=self._applications.get(owner_id) if is_application(owner_id) else None,
            candidate=self._candidates.get(candidate_id),
        )

    def claim_send(self, nudge: NudgeRecord, now: datetime, lease: timedelta) -> SendClaim:
        item = self.items.get((nudge.owner_id, nudge.kind))
        current = item.record if item else None
        if item is None or current is None or current.status != "scheduled" or current.due_at != nudge.due_at:
            return SendClaim("stale", nudge=current)
        if item.lease_until is not None and item.lease_until >= now:
            return SendClaim("busy", nudge=current)
        item.claim_token, item.lease_until = uuid.uuid4().hex, now + lease
        return SendClaim("claimed", item.claim_token, frozenset(item.sends), current)

    def _claimed(self, nudge: NudgeRecord, claim: SendClaim) -> _NudgeItem:
        item = self.items[(nudge.owner_id, nudge.kind)]
        if item.claim_token != claim.token:
            raise RuntimeError("ConditionalCheckFailed: the claim is no longer this delivery's")
        return item

    def record_send(
        self,
        nudge: NudgeRecord,
        claim: SendClaim,
        channel: str,
        message_id: str,
        sent_at: datetime,
        sent_order: int,
        *,
        last: bool,
        skipped: dict[str, str] | None = None,
        logged: LoggedMessage | None = None,
        log_expires_at: int | None = None,
    ) -> None:
        item = self._claimed(nudge, claim)
        item.sends[channel] = {"message_id": message_id, "sent_at": sent_at, "sent_order": sent_order}
        item.skips.update(skipped or {})
        if last:
            item.record = replace(item.record, status="sent")

    def finish_claimed(
        self,
        nudge: NudgeRecord,
        claim: SendClaim,
        status: NudgeStatus,
        reason: str | None,
        skipped: dict[str, str] | None = None,
    ) -> None:
        item = self._claimed(nudge, claim)
        item.skips.update(skipped or {})
        item.record = replace(item.record, status=status, reason=reason or item.record.reason)

    def release_send(self, nudge: NudgeRecord, claim: SendClaim) -> None:
        item = self.items[(nudge.owner_id, nudge.kind)]
        if item.claim_token == claim.token:
            item.claim_token = item.lease_until = None


class FakeReceipts:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def claim(self, source: str, receipt_id: str, now: datetime, keep: timedelta) -> bool:
        if (source, receipt_id) in self.seen:
            return False
        self.seen.add((source, receipt_id))
        return True

    def release(self, source: str, receipt_id: str) -> None:
        self.seen.discard((source, receipt_id))


class FakePreferences:
    def __init__(self) -> None:
        self.suppressed: dict[str, str] = {}
        self.opted_out: set[str] = set()
        self.inbound: list[tuple[str, str, str]] = []
        self.reply_claims: set[str] = set()
        self.replies: dict[str, dict[str, Any]] = {}

    def suppress_email(self, email: str, reason: str, at: datetime) -> None:
        self.suppressed[normalise_email(email)] = reason

    def set_sms_opt_out(self, phone_hash: str, opted_out: bool, at: datetime) -> None:
        if opted_out:
            self.opted_out.add(phone_hash)
        else:
            self.opted_out.discard(phone_hash)

    def refusals(self, candidate: Candidate) -> dict[str, str]:
        refused: dict[str, str] = {}
        if normalise_email(candidate.email) in self.suppressed:
            refused["email"] = self.suppressed[normalise_email(candidate.email)]
        if candidate.phone and phone_key(candidate.phone) in self.opted_out:
            refused["sms"] = "opted_out"
        return refused

    def record_inbound_sms(self, message_id: str, sender_hash: str, body: str, received_at: datetime) -> None:
        self.inbound.append((message_id, sender_hash, body))

    def claim_sms_reply(self, message_id: str, now: datetime) -> bool:
        if message_id in self.reply_claims:
            return False
        self.reply_claims.add(message_id)
        return True

    def release_sms_reply(self, message_id: str) -> None:
        self.reply_claims.discard(message_id)

    def record_sms_reply(self, message_id: str, reply_message_id: str, sent_at: datetime, sent_order: int) -> None:
        self.replies[message_id] = {"message_id": reply_message_id, "sent_at": sent_at, "kind": "sms_reply"}


class FakeRetention:
    def __init__(self) -> None:
        self.extended: list[tuple[str, datetime, bool]] = []
        self.erased: list[str] = []

    def extend(
        self,
        email: str,
        after: datetime,
        *,
        everything: bool,
        candidate: Candidate | None = None,
        owners: tuple[list[Interview], list[str]] | None = None,
        read: dict[tuple[str, str], int | None] | None = None,
    ) -> None:
        self.extended.append((normalise_email(email), after, everything))

    def pending(
        self, email: str, after: datetime, *, everything: bool = False, candidate: Candidate | None = None
    ) -> Any:
        # Written with the caller's own write (the interview's save); recorded here as extended.
        self.extended.append((normalise_email(email), after, everything))
        return None

    def erase(self, candidate: Candidate) -> None:
        self.erased.append(candidate.candidate_id)


class FakeScheduler:
    """EventBridge Scheduler and the send queue: what would be delivered, and when."""

    def __init__(self) -> None:
        self.schedules: dict[str, NudgeRecord] = {}
        self.queued: list[NudgeRecord] = []

    def schedule(self, nudge: NudgeRecord, now: datetime) -> str | None:
        assert nudge.due_at is not None
        if nudge.due_at - now <= SEND_NOW_WINDOW:
            self.queued.append(nudge)
            return None
        name = schedule_name(nudge)
        self.schedules[name] = nudge
        return name

    def cancel(self, name: str | None) -> None:
        if name:
            self.schedules.pop(name, None)

    def due(self) -> dict[str, datetime]:
        """Each pending schedule's time, by nudge kind and owner (``<owner>-<kind>``)."""
        return {name: nudge.due_at for name, nudge in self.schedules.items() if nudge.due_at}


class FakeEmail:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail_next = False

    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str,
        *,
        to_name: str | None = None,
        unsubscribe_url: str | None = None,
        ref: str | None = None,
    ) -> str:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("SES did not answer")
        self.sent.append({"to": to, "subject": subject, "text": text, "unsubscribe_url": unsubscribe_url})
        return f"ses-{len(self.sent)}"


class FakeSms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.carrier_opted_out: set[str] = set()
        self.opted_in: list[str] = []
        self.fail_next = False

    def send(self, to: str, text: str, ref: str | None = None) -> str:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("SNS did not answer")
        self.sent.append((to, text))
        return f"sns-{len(self.sent)}"

    def opted_out(self, phone: str) -> bool:
        return phone in self.carrier_opted_out

    def opt_in(self, phone: str) -> None:
        self.opted_in.append(phone)


class World:
    """Every fake, and the services built on them by ``nudges.wiring``'s own builders (the
    world is their ports: the same attribute names)."""

    def __init__(self, timings: NudgeTimings | None = None) -> None:
        from nudges import service_builders
        from nudges.services.channel_senders import senders
        from nudges.services.outcome_sources import OutcomeSources
        from nudges.services.preferences import PreferenceService

        self.candidates = FakeCandidates()
        self.interviews = FakeInterviews(self.candidates)
        self.applications = FakeApplications()
        self.interviews._applications = self.applications
        self.nudges = FakeNudges(self.interviews, self.applications, self.candidates)
        self.interviews._nudges = self.nudges
        self.receipts = FakeReceipts()
        self.preferences = FakePreferences()
        self.retention = FakeRetention()
        self.scheduler = FakeScheduler()
        self.email = FakeEmail()
        self.sms = FakeSms()
        self.message_log = None  # the sender logs nothing here
        ports: Any = self
        self.planner = service_builders.build_planner(ports, timings or NudgeTimings())
        self.bookings = service_builders.build_bookings(ports, self.planner)
        self.outcomes = service_builders.build_outcomes(ports, self.planner)
        self.outcome_sources = OutcomeSources(self.receipts, self.outcomes)
        self.composer = service_builders.build_composer(ports, lambda cid: f"https://nudges.test/unsubscribe/{cid}")
        self.sender = service_builders.build_sender(ports, self.composer, senders(self.email, self.sms))
        self.preference_service = PreferenceService(self.candidates, self.preferences, self.sms)


if TYPE_CHECKING:  # mypy (make lint) checks that each fake keeps its Protocol's shape
    from nudges.services import ports

    _candidates: ports.Candidates = FakeCandidates()
    _interviews: ports.Interviews = FakeInterviews(FakeCandidates())
    _applications: ports.Applications = FakeApplications()
    _nudges: ports.Nudges = FakeNudges(FakeInterviews(FakeCandidates()), FakeApplications(), FakeCandidates())
    _receipts: ports.Receipts = FakeReceipts()
    _preferences: ports.Preferences = FakePreferences()
    _retention: ports.Retention = FakeRetention()
    _scheduler: ports.Scheduler = FakeScheduler()
    _email: ports.EmailOut = FakeEmail()
    _sms: ports.SmsOut = FakeSms()
