"""Secrets from Secrets Manager (JSON, one key per purpose), cached for a few minutes per process.

Webhook signing secrets have one key per provider; a key may hold a list while a secret is being
rotated, and every listed secret is accepted.
"""

from __future__ import annotations

import json
import time
from typing import Any

CACHE_SECONDS = 300


class JsonSecret:
    def __init__(self, secretsmanager_client: Any, secret_id: str) -> None:
        self._client = secretsmanager_client
        self._secret_id = secret_id
        self._cached: dict[str, Any] | None = None
        self._fetched_at = 0.0

    def values(self, key: str) -> list[str]:
        if self._cached is None or time.monotonic() - self._fetched_at > CACHE_SECONDS:
            value = self._client.get_secret_value(SecretId=self._secret_id)["SecretString"]
            self._cached = json.loads(value)
            self._fetched_at = time.monotonic()
        found = self._cached.get(key)
        if isinstance(found, str):
            found = [found]
        return [s for s in found or [] if s]


class WebhookSecrets(JsonSecret):
    def for_provider(self, provider: str) -> list[str]:
        return self.values(provider)
