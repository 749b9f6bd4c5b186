"""What the ATS webhooks are built on (nudges.wiring builds the rest): the Lever and Greenhouse
APIs they read outcomes back from, each with its key from the WebhookSecrets secret, and the
outcome sources.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from nudges import config
from nudges.errors import NudgesError

if TYPE_CHECKING:
    from nudges.adapters.ats import GreenhouseApi, LeverApi
    from nudges.services.outcome_sources import OutcomeSources
from nudges.service_builders import _Deferred, _load
from nudges.wiring import outcomes, receipts, webhook_secrets


def _api_key(name: str) -> str:
    keys = webhook_secrets().for_provider(name)
    if not keys:
        raise NudgesError(f"no {name} in the WebhookSecrets secret")
    return keys[0]


def lever_api() -> LeverApi:
    """Built on its first call (it reads its key, cached a few minutes, from Secrets Manager)."""
    build = _load("nudges.adapters.ats.LeverApi")
    deferred: Any = _Deferred(lambda: build(config.lever_api_base_url(), _api_key("lever_api_key")))
    return deferred


def greenhouse_api() -> GreenhouseApi:
    """Built on its first call (it reads its key, cached a few minutes, from Secrets Manager)."""
    build = _load("nudges.adapters.ats.GreenhouseApi")
    deferred: Any = _Deferred(lambda: build(config.greenhouse_api_base_url(), _api_key("greenhouse_api_key")))
    return deferred


@cache
def outcome_sources() -> OutcomeSources:
    return _load("nudges.services.outcome_sources.OutcomeSources")(receipts(), outcomes())
