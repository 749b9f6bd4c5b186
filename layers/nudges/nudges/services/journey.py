"""The candidate as they stand: where they can be reached and why not, their consent records,
their calendars and their own links (what ``GET /candidates/{id}`` and registration answer
beside the profile)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges.domain.calendars import PROVIDER_NAMES
from nudges.domain.candidate import reachability
from nudges.links import add_interview_link, candidate_links
from nudges.timefmt import iso

if TYPE_CHECKING:
    from collections.abc import Collection

    from nudges.domain.candidate import Candidate, Consent
    from nudges.services.candidate_calendars import CalendarService
    from nudges.services.ports import Preferences


def _consent(consent: Consent | None) -> dict[str, Any] | None:
    if consent is None:
        return None
    out = {"obtained_at": iso(consent.obtained_at), "method": consent.method}
    if consent.text:
        out["text"] = consent.text
    return {**out, "message_id": consent.message_id} if consent.message_id else out


def journey(
    candidate: Candidate,
    preferences: Preferences,
    calendars: CalendarService | None,
    base_url: str,
    key: str,
    providers: Collection[str] | None = None,
) -> dict[str, Any]:
    """One BatchGetItem for the refusals, one Query for the calendars (when asked for)."""
    reasons = reachability(candidate, preferences.refusals(candidate))
    own = candidate_links(base_url, key, candidate.candidate_id)
    connections = calendars.connections(candidate.candidate_id) if calendars else []
    return {
        "reachable": {channel: reason is None for channel, reason in reasons.items()},
        "unreachable_reasons": {channel: reason for channel, reason in reasons.items() if reason},
        "paused": candidate.paused,
        "kinds_off": list(candidate.kinds_off),
        "sms_consent": _consent(candidate.sms_consent),
        "sms_yes": _consent(candidate.sms_yes),
        "join_code": candidate.join_code,
        "calendars": [
            {
                "provider": c.provider,
                "calendar_id": c.calendar_id,
                "account_email": c.account_email,
                "connected_at": iso(c.connected_at),
                "watch_expires_at": iso(c.watch_expires) if c.watch_expires else None,
            }
            for c in connections
        ],
        "preferences_url": own["preferences"],
        "add_interview_url": add_interview_link(base_url, key, candidate.candidate_id),
        # Only the providers whose OAuth client is configured (None: not known here, every one).
        "connect_urls": {p: own[p] for p in PROVIDER_NAMES if providers is None or p in providers},
    }
