"""A candidate: the person the nudges are for."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from nudges.domain.channels import CHANNEL_SPECS, SMS
from nudges.domain.channels import CHANNELS as CHANNELS
from nudges.domain.channels import Channel as Channel
from nudges.domain.channels import phone_key as phone_key
from nudges.domain.interview import Person, normalise_email
from nudges.domain.kinds import KIND_SPECS
from nudges.domain.kinds import OPTIONAL_KINDS as OPTIONAL_KINDS
from nudges.domain.people import greeting_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

# Earlier addresses a candidate keeps as aliases (each one finds them, and invites naming it
# match them): a change past this many is refused, so every address a candidate's data is filed
# under stays in one short list that erasure and retention walk.
MAX_EMAIL_ALIASES = 10


@dataclass(frozen=True)
class Consent:
    """Evidence of consent to texts: the operator's (when and how they obtained it, as given) or
    the candidate's own YES by SMS (when, and the inbound message's id)."""

    obtained_at: datetime
    method: str
    message_id: str | None = None
    text: str | None = None  # the exact consent wording the candidate agreed to (a sign-up page's box)


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
    # The language of the drafts inside messages (the candidate sends them to interviewers who
    # may not share theirs); None: their ``locale``.
    draft_locale: str | None = None
    paused: bool = False
    kinds_off: tuple[str, ...] = ()
    sms_consent: Consent | None = None  # given by the operator at registration
    sms_yes: Consent | None = None  # the candidate's YES by SMS
    whatsapp_consent: Consent | None = None  # WhatsApp opt-in, as the operator or a page recorded it
    join_code: str | None = None  # the cohort they signed up with (a join code), if any
    # Addresses the candidate had before (oldest first): invites naming one still match them, and
    # interviews filed under one are still theirs. Messages go to ``email`` only.
    email_aliases: tuple[str, ...] = ()

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every address the candidate is found by: the current one first, then the aliases."""
        return (self.email, *(a for a in self.email_aliases if a != self.email))

    def with_email(self, new_email: str) -> Candidate:
        """The candidate after a change of address: the old one kept as an alias (a change back
        to an alias takes it off the list)."""
        aliases = [a for a in (*self.email_aliases, self.email) if a != new_email]
        return replace(self, email=new_email, email_aliases=tuple(dict.fromkeys(aliases)))

    @property
    def drafts_in(self) -> str:
        """The locale the drafts inside messages are written in."""
        return self.draft_locale or self.locale

    @property
    def first_name(self) -> str:
        """How the candidate is greeted: by the one name rule (nudges.domain.people), or "there"."""
        return greeting_name(Person(self.name or "", "")) or "there"

    @property
    def awaiting_sms_consent(self) -> bool:
        """No evidence yet that the candidate agreed to texts: only the welcome (which asks) goes by SMS."""
        return self.awaiting_consent(SMS.name)

    def awaiting_consent(self, channel: str) -> bool:
        """No evidence yet of the candidate's opt-in to this channel (its consent rule: the registry's)."""
        return CHANNEL_SPECS[channel].waits_for_consent(self)

    def wants(self, kind: str) -> bool:
        """Whether the candidate still wants this kind of nudge (not paused, not turned off)."""
        spec = KIND_SPECS.get(kind)
        return (spec is not None and not spec.optional) or (not self.paused and kind not in self.kinds_off)

    def reachable_channels(self) -> tuple[Channel, ...]:
        """Channels the candidate chose and gave an address for."""
        return tuple(c for c in self.channels if CHANNEL_SPECS[c].address(self))


def own_addresses(
    candidate: Candidate, *, connected: Iterable[str | None] = (), forwarded_from: str | None = None
) -> frozenset[str]:
    """Every address that is the candidate's, normalised (issue 21, "who is the candidate"): the
    one registered, its aliases, the one an invite was forwarded from, and the accounts of the
    calendars they connected (``connected``: ``CalendarConnection.account_email`` of each). An
    attendee at any of them is the candidate, whatever the name it is listed under: never an
    interviewer, a contact or the recruiter. The one place every invite source asks."""
    found = [*candidate.addresses, forwarded_from, *connected]
    return frozenset(normalise_email(a) for a in found if a and "@" in a)


def reachability(candidate: Candidate, refused: Mapping[str, str]) -> dict[Channel, str | None]:
    """Per channel, None when a nudge would reach the candidate there now, else why not:
    ``not_chosen``, ``unsubscribed``, ``bounced``, ``complained`` (email); ``not_chosen``,
    ``no_phone``, ``opted_out``, ``awaiting_sms_consent`` (SMS), ``awaiting_whatsapp_consent``
    (WhatsApp); ``paused`` on every channel that would otherwise reach them while the candidate
    has paused their nudges. ``refused``: the opt-out store's refusals per channel
    (``Preferences.refusals``)."""
    reasons: dict[Channel, str | None] = {}
    for name, spec in CHANNEL_SPECS.items():
        reason: str | None = None
        if name not in candidate.channels:
            reason = spec.not_chosen
        elif not spec.address(candidate):
            reason = spec.no_address
        elif name in refused:
            reason = refused[name]
        elif candidate.paused:
            reason = "paused"
        elif spec.needs_consent and candidate.awaiting_consent(name):
            reason = spec.awaiting_consent
        reasons[spec.name] = reason
    return reasons
