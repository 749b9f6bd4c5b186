"""The records services share with the repositories: a nudge, an application, a send claim."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.domain.plan import NudgeKind, NudgeStatus


@dataclass(frozen=True)
class NudgeRecord:
    owner_id: str
    kind: NudgeKind
    status: NudgeStatus
    interview_id: str
    due_at: datetime | None = None
    schedule_name: str | None = None
    reason: str | None = None
    candidate_id: str | None = None  # who it is for: the sender reads the profile by it
    # Per channel, what the sender did: {"status": "sent", "sent_at"} or {"status": "skipped", "reason"}.
    channels: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    # The opt-out records that may refuse the candidate, as planned (``channels.opt_outs``): the
    # sender reads them with the profile, in one call (read again if the addresses changed since).
    opt_outs: tuple[tuple[str, str], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Application:
    application_id: str
    candidate_email: str
    company: str
    outcome: str | None = None
    outcome_at: datetime | None = None
    interview_id: str | None = None
    outcome_source: str | None = None  # "candidate" (their outcome page); None: the operator or an ATS


@dataclass(frozen=True)
class SendClaim:
    """The right to send a nudge, or why not: ``stale`` (no longer scheduled at this time: sent,
    skipped, cancelled or moved) or ``busy`` (another delivery holds a live claim)."""

    state: Literal["claimed", "stale", "busy"]
    token: str = ""
    sent: frozenset[str] = frozenset()  # channels already sent (by a delivery that crashed)
    nudge: NudgeRecord | None = None  # the nudge as the claim left it (or found it, when refused)


@dataclass(frozen=True)
class DeliveryView:
    """What a delivery needs, read in one BatchGetItem: the nudge, its owner, the candidate."""

    nudge: NudgeRecord | None
    interview: Interview | None
    application: Application | None
    candidate: Candidate | None
    candidate_expires_at: int | None = None  # the profile's expiry (epoch seconds), for the message log
    # Why each channel refuses the candidate, read with the profile (``Preferences.refusals``'
    # answer); None when not read so (the addresses changed since the nudge was planned).
    refused: dict[str, str] | None = None


def is_candidate(owner_id: str) -> bool:
    """The welcome's owner is the candidate (``c_...``)."""
    return owner_id.startswith("c_")


@dataclass(frozen=True)
class RoundNudges:
    """An interview's own nudges, its application and the application's own nudges (connect,
    rejection reply), by kind: what a booking's decision reads about them, in one BatchGetItem."""

    interview_id: str
    application_id: str
    nudges: dict[str, NudgeRecord]
    application: Application | None
    application_nudges: dict[str, NudgeRecord]


@dataclass(frozen=True)
class BookingLookup:
    """What a booking change needs before it writes, read in one BatchGetItem: the interview a
    provider's reference was linked to (if any), the interview under the reference's own id
    (with its version), the candidate registered with the address the provider gave, and the
    nudges of the reference's own interview and application (``round``: read with them, so a
    booking of a new or known interview reads nothing more about them)."""

    linked_id: str | None
    own_id: str
    own: tuple[Interview, int] | None
    candidate: Candidate | None
    round: RoundNudges | None = None


@dataclass(frozen=True)
class OwnersRead:
    """The nudges of several owners (interviews, applications) by owner and kind, the candidate
    of an address, and the expiry of every item read (``expires``: epoch seconds, 0 when the item
    has none, None when it does not exist), so a retention extension reads none of them again."""

    nudges: dict[str, dict[str, NudgeRecord]]
    candidate: Candidate | None
    expires: dict[tuple[str, str], int | None]


def is_application(owner_id: str) -> bool:
    """A nudge's owner is its interview (``iv_...``) or, for the connect nudge, its application (``ap_...``)."""
    return owner_id.startswith("ap_")
