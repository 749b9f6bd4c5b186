"""Webhook signatures: HMAC-SHA256 over the raw bytes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from nudges.errors import Unauthorized

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime, timedelta


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


def require_timestamped_signature(
    provider: str,
    header: str | None,
    data: bytes,
    secrets: Iterable[str],
    now: datetime,
    tolerance: timedelta,
) -> None:
    """Pass if ``header`` (``t=<unix>,v1=<hex>``, as Calendly and Stripe sign) carries the hex
    HMAC of ``"<t>." + data`` under an active secret, and ``t`` is no older than ``tolerance``.

    The timestamp is signed, so a captured request cannot be replayed after the window.
    """
    if not header:
        raise Unauthorized(f"missing {provider} signature")
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value.strip())
    stamps, signatures = fields.get("t", []), fields.get("v1", [])
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        raise Unauthorized(f"malformed {provider} signature")
    signed_at = int(stamps[0])
    age = now.timestamp() - signed_at
    if age > tolerance.total_seconds() or age < -tolerance.total_seconds():
        raise Unauthorized(f"{provider} signature timestamp outside the {int(tolerance.total_seconds())} s window")
    signed = stamps[0].encode() + b"." + data
    matched = False
    for secret in secrets:
        expected = hmac_sha256_hex(secret, signed)
        for given in signatures:
            matched |= hmac.compare_digest(expected, given.lower())
    if not matched:
        raise Unauthorized(f"bad {provider} signature")
