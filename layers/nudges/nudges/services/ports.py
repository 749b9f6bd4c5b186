"""What the services need from the outside, as small Protocols: the repositories (in
``adapters``, on DynamoDB), the scheduler and the senders. A service is typed against these,
never against an adapter class, so a test hands it in-memory fakes (``tests/unit/fakes.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from nudges.adapters.retention import Extension
    from nudges.domain.candidate import Candidate, Consent
    from nudges.domain.deliveries import LoggedMessage, MessageStatus
    from nudges.domain.interview import Interview
    from nudges.domain.messages import Message
    from nudges.domain.nudge_steps import Plan, Steps, Withdrawal
    from nudges.domain.plan import NudgeStatus
    from nudges.domain.records import (
        Application,
        BookingLookup,
        DeliveryView,
        NudgeRecord,
        OwnersRead,
        RoundNudges,
        SendClaim,
    )


class Candidates(Protocol):
    def add(self, candidate: Candidate) -> None: ...  # Conflict when the email is registered
    def get(self, candidate_id: str) -> Candidate | None: ...
    def by_email(self, email: str) -> Candidate | None: ...
    def by_inbox_token(self, token: str) -> Candidate | None: ...
    def update(self, candidate: Candidate) -> None: ...
    # The new address, the old kept as an alias; Conflict when another candidate holds it.
    def change_email(self, candidate: Candidate, new_email: str) -> Candidate: ...


class ConnectedAccounts(Protocol):
    """The accounts of a candidate's connected calendars (``adapters.calendar_connections``)."""

    def account_emails(self, candidate_id: str) -> list[str]: ...


class Interviews(Protocol):
    # With the nudges of the reference's own interview and of ``application_id`` (one read).
    def lookup(self, source: str, ref: str, candidate_email: str, application_id: str) -> BookingLookup: ...
    def get(self, interview_id: str) -> tuple[Interview, int] | None: ...  # with its version
    # ConcurrentUpdate; ``extending`` (from Retention.pending), the ``steps`` decided from this
    # version and a new reference's ``link`` written in the same transaction; the withdrawals written.
    def save(
        self,
        interview: Interview,
        read_version: int | None,
        extending: Extension | None = None,
        *,
        changed: bool = True,
        steps: Steps | None = None,
        link: tuple[str, str] | None = None,
    ) -> tuple[Withdrawal, ...]: ...
    def forget(self, interview_id: str) -> None: ...
    def for_source(self, source: str, ref: str) -> str | None: ...
    def link_source(self, source: str, ref: str, interview_id: str, expires_after: datetime) -> None: ...
    def for_email(self, email: str) -> list[Interview]: ...
    def owned_by(self, email: str) -> tuple[list[Interview], list[str]]: ...  # and application ids


class Applications(Protocol):
    def get(self, application_id: str) -> Application | None: ...
    def for_email(self, email: str) -> list[Application]: ...
    def record_outcome(self, application: Application, now: datetime) -> bool: ...
    def attach_interview(self, application_id: str, interview_id: str) -> None: ...


class Nudges(Protocol):
    """The nudge ledger: plans, claims and sends."""

    def for_owner(self, owner_id: str) -> dict[str, NudgeRecord]: ...
    def for_interview(self, interview_id: str, application_id: str) -> RoundNudges: ...
    def for_owners(self, owner_ids: list[str], candidate_email: str) -> OwnersRead: ...
    def follow_ups(self, interview_ids: list[str]) -> dict[str, NudgeRecord]: ...
    def get(self, owner_id: str, kind: str) -> NudgeRecord | None: ...
    def put(self, nudge: NudgeRecord, *, expires_after: datetime) -> None: ...
    # One write; the withdrawals written (one no longer scheduled is left out).
    def write(self, plans: tuple[Plan, ...], withdrawals: tuple[Withdrawal, ...]) -> tuple[Withdrawal, ...]: ...
    def delivery_view(
        self, owner_id: str, kind: str, candidate_id: str, opt_outs: tuple[tuple[str, str], ...] = ()
    ) -> DeliveryView: ...
    def claim_send(self, nudge: NudgeRecord, now: datetime, lease: timedelta) -> SendClaim: ...
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
        logged: LoggedMessage | None = None,  # the message log's record, in the same write
        log_expires_at: int | None = None,
    ) -> None: ...
    def finish_claimed(
        self,
        nudge: NudgeRecord,
        claim: SendClaim,
        status: NudgeStatus,
        reason: str | None,
        skipped: dict[str, str] | None = None,
    ) -> None: ...
    def release_send(self, nudge: NudgeRecord, claim: SendClaim) -> None: ...


