"""Webhook signatures: HMAC-SHA256 over the raw bytes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from nudges.errors import Unauthorized

if TYPE_CHECKING:
    from collections.abc import Iterable


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
