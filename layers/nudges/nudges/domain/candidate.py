"""A candidate: the person the nudges are for."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from datetime import datetime

Channel = Literal["email", "sms"]
CHANNELS: tuple[Channel, ...] = ("email", "sms")


def phone_key(phone: str) -> str:
    """How opt-outs remember a number without storing it."""
    return hashlib.sha256(phone.strip().encode()).hexdigest()


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

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def first_name(self) -> str:
        return (self.name or "").split(" ")[0] or "there"

    def reachable_channels(self) -> tuple[Channel, ...]:
        """Channels the candidate chose and can actually be reached on."""
        return tuple(c for c in self.channels if c != "sms" or self.phone)
