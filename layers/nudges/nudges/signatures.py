"""Webhook signatures: HMAC-SHA256 over the raw bytes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from nudges.errors import Unauthorized

if TYPE_CHECKING:
    from collections.abc import Iterable

# How far a signed timestamp may be from now (either way) for our own outcome webhook and Lever's.
REPLAY_WINDOW = timedelta(minutes=5)


def hmac_sha256_hex(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def require_hex_signature(provider: str, given: str | None, data: bytes, secrets: Iterable[str]) -> None:
    """Pass if ``given`` is the hex HMAC of ``data`` under any active secret (two while rotating)."""
    if not given:
        raise Unauthorized(f"missing {provider} signature")
    given = given.strip().lower()
    matched = False
    for secret in secrets:
        # No early exit: every active secret is checked, whichever matches.
        matched |= hmac.compare_digest(hmac_sha256_hex(secret, data), given)
    if not matched:
        raise Unauthorized(f"bad {provider} signature")


def split_algorithm_signature(header: str | None, algorithm: str = "sha256") -> str | None:
    """``"sha256 <hex>"`` (Greenhouse's ``Signature`` header) -> ``<hex>``; None if not that form."""
    if not header:
        return None
    name, _, value = header.strip().partition(" ")
    return value.strip() if name.lower() == algorithm and value.strip() else None


def signed_time(provider: str, seconds: float) -> datetime:
    """A signed Unix timestamp as a time; one no clock can show (year 292278994) is a bad signature."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise Unauthorized(f"{provider} signature timestamp is no time") from None


def require_fresh(provider: str, signed_at: datetime, now: datetime, window: timedelta) -> None:
    """Refuse a signed timestamp outside ``window`` of now (either way): a replay, or a bad clock."""
    if abs(now - signed_at) > window:
        raise Unauthorized(f"{provider} signature timestamp outside the {int(window.total_seconds())} s window")


def require_timestamped_signature(
    provider: str,
    header: str | None,
    data: bytes,
    secrets: Iterable[str],
    now: datetime,
    window: timedelta,
) -> str:
    """Pass if ``header`` (``t=<unix>,v1=<hex>``, as Calendly, Stripe and our outcome webhook sign)
    carries the hex HMAC of ``"<t>." + data`` under an active secret, with ``t`` within ``window``
    of now. The timestamp is signed, so a captured request cannot be replayed after the window.
    Returns the signature that matched (callers may remember it to refuse an exact replay)."""
    if not header:
        raise Unauthorized(f"missing {provider} signature")
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value.strip().lower())
    stamps, signatures = fields.get("t", []), [s for s in fields.get("v1", []) if s]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        raise Unauthorized(f"malformed {provider} signature: expected t=<unix seconds>,v1=<hex>")
    signed = stamps[0].encode() + b"." + data
    matched: str | None = None
    for secret in secrets:
        expected = hmac_sha256_hex(secret, signed)
        for given in signatures:
            # No early exit: every secret and signature is compared, whichever matches.
            if hmac.compare_digest(expected, given):
                matched = given
    if matched is None:
        raise Unauthorized(f"bad {provider} signature")
    require_fresh(provider, signed_time(provider, int(stamps[0])), now, window)
    return matched
