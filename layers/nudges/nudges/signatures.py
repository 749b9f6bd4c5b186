"""Webhook signatures: HMAC-SHA256 over the raw bytes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from nudges.errors import Unauthorized

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import timedelta


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


def require_fresh(provider: str, signed_at: datetime, now: datetime, window: timedelta) -> None:
    """Refuse a signed timestamp outside ``window`` of now (either way): a replay, or a bad clock."""
    if abs(now - signed_at) > window:
        raise Unauthorized(f"{provider} request is outside the {int(window.total_seconds())} s window")


def parse_timestamped(header: str | None) -> tuple[int, list[str]]:
    """``t=<unix>,v1=<hex>[,v1=<hex>]`` -> (t, [hex, ...]); Unauthorized when malformed."""
    if not header:
        raise Unauthorized("missing Nudges-Signature header")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value.strip().lower())
    if timestamp is None or not signatures:
        raise Unauthorized("Nudges-Signature must be t=<unix seconds>,v1=<hex>")
    return timestamp, signatures


def require_timestamped_signature(
    header: str | None, body: bytes, secrets: Iterable[str], now: datetime, window: timedelta
) -> str:
    """Verify ``Nudges-Signature: t=<unix>,v1=<hex>``: the HMAC-SHA256 of ``"<t>.<raw body>"``
    under any active secret, with ``t`` within ``window`` of now. Returns the matching signature."""
    timestamp, given = parse_timestamped(header)
    signed = f"{timestamp}.".encode() + body
    secrets = list(secrets)
    matched: str | None = None
    for secret in secrets:
        expected = hmac_sha256_hex(secret, signed)
        for candidate in given:
            if hmac.compare_digest(expected, candidate):
                matched = candidate
    if matched is None:
        raise Unauthorized("bad Nudges-Signature")
    require_fresh("Nudges-Signature", datetime.fromtimestamp(timestamp, UTC), now, window)
    return matched