class Receipts(Protocol):
    """Webhook receipts: what a provider's webhooks were received with."""

    def claim(self, source: str, receipt_id: str, now: datetime, keep: timedelta) -> bool: ...
    def release(self, source: str, receipt_id: str) -> None: ...


class Preferences(Protocol):
    """Contact preferences: suppressions and opt-outs, the inbound texts and their keyword replies."""

    def suppress_email(self, email: str, reason: str, at: datetime) -> None: ...
    def set_sms_opt_out(self, phone_hash: str, opted_out: bool, at: datetime) -> None: ...
    # Why each channel the candidate has an address on refuses them now, by channel (one read).
    def refusals(self, candidate: Candidate) -> dict[str, str]: ...
    def record_inbound_sms(self, message_id: str, sender_hash: str, body: str, received_at: datetime) -> None: ...
    def claim_sms_reply(self, message_id: str, now: datetime) -> bool: ...
    def release_sms_reply(self, message_id: str) -> None: ...
    def record_sms_reply(self, message_id: str, reply_message_id: str, sent_at: datetime, sent_order: int) -> None: ...


class Retention(Protocol):
    def extend(
        self,
        email: str,
        after: datetime,
        *,
        everything: bool,
        candidate: Candidate | None = None,
        owners: tuple[list[Interview], list[str]] | None = None,
        read: dict[tuple[str, str], int | None] | None = None,
    ) -> None: ...
    def pending(
        self, email: str, after: datetime, *, everything: bool = False, candidate: Candidate | None = None
    ) -> Extension: ...
    def erase(self, candidate: Candidate) -> None: ...


class Scheduler(Protocol):
    def schedule(self, nudge: NudgeRecord, now: datetime) -> str | None: ...
    def cancel(self, name: str | None) -> None: ...


class Messages(Protocol):
    """The message log: each message sent, with its provider's id and delivery status."""

    def record(self, message: LoggedMessage, candidate_expires_at: int | None = None) -> None: ...
    # What a nudge's message carries to its provider (a tag): its events find its record by it.
    def ref(self, candidate_id: str, sent_at: datetime, order: int, channel: str) -> str: ...
    def set_status(
        self, provider_message_id: str, status: MessageStatus, at: datetime, ref: str | None = None
    ) -> LoggedMessage | None: ...


class EmailOut(Protocol):
    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str,
        *,
        to_name: str | None = None,
        unsubscribe_url: str | None = None,
        ref: str | None = None,  # handed back with the email's events (an SES message tag)
    ) -> str: ...


class WhatsAppOut(Protocol):
    """End User Messaging Social (adapters.whatsapp.WhatsAppSender)."""

    def send_template(self, to: str, name: str, language: str, values: dict[str, str]) -> str: ...
    def send_text(self, to: str, body: str) -> str: ...


class WhatsAppInboxPort(Protocol):
    """WhatsApp opt-outs and inbound messages (adapters.whatsapp_inbox.WhatsAppInbox)."""

    def set_opt_out(self, phone_hash: str, opted_out: bool, at: datetime) -> None: ...
    def record_yes(self, candidate: Candidate, consent: Consent) -> bool: ...
    def record(self, message_id: str, sender_hash: str, body: str, received_at: datetime) -> None: ...
    def claim_reply(self, message_id: str, now: datetime) -> bool: ...
    def release_reply(self, message_id: str) -> None: ...
    def record_reply(self, message_id: str, reply_message_id: str, sent_at: datetime, sent_order: int) -> None: ...


class ChannelSender(Protocol):
    """One channel's sender (services.channel_senders), by channel name in SendService."""

    # ``ref``: the message log's key for this message, handed back with its events where the
    # provider can (an SES message tag, End User Messaging's context); None where none is logged.
    def send(
        self, candidate: Candidate, message: Message, unsubscribe_url: str | None, ref: str | None = None
    ) -> str: ...
    def opted_out(self, candidate: Candidate) -> bool: ...  # the provider's own opt-out list


class SmsOut(Protocol):
    def send(self, to: str, text: str, ref: str | None = None) -> str: ...
    def opted_out(self, phone: str) -> bool: ...
    def opt_in(self, phone: str) -> None: ...


class PhoneConsent(Protocol):
    """The candidate's consent records (adapters.consent.ConsentStore)."""

    def candidates_for_phone(self, phone_hash: str) -> list[str]: ...
    def record_sms_yes(self, candidate: Candidate, consent: Consent) -> bool: ...
    def move_phone(self, candidate: Candidate, old_phone: str | None, now: datetime) -> None: ...
    def resubscribe_email(self, email: str) -> bool: ...
