"""Webhook signing secrets from Secrets Manager, cached for a few minutes per process.

The secret is JSON with one key per provider; a key may hold a list while a secret is being
rotated, and every listed secret is accepted.
"""

from __future__ import annotations

import json
import time
from typing import Any

CACHE_SECONDS = 300


class WebhookSecrets:
    def __init__(self, secretsmanager_client: Any, secret_id: str) -> None:
        self._client = secretsmanager_client
        self._secret_id = secret_id
        self._cached: dict[str, Any] | None = None
        self._fetched_at = 0.0

    def for_provider(self, provider: str) -> list[str]:
        if self._cached is None or time.monotonic() - self._fetched_at > CACHE_SECONDS:
            value = self._client.get_secret_value(SecretId=self._secret_id)["SecretString"]
            self._cached = json.loads(value)
            self._fetched_at = time.monotonic()
        found = self._cached.get(provider)
        if isinstance(found, str):
            found = [found]
        return [s for s in found or [] if s]
