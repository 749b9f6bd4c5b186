"""A candidate: the person the nudges are for."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from nudges.domain.interview import Person
from nudges.domain.people import greeting_name

if TYPE_CHECKING:
    from datetime import datetime

Channel = Literal["email", "sms"]
CHANNELS: tuple[Channel, ...] = ("email", "sms")
# The kinds a candidate may turn off on their preferences page (the welcome is not one of them).
OPTIONAL_KINDS: tuple[str, ...] = ("research_prompt", "thank_you", "connect", "follow_up", "rejection_reply")


def phone_key(phone: str) -> str:
    """How opt-outs remember a number without storing it."""
    return hashlib.sha256(phone.strip().encode()).hexdigest()


@dataclass(frozen=True)
class Consent:
    """Evidence of consent to texts: the operator's (when and how they obtained it, as given) or
    the candidate's own YES by SMS (when, and the inbound message's id)."""

    obtained_at: datetime
    method: str
    message_id: str | None = None


@dataclass(frozen=True)
class Candidate:
    candidate_id: str
    email: str
    timezone: str
    channels: tuple[Channel, ...]
    created_at: datetime
    ics_inbox_token: str
    phone: str | None = None
    name: str | None = None
    locale: str = "en-GB"
    paused: bool = False
    kinds_off: tuple[str, ...] = ()
    sms_consent: Consent | None = None  # given by the operator at registration
    sms_yes: Consent | None = None  # the candidate's YES by SMS

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def first_name(self) -> str:
        """How the candidate is greeted: by the one name rule (nudges.domain.people), or "there"."""
        return greeting_name(Person(self.name or "", "")) or "there"

    @property
    def awaiting_sms_consent(self) -> bool:
        """No evidence yet that the candidate agreed to texts: only the welcome (which asks) goes by SMS."""
        return self.sms_consent is None and self.sms_yes is None

    def wants(self, kind: str) -> bool:
        """Whether the candidate still wants this kind of nudge (not paused, not turned off)."""
        return kind == "welcome" or (not self.paused and kind not in self.kinds_off)

    def reachable_channels(self) -> tuple[Channel, ...]:
        """Channels the candidate chose and can actually be reached on."""
        return tuple(c for c in self.channels if c != "sms" or self.phone)


def reachability(candidate: Candidate, email_suppression: str | None, sms_opted_out: bool) -> dict[Channel, str | None]:
    """Per channel, None when a nudge would reach the candidate there now, else why not:
    ``not_chosen``, ``unsubscribed``, ``bounced``, ``complained`` (email); ``not_chosen``,
    ``no_phone``, ``opted_out``, ``awaiting_sms_consent`` (SMS)."""
    email: str | None = None
    if "email" not in candidate.channels:
        email = "not_chosen"
    elif email_suppression:
        email = email_suppression
    sms: str | None = None
    if "sms" not in candidate.channels:
        sms = "not_chosen"
    elif not candidate.phone:
        sms = "no_phone"
    elif sms_opted_out:
        sms = "opted_out"
    elif candidate.awaiting_sms_consent:
        sms = "awaiting_sms_consent"
    return {"email": email, "sms": sms}
